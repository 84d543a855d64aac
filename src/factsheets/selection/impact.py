"""What replacing a source would do to the handouts, worked out before anything is written.

A publisher revises a page; a new capture of it replaces the source of the same id. Before it
does, the content lead sees, per sheet variant: the printed sentences that would be removed,
added or changed; the selections that would break (become errors) or shift (a position that
would pick another sentence); and the approvals the change would void. Everything here is pure:
it reads two `Content`s and the lock, and writes nothing.

    from factsheets.project import Project, load_content
    from factsheets.selection.approval import save_lock
    from factsheets.selection.impact import impact, with_source

    project = Project(root)
    before = load_content(project)
    after = with_source(before, document)      # the new capture, parsed (content.sources.load_document)
    found = impact(before, after)               # the lock defaults to before.lock
    print(found.text())                         # plain text, for the CLI
    if accepted:                                # only then: write the source, and void what it voids
        ...                                     # write the new source file
        if before.lock is not None and found.voided:
            save_lock(project.sheets_dir, found.voiding(before.lock))

After that, `check` lists exactly `found.voided` as approval voided, until they are locked again.
`found.variants` holds a `VariantImpact` per affected variant, for callers that want the detail.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from factsheets.content.sources import Corpus, Document
from factsheets.errors import FactsheetsError, Problem, counted, display_path
from factsheets.selection.approval import Lock, Shift, passages, sentence_changes, shifts
from factsheets.selection.changes import SentenceChange, lines
from factsheets.selection.select import FilledSheet, select
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from factsheets.project import Content  # the project imports selection: only the type is needed here


@dataclass(frozen=True)
class VariantImpact:
    """What the replacement does to one sheet variant."""

    variant: str  # its key, "treatment/general"
    changes: tuple[SentenceChange, ...] = ()  # printed sentences removed, added or changed
    shifts: tuple[Shift, ...] = ()  # picks by position that would pick another sentence
    breaks: tuple[Problem, ...] = ()  # selections that would become errors (the variant would not print)
    voids_approval: bool = False  # it prints what the lock approved now, and would not after

    @property
    def affected(self) -> bool:
        return bool(self.changes or self.shifts or self.breaks or self.voids_approval)


@dataclass(frozen=True)
class Impact:
    """What replacing sources would do: the variants it affects, each with its detail."""

    sources: tuple[str, ...]  # the ids of the sources that differ between before and after
    variants: tuple[VariantImpact, ...]  # only the variants affected, in build order

    @property
    def voided(self) -> tuple[str, ...]:
        """The variants whose approval the replacement voids: what the lock marks on accepting."""
        return tuple(v.variant for v in self.variants if v.voids_approval)

    @property
    def broken(self) -> tuple[str, ...]:
        """The variants that would no longer print until their sheet is fixed."""
        return tuple(v.variant for v in self.variants if v.breaks)

    @property
    def shifted(self) -> tuple[str, ...]:
        return tuple(v.variant for v in self.variants if v.shifts)

    @property
    def reason(self) -> str:
        """Why the approvals are voided, as the lock file and `check` say it."""
        return f"a new capture of {', '.join(self.sources) or 'a source'} was accepted"

    def voiding(self, lock: Lock) -> Lock:
        """`lock` with exactly this impact's voided variants marked: what to save on accepting."""
        return lock.voiding(self.voided, self.reason)

    def text(self) -> str:
        """The impact for people: a summary line, then each affected variant's detail."""
        shown = [self._summary()]
        for one in self.variants:
            shown += ["", *_variant_lines(one)]
        return "\n".join(shown)

    def _summary(self) -> str:
        which = ", ".join(self.sources) or "the source"
        if not self.variants:
            return f"Replacing {which} changes nothing any sheet prints; no selection breaks or shifts."
        return (
            f"Replacing {which} affects {counted(len(self.variants), 'variant')}: "
            f"{len([v for v in self.variants if v.changes])} would print other sentences, "
            f"{len(self.broken)} would break, {len(self.shifted)} would shift a sentence picked by position; "
            f"{counted(len(self.voided), 'approval')} voided"
            + (f" ({', '.join(self.voided)})." if self.voided else ".")
        )


def with_source(content: Content, document: Document) -> Content:
    """`content` with `document` in place of the source of the same id (or added): nothing is written."""
    return replace(content, corpus=Corpus({**content.corpus.documents, document.id: document}))


def impact(before: Content, after: Content, lock: Lock | None = None) -> Impact:
    """What changes from `before` to `after` (usually one source replaced, see `with_source`), per
    variant, against `lock` (default: `before.lock`): sentences, broken and shifted selections, approvals voided."""
    lock = lock if lock is not None else before.lock
    found = (_variant(before, after, variant, lock) for variant in _variants(before, after))
    return Impact(_changed_sources(before.corpus, after.corpus), tuple(v for v in found if v.affected))


def _variants(before: Content, after: Content) -> list[Variant]:
    """Every variant of either side, in build order (a re-capture changes no sheet, so they agree)."""
    return list(dict.fromkeys([*before.variants(), *after.variants()]))


def _changed_sources(before: Corpus, after: Corpus) -> tuple[str, ...]:
    ids = dict.fromkeys([*before.documents, *after.documents])
    return tuple(i for i in ids if _document(before, i) != _document(after, i))


def _document(corpus: Corpus, source_id: str) -> tuple[object, str] | None:
    doc = corpus.documents.get(source_id)
    return None if doc is None else (doc.meta, doc.text)


def _variant(before: Content, after: Content, variant: Variant, lock: Lock | None) -> VariantImpact:
    then, was_broken = _fill(before, variant)
    now, broken = _fill(after, variant)
    breaks = tuple(p for p in broken if p not in was_broken)
    approved = lock is not None and then is not None and lock.approves(then)
    voids = approved and (now is None or not (lock is not None and lock.approves(now)))
    if then is None or now is None:
        return VariantImpact(variant.key, breaks=breaks, voids_approval=voids)
    rows = passages(then)
    return VariantImpact(
        variant.key, tuple(sentence_changes(rows, passages(now))), tuple(shifts(rows, now)), breaks, voids
    )


def _fill(content: Content, variant: Variant) -> tuple[FilledSheet | None, list[Problem]]:
    """The variant as `content` fills it, or the problems that stop it (none if the sheet is not there)."""
    sheet = content.sheets.get(variant.sheet_id)
    if sheet is None:
        return None, []
    try:
        return select(sheet, content.corpus, variant.cancer_type, content.common), []
    except FactsheetsError as err:
        return None, err.problems


def _variant_lines(one: VariantImpact) -> list[str]:
    state = "its approval would be voided" if one.voids_approval else "no approval to void"
    shown = [f"{one.variant} ({state})"]
    shown += [f"  breaks: {problem}" for problem in one.breaks]
    for shift in one.shifts:
        where = f"{_at(shift.problem)}sentence {shift.position} of {shift.passage}"
        shown += [f"  shifts: {where}", f"    was: {shift.old}", f"    now: {shift.new}"]
    shown += [f"  {line}" for line in lines(one.changes)]
    return shown


def _at(problem: Problem) -> str:
    """'sheets/treatment.yaml:15:21: ': where a problem points, as an editor jumps to it."""
    if problem.file is None:
        return ""
    where = display_path(problem.file) + "".join(f":{n}" for n in (problem.line, problem.column) if n is not None)
    return where + ": "
