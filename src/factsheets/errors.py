"""Problems with user input, reported as 'file:line:col: what is wrong. Fix: what to do.'

Every error a content lead can cause ends up as a `Problem`; the CLI prints them all and
exits 1 without a traceback, so the library never prints or exits itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file (or with the run, when `file` is None)."""

    message: str
    fix: str = ""
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None  # the request field at fault (web form, API), when it is one

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = display_path(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{self.message}{fix}"


class FactsheetsError(Exception):
    """Raised with every problem found, so a content lead sees them all at once."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(
        self,
    ) -> tuple[
        type[FactsheetsError], tuple[list[Problem]]
    ]:  # crosses process boundaries (workers) with its problems intact
        return (type(self), (self.problems,))


def collect(items: Iterable[T], work: Callable[[T], R]) -> tuple[list[R], list[Problem]]:
    """`work` on every item, gathering problems instead of stopping at the first, each problem once.

    Every "report all broken files (sheets, variants, passages) at once" loop is this one.
    """
    done: list[R] = []
    problems: list[Problem] = []
    for item in items:
        try:
            done.append(work(item))
        except FactsheetsError as err:
            problems += [p for p in err.problems if p not in problems]
    return done, problems


def shown(value: object) -> str:
    """A wrong value as a message quotes it back: at most 40 characters, whatever was sent."""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def counted(n: int, thing: str) -> str:
    """'1 table', '2 tables': a count as a sentence says it."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def as_sentences(problems: list[Problem]) -> str:
    """Problems as sentences for a page or a JSON answer: "C50.999 is not an ICD-10-CM code. Check the code..."."""
    return " ".join(f"{p.message}." + (f" {p.fix[:1].upper()}{p.fix[1:]}" if p.fix else "") for p in problems)


def raise_any(problems: list[Problem]) -> None:
    """Raise the problems gathered, if there are any."""
    if problems:
        raise FactsheetsError(problems)


def display_path(path: Path) -> str:
    """Paths relative to the working directory read best in an editor's terminal; a link as itself."""
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
