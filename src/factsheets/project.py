"""A project: its folders, the clinic it prints for, its one Jinja environment, and its content.

MkDocs passes one checked config object to its build and makes every Jinja environment in one
place (`Theme.get_env`); `Project` is that object here. Every folder is named in this module
only, the clinic is loaded once per `Project` (a watch rebuild makes a new one), and every page
the project writes (sheets, index, report, the web form) gets its templates from `environment`,
so a clinic's template overrides reach all of them.

Files are found in layers, as MkDocs finds a theme's: the clinic folder, then the project, then
the defaults shipped in the package (`SHIPPED`). Templates, styles and assets always layer, so a
folder holding only sheets/ and sources/ prints. Sheets and sources layer over the shipped ones
only in a content project (a folder with a factsheets.yaml, as `factsheets new` makes): there a
local sheet or source with a shipped id replaces it, and `Content.replaced` says so.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from factsheets.content.reading import content_files, first_holding
from factsheets.content.shared import FOLDER, Common, load_common
from factsheets.content.sheets import Sheet, load_sheets
from factsheets.content.sources import Corpus, Document, load_corpus
from factsheets.content.starter import read_settings
from factsheets.errors import FactsheetsError, Problem, collect, raise_any
from factsheets.selection.approval import LOCK_FILE, Lock, read_lock
from factsheets.selection.select import FilledSheet, select
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from factsheets.content.clinic import Clinic
    from factsheets.content.code_map import CodeMap

T = TypeVar("T")

SHIPPED = Path(__file__).resolve().parent / "defaults"
"""The content and look that come with factsheets: copies in a wheel, links to the top-level folders in a checkout."""


@dataclass(frozen=True)
class Project:
    """A folder holding sources/, sheets/, templates/, styles/, assets/ and out/, and a clinic folder.

    `clinic_override` is the folder given with --clinic; without it ROOT/clinic is used, and
    no clinic folder at all means neutral sheets.
    """

    root: Path
    clinic_override: Path | None = None
    shipped: Path = SHIPPED

    def layers(self, name: str, clinic: bool = False) -> list[Path]:
        """The folders called `name`, most local first: the clinic's (if asked), the project's, the shipped one.

        Each real folder appears once: in a checkout the project's templates/ are the shipped ones.
        """
        folders = [self.clinic_dir / name] if clinic else []
        kept: dict[Path, Path] = {}
        for folder in [*folders, self.root / name, self.shipped / name]:
            kept.setdefault(folder.resolve(), folder)
        return list(kept.values())

    @cached_property
    def builds_on_shipped(self) -> bool:
        """Whether the shipped sheets and sources are part of this project (its factsheets.yaml says so)."""
        settings = read_settings(self.root)
        return settings is not None and settings.shipped

    def content_layers(self, name: str) -> list[Path]:
        """sheets/ or sources/, most local first: the project's, then the shipped one in a content project."""
        return self.layers(name) if self.builds_on_shipped else [self.root / name]

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def sheets_dir(self) -> Path:
        return self.root / "sheets"

    @property
    def common_dirs(self) -> list[Path]:
        """The shared glossary and When to call box (sheets/common/), each file from the first layer that has it."""
        return [d / FOLDER for d in self.content_layers("sheets")]

    @property
    def codes_dir(self) -> Path:
        """The sheets/ folder whose common/icd10-cm.yaml maps codes to handouts."""
        from factsheets.content.code_map import CODES_FILE

        return first_holding(self.content_layers("sheets"), f"{FOLDER}/{CODES_FILE}")

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def templates_dir(self) -> Path:
        """The project's templates, or the shipped ones: the fallback for every clinic, and the base of links."""
        return first_holding(self.layers("templates"), "sheet.html")

    @property
    def lock_file(self) -> Path:
        """What the patient-education committee approved: a sheet prints its approval date when it matches.

        The project's own, or in a content project without one, the shipped approval of the shipped set.
        """
        return first_holding(self.content_layers("sheets"), LOCK_FILE) / LOCK_FILE

    @property
    def asset_dirs(self) -> list[Path]:
        return self.layers("assets")

    @property
    def clinic_dir(self) -> Path:
        return self.clinic_override if self.clinic_override is not None else self.root / "clinic"

    @property
    def template_dirs(self) -> list[Path]:
        """Where templates are looked up, the clinic's first: a clinic overrides one file at a time."""
        return self.layers("templates", clinic=True)

    @property
    def style_dirs(self) -> list[Path]:
        return self.layers("styles", clinic=True)

    @property
    def look_dirs(self) -> list[Path]:
        """Folders every sheet depends on: a change in any of them changes every PDF (the shared
        glossary and When to call box in sheets/common/ included)."""
        return [
            *self.layers("templates"),
            *self.layers("styles"),
            *self.asset_dirs,
            self.clinic_dir,
            *self.common_dirs,
        ]

    @property
    def watched_dirs(self) -> list[Path]:
        """Everything a build reads in this project and its clinic: what `build --watch` watches."""
        mine = [d for d in self.look_dirs if d == self.clinic_dir or d.resolve().is_relative_to(self.root.resolve())]
        return [self.sheets_dir, self.sources_dir, *[d for d in mine if not d.is_relative_to(self.sheets_dir)]]

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
    replaced: tuple[str, ...] = ()  # in a content project: each local sheet or source that replaces a shipped one

    @cached_property
    def codes(self) -> CodeMap:
        """What each ICD-10-CM code asks for; read on first use, since checking it loads ICD-10-CM's tables (~2 s)."""
        from factsheets.content.code_map import CodeMap, load_codes

        return load_codes(self.codes_from) if self.codes_from else CodeMap()

    def sheet(self, sheet_id: str) -> Sheet:
        """The sheet `sheet_id` names; a mistyped one is a plain error naming the nearest."""
        if sheet_id not in self.sheets:
            near = difflib.get_close_matches(sheet_id, self.sheets, n=1, cutoff=0.6)
            fix = f"use one of: {', '.join(self.sheets)}." + (f" Did you mean '{near[0]}'?" if near else "")
            raise FactsheetsError(Problem(f"unknown sheet '{sheet_id}'", fix))
        return self.sheets[sheet_id]

    def variants(self) -> list[Variant]:
        """Every variant a full build makes: each sheet's general sheet, then one per cancer type it varies by."""
        return [Variant.of(s.id, t) for s in self.sheets.values() for t in [None, *s.variant_types]]

    def fill(self, variant: Variant) -> FilledSheet:
        """One variant's content, resolved, dated with its approval when it prints exactly what was approved.

        A sentence picked by position that is no longer the approved one is an error, never a silent swap.
        """
        filled = select(self.sheet(variant.sheet_id), self.corpus, variant.cancer_type, self.common)
        if self.lock is not None:
            raise_any([shift.problem for shift in self.lock.shifted(filled)])
        approval = self.lock.approved(filled) if self.lock is not None else None
        return replace(filled, approved_on=approval.on) if approval is not None else filled

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
    corpora, problems = collect([project.content_layers("sources")], _documents)
    sheet_sets, more = collect([project.content_layers("sheets")], _sheets)
    locks, last = collect([project.lock_file.parent] if approved else [], read_lock)
    commons, shared = collect([project.content_layers("sheets")], lambda dirs: load_common(*dirs))
    raise_any(problems + more + last + shared)
    (documents, replaced_sources), (sheets, replaced_sheets) = corpora[0], sheet_sets[0]
    if not documents:  # load_corpus says so for a single folder; here every layer was empty
        raise FactsheetsError(
            Problem(f"no source documents (*.md) in {project.sources_dir}", "add the corpus to sources/.")
        )
    if not sheets:
        raise FactsheetsError(
            Problem(f"no sheets (*.yaml or *.yml) in {project.sheets_dir}", "add a sheet definition.")
        )
    replaced = (*replaced_sources, *replaced_sheets)
    lock = locks[0] if locks else None
    return Content(Corpus(documents), sheets, lock, commons[0], project.codes_dir, replaced)


def _documents(folders: list[Path]) -> tuple[dict[str, Document], list[str]]:
    """Every layer's sources by id, the project's replacing the shipped ones."""
    if len(folders) == 1:
        return load_corpus(folders[0]).documents, []
    layers = [load_corpus(f).documents if content_files(f, (".md",)) else {} for f in folders]
    return _merged(layers, "source")


def _sheets(folders: list[Path]) -> tuple[dict[str, Sheet], list[str]]:
    """Every layer's sheets by id, the project's replacing the shipped ones."""
    return _merged([load_sheets(f) for f in folders], "sheet")


def _merged(layers: list[dict[str, T]], kind: str) -> tuple[dict[str, T], list[str]]:
    """The layers (most local first) merged by id, and a line for each id a local file replaces."""
    local, *below = layers
    merged = {key: value for layer in reversed(below) for key, value in layer.items()}
    replaced = [f"{kind} '{key}' here replaces the shipped one" for key in local if key in merged]
    return {**merged, **local}, replaced
