"""Build progress for people: a bar on a terminal, one plain line per PDF otherwise (CI logs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


@contextmanager
def progress_reporter() -> Iterator[Callable[[str, str], None]]:
    """Yields a callback `(name, status)`; the total is unknown up front, so the bar grows.

    The bar appears with the first PDF made: a build with nothing to make shows none, and does
    not load rich to show nothing.
    """
    if not sys.stdout.isatty():
        yield lambda name, status: print(f"{status:<8} {name}", flush=True)  # noqa: T201  (the CLI's own output)
        return
    bars: list[Progress] = []

    def report(name: str, _status: str) -> None:
        if not bars:
            bars.append(_bar())
        bars[0].update(bars[0].task_ids[0], advance=1, description=name)

    try:
        yield report
    finally:
        for bar in bars:
            bar.stop()


def _bar() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("Building"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), transient=True,
    )  # fmt: skip
    bar.add_task("", total=None)
    bar.start()
    return bar
