"""Where a project's inputs live, and loading them all in one go (MkDocs: read everything first)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from factsheets.corpus import Corpus, load_corpus
from factsheets.errors import FactsheetsError, Problem
from factsheets.select import FilledSheet, select
from factsheets.sheet import Sheet, load_sheets


@dataclass(frozen=True)
class Project:
    """A folder holding sources/, sheets/, templates/, styles/, assets/ and out/."""

    root: Path

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def sheets_dir(self) -> Path:
        return self.root / "sheets"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    def clinic_dir(self, override: Path | None = None) -> Path:
        """The clinic folder: the one given (--clinic), else ROOT/clinic (absent means neutral)."""
        return override if override is not None else self.root / "clinic"


@dataclass(frozen=True)
class Content:
    """Everything a build reads: the corpus and the sheets, both validated."""

    corpus: Corpus
    sheets: dict[str, Sheet]

    def sheet(self, sheet_id: str) -> Sheet:
        if sheet_id not in self.sheets:
            raise FactsheetsError(Problem(f"unknown sheet '{sheet_id}'", f"use one of: {', '.join(self.sheets)}."))
        return self.sheets[sheet_id]

    def variants(self) -> list[tuple[Sheet, str | None]]:
        """Every (sheet, cancer type) pair a full build makes; None is the general sheet."""
        return [(s, t) for s in self.sheets.values() for t in [None, *s.variant_types]]

    def fill_all(self) -> list[FilledSheet]:
        """Resolve every variant of every sheet, reporting all problems together."""
        return self._filled

    @cached_property
    def _filled(self) -> list[FilledSheet]:
        # Computed once per Content: check, assess and build all need every variant resolved.
        filled: list[FilledSheet] = []
        problems: list[Problem] = []
        for sheet, ctype in self.variants():
            try:
                filled.append(select(sheet, self.corpus, ctype))
            except FactsheetsError as err:
                problems += [p for p in err.problems if p not in problems]
        if problems:
            raise FactsheetsError(problems)
        return filled


def load_content(project: Project) -> Content:
    """Load sources and sheets; problems in both are reported at once."""
    problems: list[Problem] = []
    corpus = sheets = None
    try:
        corpus = load_corpus(project.sources_dir)
    except FactsheetsError as err:
        problems += err.problems
    try:
        sheets = load_sheets(project.sheets_dir)
    except FactsheetsError as err:
        problems += err.problems
    if problems or corpus is None or sheets is None:
        raise FactsheetsError(problems)
    if not sheets:
        raise FactsheetsError(Problem(f"no sheets (*.yaml or *.yml) in {project.sheets_dir}", "add a sheet definition."))
    return Content(corpus, sheets)
