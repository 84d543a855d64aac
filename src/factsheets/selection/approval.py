"""Approved content: a committed lock file of what each sheet variant prints, passage by passage.

`factsheets lock --approved-by NAME` records every printed passage (its source, section and
text, a sha256 fingerprint of that text, the source's sentences it leaves out and whether its
typography was tidied), with who approved it and when. `check` compares what would print now
against it, so a source update or a selection that now matches something else shows up as a
readable diff for the patient-education committee, rather than on a patient's handout
unnoticed; a sheet whose text is exactly what was approved prints "Approved YYYY-MM".
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from factsheets.cache import MAX_DEPTH, json_depth
from factsheets.content.reading import read_text
from factsheets.errors import FactsheetsError, Problem
from factsheets.files import write_atomic
from factsheets.selection.select import FilledSheet

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

    @classmethod
    def printing(cls, text: str, **where: Any) -> Row:
        """A row for `text` as printed now, its fingerprint computed."""
        return cls(text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), **where)


class Lock(BaseModel):
    """The lock file: each variant's approved passages, and who approved them on which day."""

    model_config = ConfigDict(frozen=True)

    approved_by: str | None = None  # None: a lock file from before approvals were named
    approved_on: dt.date | None = None
    variants: dict[str, list[Row]] = {}

    def approves(self, filled: FilledSheet) -> bool:
        """Whether the variant prints exactly what was approved."""
        return self.matches(filled.variant.key, passages(filled))

    def matches(self, key: str, rows: list[Row]) -> bool:
        """Whether `rows` are what was approved for the variant `key`."""
        then = self.variants.get(key)
        return then is not None and _printed(then) == _printed(rows)


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
        for text, left_out, tidied in group.edits():
            rows.append(Row.printing(text, left_out=list(left_out), tidied=tidied, **where))
        if group.table_header and any(b.kind == "row" for b in group.blocks):  # its column headings print too
            rows.append(Row.printing(" | ".join(group.table_header), **where))
    return rows


def write_lock(sheets_dir: Path, fills: list[FilledSheet], approved_by: str, approved_on: dt.date) -> Path:
    """Approve what every variant prints now, in the name of `approved_by`."""
    path = sheets_dir / LOCK_FILE
    lock = Lock(approved_by=approved_by, approved_on=approved_on, variants={f.variant.key: passages(f) for f in fills})
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

    approved: bool  # False: the variant is not in the lock file at all
    diff: tuple[str, ...] = ()  # unified diff, passage by passage, when approved text changed

    @property
    def warning(self) -> str:
        return (
            "printed text differs from the approved lock file"
            if self.approved
            else "not in the lock file: not yet approved"
        )


def differences(lock: Lock | None, fills: list[FilledSheet]) -> dict[str, LockChange]:
    """The variants whose printed passages are not exactly what the lock file approved."""
    if lock is None:
        return {}
    changed = {}
    for filled in fills:
        then = lock.variants.get(filled.variant.key)
        if then is None:
            changed[filled.variant.key] = LockChange(approved=False)
        elif not lock.matches(filled.variant.key, rows := passages(filled)):  # computed once, compared and shown
            now = [_line(p) for p in rows]
            diff = difflib.unified_diff([_line(p) for p in then], now, "approved", "now", lineterm="", n=0)
            changed[filled.variant.key] = LockChange(True, tuple(diff))
    return changed


def _printed(rows: list[Row]) -> list[tuple[str, str, str, str]]:
    """What approval compares: each passage's text (by its hash), the heading it prints under, and
    where it is cited from. Clinic branding (name, phone, logo) is the clinic's, not approved text."""
    return [(row.heading, row.source, row.section, row.sha256) for row in rows]


def _line(row: Row) -> str:
    left_out = "".join(f" [left out: {sentence}]" for sentence in row.left_out)
    under = f"{row.heading}: " if row.heading else ""
    return f"{under}[{row.source} > {row.section}] {row.text}{left_out}"
