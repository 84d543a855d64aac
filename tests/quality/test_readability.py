"""Reading grades on the prose alone: tables and short list items are counted apart, never averaged in.

Whose prose (the sheet's own, the shared boxes apart) is tested on the fixture sheets in test_meters.py.
"""

from __future__ import annotations

import nltk
import pytest
import textstat

from factsheets.content.sources import Block, BlockKind
from factsheets.quality.readability import Reading, is_sentence, prose_text, reading, split
from factsheets.selection.select import Group

# What a sheet might print, in order: prose, a table, a list of one- and two-word items, a list of
# sentence-like items (one without a full stop), and a line of the clinic's own words.
PARAGRAPH = (
    "When cancer spreads from the place where it started to another part of the body, it is called "
    "metastatic cancer. Metastatic cancer has the same name and the same type of cancer cells as the "
    "original cancer."
)
ROWS = [
    ("Breast", "Bone, brain, liver, lung"),
    ("Kidney", "Adrenal gland, bone, brain, liver, lung"),
    ("Melanoma", "Bone, brain, liver, lung, skin, muscle"),
]
SHORT_ITEMS = ["Bone", "Liver", "Adrenal gland"]
SENTENCE_ITEMS = [
    "headache, seizures, or dizziness, when cancer has spread to the brain",  # 11 words, no full stop
    "Ask your care team which tests you need.",
]
CLINIC_TEXT = "Call us if a new symptom worries you."
# The prose as a person would join it for textstat: the item without a full stop gets one.
PROSE = (
    PARAGRAPH + " headache, seizures, or dizziness, when cancer has spread to the brain. "
    "Ask your care team which tests you need. Call us if a new symptom worries you."
)


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network at run time: any attempt to download NLTK data fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)


def _block(kind: BlockKind, text: str, position: int = 1, cells: tuple[str, ...] = ()) -> Block:
    return Block(kind, text, line=position, position=position, cells=cells)


def printed() -> list[Group]:
    """The fixture as groups, the way `FilledSheet.printed()` hands them over."""
    return [
        Group(None, (_block("paragraph", PARAGRAPH),)),
        Group(None, tuple(_block("row", " | ".join(r), n, r) for n, r in enumerate(ROWS, 1)), table_header=("A", "B")),
        Group(None, tuple(_block("item", t, n) for n, t in enumerate(SHORT_ITEMS, 1))),
        Group(None, tuple(_block("item", t, n) for n, t in enumerate(SENTENCE_ITEMS, 1))),
        Group(None, clinic_text=CLINIC_TEXT),
    ]


def test_prose_grade_equals_textstats_grade_on_that_prose_alone() -> None:
    result = reading(printed())
    assert result.flesch_kincaid == textstat.flesch_kincaid_grade(PROSE)
    assert result.smog == textstat.smog_index(PROSE)
    assert result.words == textstat.lexicon_count(PROSE) == 64  # 37 + 11 + 8 + 8, counted by hand
    assert result.table_rows == 3
    assert result.short_items == 3
    assert result.total_words == 64 + (5 + 7 + 7) + (1 + 1 + 2)  # the rows' words and the short items' too
    assert prose_text(printed()) == PROSE  # the very string textstat is given


def test_tables_and_short_items_would_make_the_sheet_look_easier() -> None:
    """What the old reading did (every row and item a sentence) grades the same sheet lower."""
    everything = " ".join(
        [PROSE, *(f"{' | '.join(r)}." for r in ROWS), *(f"{t}." for t in SHORT_ITEMS)]  # as it was read before
    )
    prose_grade = reading(printed()).flesch_kincaid
    assert textstat.flesch_kincaid_grade(everything) < prose_grade


def test_split_sorts_in_the_order_printed() -> None:
    parts = split(printed())
    assert parts.prose == (PARAGRAPH, *SENTENCE_ITEMS, CLINIC_TEXT)
    assert parts.table_rows == tuple(" | ".join(r) for r in ROWS)
    assert parts.short_items == tuple(SHORT_ITEMS)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Bone", False),
        ("Adrenal gland", False),
        ("Chest wall, lungs", False),  # three words, no full stop: a label
        ("Call 911.", True),  # ends like a sentence
        ("Is it cancer?", True),
        ("How fast the cancer is growing", True),  # four words or more: read as a sentence
        ("“Stop.”", True),  # a closing quote after the full stop
    ],
)
def test_a_list_item_is_prose_when_it_ends_like_a_sentence_or_has_four_words(text: str, sentence: bool) -> None:
    assert is_sentence(text) is sentence


def test_a_sheet_of_tables_only_has_no_prose_to_grade() -> None:
    rows = Group(None, tuple(_block("row", " | ".join(r), n, r) for n, r in enumerate(ROWS, 1)))
    assert reading([rows]) == Reading(0.0, 0.0, 0, 0.0, 0.0, table_rows=3, short_items=0, total_words=5 + 7 + 7)


def test_a_short_line_of_clinic_text_is_counted_as_a_short_item() -> None:
    result = reading([Group(None, (_block("paragraph", PARAGRAPH),)), Group(None, clinic_text="Fever")])
    assert result.short_items == 1
    assert result.flesch_kincaid == textstat.flesch_kincaid_grade(PARAGRAPH)
