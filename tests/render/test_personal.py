"""Personal details: what is refused before layout, in the same words for the CLI, the form and the API; and
what the page shows of them, given or not."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from helpers.pdfs import line_after, text_of
from helpers.project import DATA, ROOT

from factsheets.content.clinic import Clinic
from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LIMITS, Personal, PersonalValueError, clean, personal, printed_date, read_date
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("  Ann   Lee ", "Ann Lee"),  # spaces folded
        ("Ann\u2028Lee\tSmith", "Ann Lee Smith"),  # line separators and tabs too
        ("Zoe\u0308", "Zoë"),  # composed (NFC), so the limit counts what prints
        ("김민준", "김민준"),
        ("Nguyễn Văn Hưng", "Nguyễn Văn Hưng"),
        ("मोहन\u200dलाल", "मोहन\u200dलाल"),  # a joiner shapes Indic and Arabic text: kept
    ],
)
def test_printable_values_are_kept(value: str, printed: str) -> None:
    assert clean("patient", value) == printed


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Dr \u202eevil", "invisible direction control (U+202E RIGHT-TO-LEFT OVERRIDE)"),
        ("\u2067Ann\u2069", "invisible direction control (U+2067 RIGHT-TO-LEFT ISOLATE)"),
        ("Ann\u200fLee", "invisible direction control (U+200F RIGHT-TO-LEFT MARK)"),
        ("Ann\x00Lee", "cannot be printed (U+0000"),
        ("Ann\x1b[31mLee", "cannot be printed (U+001B"),
        ("Ann\ue000", "cannot be printed (U+E000"),  # private use: no font means the same thing
        ("Jos\ufffd N\ufffd\ufffdez", "could not be read (U+FFFD REPLACEMENT CHARACTER)"),  # bytes a decoder gave up on
        ("x" * (LIMITS["patient"] + 1), f"61 characters long; at most {LIMITS['patient']} fit"),
    ],
)
def test_unprintable_values_are_refused_in_plain_words(value: str, words: str) -> None:
    with pytest.raises(PersonalValueError) as err:
        clean("patient", value)
    assert err.value.field == "patient"
    assert str(err.value).startswith("Patient name ")
    assert words in str(err.value)
    assert "evil" not in str(err.value)  # the value itself is not repeated back


def test_each_field_is_named_by_its_label() -> None:
    with pytest.raises(PersonalValueError, match=r"^Care team contact contains") as err:
        personal("Ann", "1 Dec 2026", "Dr\u202e Lee")
    assert err.value.field == "care_team"
    assert not personal()
    assert personal("Ann").patient == "Ann"


# --- Dates: read in the common forms, refused when impossible, printed with the month in words (issue 25) ---

FEB_28 = dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    "typed",
    [
        "2026-02-28",  # ISO
        "2026/2/28",
        "02/28/2026",  # US
        "2/28/2026",
        "02-28-2026",
        "28/02/2026",  # European
        "28.02.2026",
        "28.2.2026",
        "28-02-2026",
        "28 Feb 2026",  # what the form starts with
        "28 February 2026",
        "Feb 28, 2026",
        "february 28 2026",
        "28-Feb-2026",
        "Sat, 28 Feb 2026",  # a weekday, when it is the right one
        "Saturday 28th of February 2026",
        " 28   Feb  2026 ",
        "\uff12\uff10\uff12\uff16-\uff10\uff12-\uff12\uff18",  # full-width digits, as a Japanese keyboard types them
    ],
)
@pytest.mark.parametrize("order", ["month-first", "day-first"])
def test_a_date_is_read_in_each_common_form(typed: str, order: str) -> None:
    """One day, whichever way it is typed and whichever the clinic's order: only one reading is a date."""
    assert read_date(typed, order) == FEB_28
    assert clean("date", typed) == " ".join(typed.split())  # checked, kept as typed until the clinic's order is known


@pytest.mark.parametrize(
    ("typed", "order", "printed"),
    [
        ("03/04/2026", "month-first", "March 4, 2026"),  # a US clinic's staff mean March 4
        ("03/04/2026", "day-first", "3 April 2026"),  # everywhere else, 3 April
        ("03-04-2026", "month-first", "March 4, 2026"),
        ("03.04.2026", "month-first", "April 3, 2026"),  # dots are day-first wherever they are typed
        ("13/04/2026", "month-first", "April 13, 2026"),  # one reading only: that one
        ("04/13/2026", "day-first", "13 April 2026"),
        ("05/05/2026", "month-first", "May 5, 2026"),
        ("2026-03-04", "day-first", "4 March 2026"),  # ISO is never ambiguous
        ("29/02/2028", "day-first", "29 February 2028"),  # a leap year
        ("Sept 30 2026", "month-first", "September 30, 2026"),
    ],
)
def test_a_date_prints_with_the_month_in_words_in_the_clinics_order(typed: str, order: str, printed: str) -> None:
    assert personal(date=typed, date_order=order).date == printed


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("31/02/2026", "is not a real date: February 2026 has 28 days. Check the day and the month."),
        ("02/31/2026", "is not a real date: February 2026 has 28 days"),
        ("2026-02-30", "is not a real date: February 2026 has 28 days"),
        ("29.02.2027", "February 2027 has 28 days"),  # not a leap year
        ("31 April 2026", "April 2026 has 30 days"),
        ("00/05/2026", "May 2026 has 31 days"),
        ("13/13/2026", "is not a real date: there is no month 13 (months are numbered 1 to 12)"),
        ("2026-13-01", "there is no month 13"),
        ("Tue 28 Feb 2026", "names a Tuesday, but that day is a Saturday. Check the date, or leave the weekday out."),
        ("2/28/26", "needs the year in full, with four digits, for example 28 Feb 2026 or 2026-02-28."),
        ("28 Feb 26", "needs the year in full"),
        ("1 Dec", "has no year. Type the day, month and year, for example 28 Feb 2026 or 2026-02-28."),
        ("Dec 2026", "has no day"),
        ("0226-02-28", "has the year 226, which cannot be right"),
        ("next Tuesday", "could not be read as a date. Type the day, month and year, for example 28 Feb 2026"),
        ("28 Febuary 2026", "could not be read as a date"),
        ("2026-02-28T10:00", "could not be read as a date"),
        (
            "x" * (LIMITS["date"] + 1),
            "31 characters long; at most 30 fit on the sheet. Type only the day, month and year",
        ),
    ],
)
def test_a_date_that_is_not_a_real_one_is_refused_in_the_dates_own_words(typed: str, words: str) -> None:
    for check in (lambda: clean("date", typed), lambda: personal(date=typed, date_order="day-first")):
        with pytest.raises(PersonalValueError) as err:
            check()
        assert err.value.field == "date"
        assert str(err.value).startswith("Date ")
        assert words in str(err.value)
        assert "initials" not in str(err.value)  # a name's advice, not a date's


def test_a_dates_order_follows_the_clinics_paper_unless_clinic_yaml_says() -> None:
    assert Clinic().dates == Clinic(paper="letter").dates == "month-first"  # the US convention
    assert Clinic(paper="a4").dates == "day-first"
    assert Clinic(paper="letter", date_order="day-first").dates == "day-first"  # a Canadian clinic, say
    assert Clinic(paper="a4", date_order="month-first").dates == "month-first"
    longest = max(
        (printed_date(dt.date(2026, m, 28), o) for m in range(1, 13) for o in ("month-first", "day-first")), key=len
    )
    assert longest == "September 28, 2026"  # well within the date's line (test_renderer fits 25 characters)


# --- On the page: labels and lines for what was not given, the care team where the patient looks (issue 22) ---

VALUES = {"patient": "Ann O'Neil", "date": "22 Nov 2026", "care_team": "Dr Okafor, 555-0100"}
# 9 pt in sentence case (16 pt in large print): small capitals at 7.5 pt faded on a copy of a copy (issue 24).
LABELS_PRINTED = {"patient": "Prepared for", "date": "Date", "care_team": "Care team"}
GIVEN = list(itertools.product((False, True), repeat=3))


@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
@pytest.mark.parametrize("given", GIVEN, ids=["".join("x" if g else "-" for g in given) for given in GIVEN])
def test_each_field_left_empty_keeps_its_label_and_a_line_to_write_on(
    renderer: Renderer, content: Content, given: tuple[bool, bool, bool], large_print: bool
) -> None:
    """Whatever else is given: "Ann, no date" still has DATE and a line, and the care team's line with it."""
    details = Personal(**{field: value for (field, value), on in zip(VALUES.items(), given, strict=True) if on})
    filled = content.fill(Variant("bone"))
    result = renderer.render(filled, RenderOptions(personal=details, large_print=large_print))
    text = text_of(result.pdf)
    for (field, label), on in zip(LABELS_PRINTED.items(), given, strict=True):
        if on:
            assert f"{label} {VALUES[field]}" in text
            assert line_after(result.pdf, label) < 0.3, field  # the value is on it: no line drawn through it
        else:
            assert line_after(result.pdf, label) >= 2.5, field  # room to write it by hand
    blank = renderer.render(filled, RenderOptions(large_print=large_print))
    assert (result.body_pt, result.pages) == (blank.body_pt, blank.pages)  # the box keeps its height


@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_the_care_team_fills_the_call_line_on_every_sheet(content: Content, large_print: bool) -> None:
    from factsheets.patient.choice import choose_for
    from factsheets.patient.packet import render_packet
    from factsheets.project import Project
    from factsheets.render.renderer import Renderer

    choice = choose_for(content, None, [], [], ["bone", "questions", "liver"])
    options = RenderOptions(personal=Personal(care_team="Dr Okafor, 555-0100"), large_print=large_print)
    for clinic in ("no-clinic", "clinic"):  # with the clinic's phone too: the care team comes first
        pdf = render_packet(content, Renderer(Project(ROOT, DATA / clinic)), choice, options)
        assert text_of(pdf).count("Call your care team: Dr Okafor, 555-0100") == 3, clinic


def test_without_a_care_team_the_call_line_has_the_clinics_phone_or_a_line(content: Content) -> None:
    from factsheets.project import Project
    from factsheets.render.renderer import Renderer

    filled = content.fill(Variant("bone"))
    riverside = Renderer(Project(ROOT, DATA / "clinic")).render(filled, RenderOptions(personal=Personal("Ann"))).pdf
    assert "Call Riverside Cancer Centre: 555-0142" in text_of(riverside)
    neutral = Renderer(Project(ROOT, DATA / "no-clinic")).render(filled, RenderOptions(personal=Personal("Ann"))).pdf
    assert "Call your care team:" in text_of(neutral)
    assert line_after(neutral, "Call your care team:") >= 4  # a line to write the number on


def test_a_long_care_team_takes_two_lines_of_the_call_box_and_changes_nothing_else(
    renderer: Renderer, content: Content
) -> None:
    longest = "Dr Alexandra Pemberton-Smythe, Oncology Nurse Navigator, (555) 010-0100 ext 4432"
    assert len(longest) == LIMITS["care_team"]
    filled = content.fill(Variant("questions"))
    for paper in ("letter", "a4"):
        named = renderer.render(filled, RenderOptions(paper=paper, personal=Personal(care_team=longest)))
        assert named.body_pt == renderer.render(filled, RenderOptions(paper=paper)).body_pt
        assert f"Call your care team: {longest}" in text_of(named.pdf)
