"""CLI start-up benchmarks, run on demand: `.venv/bin/python bench/bench_cli.py`. Reports ratios.

Whole-process wall time of the `factsheets` command as a user runs it, against a scratch copy of
the project, each figure the median of several runs and set against `python -c pass` measured
in the same run (the interpreter's own start-up, the floor no command can go below).
Nothing here is a test; nothing fails on a slow machine.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_build import scratch_project

FACTSHEETS = str(Path(sys.executable).with_name("factsheets"))
RUNS = 7
TARGETS = {"--help": 0.3, "list": 0.3, "show bone": 0.3, "check": 0.8, "build (no change)": 0.8}
NO_CHANGE_SHARE = 0.08  # of a full build's wall time


def wall(args: list[str], cwd: Path, runs: int = RUNS) -> float:
    """Median seconds from start to exit of `args`, which must succeed."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def line(name: str, seconds: float, floor: float) -> str:
    target = TARGETS.get(name)
    verdict = "" if target is None else f"; target <= {target:g} s: {'met' if seconds <= target else 'NOT MET'}"
    return f"{name:<20} {seconds:6.3f} s = {seconds / floor:5.1f}x python -c pass{verdict}"


def main() -> None:
    project = scratch_project()
    root = project.root
    floor = wall([sys.executable, "-c", "pass"], root)
    print(f"python -c pass       {floor:6.3f} s (the floor)")
    for name in ("--help", "list", "show bone"):
        print(line(name, wall([FACTSHEETS, *name.split()], root), floor))
    print(line("check (first run)", wall([FACTSHEETS, "check"], root, runs=1), floor))
    print(line("check", wall([FACTSHEETS, "check"], root), floor))
    full = wall([FACTSHEETS, "build", "--force"], root, runs=3)
    print(line("build --force", full, floor))
    again = wall([FACTSHEETS, "build"], root)
    share = again / full
    print(line("build (no change)", again, floor))
    print(
        f"no-change build = {share:.1%} of a full build's wall time; target <= {NO_CHANGE_SHARE:.0%}: "
        f"{'met' if share <= NO_CHANGE_SHARE else 'NOT MET'}"
    )
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
