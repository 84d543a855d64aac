"""PEMAT-P by machine: a small sheet scored by the rules equals a hand score, and each rule flips its verdict.

Items are credited from the sheet's own content only: the shared boxes (When to call, Words to know)
earn none. The fixture sheets of tests/data/meters are scored by hand in test_meters.py.
"""

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
    #   then the shared boxes, Words to know (metastasis, seizure) and When to call, which earn nothing.
    hand = {
        4: "agree",  # "metastasized" and "seizures" are glossary terms; both are in Words to know
        8: "agree",  # three sections, the longest under 40 words
        9: "agree",  # each section has its own heading, and each says what it is about
        11: "disagree",  # neither the first nor the last section says again what the others say
        12: "agree",  # a bulleted list in "Signs to watch for" (the shared boxes do not count)
        15: "agree",  # a table
        19: "agree",  # 2 columns, 2 rows, column headings of 2 and 4 words, row headings of one word
        20: "disagree",  # its own text describes signs and treatments; it asks the reader to do nothing
        21: "disagree",  # no action to address the reader about (the guide: disagree if none)
        22: "disagree",  # no action to break into steps
        23: "person",  # no checklist or write-in section; whether one would help is for a person
    }
    result = rate(small)
    assert verdicts(result) == hand
    assert len(result.rated("understandability")) == 7
    assert result.understandability == pytest.approx(100 * 6 / 7)  # 85.7%: 6 agree of 7 rated
    assert len(result.rated("actionability")) == 3
    assert result.actionability == 0.0  # 0 of 3; item 23 is not counted, and the call box earns nothing
    assert result.missed("understandability") == [11]
    assert result.warnings() == [
        "PEMAT actionability 0% on the 3 items a machine can judge (under 70%): items 20, 21, 22 not met"
    ]
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


def test_11_a_heading_does_not_make_a_summary_a_restatement_does(tmp_path: Path, content: Content) -> None:
    key_points = "  - heading: Key points\n    passages:\n      - clinic_text: Tell us about any new symptom.\n"
    rating = rate(fill(tmp_path, content, SMALL + key_points)).rating(11)
    assert rating.verdict == "disagree"  # "Key points" over a sentence found nowhere else on the sheet
    assert "'Key points': 'Tell us about any new symptom.' restates no other section" in rating.reason
    remember = (
        "  - heading: Remember\n    passages:\n"
        "      - clinic_text: Headache, dizziness or confusion can be signs.\n"  # the signs section's words
        "      - clinic_text: Treatment may include surgery, chemotherapy or radiation therapy.\n"  # the treatment's
    )
    rating = rate(fill(tmp_path, content, SMALL + remember)).rating(11)
    assert (rating.verdict, rating.reason) == (
        "agree",
        "section 'Remember' restates the points of 'Signs to watch for' and 'Treatment'",
    )


def test_12_paragraphs_alone_have_no_visual_cues(tmp_path: Path, content: Content) -> None:
    plain = SMALL.replace("        contains: [brain]\n", "        paragraphs: [1]\n")  # NCI's paragraph, not its list
    plain = plain.replace("words_to_know: [metastasis, seizure]\n", "")
    filled = replace(fill(tmp_path, content, plain), when_to_call=None)
    reason = "no list and no box in its sections (the shared boxes, on every sheet, are not counted)"
    assert (rate(filled).rating(12).verdict, rate(filled).rating(12).reason) == ("disagree", reason)
    assert rate(replace(filled, when_to_call=CALL)).rating(12).verdict == "disagree"  # the call box is shared
    with_words = fill(tmp_path, content, SMALL.replace("        contains: [brain]\n", "        paragraphs: [1]\n"))
    assert with_words.words  # it prints Words to know ...
    assert rate(with_words).rating(12).verdict == "disagree"  # ... a shared box too
    with_clinic = plain + "  - heading: From us\n    passages:\n      - clinic_text: Rest when you can.\n"
    rating = rate(fill(tmp_path, content, with_clinic)).rating(12)
    assert (rating.verdict, rating.reason) == ("agree", "its sections print the care team's box")


def test_15_19_without_a_table(tmp_path: Path, content: Content) -> None:
    result = rate(fill(tmp_path, content, SMALL.replace(TABLE, "")))
    assert verdicts(result)[15] == "person"  # PEMAT has no N/A here: a person judges whether one would help
    assert verdicts(result)[19] == "n/a"  # "No tables = N/A"
    assert len(result.rated("understandability")) == 5


def test_19_a_table_of_every_row_is_not_simple(tmp_path: Path, content: Content) -> None:
    result = rate(fill(tmp_path, content, SMALL.replace("        rows: [Breast, Lung]\n", "")))
    assert result.rating(19).reason == "table 'Common Sites Where Cancer Spreads': 13 rows (over 12)"


def test_20_21_22_the_call_box_earns_nothing(small: FilledSheet) -> None:
    """However well the shared box says what to do, it says it on every sheet: the sheet's own content is scored."""
    imperative = WhenToCall(
        call_about=["Call us about new symptoms.", "Tell us if your pain gets worse."],
        emergency="Call 911 for a seizure.",
    )
    scored = [rate(replace(small, when_to_call=call)) for call in (None, CALL, imperative)]
    assert [[r for r in s.ratings if r.item.scale == "actionability"] for s in scored] == [
        [r for r in scored[0].ratings if r.item.scale == "actionability"]
    ] * 3
    assert {scored[2].rating(n).verdict for n in (20, 21, 22)} == {"disagree"}
    assert [s.actionability for s in scored] == [0.0, 0.0, 0.0]


def _with_section(text: str) -> str:
    return SMALL + f"  - heading: What you can do\n    passages:\n      - clinic_text: {text}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ask your care team about clinical trials.", {20: "agree", 21: "agree"}),  # an imperative
        ("If the pain gets worse, call the clinic.", {20: "agree", 21: "agree"}),  # after an opening clause
        ("You can ask about clinical trials.", {20: "agree", 21: "agree"}),  # "you" and an action verb
        ("It is important to ask your doctor about side effects.", {20: "agree", 21: "agree"}),
        ("Patients should ask about clinical trials.", {20: "agree", 21: "disagree"}),  # of the patient
        ("New pain must be checked right away.", {20: "agree", 21: "disagree"}),  # the passive
        ("Clinical trials are an option for some people.", {20: "disagree", 21: "disagree"}),  # no action
    ],
)
def test_20_21_an_action_in_the_sheets_own_words_and_whether_it_speaks_to_the_reader(
    tmp_path: Path, content: Content, text: str, expected: dict[int, str]
) -> None:
    result = rate(fill(tmp_path, content, _with_section(text)))
    assert {n: result.rating(n).verdict for n in (20, 21)} == expected
    assert result.rating(22).verdict == "disagree"  # one sentence: no list of steps


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
    assert not [w for w in fine.warnings if w.startswith("PEMAT understandability")]
    assert [w for w in fine.warnings if w.startswith("PEMAT actionability 0%")]  # it asks nothing of the reader
