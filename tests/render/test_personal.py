"""Personal details: what is refused before layout, in the same words for the CLI, the form and the API."""

from __future__ import annotations

import pytest

from factsheets.render.personal import LIMITS, PersonalValueError, clean, personal


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
        personal("Ann", "1 Dec", "Dr\u202e Lee")
    assert err.value.field == "care_team"
    assert not personal()
    assert personal("Ann").patient == "Ann"
