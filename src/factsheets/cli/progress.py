"""Progress for people: a build's bar on a terminal, one plain line per PDF otherwise (CI logs); and
a status line for `check`, on a terminal only, once it has taken more than a second."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.status import Status

STATUS_AFTER_SECONDS = 1.0  # a check that answers within this shows no status line at all


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


@contextmanager
def status_line(
    what: str, after: float = STATUS_AFTER_SECONDS, stream: TextIO | None = None
) -> Iterator[Callable[[str], None]]:
    """Yields `step(doing)`: on a terminal, a passing line "`what`: `doing`" shown once `after` seconds
    have gone by, so a long check is seen working and a quick one prints nothing extra. Piped or
    in CI, nothing: the output keeps only the results. The line is gone when the block ends.
    """
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda _doing: None
        return
    line = _StatusLine(what, stream)
    timer = threading.Timer(after, line.show)
    timer.daemon = True
    if after <= 0:
        line.show()
    else:
        timer.start()
    try:
        yield line.step
    finally:
        timer.cancel()
        line.close()


class _StatusLine:
    """A rich status (spinner and text) started late, from the timer's thread, and stopped once."""

    def __init__(self, what: str, stream: TextIO) -> None:
        self.what, self.stream, self.doing = what, stream, ""
        self.lock = threading.Lock()
        self.status: Status | None = None
        self.closed = False

    def show(self) -> None:
        from rich.console import Console

        with self.lock:
            if self.closed or self.status is not None:
                return
            self.status = Console(file=self.stream).status(self._text())
            self.status.start()

    def step(self, doing: str) -> None:
        with self.lock:
            self.doing = doing
            if self.status is not None:
                self.status.update(self._text())

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.status is not None:
                self.status.stop()

    def _text(self) -> str:
        from rich.markup import escape

        return escape(f"{self.what}: {self.doing}" if self.doing else f"{self.what}...")
