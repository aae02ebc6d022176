"""Set-up shared by the benchmarks: scratch folders, a migrated scratch database, and
environment variables set for one script run."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from sparcs_engage.db import upgrade


def scratch(prefix: str) -> Path:
    """A temporary folder, removed when the bench process ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def scratch_database() -> str:
    """A migrated, empty SQLite database for pages that need one."""
    url = f"sqlite:///{scratch('bench-db-') / 'bench.db'}"
    upgrade(url)
    return url


@contextlib.contextmanager
def app_environment(data_dir: Path) -> Iterator[None]:
    """SPARCS_DATA_DIR and SPARCS_DATABASE_URL for one script run, restored afterwards."""
    wanted = {"SPARCS_DATA_DIR": str(data_dir), "SPARCS_DATABASE_URL": scratch_database()}
    previous = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
