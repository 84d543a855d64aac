"""A sheet's urgent signs are its own text for the meters (issue 24 items 2 and 5): they print inside the shared
When to call box, but the sheet selected them, so its reading grade and its PEMAT count them, and the shared
boxes' grade does not. The fixture is tests/data/urgent (its README)."""

from __future__ import annotations

import datetime as dt

import pytest
import textstat
from helpers.project import DATA

from factsheets.content.clinic import Clinic
from factsheets.project import Content, Project, load_content
from factsheets.quality.checks import check_variant
from factsheets.quality.pemat import actions, own_sections, score
from factsheets.quality.readability import own_groups, prose_text, reading, shared_groups
from factsheets.selection.select import URGENT, FilledSheet, select
from factsheets.selection.variant import Variant

SPINAL_CORD = (
    "If you have back pain with numb legs or trouble holding your urine, get care right away: the cancer may be "
    "pressing on your spinal cord."
)


@pytest.fixture(scope="module")
def fixture() -> Content:
    return load_content(Project(DATA / "urgent"))


@pytest.fixture(scope="module")
def filled(fixture: Content) -> FilledSheet:
    return fixture.fill(Variant("urgent-spine"))


@pytest.fixture(scope="module")
def without(fixture: Content) -> FilledSheet:
    """The same sheet with no urgent signs, the spinal cord sentence left in no section either."""
    sheet = fixture.sheets["urgent-spine"]
    return select(sheet.model_copy(update={"urgent": []}), fixture.corpus, None, fixture.common)


def test_the_urgent_signs_are_graded_with_the_sheets_own_prose(filled: FilledSheet) -> None:
    own = prose_text(own_groups(filled))
    assert SPINAL_CORD in own
    assert own.endswith("Sudden weakness in both legs. A fall, or a bone that may be broken.")
    assert reading(own_groups(filled)).flesch_kincaid == textstat.flesch_kincaid_grade(own)


def test_the_shared_boxes_are_chosen_by_what_they_are_not_by_where_they_print(filled: FilledSheet) -> None:
    """readability took everything printed after the sections as shared: the urgent signs print after them."""
    shared = shared_groups(filled)
    assert not any(g in shared for g in filled.urgent)
    assert SPINAL_CORD not in prose_text(shared)
    call = filled.when_to_call
    assert call is not None
    assert [t for g in shared for t in g.texts] == [w.group.texts[0] for w in filled.words] + [
        *call.call_about,
        call.emergency,
    ]
    assert len(own_groups(filled)) + len(shared) == len(filled.printed())  # every group one or the other


def test_check_reports_the_grade_with_them_and_the_shared_grade_without(filled: FilledSheet, fixture: Content) -> None:
    result = check_variant(filled, Clinic(), dt.date(2026, 1, 1), None, fixture.common.glossary)
    assert result.reading == reading(own_groups(filled))
    assert result.shared == reading(shared_groups(filled))
    assert result.reading.words > reading([g for s in filled.sections for g in s.groups]).words


def test_an_action_in_the_urgent_signs_is_the_sheets_own(filled: FilledSheet, without: FilledSheet) -> None:
    """Its sections ask nothing of the reader; its urgent sign does, said to the reader."""
    assert [a.text for a in actions(filled)] == [SPINAL_CORD]
    assert actions(without) == []
    with_signs = {r.item.number: r.verdict for r in score(filled, []).ratings}
    plain = {r.item.number: r.verdict for r in score(without, []).ratings}
    assert (with_signs[20], with_signs[21]) == ("agree", "agree")
    assert (plain[20], plain[21]) == ("disagree", "disagree")
    assert (with_signs[12], plain[12]) == ("agree", "disagree")  # a list of its own, set apart in the box
    assert score(filled, []).percent("actionability") == pytest.approx(200 / 3)  # 20, 21 of 20, 21, 22


def test_the_boxs_label_over_them_earns_nothing(filled: FilledSheet) -> None:
    """'Get help right away' prints over every sheet's urgent signs: like the shared box, it is no action of the
    sheet's own, and it does not make its signs (not actions) a list of steps (item 22)."""
    assert own_sections(filled)[-1].heading == URGENT
    assert URGENT not in [a.text for a in actions(filled)]
    (steps,) = [r for r in score(filled, []).ratings if r.item.number == 22]
    assert steps.verdict == "disagree"


def test_they_count_as_a_part_of_the_sheets_own(filled: FilledSheet) -> None:
    verdicts = {r.item.number: r for r in score(filled, []).ratings}
    assert verdicts[8].verdict == "agree"
    assert "2 sections and its urgent signs" in verdicts[8].reason
    assert verdicts[9].verdict == "agree"  # its heading is the box's: not judged as a section heading
    assert "'What you may feel'" in verdicts[11].reason  # only sections can sum up
