"""One patient's details (name, date, care-team contact): what may be printed, and how it is checked.

Checked in one place for the CLI, the web form and the API, so a bad value is refused at its
field with the same plain words everywhere. What is refused is what would print wrongly: a
control character, or a direction control that can make "Dr evil" print as "Dr live". Whether
the fonts can draw every character, and whether each value fits on its line, is only known
after layout; the renderer checks those and blames the field too (`field_problem`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from factsheets.errors import Problem

# Longest values, in characters; each prints on its own line of the box (checked after layout).
LIMITS = {"patient": 60, "date": 30, "care_team": 80}
LABELS = {"patient": "Patient name", "date": "Date", "care_team": "Care team contact"}

# Unicode categories that never belong in a printed name: controls, unassigned, private use,
# surrogates, line and paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cn", "Co", "Cs", "Zl", "Zp"}
# Direction controls (embeddings, overrides, isolates, marks): they reorder what prints.
_BIDI_CONTROLS = {*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f", "\u061c"}


@dataclass(frozen=True)
class Personal:
    """Details printed on one patient's copy; never logged, stored, or part of any hash."""

    patient: str = ""
    date: str = ""
    care_team: str = ""

    def __repr__(self) -> str:  # keeps names out of tracebacks and debug logs
        return "Personal(<redacted>)"

    def __bool__(self) -> bool:
        return bool(self.patient or self.date or self.care_team)

    def fields(self) -> dict[str, str]:
        return {"patient": self.patient, "date": self.date, "care_team": self.care_team}


class PersonalValueError(ValueError):
    """A value that cannot be printed; `field` names it and the message says why, in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def clean(field: str, value: str) -> str:
    """The value as it will print (NFC, spaces folded), or PersonalValueError saying what to fix."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    label = LABELS[field]
    if len(value) > LIMITS[field]:
        raise PersonalValueError(
            field,
            f"{label} is {len(value)} characters long; at most {LIMITS[field]} fit on "
            "the sheet. Shorten it, for example with initials.",
        )
    for char in value:
        if char in _BIDI_CONTROLS:
            raise PersonalValueError(
                field,
                f"{label} contains an invisible direction control ({describe(char)}) "
                "that can make it print in the wrong order. Type it again without it.",
            )
        if char == "\ufffd":  # what a decoder leaves where it could not read the bytes
            raise PersonalValueError(
                field, f"{label} has a character that could not be read ({describe(char)}); type it again."
            )
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise PersonalValueError(
                field,
                f"{label} contains a character that cannot be printed ({describe(char)}). Type it again without it.",
            )
    return value


def personal(patient: str = "", date: str = "", care_team: str = "") -> Personal:
    """Checked details for one patient; raises PersonalValueError for the first bad field."""
    return Personal(clean("patient", patient), clean("date", date), clean("care_team", care_team))


def field_problem(field: str, message: str) -> Problem:
    """A problem with one personal field, found while laying out the sheet."""
    return Problem(f"{LABELS[field]} {message}", field=field)


def describe(char: str) -> str:
    """'U+1F600 GRINNING FACE': how messages name a character without printing it."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
