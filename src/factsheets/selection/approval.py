"""Approved content: a committed lock file of what each sheet variant prints, passage by passage.

`factsheets lock [SHEET...] --approved-by NAME` records every printed passage of those sheets' variants
(its source, section and text, a sha256 fingerprint of that text, the source's sentences it leaves
out and whether its typography was tidied), with who approved each variant and when: a committee
reviews a sheet at a time, so each variant keeps its own approval (`Lock.approvals`). `check` compares what would print now
against it, so a source update or a selection that now matches something else shows up as a
readable diff for the patient-education committee, sentence by sentence, rather than on a
patient's handout unnoticed; a sheet whose text is exactly what was approved prints "Approved YYYY-MM", from its own approval.

A passage that picks sentences by position (`sentences: [2, 3]`) also records the sentence each
position picked, in the block it picked from: a source change that moves a position is then an
error at the pick (`Lock.shifted`), never a silent swap. Accepting a re-capture marks the variants
whose approval it voids (`Lock.voiding`); `check` lists them until they are locked again.

The file grows fields over versions: a missing field reads as empty (older files keep working)
and an unknown one is ignored. A file from before approvals were per variant has one top-level
`approved_by` and `approved_on`: it reads as that approval of every variant it lists. `lock --refresh` re-records the approved variants in this
version's format without approving anything new (`Lock.refreshed`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from factsheets.cache import MAX_DEPTH, json_depth
from factsheets.content.reading import read_text
from factsheets.errors import FactsheetsError, Problem
from factsheets.files import write_atomic
from factsheets.selection.changes import Printed, SentenceChange, compare, lines, similar
from factsheets.selection.select import FilledSheet, Group, Picked

LOCK_FILE = "approved.lock.json"
MAX_BYTES = 50_000_000  # ~2 kB per variant: room for thousands, still a bound on what is parsed


class Row(BaseModel):
    """One approved passage: where it is from, what it prints, what editing left out or tidied."""

    model_config = ConfigDict(frozen=True)

    source: str  # a source id, "clinic" for the clinic's own words, "sheet" for the title
    section: str
    heading: str = ""  # the heading it prints under
    text: str
    sha256: str
    left_out: list[str] = []
    tidied: bool = False
    block: str | None = None  # "paragraph 1": the block `positions` count sentences in
    positions: dict[int, str] = {}  # each sentence picked by position (`sentences: [2]`), as printed

    @classmethod
    def printing(cls, text: str, **where: Any) -> Row:
        """A row for `text` as printed now, its fingerprint computed."""
        return cls(text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), **where)


class Approval(BaseModel):
    """Who approved a variant's printed text, and on which day."""

    model_config = ConfigDict(frozen=True)

    by: str | None = None  # None: an older lock file's date without a name
    on: dt.date

    def __str__(self) -> str:
        return f"approved on {self.on.isoformat()} by {self.by or 'an unnamed approver'}"


class Lock(BaseModel):
    """The lock file: each variant's approved passages, and who approved them on which day."""

    model_config = ConfigDict(frozen=True)

    approvals: dict[str, Approval] = {}  # variant -> its approval; none for text recorded unnamed (as shipped)
    variants: dict[str, list[Row]] = {}
    voided: dict[str, str] = {}  # variant -> why its approval no longer holds (e.g. a re-capture accepted)

    @model_validator(mode="before")
    @classmethod
    def _one_approval_for_all(cls, data: Any) -> Any:
        """An older file's one `approved_by` and `approved_on` become every listed variant's own approval,
        so approving one sheet later keeps the others' date."""
        if not isinstance(data, dict) or not {"approved_by", "approved_on"} & data.keys():
            return data
        data = dict(data)
        by, on = data.pop("approved_by", None), data.pop("approved_on", None)
        variants = data.get("variants")
        if on is not None and isinstance(variants, dict):
            data["approvals"] = {key: {"by": by, "on": on} for key in variants} | dict(data.get("approvals") or {})
        return data

    def approves(self, filled: FilledSheet) -> bool:
        """Whether the variant prints exactly what was approved, and its approval was not voided."""
        return filled.variant.key not in self.voided and self.matches(filled.variant.key, passages(filled))

    def matches(self, key: str, rows: list[Row]) -> bool:
        """Whether `rows` are what was approved for the variant `key`."""
        then = self.variants.get(key)
        return then is not None and _printed(then) == _printed(rows)

    def shifted(self, filled: FilledSheet) -> list[Shift]:
        """Picks by position that now pick another sentence than the approved one (none once voided)."""
        then = self.variants.get(filled.variant.key)
        return [] if then is None or filled.variant.key in self.voided else shifts(then, filled)

    def approved(self, filled: FilledSheet) -> Approval | None:
        """The variant's approval while it prints exactly what was approved: what its footer's date comes from."""
        approval = self.approvals.get(filled.variant.key)
        return approval if approval is not None and self.approves(filled) else None

    def approving(self, fills: list[FilledSheet], by: str, on: dt.date) -> Lock:
        """This lock with `fills` approved as they print now, by `by` on `on` (any voiding of them lifted);
        the other variants keep their own approval, or stay unapproved."""
        approval = Approval(by=by, on=on)
        return self.model_copy(
            update={
                "variants": {**self.variants, **{f.variant.key: passages(f) for f in fills}},
                "approvals": {**self.approvals, **{f.variant.key: approval for f in fills}},
                "voided": {key: why for key, why in self.voided.items() if key not in {f.variant.key for f in fills}},
            }
        )

    def voiding(self, variants: Iterable[str], reason: str) -> Lock:
        """This lock with the approval of `variants` voided, saying why; their approved text is kept for the diff."""
        voided = {key: reason for key in variants if key in self.variants}
        return self.model_copy(update={"voided": {**self.voided, **voided}})

    def refreshed(self, fills: list[FilledSheet]) -> tuple[Lock, list[str]]:
        """The variants that print exactly what was approved, re-recorded as this version records them
        (the sentences picked by position, each variant's own approval), approver and date kept:
        nothing new is approved. Also returns the variants left as they were (changed, voided or
        never approved)."""
        variants = dict(self.variants)
        left: list[str] = []
        for filled in fills:
            rows = passages(filled)
            if filled.variant.key not in self.voided and self.matches(filled.variant.key, rows):
                variants[filled.variant.key] = rows
            else:
                left.append(filled.variant.key)
        return self.model_copy(update={"variants": variants}), left


def passages(filled: FilledSheet) -> list[Row]:
    """What a variant prints: its title, then passage by passage under its heading, with what the
    editing left out or tidied."""
    title = filled.sheet.title + (f" ({filled.cancer_type.title})" if filled.cancer_type else "")
    rows = [Row.printing(title, source="sheet", section="title")]
    for heading, group in filled.printed():
        where = {
            "source": group.citation.source.id if group.citation else "clinic",
            "section": group.citation.section if group.citation else heading,
            "heading": heading,
        }
        for index, (text, left_out, tidied) in enumerate(group.edits()):
            picks = _picks(group, index)
            rows.append(Row.printing(text, left_out=list(left_out), tidied=tidied, **where, **picks))
        if group.table_header and any(b.kind == "row" for b in group.blocks):  # its column headings print too
            rows.append(Row.printing(" | ".join(group.table_header), **where))
    return rows


def _picks(group: Group, index: int) -> dict[str, Any]:
    """The block and the sentences a passage's positions pick in it, for a row that records them."""
    picked = group.picked
    if picked is None or not (found := picked.at(index)):
        return {}
    return {"block": _block(group, index), "positions": found}


def _block(group: Group, index: int) -> str:
    block = group.blocks[index]
    return f"{'list item' if block.kind == 'item' else block.kind} {block.position}"


def save_lock(sheets_dir: Path, lock: Lock) -> Path:
    """Write `lock` as `sheets_dir`'s lock file (fields left at their defaults are not written)."""
    path = sheets_dir / LOCK_FILE
    data = lock.model_dump(mode="json", exclude_defaults=True)
    write_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())
    return path


def read_lock(sheets_dir: Path) -> Lock | None:
    """The lock file, or None when there is none; one that cannot be read is a located problem."""
    path = sheets_dir / LOCK_FILE
    if not path.exists():
        return None
    fix = (
        "undo the edit or merge that broke it, or run 'factsheets lock --approved-by NAME' to approve what prints now."
    )
    text = read_text(path, MAX_BYTES)
    if json_depth(text) > MAX_DEPTH:  # json.loads recurses: decide before it runs
        raise FactsheetsError(Problem(f"the lock file is nested more than {MAX_DEPTH} levels deep", fix, path))
    try:
        data = json.loads(text)
        if isinstance(data, dict) and "variants" not in data:
            data = {"variants": data}  # the first format: variants only, no approver
        return Lock.model_validate(data)
    except json.JSONDecodeError as err:
        raise FactsheetsError(
            Problem(f"the lock file is not valid JSON ({err.msg})", fix, path, err.lineno, err.colno)
        ) from None
    except ValidationError as err:
        where = ".".join(str(part) for part in err.errors()[0]["loc"])
        raise FactsheetsError(
            Problem(f"the lock file is not in the shape factsheets writes (at {where})", fix, path)
        ) from None


@dataclass(frozen=True)
class LockChange:
    """How a variant's printed text stands against the lock file."""

    approved: bool  # False: the variant is not in the lock file, or its approval was voided
    diff: tuple[str, ...] = ()  # sentence by sentence under each passage, when the printed text changed
    voided: str | None = None  # why its approval was voided (a re-capture accepted), if it was

    @property
    def about(self) -> str:
        """What a summary counts it as: "changed", "voided" or "new"."""
        return "voided" if self.voided else "changed" if self.approved else "new"

    @property
    def warning(self) -> str:
        if self.voided:
            return f"approval voided ({self.voided}): review what changed, then lock again"
        return (
            "printed text differs from the approved lock file"
            if self.approved
            else "not in the lock file: not yet approved"
        )


def differences(lock: Lock | None, fills: list[FilledSheet]) -> dict[str, LockChange]:
    """The variants whose printed passages are not exactly what the lock file approved, or whose approval was voided."""
    if lock is None:
        return {}
    changed = {}
    for filled in fills:
        key = filled.variant.key
        then = lock.variants.get(key)
        if then is None:
            changed[key] = LockChange(approved=False)
            continue
        rows = passages(filled)  # computed once, compared and shown
        voided = lock.voided.get(key)
        same = lock.matches(key, rows)
        if voided is not None or not same:
            diff = () if same else tuple(lines(sentence_changes(then, rows)))
            changed[key] = LockChange(voided is None, diff, voided)
    return changed


def sentence_changes(then: list[Row], now: list[Row]) -> list[SentenceChange]:
    """What two printings of a variant differ by, sentence by sentence, under each passage."""
    return compare([Printed(where(r), r.text) for r in then], [Printed(where(r), r.text) for r in now])


def where(row: Row) -> str:
    """Where a passage prints, for people: its heading and what it is cited from."""
    if row.source == "sheet":
        return "Title"
    if row.source == "clinic":
        return f"{row.heading} (the clinic's words)"
    return f"{row.heading} [{row.source} > {row.section}]"


def _printed(rows: list[Row]) -> list[tuple[str, str, str, str]]:
    """What approval compares: each passage's text (by its hash), the heading it prints under, and
    where it is cited from. Clinic branding (name, phone, logo) is the clinic's, not approved text."""
    return [(row.heading, row.source, row.section, row.sha256) for row in rows]


@dataclass(frozen=True)
class Shift:
    """A sentence picked by position that is no longer the one approved: the source moved it."""

    variant: str  # "treatment/general"
    passage: str  # "nci-metastatic-cancer > Treatment for Metastatic Cancer, paragraph 1"
    position: int
    old: str  # the sentence approved at `position`
    new: str  # the sentence there now
    problem: Problem  # at the pick's own entry in the sheet (or glossary), saying what to do


def shifts(then: list[Row], filled: FilledSheet) -> list[Shift]:
    """Positions in `filled` that now pick another sentence than the rows `then` recorded.

    A sentence whose wording was only edited (mostly the same words, and not found elsewhere in
    its block) is no shift: the diff shows it as changed.
    """
    recorded = {(r.heading, r.source, r.section, r.block): r.positions for r in then if r.positions}
    found: list[Shift] = []
    for heading, group in filled.printed():
        picked, cited = group.picked, group.citation
        if picked is None or cited is None:
            continue
        for index in range(len(group.blocks)):
            block = _block(group, index)
            old = recorded.get((heading, cited.source.id, cited.section, block), {})
            for position, sentence in picked.at(index).items():
                was = old.get(position)
                now = picked.sentences[index]
                if was is not None and was != sentence and (was in now or not similar(was, sentence)):
                    passage = f"{cited.source.id} > {cited.section}, {block}"
                    found.append(_shift(filled, picked, passage, block, now, position, was))
    return found


def _shift(
    filled: FilledSheet, picked: Picked, passage: str, block: str, now: tuple[str, ...], position: int, was: str
) -> Shift:
    """The shift, with its problem at the pick's entry: what moved, and how to put it right."""
    message = (
        f'sentence {position} of {passage} is now "{now[position - 1]}", not the approved "{was}" '
        f"(sheet '{filled.sheet.id}')"
    )
    again = f"if the new sentence is right, approve it with 'factsheets lock {filled.sheet.id} --approved-by NAME'."
    if was in now:
        fix = f"the approved sentence is now sentence {now.index(was) + 1}: write that here instead; or, {again}"
    else:
        fix = f"the approved sentence is no longer in {block}: pick another; or, {again}"
    return Shift(filled.variant.key, passage, position, was, now[position - 1], picked.problem(position, message, fix))
