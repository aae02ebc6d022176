"""Run every bench/bench_*.py and print one table: name, median, baseline, ratio.

Each module has `cases()` returning `Case`s. A case's `make()` does the set-up and returns the
callable that is timed; a case may name a baseline case, measured in the same run, and the
table gives the ratio of the two medians. A case may carry a goal (a median in ms, or a ratio
to its baseline): the table says whether this run met it. Results go to bench/results.json.

A module may also have `measured()`, returning rows it timed itself (a browser's first load,
an export's peak memory): dicts with name, median_ms, p95_ms, runs and optionally baseline,
goal_ms, goal_ratio and unit ("ms" or "MB").
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
    goal_ms: float | None = None  # the median must stay under this
    goal_ratio: float | None = None  # the median over the baseline's must stay under this


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
        "goal_ms": case.goal_ms,
        "goal_ratio": case.goal_ratio,
    }


NOTE_SOURCES: list = []  # modules with notes(): lines printed under the table (e.g. memory)
REPORTS: list = []  # modules with report(): a measurement of their own (e.g. capacity), printed
# after the table as lines
MEASURED_SOURCES: list = []  # modules with measured(): rows they timed themselves


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
        if hasattr(module, "measured"):
            MEASURED_SOURCES.append(module.measured)
    return cases


def goal_text(row: dict) -> str:
    """The goal and whether this run met it: '< 200 ms ok', '< 5x MISSED', or ''."""
    unit = row.get("unit", "ms")
    if row.get("goal_ms") is not None:
        met = row["median_ms"] < row["goal_ms"]
        goal = f"< {row['goal_ms']:g} {unit}"
    elif row.get("goal_ratio") is not None and row.get("ratio") is not None:
        met = row["ratio"] < row["goal_ratio"]
        goal = f"< {row['goal_ratio']:g}x"
    else:
        return ""
    return f"{goal} {'ok' if met else 'MISSED'}"


def main(argv: list[str]) -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = {}
    began = time.perf_counter()
    for case in load_cases(argv):
        print(f"measuring {case.name} ...", file=sys.stderr, flush=True)
        results[case.name] = measure(case)
    for source in MEASURED_SOURCES:
        for row in source():
            results[row["name"]] = {"baseline": None, "goal_ms": None, "goal_ratio": None, **row}
    for row in results.values():
        base = results.get(row["baseline"]) if row["baseline"] else None
        row["baseline_median_ms"] = base["median_ms"] if base else None
        row["ratio"] = row["median_ms"] / base["median_ms"] if base else None
        row["goal"] = goal_text(row)
    header = (
        f"{'name':<56} {'median':>10} {'p95':>10} {'baseline':<44} {'base med':>10} "
        f"{'ratio':>7}  goal"
    )
    print(header)
    print("-" * len(header))
    for row in results.values():
        unit = row.get("unit", "ms")
        base = row["baseline"] or "-"
        base_ms = f"{row['baseline_median_ms']:.2f}{unit}" if row["baseline_median_ms"] else "-"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] else "-"
        print(
            f"{row['name']:<56} {row['median_ms']:>8.2f}{unit} {row['p95_ms']:>8.2f}{unit} "
            f"{base:<44} {base_ms:>10} {ratio:>7}  {row['goal']}"
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
    missed = [row["name"] for row in results.values() if row["goal"].endswith("MISSED")]
    print(
        f"goals: {sum(1 for r in results.values() if r['goal'])} set, {len(missed)} missed"
        + (f" ({'; '.join(missed)})" if missed else "")
        + f"; the whole run took {(time.perf_counter() - began) / 60:.1f} min"
    )
    rows = list(results.values())
    if reports:
        rows.append({"reports": reports})
    (HERE / "results.json").write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
