"""A project: its folders, the clinic it prints for, its one Jinja environment, and its content.

MkDocs passes one checked config object to its build and makes every Jinja environment in one
place (`Theme.get_env`); `Project` is that object here. Every folder is named in this module
only, the clinic is loaded once per `Project` (a watch rebuild makes a new one), and every page
the project writes (sheets, index, report, the web form) gets its templates from `environment`,
so a clinic's template overrides reach all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from factsheets.content.shared import FOLDER, Common, load_common
from factsheets.content.sheets import Sheet, load_sheets
from factsheets.content.sources import Corpus, load_corpus
from factsheets.errors import FactsheetsError, Problem, collect, raise_any
from factsheets.selection.approval import LOCK_FILE, Lock, read_lock
from factsheets.selection.select import FilledSheet, select
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from factsheets.content.clinic import Clinic
    from factsheets.content.code_map import CodeMap


@dataclass(frozen=True)
class Project:
    """A folder holding sources/, sheets/, templates/, styles/, assets/ and out/, and a clinic folder.

    `clinic_override` is the folder given with --clinic; without it ROOT/clinic is used, and
    no clinic folder at all means neutral sheets.
    """

    root: Path
    clinic_override: Path | None = None

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def sheets_dir(self) -> Path:
        return self.root / "sheets"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def templates_dir(self) -> Path:
        """The project's own templates: the fallback for every clinic, and the base of relative links."""
        return self.root / "templates"

    @property
    def lock_file(self) -> Path:
        """What the patient-education committee approved: a sheet prints its approval date when it matches."""
        return self.sheets_dir / LOCK_FILE

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def clinic_dir(self) -> Path:
        return self.clinic_override if self.clinic_override is not None else self.root / "clinic"

    @property
    def template_dirs(self) -> list[Path]:
        """Where templates are looked up, the clinic's first: a clinic overrides one file at a time."""
        return [self.clinic_dir / "templates", self.templates_dir]

    @property
    def style_dirs(self) -> list[Path]:
        return [self.clinic_dir / "styles", self.root / "styles"]

    @property
    def look_dirs(self) -> list[Path]:
        """Folders every sheet depends on: a change in any of them changes every PDF (the shared
        glossary and When to call box in sheets/common/ included)."""
        return [self.templates_dir, self.root / "styles", self.assets_dir, self.clinic_dir, self.sheets_dir / FOLDER]

    @property
    def watched_dirs(self) -> list[Path]:
        """Everything a build reads: what `build --watch` watches."""
        return [
            self.sheets_dir,
            self.sources_dir,
            *[d for d in self.look_dirs if not d.is_relative_to(self.sheets_dir)],
        ]

    @cached_property
    def clinic(self) -> Clinic:
        """The clinic's settings, loaded (and checked) on first use; a problem raises every time it is asked."""
        from factsheets.content.clinic import load_clinic  # `list` and `show` print no clinic's settings

        return load_clinic(self.clinic_dir)

    def environment(self, strict: bool = False) -> SandboxedEnvironment:
        """The one way a Jinja environment is made: sandboxed, over the clinic's and the project's templates."""
        from factsheets.templating import environment  # Jinja loads only for commands that write pages

        return environment(self.template_dirs, strict)


@dataclass(frozen=True)
class Content:
    """Everything a build reads: the corpus and the sheets, both validated."""

    corpus: Corpus
    sheets: dict[str, Sheet]
    lock: Lock | None = None  # what the patient-education committee approved (sheets/approved.lock.json)
    common: Common = field(default_factory=Common)  # the glossary and the call to action (sheets/common/)
    codes_from: Path | None = None  # the sheets folder: its common/icd10-cm.yaml is read on first use of `codes`

    @cached_property
    def codes(self) -> CodeMap:
        """What each ICD-10-CM code asks for; read on first use, since checking it loads ICD-10-CM's tables (~2 s)."""
        from factsheets.content.code_map import CodeMap, load_codes

        return load_codes(self.codes_from) if self.codes_from else CodeMap()

    def sheet(self, sheet_id: str) -> Sheet:
        if sheet_id not in self.sheets:
            raise FactsheetsError(Problem(f"unknown sheet '{sheet_id}'", f"use one of: {', '.join(self.sheets)}."))
        return self.sheets[sheet_id]

    def variants(self) -> list[Variant]:
        """Every variant a full build makes: each sheet's general sheet, then one per cancer type it varies by."""
        return [Variant.of(s.id, t) for s in self.sheets.values() for t in [None, *s.variant_types]]

    def fill(self, variant: Variant) -> FilledSheet:
        """One variant's content, resolved, dated with its approval when it prints exactly what was approved."""
        filled = select(self.sheet(variant.sheet_id), self.corpus, variant.cancer_type, self.common)
        if self.lock is not None and self.lock.approved_on is not None and self.lock.approves(filled):
            return replace(filled, approved_on=self.lock.approved_on)
        return filled

    def fill_all(self) -> list[FilledSheet]:
        """Resolve every variant of every sheet, reporting all problems together."""
        return self._filled

    @cached_property
    def _filled(self) -> list[FilledSheet]:
        # Computed once per Content: check, assess and build all need every variant resolved.
        filled, problems = collect(self.variants(), self.fill)
        raise_any(problems)
        return filled


def load_content(project: Project, approved: bool = True) -> Content:
    """Load sources, sheets and (with `approved`) the lock file; problems in all of them are reported at once."""
    corpora, problems = collect([project.sources_dir], load_corpus)
    sheet_sets, more = collect([project.sheets_dir], load_sheets)
    locks, last = collect([project.sheets_dir] if approved else [], read_lock)
    commons, shared = collect([project.sheets_dir], load_common)
    raise_any(problems + more + last + shared)
    if not sheet_sets[0]:
        raise FactsheetsError(
            Problem(f"no sheets (*.yaml or *.yml) in {project.sheets_dir}", "add a sheet definition.")
        )
    return Content(corpora[0], sheet_sets[0], locks[0] if locks else None, commons[0], project.sheets_dir)
