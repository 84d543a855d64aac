"""PEMAT-P by machine: a small sheet scored by the rules equals a hand score, and each rule flips its verdict."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.project import BRAIN_SIGNS_PASSAGES

from factsheets.content.clinic import Clinic
from factsheets.content.shared import Common, Glossary, Term, WhenToCall
from factsheets.content.sheets import Passage, load_sheet
from factsheets.project import Content
from factsheets.quality.checks import check_variant, undefined_terms
from factsheets.quality.pemat import score
from factsheets.quality.pemat_form import FOR_A_PERSON, ITEMS, PematScore
from factsheets.selection.select import FilledSheet, select

# The fixture's own glossary and call to action, so that edits to sheets/common/ do not move the hand score.
GLOSSARY = Glossary(
    terms=[
        Term(
            term="metastasis",
            forms=["metastases", "metastasized"],
            definition=Passage(clinic_text="When cancer spreads from where it started to another part of the body."),
        ),
        Term(
            term="seizure",
            forms=["seizures"],
            definition=Passage(clinic_text="A sudden burst of activity in the brain."),
        ),
    ]
)
CALL = WhenToCall(
    call_about=["New symptoms, or symptoms that get worse.", "Questions about your care or about this sheet."],
    emergency="Call 911 if you have a seizure or trouble breathing.",
)
COMMON = Common(GLOSSARY, CALL)

SIGNS = "  - heading: Signs to watch for\n" + BRAIN_SIGNS_PASSAGES
TABLE = """  - heading: Cancers that often spread to the brain
    passages:
      - source: nci-metastatic-cancer
        section: Common Sites Where Cancer Spreads
        rows: [Breast, Lung]
"""
TREATMENT = """  - heading: Treatment
    passages:
      - source: clevelandclinic-metastasis
        section: How is metastatic cancer treated? > Brain metastasis
"""
SMALL = f"""id: small
title: When cancer spreads to the brain
words_to_know: [metastasis, seizure]
sections:
{SIGNS}{TABLE}{TREATMENT}"""


def fill(tmp_path: Path, content: Content, text: str, common: Common = COMMON) -> FilledSheet:
    """The general variant of the sheet `text`, selected from the real corpus."""
    path = tmp_path / "small.yaml"
    path.write_text(text, encoding="utf-8")
    return select(load_sheet(path), content.corpus, None, common)


def rate(filled: FilledSheet, glossary: Glossary | None = GLOSSARY) -> PematScore:
    return score(filled, undefined_terms(filled, glossary) if glossary else None)


def verdicts(result: PematScore) -> dict[int, str]:
    return {r.item.number: r.verdict for r in result.ratings}


@pytest.fixture
def small(tmp_path: Path, content: Content) -> FilledSheet:
    return fill(tmp_path, content, SMALL)


def test_machine_score_of_the_small_sheet_equals_a_hand_score(small: FilledSheet) -> None:
    # What the sheet prints, read by a person:
    #   Signs to watch for: Cleveland Clinic's brain-metastasis paragraph (22 words, "metastasized", and a
    #     list of one NCI item, "headache, seizures, or dizziness, when cancer has spread to the brain");
    #   Cancers that often spread to the brain: NCI's table, headed "Cancer Type | Main Sites of Metastasis",
    #     rows Breast and Lung;
    #   Treatment: one Cleveland Clinic paragraph (24 words);
    #   then Words to know (metastasis, seizure) and When to call (two reasons, and 911 "if you have ...").
    hand = {
        4: "agree",  # "metastasized" and "seizures" are glossary terms; both are in Words to know
        8: "agree",  # three sections, the longest under 40 words
        9: "agree",  # each section has its own heading, and each says what it is about
        11: "disagree",  # nothing sums up: no "Key points" section
        12: "agree",  # a bulleted list, and the Words to know and When to call boxes
        15: "agree",  # a table
        19: "agree",  # 2 columns, 2 rows, column headings of 2 and 4 words, row headings of one word
        20: "agree",  # When to call says when to call the care team, and when to call 911
        21: "agree",  # "your care", "if you have"
        22: "agree",  # two short reasons to call, as a list
        23: "person",  # no checklist or write-in section; whether one would help is for a person
    }
    result = rate(small)
    assert verdicts(result) == hand
    assert len(result.rated("understandability")) == 7
    assert result.understandability == pytest.approx(100 * 6 / 7)  # 85.7%: 6 agree of 7 rated
    assert len(result.rated("actionability")) == 3
    assert result.actionability == 100.0  # 3 of 3; item 23 is not counted
    assert result.missed("understandability") == [11]
    assert result.warnings() == []
    assert [(e.name, e.passed) for e in result.extras] == [("type size", None), ("white space", True)]


def test_items_follow_pemat_p_numbering_and_the_rest_need_a_person() -> None:
    understand = [n for n, item in ITEMS.items() if item.scale == "understandability"]
    act = [n for n, item in ITEMS.items() if item.scale == "actionability"]
    assert understand == [*range(1, 13), *range(15, 20)]  # 17 items; 13 and 14 are audiovisual only
    assert act == list(range(20, 27))  # 7 items
    assert [i.number for i in FOR_A_PERSON] == [1, 2, 3, 5, 6, 7, 10, 16, 17, 18, 24, 25, 26]
    assert ITEMS[8].text == "The material breaks or “chunks” information into short sections."


# --- One flip per rule -------------------------------------------------------------------------------


def test_4_a_term_used_without_its_definition(tmp_path: Path, content: Content) -> None:
    filled = fill(tmp_path, content, SMALL.replace("words_to_know: [metastasis, seizure]", "words_to_know: [seizure]"))
    rating = rate(filled).rating(4)
    assert (rating.verdict, rating.reason) == ("disagree", "uses 'metastasis' without defining it in Words to know")
    assert rate(filled, None).rating(4).verdict == "person"  # no glossary: nothing to check against


def test_8_one_long_section_is_not_chunked(tmp_path: Path, content: Content) -> None:
    spreads = """  - heading: How cancer spreads
    passages:
      - source: nci-metastatic-cancer
        section: How Cancer Spreads
"""
    assert rate(fill(tmp_path, content, SMALL + spreads)).rating(8).verdict == "disagree"  # over 120 words
    headings = (
        "  - heading: Cancers that often spread to the brain\n    passages:\n",
        "  - heading: Treatment\n    passages:\n",
    )
    merged = SMALL.replace(headings[0], "").replace(headings[1], "")  # every passage under "Signs to watch for"
    assert rate(fill(tmp_path, content, merged)).rating(8).reason == "one section: the text is not broken into parts"


def test_8_9_11_are_not_applicable_to_very_short_material(tmp_path: Path, content: Content) -> None:
    filled = fill(tmp_path, content, f"id: small\ntitle: Very short\nsections:\n{TREATMENT}")  # one paragraph
    assert {n: v for n, v in verdicts(rate(filled)).items() if n in (8, 9, 11)} == {8: "n/a", 9: "n/a", 11: "n/a"}


def test_9_a_generic_or_repeated_heading(tmp_path: Path, content: Content) -> None:
    other = fill(tmp_path, content, SMALL.replace("heading: Treatment", "heading: Other"))
    assert rate(other).rating(9).reason == "heading 'Other' says nothing about its section"
    twice = fill(tmp_path, content, SMALL.replace("heading: Treatment", "heading: Signs to watch for"))
    assert rate(twice).rating(9).reason == "the heading 'Signs to watch for' prints twice"
    as_box = fill(tmp_path, content, SMALL.replace("heading: Treatment", "heading: When to call"))
    assert rate(as_box).rating(9).reason == "the heading 'When to call' prints twice"  # the call box has it too


def test_11_a_key_points_section_is_a_summary(tmp_path: Path, content: Content) -> None:
    key_points = "  - heading: Key points\n    passages:\n      - clinic_text: Tell us about any new symptom.\n"
    assert rate(fill(tmp_path, content, SMALL + key_points)).rating(11).verdict == "agree"


def test_12_paragraphs_alone_have_no_visual_cues(tmp_path: Path, content: Content) -> None:
    plain = SMALL.replace("        contains: [brain]\n", "        paragraphs: [1]\n")  # NCI's paragraph, not its list
    plain = plain.replace("words_to_know: [metastasis, seizure]\n", "")
    filled = replace(fill(tmp_path, content, plain), when_to_call=None)
    rating = rate(filled).rating(12)
    assert (rating.verdict, rating.reason) == ("disagree", "no list and no box: paragraphs and tables only")
    assert rate(replace(filled, when_to_call=CALL)).rating(12).reason == "prints the When to call box"


def test_15_19_without_a_table(tmp_path: Path, content: Content) -> None:
    result = rate(fill(tmp_path, content, SMALL.replace(TABLE, "")))
    assert verdicts(result)[15] == "person"  # PEMAT has no N/A here: a person judges whether one would help
    assert verdicts(result)[19] == "n/a"  # "No tables = N/A"
    assert len(result.rated("understandability")) == 5


def test_19_a_table_of_every_row_is_not_simple(tmp_path: Path, content: Content) -> None:
    result = rate(fill(tmp_path, content, SMALL.replace("        rows: [Breast, Lung]\n", "")))
    assert result.rating(19).reason == "table 'Common Sites Where Cancer Spreads': 13 rows (over 12)"


def test_20_21_22_without_a_call_to_action(small: FilledSheet) -> None:
    result = rate(replace(small, when_to_call=None))
    assert {n: result.rating(n).verdict for n in (20, 21, 22)} == {20: "disagree", 21: "disagree", 22: "disagree"}
    assert result.actionability == 0.0
    assert result.warnings() == [
        "PEMAT actionability 0% on the 3 items a machine can judge (under 70%): items 20, 21, 22 not met"
    ]


def test_21_speaking_of_the_patient_or_in_the_imperative(small: FilledSheet) -> None:
    third = WhenToCall(call_about=["New symptoms.", "Pain that gets worse."], emergency="The patient should call 911.")
    assert rate(replace(small, when_to_call=third)).rating(21).verdict == "disagree"
    imperative = WhenToCall(call_about=["New symptoms.", "Pain that gets worse."], emergency="Call 911 for a seizure.")
    assert rate(replace(small, when_to_call=imperative)).rating(21).verdict == "agree"
    neither = WhenToCall(call_about=["New symptoms.", "Pain that gets worse."], emergency="Emergencies: 911.")
    assert rate(replace(small, when_to_call=neither)).rating(21).verdict == "disagree"


def test_22_one_reason_or_a_long_one_is_not_broken_down(small: FilledSheet) -> None:
    one = WhenToCall(call_about=["Anything that worries you."], emergency=CALL.emergency)
    assert rate(replace(small, when_to_call=one)).rating(22).verdict == "disagree"
    long_reason = "Any new symptom at all, such as pain, fever, sickness, tiredness or a change in how you feel, that lasts more than a day"
    long = WhenToCall(call_about=["Questions.", long_reason], emergency=CALL.emergency)
    assert rate(replace(small, when_to_call=long)).rating(22).reason == f"'{long_reason}' is over 20 words"


def test_23_a_write_in_section_is_a_tangible_tool(tmp_path: Path, content: Content) -> None:
    filled = fill(
        tmp_path, content, SMALL.replace("  - heading: Treatment\n", "  - heading: Treatment\n    write_in: true\n")
    )
    rating = rate(filled).rating(23)
    assert (rating.verdict, rating.reason) == ("agree", "room to write answers under 'Treatment'")


def test_white_space_counts_the_words_on_the_page(tmp_path: Path, content: Content) -> None:
    more = "".join(
        f"  - heading: {heading}\n    passages:\n      - source: nci-metastatic-cancer\n        section: {section}\n"
        for heading, section in [
            ("How cancer spreads", "How Cancer Spreads"),
            ("Care", "Treatment for Metastatic Cancer"),
        ]
    )
    small, crowded = (rate(fill(tmp_path, content, text)).extras[1] for text in (SMALL, SMALL + more))
    assert (small.name, small.passed) == ("white space", True)
    assert crowded.passed is False
    assert crowded.reason.endswith("words on the page (over 250)")


def test_check_warns_under_70_percent_on_the_items_scored(tmp_path: Path, content: Content) -> None:
    text = SMALL.replace("words_to_know: [metastasis, seizure]", "words_to_know: [seizure]").replace(
        "heading: Treatment", "heading: Other"
    )
    result = check_variant(fill(tmp_path, content, text), Clinic(), dt.date(2026, 1, 1), None, GLOSSARY)
    assert result.pemat.understandability == pytest.approx(100 * 4 / 7)
    assert (
        "PEMAT understandability 57% on the 7 items a machine can judge (under 70%): items 4, 9, 11 not met"
        in result.warnings
    )
    fine = check_variant(fill(tmp_path, content, SMALL), Clinic(), dt.date(2026, 1, 1), None, GLOSSARY)
    assert not [w for w in fine.warnings if w.startswith("PEMAT")]
