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
    choice = choose(content.corpus, content.sheets, CANCER_TYPES["prostate"], None)
    assert choice.sheet_ids == (*OVERVIEW, "bone", "liver", "lungs", *CLOSING)
    assert [s.key for s in choice.without_sheet] == ["adrenal"]
    assert choice.notice == "No sheet yet for: the adrenal gland."


def test_the_peritoneum_has_its_sheet(content: Content) -> None:
    """Fluid in the belly: a request naming the peritoneum, or a type that spreads there, gets its sheet."""
    choice = choose_for(content, None, ["peritoneum"], [])
    assert choice.sheet_ids == (*OVERVIEW, "peritoneum", *CLOSING)
    assert (choice.without_sheet, choice.notice) == ((), "")
    assert choice.summary == "5 sheets: spread to peritoneum"
    ovary = choose(content.corpus, content.sheets, CANCER_TYPES["ovary"], None)
    assert ovary.sheet_ids == (*OVERVIEW, "liver", "lungs", "peritoneum", *CLOSING)
    assert choose_for(content, None, [], ["C56.1", "C78.6"]).sheet_ids == (*OVERVIEW, "peritoneum", *CLOSING)


def test_topic_sheets_ticked_come_after_the_site_sheets_and_before_questions(content: Content) -> None:
    choice = choose_for(content, None, ["peritoneum"], [], ["caregivers", "pain", "questions"])
    assert choice.sheet_ids == (*OVERVIEW, "peritoneum", "caregivers", "pain", *CLOSING)
    assert choice.added == ("caregivers", "pain")


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
    packets = {p.cancer_type: p for p in plan_packets(content, entries)}
    assert packets["breast"].missing == choose(content.corpus, content.sheets, BREAST, None).sheet_ids


# --- One rule for every way of asking, and what it says (issue 22) --------------------------------------


def test_codes_and_type_bring_their_sheets_whatever_is_listed(content: Content) -> None:
    """Ticks (listed sheets) never take away what the type, sites or codes bring: a patient's bone sheet stays."""
    by_codes = choose_for(content, None, [], ["C50.911", "C79.51"], ["what-is-metastatic-cancer", "questions"])
    assert by_codes.sheet_ids == (*OVERVIEW, "bone", *CLOSING)
    assert by_codes.added == ()
    by_type = choose_for(content, "breast", [], [], [])
    assert by_type.sheet_ids == (*OVERVIEW, "bone", "brain", "liver", "lungs", *CLOSING)


def test_ticks_add_sheets_in_reading_order(content: Content) -> None:
    choice = choose_for(content, None, [], ["C50.911", "C79.51"], ["questions", "living-with", "liver"])
    assert choice.sheet_ids == (*OVERVIEW, "bone", "liver", "living-with", *CLOSING)
    assert choice.added == ("liver", "living-with")  # in reading order, however they were listed
    assert choice.summary == (
        "7 sheets: breast cancer (C50.911); spread to bone (C79.51); sheets added: liver, living-with"
    )


def test_a_request_naming_no_type_site_or_code_prints_what_it_lists(content: Content) -> None:
    choice = choose_for(content, None, [], [], ["questions", "bone"])
    assert (choice.sheet_ids, choice.listed) == (("questions", "bone"), True)
    assert choice.summary == "2 sheets: as listed (no cancer type, sites or codes given)"
    assert choose_for(content, None, [], []).sheet_ids == (*OVERVIEW, *CLOSING)  # nothing listed: the overview


@pytest.mark.parametrize(
    ("request_", "field", "words"),
    [
        ((None, [], [], []), "sheets", "nothing to print: no cancer type, sites or codes given, and no sheet ticked"),
        ((None, [], [], ["nope", "bone", "nope"]), "sheets", "unknown sheet(s): nope"),
        (("lung", [], ["C50.911", "C79.51"], None), "cancer_type", "the codes say breast cancer, but the cancer type"),
    ],
)
def test_what_cannot_be_chosen_is_refused_at_its_field(
    content: Content, request_: tuple, field: str, words: str
) -> None:
    with pytest.raises(FactsheetsError) as caught:
        choose_for(content, *request_)
    (problem,) = caught.value.problems
    assert (problem.field, problem.message[: len(words)]) == (field, words)


@pytest.mark.parametrize(
    ("request_", "summary"),
    [
        ((None, [], ["C50.911", "C79.51"]), "5 sheets: breast cancer (C50.911); spread to bone (C79.51)"),
        (("breast", [], []), "8 sheets: breast cancer; common sites: bone, brain, liver, lungs"),
        (
            ("prostate", [], []),
            "7 sheets: prostate cancer; common sites: bone, liver, lungs, adrenal gland (no sheet yet)",
        ),
        (
            (None, [], ["C61", "C79.71", "C78.7"]),
            "5 sheets: prostate cancer (C61); spread to liver (C78.7), adrenal gland (C79.71; no sheet yet)",
        ),
        (("breast", ["liver", "bone"], []), "6 sheets: breast cancer; spread to bone, liver"),  # reading order
        ((None, [], []), "4 sheets: overview sheets and questions (no cancer type, sites or codes given)"),
    ],
)
def test_the_summary_says_what_was_chosen_and_why(content: Content, request_: tuple, summary: str) -> None:
    assert choose_for(content, *request_).summary == summary


def test_one_sheet_is_the_sheet_as_published_with_no_packet_around_it(content: Content) -> None:
    from factsheets.patient.choice import one_sheet

    choice = one_sheet(content, "where-it-spreads", "breast")
    assert (choice.sheet_ids, choice.cancer_type, choice.listed) == (("where-it-spreads",), BREAST, True)
    with pytest.raises(FactsheetsError, match=r"unknown sheet\(s\): nope"):
        one_sheet(content, "nope", None)
