"""Does every variant fit, personal box included, on letter and A4, in standard and large print? Asked by `check`.

The build only lays out the clinic's paper; the nurses' form offers both, and large print. A
layout costs about a tenth of a second, so results are kept in out/fit-cache.json, keyed by the
same input hash the build uses (sheet, sources, templates, styles, assets, clinic, version),
the paper and the print: an unchanged variant costs a lookup (see `cache`: a missing, damaged
or foreign cache is ignored); only fits are cached, so a sheet that does not fit is laid out
(and reported) every time.

Beyond fitting, a content lead needs to know why: a standard sheet that fits only below 12 pt
(every shipped sheet keeps 12 or more) is a warning, and a `words_to_know` term whose "Words to
know" entry is what pushes a sheet over, or below 12 pt, is named at its line, since adding the
word is what `check` asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import ConfigDict, TypeAdapter

from factsheets.build.plan import FileHashes, Job, look_hash, plan
from factsheets.cache import FINITE, ResultCache
from factsheets.content.clinic import PAPERS, Paper
from factsheets.content.sheets import Sheet
from factsheets.errors import FactsheetsError, Problem
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.selection.select import FilledSheet, select

if TYPE_CHECKING:
    from weasyprint.document import Document

    from factsheets.render.renderer import Renderer

CACHE = "fit-cache.json"
PROMISED_PT = 12.0  # the body size every shipped sheet keeps (render.renderer.PROMISED_PT, without loading WeasyPrint)
PRINTS = (False, True)  # standard print, then large print


@dataclass(frozen=True)
class Fit:
    """A variant's layout that fits: its body size, and the words_to_know terms without which it would fit at 12 pt."""

    __pydantic_config__: ClassVar[ConfigDict] = FINITE  # read back from the cache: a NaN there is damage
    body_pt: float
    tipped_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """One layout `check` needs: a variant on a paper, in standard or large print."""

    job: Job
    paper: Paper
    large_print: bool

    @property
    def key(self) -> str:
        return f"{self.job.name}|{self.paper}|{'large' if self.large_print else 'standard'}|{self.job.input_hash}"

    @property
    def options(self) -> RenderOptions:
        return RenderOptions(paper=self.paper, large_print=self.large_print)

    @property
    def label(self) -> str:
        return f"{self.job.variant.type_key}, {self.paper}{', large print' if self.large_print else ''}"


@dataclass
class FitReport:
    """What `check` says about fitting: errors, warnings, how many layouts it took, and every layout's key."""

    problems: list[Problem] = field(default_factory=list)  # a variant that does not fit: `check` fails
    warnings: list[Problem] = field(default_factory=list)  # fits only below 12 pt; a word tips it over
    laid_out: int = 0  # layouts made this run; the rest were cached or trusted
    keys: set[str] = field(default_factory=set)  # every layout's key: what fits now (when there are no problems)
    draft: Path | None = None  # where the overflowing layouts were written, if asked and any overflowed


def layouts(project: Project, content: Content) -> list[Layout]:
    """Every layout the form can ask for: each variant on each paper, in standard and large print."""
    files = FileHashes()
    return [
        Layout(job, paper, large)
        for large in PRINTS
        for paper in PAPERS
        for job in plan(content, look_hash(project, RenderOptions(paper=paper, large_print=large), files), files)
    ]


def fit_keys(project: Project, content: Content) -> set[str]:
    """The keys of every layout of this content: what a server serving it may trust as checked."""
    return {layout.key for layout in layouts(project, content)}


def check_fit(
    project: Project,
    content: Content,
    draft: Path | None = None,
    trusted: Iterable[str] = (),
    save: bool = True,
    progress: Callable[[str], None] | None = None,
) -> FitReport:
    """Lay out what is not cached (nor `trusted`), report what does not fit, and warn what fits only below 12 pt.

    `draft`: write the overflowing layouts there, stamped. `save`: keep new fits in out/ (a
    server checking a reload writes nothing). `progress`: told of each layout as it starts.
    """
    todo, skip = layouts(project, content), set(trusted)
    cache = ResultCache(project.out_dir / CACHE, TypeAdapter(Fit), f"weasyprint {version('weasyprint')}, fit 2")
    fits = {item.key: cache.get(item.key) for item in todo if item.key not in skip}
    missing = [item for item in todo if item.key not in skip and fits[item.key] is None]  # only fits are cached
    report = FitReport(laid_out=len(missing), keys={item.key for item in todo})
    if missing:
        found = _Layouts(project, content, cache, progress).run(missing, draft is not None)
        report.problems, drafts = found.problems, found.drafts
        fits.update(found.fits)
        if draft is not None and drafts:
            report.draft = _write_draft(draft, drafts)
    if save:
        cache.save()
    report.warnings = _warnings(content, [(item, fit) for item in todo if (fit := fits.get(item.key)) is not None])
    return report


@dataclass
class _Layouts:
    """Laying out what the cache did not have: WeasyPrint loads only when something must be laid out."""

    project: Project
    content: Content
    cache: ResultCache[Fit]
    progress: Callable[[str], None] | None
    problems: list[Problem] = field(default_factory=list)
    drafts: list[Document] = field(default_factory=list)
    fits: dict[str, Fit] = field(default_factory=dict)

    def run(self, missing: list[Layout], drafts: bool) -> _Layouts:
        from factsheets.render.renderer import Renderer

        renderer = Renderer(self.project)
        fills = {filled.variant.key: filled for filled in self.content.fill_all()}  # selected once, not per layout
        for done, item in enumerate(missing):
            if self.progress:
                self.progress(f"laying out {item.job.name} ({item.label}), {done + 1} of {len(missing)}")
            self._one(renderer, fills[item.job.name], item, drafts)
        return self

    def _one(self, renderer: Renderer, filled: FilledSheet, item: Layout, drafts: bool) -> None:
        from factsheets.render.renderer import DoesNotFit, sizes_for

        try:
            body_pt = renderer.fit(filled, item.options)[1]
        except DoesNotFit as err:
            floor = sizes_for(item.options)[-1]
            over = f"pushes sheet '{filled.sheet.id}' ({item.label}) over its page: without its entry it fits at {floor:g} pt"
            tips = [_tip(filled.sheet, word, over) for word in _tipping(renderer, self.content, filled, item, floor)]
            self.problems += [*err.problems, *tips]
            if drafts:
                self.drafts.append(renderer.draft(filled, item.options))
            return
        except FactsheetsError as err:
            self.problems += err.problems
            return
        tipped = _tipping(renderer, self.content, filled, item, PROMISED_PT) if body_pt < PROMISED_PT else ()
        self.fits[item.key] = Fit(body_pt, tipped)
        self.cache.put(item.key, self.fits[item.key])


def _tipping(
    renderer: Renderer, content: Content, filled: FilledSheet, item: Layout, body_pt: float
) -> tuple[str, ...]:
    """The printed words_to_know terms without any one of which the variant fits at `body_pt`: one layout each."""
    tips = []
    for word in filled.words:
        kept = [w for w in filled.sheet.words_to_know if w.casefold() != word.term.casefold()]
        without = select(filled.sheet.model_copy(update={"words_to_know": kept}), content.corpus,
                         filled.cancer_type, content.common)  # fmt: skip
        if renderer.pages_at(without, item.options, body_pt) <= item.options.max_pages:
            tips.append(word.term)
    return tuple(tips)


def _tip(sheet: Sheet, word: str, effect: str) -> Problem:
    """A words_to_know term whose "Words to know" entry has `effect`, at the term's line in the sheet."""
    index = next(i for i, w in enumerate(sheet.words_to_know) if w.casefold() == word.casefold())
    return sheet.problem(
        ("words_to_know", index),
        f"'{word}' in words_to_know is what {effect}",
        "keep the word (check asks for it where the sheet uses it) and make room elsewhere: narrow a passage "
        "(items, paragraphs, drop_sentences) or drop one.",
    )


def _warnings(content: Content, fits: list[tuple[Layout, Fit]]) -> list[Problem]:
    """One warning per sheet that fits only below 12 pt somewhere, and per word that tips one below it."""
    small: dict[str, list[str]] = {}
    words: dict[tuple[str, str], list[str]] = {}
    for item, fit in fits:
        if item.large_print or fit.body_pt >= PROMISED_PT:
            continue
        sheet_id = item.job.variant.sheet_id
        small.setdefault(sheet_id, []).append(f"{item.label} at {fit.body_pt:g} pt")
        for word in fit.tipped_by:
            words.setdefault((sheet_id, word), []).append(item.label)
    found = [_small(content, sheet_id, where) for sheet_id, where in small.items()]
    for (sheet_id, word), where in words.items():
        below = f"takes sheet '{sheet_id}' below {PROMISED_PT:g} pt: without its entry it fits at {PROMISED_PT:g} pt"
        found.append(_tip(content.sheet(sheet_id), word, f"{below} ({_listed(where)})"))
    return found


def _small(content: Content, sheet_id: str, where: list[str]) -> Problem:
    sheet = content.sheet(sheet_id)
    return sheet.problem(
        ("id",),
        f"sheet '{sheet_id}' fits one page only below {PROMISED_PT:g} pt, the size every shipped sheet keeps: "
        f"{_listed(where)}",
        "narrow or drop a passage until it fits at 12 pt; 11.5 and 11 pt are a last resort, not a size to print at.",
    )


def _listed(items: list[str]) -> str:
    return "; ".join(items[:4]) + (f"; and {len(items) - 4} more" if len(items) > 4 else "")


def _write_draft(path: Path, drafts: list[Document]) -> Path:
    from factsheets.files import write_atomic
    from factsheets.render.renderer import write_draft

    write_atomic(path, write_draft(drafts))
    return path
