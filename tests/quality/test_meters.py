"""Meters that tell the truth: three fixture sheets scored by hand, and the shared parts earning nothing.

The fixture project, tests/data/meters, has one source written for these tests, three sheets and
shared boxes of its own (its README says what each sheet is for), so a change to the shipped
content moves none of the hand scores below. For each sheet the test holds the project's reading
grade equal to the Flesch-Kincaid formula worked by hand on the sheet's own prose, and to textstat
run on that same prose; and its PEMAT verdicts equal to a rating by hand, item by item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import nltk
import pytest
import textstat
from helpers.project import DATA

from factsheets.content.clinic import Clinic
from factsheets.content.shared import WhenToCall
from factsheets.content.sheets import load_sheet
from factsheets.project import Content, Project, load_content
from factsheets.quality.checks import VariantCheck, check_variant, undefined_terms
from factsheets.quality.pemat import score
from factsheets.quality.pemat_form import PematScore
from factsheets.quality.readability import own_groups, prose_text, shared_groups
from factsheets.selection.select import FilledSheet, select
from factsheets.selection.variant import Variant

METERS = DATA / "meters"
TODAY = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network at run time: any attempt to download NLTK data fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)


@pytest.fixture(scope="module")
def meters() -> Content:
    return load_content(Project(METERS))


def checked(content: Content, sheet: str) -> VariantCheck:
    """What `check` and `report` compute for the sheet's general variant."""
    return check_variant(content.fill(Variant(sheet)), Clinic(), TODAY, None, content.common.glossary)


def flesch_kincaid(words: int, sentences: int, syllables: int) -> float:
    """The Flesch-Kincaid grade as the formula states it (Kincaid et al., 1975)."""
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def smog(polysyllables: int, sentences: int) -> float:
    """McLaughlin's SMOG grade, as textstat computes it (no square-root table, no 30-sentence sample)."""
    return 1.043 * (30 * polysyllables / sentences) ** 0.5 + 3.1291


@dataclass(frozen=True)
class Hand:
    """A sheet counted by hand: its own prose as printed, and what a person counts in it."""

    prose: str  # the sections' prose, each list item given a full stop; not the shared boxes
    words: int
    sentences: int
    syllables: int  # CMU dictionary syllables, as a reader would say them
    polysyllables: int  # words of three syllables or more
    own_words: int  # the prose, and the words of table rows and short list items


HAND = {
    # 71 words in 9 sentences. Every word has one syllable but these: cancer x2, often x2, causes,
    # cancers, about x2, any (2 each: +9), easily, medicine x2 (3 each: +6); 71 + 15 = 86.
    # Three words of three syllables: easily, medicine, medicine. The short items Breast, Lung and
    # Prostate are not sentences: out of the grade, in the own words (71 + 3).
    "meters-pain": Hand(
        "Cancer in the bone often causes pain. The pain may be worse at night. A bone with cancer in it can "
        "break more easily. Some cancers often spread to the bone. Take your pain medicine on time. Write down "
        "when the pain gets worse. Tell your care team about any new pain. Bone pain can be worse at night. "
        "Take your pain medicine and tell your care team about new pain.",
        words=71,
        sentences=9,
        syllables=86,
        polysyllables=3,
        own_words=74,
    ),
    # 27 words in 4 sentences. Two syllables: cancer x2, travel, other, organs, doctors, also,
    # muscles, common (+9); metastasis has four (+3): 27 + 12 = 39; one word of three or more. The
    # table's three rows (4, 3 and 4 words) are left out of the grade: 27 + 11 own words.
    "meters-spread": Hand(
        "Cancer cells can travel through the blood to other organs. Doctors call this metastasis. Cancer can "
        "also reach the skin or the muscles. This is less common.",
        words=27,
        sentences=4,
        syllables=39,
        polysyllables=1,
        own_words=38,
    ),
    # 38 words in 5 sentences (the two questions are sentences). Two syllables: whether, cancer,
    # doctor x2, results (+5); metastasis four (+3): 38 + 8 = 46; one word of three or more.
    "meters-tests": Hand(
        "Tests show whether the cancer has grown or caused metastasis. Your doctor will choose the tests for "
        "you. A new lump should be checked by a doctor. Which tests will I have? When will I get the results?",
        words=38,
        sentences=5,
        syllables=46,
        polysyllables=1,
        own_words=38,
    ),
}

# The shared boxes' prose, graded apart: the fixture's When to call box, and on meters-spread the
# definition of metastasis from its Words to know box (first, as printed).
CALL_BOX = "Call us if you have new pain. Tell us if your medicine does not help. Call 911 if you cannot breathe or have a seizure."
DEFINITION = "When cancer spreads from where it started to another part of the body."
SHARED = {"meters-pain": CALL_BOX, "meters-spread": f"{DEFINITION} {CALL_BOX}", "meters-tests": CALL_BOX}


@pytest.mark.parametrize("sheet", list(HAND))
def test_the_grade_is_a_count_by_hand_and_textstats_on_the_same_own_prose(meters: Content, sheet: str) -> None:
    hand = HAND[sheet]
    filled = meters.fill(Variant(sheet))
    assert prose_text(own_groups(filled)) == hand.prose  # what the project hands textstat
    check = checked(meters, sheet)
    by_hand = flesch_kincaid(hand.words, hand.sentences, hand.syllables)
    assert check.reading.flesch_kincaid == pytest.approx(by_hand, abs=1e-9)
    assert check.reading.flesch_kincaid == textstat.flesch_kincaid_grade(hand.prose)
    assert check.reading.smog == pytest.approx(smog(hand.polysyllables, hand.sentences), abs=1e-9)
    assert check.reading.smog == textstat.smog_index(hand.prose)
    assert (check.reading.words, check.reading.total_words) == (hand.words, hand.own_words)


@pytest.mark.parametrize("sheet", list(HAND))
def test_the_shared_boxes_are_graded_apart_never_in_the_sheets_grade(meters: Content, sheet: str) -> None:
    filled = meters.fill(Variant(sheet))
    assert prose_text(shared_groups(filled)) == SHARED[sheet]
    check = checked(meters, sheet)
    assert check.shared is not None
    assert check.shared.flesch_kincaid == textstat.flesch_kincaid_grade(SHARED[sheet])
    everything = f"{HAND[sheet].prose} {SHARED[sheet]}"  # what the grade used to read: the easy box pulled it down
    assert textstat.flesch_kincaid_grade(everything) != check.reading.flesch_kincaid


def test_a_grade_over_the_sheets_target_is_a_finding_naming_the_figure(meters: Content) -> None:
    check = checked(meters, "meters-spread")  # reading_grade_target: 4, and its own prose reads at 4.1
    assert "reading grade 4.1 (Flesch-Kincaid, on the sheet's own prose) is over the target of 4" in check.warnings
    assert not [w for w in checked(meters, "meters-pain").warnings if w.kind == "reading"]


# --- PEMAT-P, rated by hand ------------------------------------------------------------------------

PEMAT = {
    "meters-pain": {
        4: "agree",  # it uses no glossary term, so none is left undefined
        8: "agree",  # four sections, the longest 24 words
        9: "agree",  # each heading says what its section holds: "What you may feel", "What you can do", ...
        11: "agree",  # "Remember" says again that the pain can be worse at night ("What you may feel") and to
        #               take the medicine and tell the care team ("What you can do"), in 19 words
        12: "agree",  # two bulleted lists, and the care team's words in their box
        15: "person",  # no table or picture; whether one would help is a person's call
        19: "n/a",  # no tables
        20: "agree",  # "Take your pain medicine on time.": an action the reader can take
        21: "agree",  # every action is an imperative said to the reader ("Take", "Write", "Tell")
        22: "agree",  # the actions come as a list of three short steps
        23: "person",  # no checklist or write-in room; whether one would help is a person's call
    },
    "meters-spread": {
        4: "agree",  # it uses "metastasis" and defines it in Words to know
        8: "agree",  # three short sections
        9: "agree",  # "Key points", "Where some cancers spread", "Less common places": none generic, none twice
        11: "disagree",  # "Key points" says cells travel in the blood; nothing else on the sheet says so, and
        #                  "Less common places" is new too: a heading is not a summary
        12: "disagree",  # paragraphs and a table: no list, no box of its own (the shared boxes do not count)
        15: "agree",  # a table of where cancers spread
        19: "agree",  # column headings, 2 columns, 3 rows, headings of 1 to 3 words
        20: "disagree",  # nothing in its own text asks the reader to do anything; the call box, every line of
        #                  it an imperative, is on every sheet and earns nothing
        21: "disagree",  # no action, so none addressed to the reader (the guide: disagree if none)
        22: "disagree",  # no action to break into steps
        23: "person",  # no write-in room
    },
    "meters-tests": {
        4: "disagree",  # "metastasis" is printed but not defined (no Words to know)
        8: "agree",  # two sections, neither long
        9: "agree",  # "Why you have tests", "Questions to ask your doctor"
        11: "disagree",  # neither section restates the other
        12: "agree",  # a bulleted list of questions
        15: "person",  # no table or picture
        19: "n/a",  # no tables
        20: "agree",  # "Questions to ask your doctor": ask these
        21: "disagree",  # "A new lump should be checked by a doctor." says what to do in the passive, to no one
        22: "agree",  # the asking is broken into two short questions under that heading
        23: "agree",  # room to write the answers
    },
}
SCORES = {"meters-pain": (100.0, 100.0), "meters-spread": (100 * 5 / 7, 0.0), "meters-tests": (60.0, 75.0)}


def verdicts(result: PematScore) -> dict[int, str]:
    return {r.item.number: r.verdict for r in result.ratings}


@pytest.mark.parametrize("sheet", list(PEMAT))
def test_pemat_equals_a_rating_by_hand(meters: Content, sheet: str) -> None:
    result = checked(meters, sheet).pemat
    assert verdicts(result) == PEMAT[sheet]
    assert (result.understandability, result.actionability) == pytest.approx(SCORES[sheet])


def _rate(filled: FilledSheet, content: Content) -> PematScore:
    return score(filled, undefined_terms(filled, content.common.glossary))


def test_the_call_box_alone_cannot_raise_actionability(meters: Content) -> None:
    """meters-spread asks nothing of the reader; the fixture's call box is all imperatives and "you"."""
    filled = meters.fill(Variant("meters-spread"))
    assert filled.when_to_call is not None
    louder = WhenToCall(
        call_about=["Call us today.", "Ask us anything.", "Write down your questions.", "Take this sheet with you."],
        emergency="Call 911 now if you need help.",
    )
    scored = [_rate(replace(filled, when_to_call=call), meters) for call in (filled.when_to_call, louder, None)]
    acting = [[r for r in s.ratings if r.item.scale == "actionability"] for s in scored]
    assert acting[0] == acting[1] == acting[2]
    assert [s.actionability for s in scored] == [0.0, 0.0, 0.0]


def test_no_shipped_variant_gains_an_item_from_the_shared_boxes(content: Content) -> None:
    """Every item, on every variant, is the same with the call box and Words to know taken away, but 9
    (a heading printed twice on the page, boxes' included, can only cost) and 4 (a term undefined)."""
    for filled in content.fill_all():
        alone = replace(filled, when_to_call=None, words=())
        with_boxes, without = (verdicts(_rate(f, content)) for f in (filled, alone))
        assert {n: v for n, v in with_boxes.items() if n not in (4, 9)} == {
            n: v for n, v in without.items() if n not in (4, 9)
        }, filled.variant.key
        assert with_boxes[9] != "agree" or without[9] == "agree"  # the boxes never turn a 9 into agree


def _sheet(tmp_path: Path, meters: Content, text: str) -> FilledSheet:
    path = tmp_path / f"{text.partition(chr(10))[0].removeprefix('id: ')}.yaml"  # named by its id
    path.write_text(text, encoding="utf-8")
    return select(load_sheet(path), meters.corpus, None, meters.common)


def _pain(replacing: str = "", by: str = "") -> str:
    return (METERS / "sheets" / "meters-pain.yaml").read_text(encoding="utf-8").replace(replacing, by)


def test_11_is_not_passed_by_a_heading(tmp_path: Path, meters: Content) -> None:
    key_points = _pain("heading: Remember", "heading: Key points")
    assert _rate(_sheet(tmp_path, meters, key_points), meters).rating(11).verdict == "agree"  # still restates
    empty_words = key_points.replace(
        "      - clinic_text: Bone pain can be worse at night.\n", "      - clinic_text: We are here for you.\n"
    )
    rating = _rate(_sheet(tmp_path, meters, empty_words), meters).rating(11)
    assert rating.verdict == "disagree"  # "Key points" over a sentence said nowhere else
    assert "'Key points': 'We are here for you.' restates no other section" in rating.reason
    headed = (METERS / "sheets" / "meters-spread.yaml").read_text(encoding="utf-8")
    for heading in ("Summary", "In short", "Main points", "What to remember"):
        renamed = _sheet(tmp_path, meters, headed.replace("heading: Key points", f"heading: {heading}"))
        assert _rate(renamed, meters).rating(11).verdict == "disagree", heading


def test_11_a_summary_restates_two_sections_and_is_short(tmp_path: Path, meters: Content) -> None:
    one = _pain("      - clinic_text: Take your pain medicine and tell your care team about new pain.\n").replace(
        "Bone pain can be worse at night.", "A bone with cancer can break more easily."
    )
    rating = _rate(_sheet(tmp_path, meters, one), meters).rating(11)
    assert "('Remember': restates only 'What you may feel', not 2 sections;" in rating.reason
    long = _pain("at night.\n", "at night. Bone pain can be worse at night. Bone pain can be worse at night.\n")
    rating = _rate(_sheet(tmp_path, meters, long), meters).rating(11)
    assert "'Remember': 33 words, over half of the other sections' 55" in rating.reason  # 24 + 10 + 21


def test_22_steps_are_a_list_of_short_actions(tmp_path: Path, meters: Content) -> None:
    in_a_paragraph = _pain(
        "      - source: meters-bone\n        section: What you can do\n",
        "      - clinic_text: Take your pain medicine on time and write down when the pain gets worse.\n",
    )
    rating = _rate(_sheet(tmp_path, meters, in_a_paragraph), meters).rating(22)
    assert (rating.verdict, rating.reason) == ("disagree", "no action is broken into a list of steps")
    assert _rate(_sheet(tmp_path, meters, in_a_paragraph), meters).rating(20).verdict == "agree"
