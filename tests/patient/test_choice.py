"""Which sheets a patient gets: overview, a sheet per site of spread, questions; never a site left out unsaid."""

from __future__ import annotations

import pytest

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.sites import SITES
from factsheets.errors import FactsheetsError
from factsheets.patient.choice import CLOSING, OVERVIEW, choose, choose_for
from factsheets.project import Content

BREAST = CANCER_TYPES["breast"]


def test_sites_given_choose_only_their_sheets(content: Content) -> None:
    choice = choose(content.corpus, content.sheets, BREAST, [SITES["bone"]])
    assert choice.sheet_ids == (*OVERVIEW, "bone", *CLOSING)
    assert choice.basis == "sites given: bone"
    assert not choice.without_sheet


def test_no_sites_given_uses_the_types_row_and_says_so(content: Content) -> None:
    choice = choose(content.corpus, content.sheets, BREAST, None)
    assert choice.sheet_ids == (*OVERVIEW, "bone", "brain", "liver", "lungs", *CLOSING)
    assert choice.basis == "common sites for breast cancer"


def test_a_site_without_a_sheet_is_listed_not_skipped(content: Content) -> None:
    choice = choose(content.corpus, content.sheets, CANCER_TYPES["ovary"], None)
    assert choice.sheet_ids == (*OVERVIEW, "liver", "lungs", *CLOSING)
    assert [s.key for s in choice.without_sheet] == ["peritoneum"]
    assert choice.notice == "No sheet yet for: the peritoneum."


def test_site_sheets_come_in_one_reading_order_whatever_order_they_were_named(content: Content) -> None:
    choice = choose(content.corpus, content.sheets, None, [SITES["lungs"], SITES["bone"]])
    assert choice.sheet_ids == (*OVERVIEW, "bone", "lungs", *CLOSING)


def test_no_type_and_no_sites_gives_the_overview_and_questions(content: Content) -> None:
    choice = choose(content.corpus, content.sheets, None, None)
    assert choice.sheet_ids == (*OVERVIEW, *CLOSING)
    assert choice.basis == "no cancer type or sites given: overview sheets only"


def test_codes_choose_the_type_and_the_sites(content: Content) -> None:
    choice = choose_for(content, None, [], ["C50.911", "C79.51"])
    assert choice.cancer_type is BREAST
    assert choice.sheet_ids == (*OVERVIEW, "bone", *CLOSING)
    assert len(choice.codes) == 2


def test_codes_add_to_the_sites_named(content: Content) -> None:
    choice = choose_for(content, "breast", ["liver"], ["C79.51"])
    assert [s.key for s in choice.sites] == ["liver", "bone"]
    assert choice.sheet_ids == (*OVERVIEW, "bone", "liver", *CLOSING)


def test_a_type_named_and_a_type_coded_that_differ_are_refused(content: Content) -> None:
    with pytest.raises(FactsheetsError) as caught:
        choose_for(content, "colon", [], ["C50.911"])
    (problem,) = caught.value.problems
    assert problem.message == "the codes say breast cancer, but the cancer type given is colon cancer"
    assert problem.field == "cancer_type"


def test_the_build_packets_are_the_types_common_sites(content: Content) -> None:
    """The packets in out/ are what a request naming only the type gets."""
    from factsheets.build.packets import plan_packets

    entries = {}  # nothing built: every member is missing, in order
    packets = {p.cancer_type: p for p in plan_packets(content.corpus, set(content.sheets), entries)}
    assert packets["breast"].missing == choose(content.corpus, content.sheets, BREAST, None).sheet_ids
