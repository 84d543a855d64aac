"""Build progress for people: a bar on a terminal, one plain line per PDF otherwise (CI logs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_reporter() -> Iterator[Callable[[str, str], None]]:
    """Yields a callback `(name, status)`; the total is unknown up front, so the bar grows."""
    if not sys.stdout.isatty():
        yield lambda name, status: print(f"{status:<8} {name}", flush=True)  # noqa: T201  (the CLI's own output)
        return
    with Progress(
        TextColumn("Building"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def report(name: str, _status: str) -> None:
            bar.update(task, advance=1, description=name)

        yield report
