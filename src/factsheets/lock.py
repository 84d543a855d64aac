"""Approved content: a committed lock file of what each sheet variant prints, passage by passage.

`factsheets lock` records every selected passage (its source, section and text, and a sha256
fingerprint of that text). `check` compares what would print now against it, so a source update
or a selection that now matches something else shows up as a readable diff for the
patient-education committee, rather than on a patient's handout unnoticed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from factsheets.contentfile import read_text
from factsheets.errors import FactsheetsError, Problem
from factsheets.output import write_atomic
from factsheets.select import FilledSheet

LOCK_FILE = "approved.lock.json"
Approved = dict[str, list[dict[str, str]]]  # variant key -> its passages: source, section, sha256, text


def passages(filled: FilledSheet) -> list[dict[str, str]]:
    rows = []
    for section in filled.sections:
        for group in section.groups:
            source = group.citation.source.id if group.citation else "clinic"
            where = group.citation.section if group.citation else section.heading
            for text in group.texts:
                rows.append(
                    {
                        "source": source,
                        "section": where,
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                        "text": text,
                    }
                )
    return rows


def write_lock(sheets_dir: Path, fills: list[FilledSheet]) -> Path:
    path = sheets_dir / LOCK_FILE
    data = {f.variant.key: passages(f) for f in fills}
    write_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())
    return path


def read_lock(sheets_dir: Path) -> Approved | None:
    path = sheets_dir / LOCK_FILE
    if not path.exists():
        return None
    try:
        approved: Approved = json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise FactsheetsError(
            Problem(
                f"the lock file is not valid JSON ({err.msg})",
                "undo the edit or merge that broke it, or run 'factsheets lock' to approve what prints now.",
                path,
                err.lineno,
                err.colno,
            )
        ) from None
    return approved


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


def differences(lock: Approved | None, fills: list[FilledSheet]) -> dict[str, LockChange]:
    """The variants whose printed passages are not exactly what the lock file approved."""
    if lock is None:
        return {}
    changed = {}
    for filled in fills:
        now = passages(filled)
        then = lock.get(filled.variant.key)
        if then is None:
            changed[filled.variant.key] = LockChange(approved=False)
        elif [p["sha256"] for p in then] != [p["sha256"] for p in now]:
            changed[filled.variant.key] = LockChange(
                True,
                tuple(
                    difflib.unified_diff(
                        [_line(p) for p in then], [_line(p) for p in now], "approved", "now", lineterm="", n=0
                    )
                ),
            )
    return changed


def _line(passage: dict[str, str]) -> str:
    return f"[{passage['source']} > {passage['section']}] {passage['text']}"
