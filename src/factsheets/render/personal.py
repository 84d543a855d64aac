"""One patient's details (name, date, care-team contact): what may be printed, and how it is checked.

Checked in one place for the CLI, the web form and the API, so a bad value is refused at its
field with the same plain words everywhere. What is refused is what would print wrongly: a
control character, or a direction control that can make "Dr evil" print as "Dr live". Whether
the fonts can draw every character, and whether each value fits on its line, is only known
after layout; the renderer checks those and blames the field too (`field_problem`).

**Dates.** The date is read, not just printed: 2026-02-28 (ISO, and 2026/02/28), 02/28/2026 and
2/28/2026 (US), 28/02/2026, 28.02.2026 and 28-02-2026 (European), and with the month in words (28 Feb
2026, February 28, 2026, Sat 28 Feb 2026: English names or their usual abbreviations, a weekday that
must match). A date no calendar has (31/02/2026) is refused, saying why ("February 2026 has 28
days"), and so is a year not written in full (2/28/26) or a date without one.
A date in numbers that reads both ways (03/04/2026) is read in the clinic's order (`date_order`
in clinic.yaml: month-first on letter paper, day-first on A4, by default), since that is how its
staff write dates; one that reads only one way (13/04/2026) is read that way; dots are always
day-first (the German and Eastern European form). Refusing every such date instead would refuse
two dates in five for no gain: the clinic's order is what its staff mean.
It prints with the month in words, in the clinic's order ("March 4, 2026" or "4 March 2026"),
never as typed: a patient, a relative abroad or a translator reads it one way only. The form shows
the date so printed before the PDF is made, so the nurse sees how it was read.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from factsheets.content.clinic import DateOrder
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

    def given(self) -> list[str]:
        """The fields with a value, in the box's order: each printed on its own line."""
        return [name for name, value in self.fields().items() if value]

    def missing(self) -> list[str]:
        """The fields left empty, in the box's order: each keeps its label and a line to write on."""
        return [name for name, value in self.fields().items() if not value]


class PersonalValueError(ValueError):
    """A value that cannot be printed; `field` names it and the message says why, in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# What to do about a value too long for its line, in each field's terms.
_SHORTER = {
    "patient": "Shorten it, for example with initials.",
    "date": "Type only the day, month and year, for example 28 Feb 2026.",
    "care_team": "Shorten it, for example to one name and one phone number.",
}


def clean(field: str, value: str) -> str:
    """The value as typed (NFC, spaces folded) if it can be printed, or PersonalValueError saying what to fix.

    A date is checked to be a real one (`read_date`) but kept as typed: how one in numbers is read
    depends on the clinic (`personal` prints it), while whether it is a date at all does not.
    """
    value = " ".join(unicodedata.normalize("NFC", value).split())
    label = LABELS[field]
    if len(value) > LIMITS[field]:
        raise PersonalValueError(
            field,
            f"{label} is {len(value)} characters long; at most {LIMITS[field]} fit on the sheet. {_SHORTER[field]}",
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
    if field == "date" and value:
        read_date(value)  # the same answer in either order: a reading that is impossible falls back to the other
    return value


def personal(patient: str = "", date: str = "", care_team: str = "", date_order: DateOrder = "month-first") -> Personal:
    """Checked details for one patient, the date as it prints (`date_order`: the clinic's, `Clinic.dates`).

    The one function the CLI, the form and the API make a patient's details with; raises
    PersonalValueError for the first bad field.
    """
    name, date = clean("patient", patient), clean("date", date)
    printed = printed_date(read_date(date, date_order), date_order) if date else ""
    return Personal(name, printed, clean("care_team", care_team))


# --- Dates ------------------------------------------------------------------------------------------

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English names, whatever the machine's locale (strftime's %B would follow it), and their usual abbreviations.
_MONTH_WORDS = {
    **{name.casefold(): number for number, name in enumerate(MONTHS, 1)},
    **{name[:3].casefold(): number for number, name in enumerate(MONTHS, 1)},
    "sept": 9,
}
_WEEKDAY_WORDS = {
    **{name.casefold(): number for number, name in enumerate(WEEKDAYS)},
    **{name[:3].casefold(): number for number, name in enumerate(WEEKDAYS)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_NUMERIC = re.compile(r"(\d{1,4}) ?([-/.]) ?(\d{1,2}) ?\2 ?(\d{1,4})\.?", re.ASCII)
_WORDS = re.compile(r"[a-z]+|\d+", re.ASCII)
_WORDED = re.compile(r"[a-z0-9 ,./-]+", re.ASCII)
_IGNORED = {"of", "st", "nd", "rd", "th"}  # 28th of February
_YEARS = range(1900, 2200)
_EXAMPLES = "for example 28 Feb 2026 or 2026-02-28"


def read_date(text: str, order: DateOrder = "month-first") -> dt.date:
    """The day `text` names, or PersonalValueError (field "date") saying what to fix. See the module's notes."""
    plain = " ".join(unicodedata.normalize("NFKC", text).casefold().split())  # NFKC: full-width digits too
    numeric = _NUMERIC.fullmatch(plain)
    if numeric:
        first, separator, second, last = numeric.groups()
        return _numeric_date(first, separator, second, last, order)
    words = _WORDS.findall(plain) if _WORDED.fullmatch(plain) else []
    weekday = _WEEKDAY_WORDS.get(words.pop(0)) if words and words[0] in _WEEKDAY_WORDS else None
    words = [w for w in words if w not in _IGNORED]
    months = [_MONTH_WORDS[w] for w in words if w in _MONTH_WORDS]
    numbers = [w for w in words if w.isdigit()]
    if len(months) != 1 or len(months) + len(numbers) != len(words) or not numbers:
        raise _date_error(f"could not be read as a date. Type the day, month and year, {_EXAMPLES}.")
    years, days = [n for n in numbers if len(n) == 4], [n for n in numbers if len(n) <= 2]
    if len(numbers) == 1:
        missing = "year" if len(numbers[0]) <= 2 else "day"
        raise _date_error(f"has no {missing}. Type the day, month and year, {_EXAMPLES}.")
    if len(numbers) == 2 and not years and all(len(n) <= 2 for n in numbers):
        raise _date_error(f"needs the year in full, with four digits, {_EXAMPLES}.")
    if len(years) != 1 or len(days) != 1 or len(numbers) != 2:
        raise _date_error(f"could not be read as a date. Type the day, month and year, {_EXAMPLES}.")
    day = _real(int(years[0]), months[0], int(days[0]))
    if weekday is not None and weekday != day.weekday():
        raise _date_error(
            f"names a {WEEKDAYS[weekday]}, but that day is a {WEEKDAYS[day.weekday()]}. "
            "Check the date, or leave the weekday out."
        )
    return day


def printed_date(day: dt.date, order: DateOrder) -> str:
    """The date as the sheet prints it, with the month in words: "March 4, 2026" or "4 March 2026"."""
    month = MONTHS[day.month - 1]
    return f"{month} {day.day}, {day.year}" if order == "month-first" else f"{day.day} {month} {day.year}"


def _numeric_date(first: str, separator: str, second: str, last: str, order: DateOrder) -> dt.date:
    if len(first) == 4 and len(last) <= 2:  # year first: 2026-02-28, 2026/02/28
        return _real(int(first), int(second), int(last))
    if len(last) != 4 or len(first) > 2:
        if len(last) <= 2 and len(first) <= 2:
            raise _date_error(f"needs the year in full, with four digits, {_EXAMPLES}.")
        raise _date_error(f"could not be read as a date. Type the day, month and year, {_EXAMPLES}.")
    a, b, year = int(first), int(second), int(last)
    day_first = separator == "." or order == "day-first"
    readings = [(b, a), (a, b)] if day_first else [(a, b), (b, a)]  # (month, day), the clinic's reading first
    for month, day in readings:
        if 1 <= month <= 12 and 1 <= day <= _days_in(year, month):
            return _real(year, month, day)
    month, day = next(((m, d) for m, d in readings if 1 <= m <= 12), readings[0])
    return _real(year, month, day)  # refused, saying why in the reading that names a month


def _real(year: int, month: int, day: int) -> dt.date:
    """The date, or why there is no such date, in the terms of a calendar on the wall."""
    if year not in _YEARS:
        raise _date_error(f"has the year {year}, which cannot be right. Check the year, {_EXAMPLES}.")
    if not 1 <= month <= 12:
        raise _date_error(f"is not a real date: there is no month {month} (months are numbered 1 to 12).")
    days = _days_in(year, month)
    if not 1 <= day <= days:
        raise _date_error(
            f"is not a real date: {MONTHS[month - 1]} {year} has {days} days. Check the day and the month."
        )
    return dt.date(year, month, day)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _date_error(why: str) -> PersonalValueError:
    return PersonalValueError("date", f"{LABELS['date']} {why}")


def field_problem(field: str, message: str) -> Problem:
    """A problem with one personal field, found while laying out the sheet."""
    return Problem(f"{LABELS[field]} {message}", field=field)


def describe(char: str) -> str:
    """'U+1F600 GRINNING FACE': how messages name a character without printing it."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
