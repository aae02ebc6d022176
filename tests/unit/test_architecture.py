"""Rules of the code's shape that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

from sparcs_engage.settings import REPO_ROOT

CORE = REPO_ROOT / "sparcs_engage"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_imports_no_streamlit_outside_ui():
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in CORE.rglob("*.py")
        if "ui" not in path.relative_to(CORE).parts[:1]
        and any(
            name.split(".")[0] in {"streamlit", "streamlit_folium"}
            for name in imported_modules(path)
        )
    ]
    assert offenders == []


def test_there_is_no_pages_folder_beside_app_py():
    # A folder named pages/ next to the entry point switches Streamlit into its legacy
    # multipage mode until st.navigation first runs: the first deep link after a restart shows
    # "Page not found", and AppTest runs page scripts without app.py. Pages live in views/.
    assert not (REPO_ROOT / "pages").exists()


def test_every_registered_page_script_exists():
    from sparcs_engage.navigation import PAGES

    assert all((REPO_ROOT / page.script).is_file() for page in PAGES)


def test_url_paths_are_the_stable_ones_of_the_design():
    from sparcs_engage.navigation import PAGES

    allowed = {
        "",
        "map",
        "footprint",
        "vision",
        "results",
        "workshop",
        "facilitate",
        "staff",
        "privacy",
        "login",
    }
    paths = [page.url_path for page in PAGES]
    assert set(paths) <= allowed
    assert len(paths) == len(set(paths))
