"""Run every bench/bench_*.py and print one table: name, median, baseline, ratio.

Each module has `cases()` returning `Case`s. A case's `make()` does the set-up and returns the
callable that is timed; a case may name a baseline case, measured in the same run, and the
table gives the ratio of the two medians. Results go to bench/results.json too.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


@dataclass
class Case:
    """One timed thing: set-up in make(), the returned callable is timed `repeat` times."""

    name: str
    make: Callable[[], Callable[[], object]]
    baseline: str | None = None
    repeat: int = 30
    warmup: int = 2


def measure(case: Case) -> dict:
    fn = case.make()
    for _ in range(case.warmup):
        fn()
    times = []
    for _ in range(case.repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {
        "name": case.name,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)] * 1000,
        "runs": case.repeat,
        "baseline": case.baseline,
    }


NOTE_SOURCES: list = []  # modules with notes(): lines printed under the table (e.g. memory)
REPORTS: list = []  # modules with report(): a measurement of their own (e.g. capacity), printed
# after the table as lines


def load_cases(only: list[str]) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if only and not any(word in path.stem for word in only):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.extend(module.cases())
        if hasattr(module, "notes"):
            NOTE_SOURCES.append(module.notes)
        if hasattr(module, "report"):
            REPORTS.append(module)
    return cases


def main(argv: list[str]) -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = {}
    for case in load_cases(argv):
        print(f"measuring {case.name} ...", file=sys.stderr, flush=True)
        results[case.name] = measure(case)
    for row in results.values():
        base = results.get(row["baseline"]) if row["baseline"] else None
        row["baseline_median_ms"] = base["median_ms"] if base else None
        row["ratio"] = row["median_ms"] / base["median_ms"] if base else None
    header = (
        f"{'name':<50} {'median':>10} {'p95':>10} {'baseline':<30} {'base med':>10} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in results.values():
        base = row["baseline"] or "-"
        base_ms = f"{row['baseline_median_ms']:.2f}ms" if row["baseline_median_ms"] else "-"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] else "-"
        print(
            f"{row['name']:<50} {row['median_ms']:>8.2f}ms {row['p95_ms']:>8.2f}ms "
            f"{base:<30} {base_ms:>10} {ratio:>7}"
        )
    for source in NOTE_SOURCES:
        for line in source():
            print(line)
    reports = {}
    for module in REPORTS:
        print(f"measuring {module.__name__} ...", file=sys.stderr, flush=True)
        lines = module.report()
        reports[module.__name__] = getattr(module, "RESULTS", lines)
        for line in lines:
            print(line)
    rows = list(results.values())
    if reports:
        rows.append({"reports": reports})
    (HERE / "results.json").write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
