"""The Infobutton knowledge request: the guide's example requests, numbered and repeated codes, every refusal,
the Atom-style JSON feed, and the HTML page that answers an EHR.

The example requests are those of the HL7 "URL-Based Implementations of the Context-Aware Knowledge Retrieval
(Infobutton) Domain" implementation guide (Release 4, appendix "Examples"), as transcribed in HL7InfobuttonAPI's
parser tests, and the request of Table 1 in Appl Clin Inform 2016;7(3):817-831. They ask for drugs, MeSH and
SNOMED CT concepts, so each is checked twice: as written (refused, naming the code system) and with its main
criterion swapped for an ICD-10-CM code (answered, all its patient context read past and dropped).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from helpers.infobutton import GUIDE_EXAMPLE_1, GUIDE_EXAMPLE_2, GUIDE_EXAMPLES, ICD9CM, ICD10_WHO, NDC, SNOMED
from helpers.project import ROOT

from factsheets.errors import FactsheetsError
from factsheets.patient.infobutton import (
    ICD10CM,
    MAX_CRITERIA,
    MAX_PARAMETERS,
    MAX_VALUE,
    Criterion,
    FeedEntry,
    KnowledgeRequest,
    atom_json,
    parse,
    to_query,
)
from factsheets.project import Project

# Three codes, numbered as the guide does (mainSearchCriteria.v.c, .v.c1, .v.c2), from an infobutton server's tests.
NUMBERED = (
    "mainSearchCriteria.v.c=1202&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88&mainSearchCriteria.v.dn=atenolol"
    "&mainSearchCriteria.v.c1=401.1&mainSearchCriteria.v.cs1=2.16.840.1.113883.6.103"
    "&mainSearchCriteria.v.dn1=Benign+essential+hypertension&mainSearchCriteria.v.c2=250"
    "&mainSearchCriteria.v.cs2=2.16.840.1.113883.6.103&mainSearchCriteria.v.dn2=Diabetes+mellitus"
)
# MedlinePlus Connect's own request shape, answered as JSON.
MEDLINEPLUS = (
    "knowledgeResponseType=application%2Fjson&mainSearchCriteria.v.c=C50.911"
    f"&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn=&informationRecipient.languageCode.c=en"
)
BREAST, BONE, LIVER = "C50.911", "C79.51", "C78.7"

# What those examples carry about the patient and the organization: none of it may be kept or repeated.
PRIVATE = ("Male", "organizationpassword", "Organizationusername", "PROBLISTREV", "MEDOE", "163W00000X", "mL/min")


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(url, keep_blank_values=True)


def refused(url_or_pairs: str | list[tuple[str, str]]) -> FactsheetsError:
    with pytest.raises(FactsheetsError) as caught:
        parse(query(url_or_pairs) if isinstance(url_or_pairs, str) else url_or_pairs)
    return caught.value


def as_icd10cm(pairs: list[tuple[str, str]], code: str = BREAST) -> list[tuple[str, str]]:
    """The same request with its main criterion swapped for an ICD-10-CM code."""
    swap = {"mainSearchCriteria.v.c": code, "mainSearchCriteria.v.cs": ICD10CM}
    return [(name, swap.get(name, value)) for name, value in pairs]


# --- The guide's examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "oid", "system"), GUIDE_EXAMPLES.values(), ids=GUIDE_EXAMPLES.keys())
def test_guide_examples_are_refused_naming_their_code_system(url: str, oid: str, system: str) -> None:
    error = refused(url)
    problem = next(p for p in error.problems if p.field == "mainSearchCriteria.v.cs")
    assert f"mainSearchCriteria.v.cs is {oid} ({system}), which is not supported" in problem.message
    assert f"only ICD-10-CM ({ICD10CM})" in problem.message
    assert all(word not in str(error) for word in PRIVATE)
    assert {p.field for p in error.problems} <= {"mainSearchCriteria.v.cs", "informationRecipient.languageCode.c"}


@pytest.mark.parametrize("url", [u for u, _, _ in GUIDE_EXAMPLES.values() if u != GUIDE_EXAMPLE_2])
def test_guide_examples_with_an_icd10cm_code_are_answered_and_their_context_dropped(url: str) -> None:
    pairs = query(url)
    request = parse(as_icd10cm(pairs))
    names = dict(pairs)
    assert request.criteria == (
        Criterion(BREAST, ICD10CM, names["mainSearchCriteria.v.dn"], names.get("mainSearchCriteria.v.ot")),
    )
    assert request.language == "en"
    assert request.recipient == names.get("informationRecipient", "PAT")
    assert request.response_type == names.get("knowledgeResponseType", "text/html")
    assert [f.name for f in dataclasses.fields(KnowledgeRequest)] == [
        "criteria",
        "recipient",
        "language",
        "response_type",
    ]  # nothing about the patient has anywhere to go
    assert all(word not in repr(request) for word in PRIVATE)


def test_guide_example_1_reads_the_display_name_and_original_text() -> None:
    request = parse(as_icd10cm(query(GUIDE_EXAMPLE_1)))
    assert request.criteria[0].display_name == "Bacterial Pneumonia"
    assert request.criteria[0].original_text == "Pneumonia"
    assert request.recipient == "PAT"  # not sent: the patient, as MedlinePlus Connect answers


def test_guide_example_2_is_refused_for_its_language_too() -> None:
    error = refused(as_icd10cm(query(GUIDE_EXAMPLE_2)))
    [problem] = error.problems
    assert problem.field == "informationRecipient.languageCode.c"
    assert "informationRecipient.languageCode.c is es, but the handouts are in English only" in problem.message
    assert len(refused(GUIDE_EXAMPLE_2).problems) == 2  # its NDC code and its language, at once


def test_medlineplus_connect_request_shape() -> None:
    request = parse(query(MEDLINEPLUS))
    assert request == KnowledgeRequest((Criterion(BREAST),), "PAT", "en", "application/json")
    assert request.criteria[0].display_name is None  # sent empty, as MedlinePlus Connect's own examples do


# --- Several codes: numbered and repeated ----------------------------------------------------------------------


def test_numbered_codes_from_other_systems_are_refused_at_their_own_parameter() -> None:
    error = refused(NUMBERED)
    assert [p.field for p in error.problems] == [
        "mainSearchCriteria.v.cs",
        "mainSearchCriteria.v.cs1",
        "mainSearchCriteria.v.cs2",
    ]
    assert f"mainSearchCriteria.v.cs1 is {ICD9CM} (ICD-9-CM)" in error.problems[1].message


def test_numbered_codes_are_read_in_their_numbers_order() -> None:
    pairs = [
        (name, {"1202": BREAST, "401.1": BONE, "250": LIVER}.get(value, ICD10CM if ".cs" in name else value))
        for name, value in query(NUMBERED)
    ]
    expected = (
        Criterion(BREAST, ICD10CM, "atenolol"),
        Criterion(BONE, ICD10CM, "Benign essential hypertension"),
        Criterion(LIVER, ICD10CM, "Diabetes mellitus"),
    )
    assert parse(pairs).criteria == expected
    assert parse(pairs[::-1]).criteria == expected  # the order of the parameters does not matter, their numbers do


def test_numbering_from_zero_is_the_same_as_from_none() -> None:
    url = (
        f"mainSearchCriteria.v.c0={BREAST}&mainSearchCriteria.v.cs0={ICD10CM}"
        f"&mainSearchCriteria.v.c1={BONE}&mainSearchCriteria.v.cs1={ICD10CM}"
    )
    assert parse(query(url)).codes == (BREAST, BONE)


@pytest.mark.parametrize(
    "url",
    [
        (
            f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}"
            f"&mainSearchCriteria.v.c={BONE}&mainSearchCriteria.v.cs={ICD10CM}"
        ),
        (
            f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.c={BONE}"
            f"&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.cs={ICD10CM}"
        ),
    ],
    ids=["interleaved", "grouped by name"],
)
def test_repeated_names_pair_the_nth_code_with_the_nth_code_system(url: str) -> None:
    assert parse(query(url)).codes == (BREAST, BONE)


def test_repeated_names_with_empty_display_names_keep_their_places() -> None:
    url = (
        f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn="
        f"&mainSearchCriteria.v.c={BONE}&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn=Bone+metastasis"
    )
    assert [c.display_name for c in parse(query(url)).criteria] == [None, "Bone metastasis"]


def test_repeated_codes_with_too_few_display_names_are_refused_as_unclear() -> None:
    url = (
        f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.c={BONE}&mainSearchCriteria.v.cs={ICD10CM}"
        f"&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn=Breast+cancer"
    )
    [problem] = refused(url).problems
    assert problem.field == "mainSearchCriteria.v.dn"
    assert "given 1 time(s) for 2 codes" in problem.message
    assert "mainSearchCriteria.v.c1" in problem.fix


def test_a_repeated_code_without_its_own_code_system_is_refused() -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.c={BONE}&mainSearchCriteria.v.cs={ICD10CM}"
    [problem] = refused(url).problems
    assert problem.message == (
        f"mainSearchCriteria.v.c (code 2 of 2) ({BONE}) has no code system: mainSearchCriteria.v.cs is missing or empty"
    )


def test_the_same_code_twice_is_answered_once() -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}"
    url += f"&mainSearchCriteria.v.c1={BREAST}&mainSearchCriteria.v.cs1={ICD10CM}"
    assert parse(query(url)).codes == (BREAST,)


def test_names_are_matched_ignoring_case() -> None:
    url = f"MAINSEARCHCRITERIA.V.C={BREAST}&mainsearchcriteria.v.cs={ICD10CM}&KnowledgeResponseType=application/PDF"
    request = parse(query(url))
    assert (request.codes, request.response_type) == ((BREAST,), "application/pdf")


@pytest.mark.parametrize("count", [MAX_CRITERIA, MAX_CRITERIA + 1])
def test_at_most_twenty_codes(count: int) -> None:
    pairs = [
        pair
        for i in range(count)
        for pair in ((f"mainSearchCriteria.v.c{i}", f"C{i:02}.9"), (f"mainSearchCriteria.v.cs{i}", ICD10CM))
    ]
    if count <= MAX_CRITERIA:
        assert len(parse(pairs).criteria) == count
    else:
        [problem] = refused(pairs).problems
        assert problem.message == f"the request has {count} codes; at most {MAX_CRITERIA} are answered at once"


# --- Refusals, each naming its parameter --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["", "age.v.v=77&patientPerson.administrativeGenderCode.c=M", "mainSearchCriteria.v.c=&mainSearchCriteria.v.dn="],
    ids=["empty", "context only", "empty values"],
)
def test_no_code_at_all(url: str) -> None:
    [problem] = refused(url).problems
    assert problem.field == "mainSearchCriteria.v.c"
    assert problem.message.startswith("no mainSearchCriteria.v.c: the request does not say which diagnosis")
    assert f"mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs={ICD10CM}" in problem.fix


def test_a_code_without_a_code_system() -> None:
    [problem] = refused(f"mainSearchCriteria.v.c={BREAST}").problems
    assert problem.field == "mainSearchCriteria.v.cs"
    assert (
        problem.message
        == f"mainSearchCriteria.v.c ({BREAST}) has no code system: mainSearchCriteria.v.cs is missing or empty"
    )
    assert problem.fix == f"add mainSearchCriteria.v.cs={ICD10CM} (ICD-10-CM)."


def test_a_numbered_code_system_without_a_code() -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.cs1={ICD10CM}"
    [problem] = refused(url).problems
    assert problem.field == "mainSearchCriteria.v.c1"
    assert (
        problem.message == "mainSearchCriteria.v.cs1 has no code with it: mainSearchCriteria.v.c1 is missing or empty"
    )


def test_a_display_name_without_a_code_is_not_searched() -> None:
    [problem] = refused("mainSearchCriteria.v.dn=Breast+cancer").problems
    assert problem.field == "mainSearchCriteria.v.c"
    assert "handouts are found by code, not by name" in problem.fix


@pytest.mark.parametrize(
    ("oid", "words"),
    [
        (SNOMED, f"mainSearchCriteria.v.cs is {SNOMED} (SNOMED CT), which is not supported"),
        (ICD10_WHO, f"mainSearchCriteria.v.cs is {ICD10_WHO} (ICD-10 (WHO)), which is not supported"),
        (ICD9CM, f"mainSearchCriteria.v.cs is {ICD9CM} (ICD-9-CM), which is not supported"),
        ("1.2.3.4", "mainSearchCriteria.v.cs is 1.2.3.4, which is not supported"),
    ],
)
def test_other_code_systems_are_refused_by_name(oid: str, words: str) -> None:
    [problem] = refused(f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={oid}").problems
    assert words in problem.message
    assert problem.fix.startswith(f"send the ICD-10-CM code with mainSearchCriteria.v.cs={ICD10CM}")
    assert ("not the same list" in problem.fix) == (oid == ICD10_WHO)


def test_a_code_system_as_a_urn_is_the_same_oid() -> None:
    assert parse(query(f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs=urn:oid:{ICD10CM}")).codes == (BREAST,)


def test_unknown_main_search_criteria_parameters_are_refused() -> None:
    problem, no_code = refused(f"mainSearchCriteria.c.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}").problems
    assert (problem.field, problem.message) == ("mainSearchCriteria.c.c", "unknown parameter mainSearchCriteria.c.c")
    assert "mainSearchCriteria.v.c1" in problem.fix
    assert no_code.field == "mainSearchCriteria.v.c"  # and its code system is left without a code


@pytest.mark.parametrize(
    ("value", "language"), [("en", "en"), ("EN", "en"), ("en-US", "en"), ("eng", "en"), ("", "en")]
)
def test_english_is_answered(value: str, language: str) -> None:
    url = (
        f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&informationRecipient.languageCode.c={value}"
    )
    assert parse(query(url)).language == language


@pytest.mark.parametrize("value", ["es", "fr-CA", "zh"])
def test_other_languages_are_refused_not_answered_in_english(value: str) -> None:
    url = (
        f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&informationRecipient.languageCode.c={value}"
    )
    [problem] = refused(url).problems
    assert problem.field == "informationRecipient.languageCode.c"
    assert problem.message == f"informationRecipient.languageCode.c is {value}, but the handouts are in English only"


def test_the_performers_language_is_not_the_patients() -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&performer.languageCode.c=es"
    assert parse(query(url)).language == "en"


@pytest.mark.parametrize(
    ("value", "answered"),
    [
        ("", "text/html"),
        ("text/html", "text/html"),
        ("application/json", "application/json"),
        ("application/pdf", "application/pdf"),
        ("application/json; charset=utf-8", "application/json"),
    ],
)
def test_the_three_response_types(value: str, answered: str) -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&" + urlencode(
        {"knowledgeResponseType": value}
    )
    assert parse(query(url)).response_type == answered


@pytest.mark.parametrize("value", ["text/xml", "application/atom+xml", "application/javascript", "html"])
def test_other_response_types_are_refused_listing_the_three(value: str) -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&" + urlencode(
        {"knowledgeResponseType": value}
    )
    [problem] = refused(url).problems
    assert problem.field == "knowledgeResponseType"
    assert problem.message == (
        f"knowledgeResponseType {value} is not offered: this service answers text/html (the default), "
        "application/json or application/pdf"
    )
    assert "MedlinePlus Connect's text/xml" in problem.fix


@pytest.mark.parametrize(("value", "recipient"), [("", "PAT"), ("PAT", "PAT"), ("prov", "PROV"), ("PAYOR", "PAYOR")])
def test_recipients(value: str, recipient: str) -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&informationRecipient={value}"
    assert parse(query(url)).recipient == recipient


def test_an_unknown_recipient_is_refused() -> None:
    url = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&informationRecipient=DOC"
    [problem] = refused(url).problems
    assert (problem.field, problem.message) == (
        "informationRecipient",
        "informationRecipient DOC is not one of the guide's roles: PAT (patient), PROV (provider), PAYOR",
    )


def test_a_parameter_given_twice_must_agree() -> None:
    base = f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}"
    assert parse(query(base + "&knowledgeResponseType=application/pdf" * 2)).response_type == "application/pdf"
    [problem] = refused(base + "&knowledgeResponseType=application/pdf&knowledgeResponseType=text/html").problems
    assert problem.message == "knowledgeResponseType is given more than once, with different values"


def test_long_values_are_refused_by_name_without_repeating_them() -> None:
    secret = "s3cr3t" * 40
    pairs = [
        ("mainSearchCriteria.v.c", BREAST),
        ("mainSearchCriteria.v.cs", ICD10CM),
        ("holder.assignedEntity.certificateText", secret),
    ]
    [problem] = refused(pairs).problems
    assert problem.field == "holder.assignedEntity.certificateText"
    assert problem.message == f"holder.assignedEntity.certificateText is longer than {MAX_VALUE} characters"
    assert "s3cr3t" not in str(refused(pairs))
    assert parse([*pairs[:2], ("mainSearchCriteria.v.dn", "x" * MAX_VALUE)]).criteria[0].display_name == "x" * MAX_VALUE


@pytest.mark.parametrize(
    ("code", "words", "fix"),
    [
        (f"{BREAST},{BONE}", "it looks like more than one code", "send one code per parameter, numbered"),
        (f"{BREAST};{BONE}", "it looks like more than one code", "mainSearchCriteria.v.c1=C79.51"),
        (BREAST + BONE, "longer than an ICD-10-CM code (at most 10 characters)", "send one ICD-10-CM code"),
        ("C" * MAX_VALUE, "longer than an ICD-10-CM code (at most 10 characters)", "send one ICD-10-CM code"),
    ],
)
def test_a_value_longer_than_any_icd10cm_code_is_refused_at_its_parameter(code: str, words: str, fix: str) -> None:
    for suffix in ("", "1"):
        pairs = [(f"mainSearchCriteria.v.c{suffix}", code), (f"mainSearchCriteria.v.cs{suffix}", ICD10CM)]
        [problem] = refused(pairs).problems
        assert problem.field == f"mainSearchCriteria.v.c{suffix}"
        assert words in problem.message
        assert fix in problem.fix
        assert len(problem.message) < 160  # a long value is not repeated whole


def test_a_long_code_in_another_system_is_refused_for_its_system() -> None:
    [problem] = refused([("mainSearchCriteria.v.c", "49502-693-03"), ("mainSearchCriteria.v.cs", NDC)]).problems
    assert problem.field == "mainSearchCriteria.v.cs"
    assert "(NDC), which is not supported" in problem.message


def test_too_many_parameters() -> None:
    pairs = [("mainSearchCriteria.v.c", BREAST), ("mainSearchCriteria.v.cs", ICD10CM)]
    pairs += [("performer", "PROV")] * (MAX_PARAMETERS - 1)
    [problem] = refused(pairs).problems
    assert problem.message == f"the request has {MAX_PARAMETERS + 1} parameters; at most {MAX_PARAMETERS} are read"


def test_every_problem_is_reported_at_once() -> None:
    url = (
        f"mainSearchCriteria.v.c=38341003&mainSearchCriteria.v.cs={SNOMED}&informationRecipient.languageCode.c=es"
        "&knowledgeResponseType=text/xml&informationRecipient=DOC"
    )
    assert [p.field for p in refused(url).problems] == [
        "mainSearchCriteria.v.cs",
        "knowledgeResponseType",
        "informationRecipient",
        "informationRecipient.languageCode.c",
    ]


def test_to_query_round_trips_the_codes_and_carries_no_context_or_free_text() -> None:
    numbered = [("mainSearchCriteria.v.c1", BONE), ("mainSearchCriteria.v.cs1", ICD10CM)]
    pairs = [*as_icd10cm(query(GUIDE_EXAMPLE_1)), *numbered]
    request = parse(pairs)
    back = to_query(request, "application/pdf")
    assert parse(back).codes == request.codes
    assert parse(back).response_type == "application/pdf"
    assert {name for name, _ in back} == {  # not .v.dn or .v.ot: what the EHR typed can say anything
        "mainSearchCriteria.v.c",
        "mainSearchCriteria.v.cs",
        "mainSearchCriteria.v.c1",
        "mainSearchCriteria.v.cs1",
        "informationRecipient",
        "informationRecipient.languageCode.c",
        "knowledgeResponseType",
    }


# --- The JSON feed --------------------------------------------------------------------------------------------

UPDATED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def sample_feed() -> dict[str, Any]:
    request = parse(
        query(
            f"mainSearchCriteria.v.c={BREAST}&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn=Breast+cancer"
            f"&mainSearchCriteria.v.c1={BONE}&mainSearchCriteria.v.cs1={ICD10CM}&knowledgeResponseType=application/json"
        )
    )
    entries = [
        FeedEntry(
            "Bone metastasis",
            "handouts/bone.pdf?type=breast",
            "When cancer spreads to the bone.",
            "tag:x,2026:bone",
            UPDATED,
        ),
        FeedEntry(
            "Breast cancer packet",
            "/handouts/packets/breast.pdf",
            "All the handouts above, in one PDF.",
            "tag:x,2026:packet",
            UPDATED,
        ),
    ]
    return atom_json(
        title="Patient handouts",
        subtitle=f"Handouts for ICD-10-CM {BREAST}, {BONE}",
        updated=UPDATED,
        base_url="https://clinic.example/infobutton",
        language=request.language,
        criteria=request.criteria,
        entries=entries,
        recipient=request.recipient,
        author="Example Cancer Clinic",
    )


def test_feed_has_medlineplus_connects_shape() -> None:
    feed = sample_feed()["feed"]
    assert set(feed) == {"xsi", "base", "lang", "title", "subtitle", "author", "updated", "id", "category", "entry"}
    assert feed["title"] == {"_value": "Patient handouts", "type": "text"}
    assert feed["subtitle"]["_value"] == f"Handouts for ICD-10-CM {BREAST}, {BONE}"
    assert feed["author"] == {
        "name": {"_value": "Example Cancer Clinic"},
        "uri": {"_value": "https://clinic.example/infobutton/"},
    }
    assert feed["updated"] == {"_value": "2026-03-02T14:30:00Z"}
    assert feed["lang"] == "en"
    assert feed["id"]["_value"].startswith("urn:uuid:")
    assert feed["category"] == [
        {"scheme": "mainSearchCriteria.v.c", "term": BREAST},
        {"scheme": "mainSearchCriteria.v.cs", "term": ICD10CM},
        {"scheme": "mainSearchCriteria.v.c1", "term": BONE},
        {"scheme": "mainSearchCriteria.v.cs1", "term": ICD10CM},
        {"scheme": "informationRecipient", "term": "PAT"},
    ]


def test_feed_entries_link_to_absolute_pdfs() -> None:
    feed = sample_feed()["feed"]
    first, packet = feed["entry"]
    assert set(first) == {"lang", "title", "link", "id", "updated", "summary"}
    assert first["title"] == {"_value": "Bone metastasis", "type": "text"}
    assert first["link"] == [
        {
            "href": "https://clinic.example/infobutton/handouts/bone.pdf?type=breast",
            "rel": "alternate",
            "type": "application/pdf",
            "title": "Bone metastasis",
        }
    ]
    assert first["summary"] == {"_value": "When cancer spreads to the bone.", "type": "text"}
    assert first["id"] == {"_value": "tag:x,2026:bone"}
    assert packet["link"][0]["href"] == "https://clinic.example/handouts/packets/breast.pdf"
    json.dumps(sample_feed())  # serialisable as it is


def test_feed_id_is_the_same_for_the_same_codes() -> None:
    assert sample_feed()["feed"]["id"] == sample_feed()["feed"]["id"]


def test_feed_times_must_be_timezone_aware() -> None:
    request = KnowledgeRequest((Criterion(BREAST),))
    with pytest.raises(ValueError, match="timezone-aware"):
        atom_json(
            title="t",
            subtitle="s",
            updated=dt.datetime(2026, 1, 1),
            base_url="https://x/",
            language="en",
            criteria=request.criteria,
            entries=[],
        )


# --- The HTML page ----------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a screen reader user meets: language, title, headings, landmarks, links and their text."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.headings: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.landmarks: list[str] = []
        self.items: list[str] = []
        self.styled = False
        self._open: list[str] = []
        self._text = ""
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        self.styled |= tag in ("style", "script") or "style" in found
        if tag in ("main", "nav", "header", "footer") or (tag == "section" and "aria-labelledby" in found):
            self.landmarks.append(tag)
        if tag in ("title", "h1", "h2", "h3", "a", "li"):
            self._open.append(tag)
            self._text = ""
            self._href = found.get("href") or ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            return
        self._open.pop()
        text = " ".join(self._text.split())
        if tag == "title":
            self.title = text
        elif tag == "a":
            self.links.append((self._href, text))
        elif tag == "li":
            self.items.append(text)
        else:
            self.headings.append((tag, text))


CONTEXT = {
    "heading": "Handouts for breast cancer that has spread to the bone",
    "summary": "5 sheets: breast cancer (C50.911); spread to bone (C79.51)",
    "matched": [f"Breast cancer ({BREAST})", f"spread to bone ({BONE})"],
    "notices": ["No handout yet for: peritoneum"],
    "handouts": [
        {"title": "What is metastatic cancer?", "href": "/infobutton/sheet/what-is-metastatic-cancer.pdf"},
        {"title": "Bone metastasis", "href": "/infobutton/sheet/bone.pdf?type=breast&c=1"},
    ],
    "packet": {"title": "All handouts for breast cancer", "href": "/infobutton?knowledgeResponseType=application/pdf"},
}


def render(strict: bool = False, **context: object) -> str:
    environment = Project(ROOT).environment(strict=strict)
    return environment.get_template("web/infobutton.html").render(**{**CONTEXT, **context})


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_page_lists_each_handout_and_the_packet_as_pdf_links() -> None:
    page = read(render(strict=True))  # strict: the template uses no name beyond the six it is given
    assert page.links == [
        ("/infobutton/sheet/what-is-metastatic-cancer.pdf", "What is metastatic cancer? (PDF)"),
        ("/infobutton/sheet/bone.pdf?type=breast&c=1", "Bone metastasis (PDF)"),
        ("/infobutton?knowledgeResponseType=application/pdf", "All handouts for breast cancer (PDF)"),
    ]
    assert "No handout yet for: peritoneum" in page.items


def test_page_is_titled_with_one_h1_and_landmarks() -> None:
    html = render()
    page = read(html)
    assert page.lang == "en"
    assert page.title == CONTEXT["heading"]
    assert [h for h in page.headings if h[0] == "h1"] == [("h1", CONTEXT["heading"])]
    assert [h for h in page.headings if h[0] == "h2"] == [
        ("h2", "Please note"),
        ("h2", "Handouts"),
        ("h2", "All of them in one PDF"),
    ]
    assert page.landmarks[0] == "main"
    assert "Codes matched:" in html
    assert re.findall(r"<li>([^<]+)</li>", html)[:2] == [f"Breast cancer ({BREAST})", f"spread to bone ({BONE})"]
    assert '<link rel="stylesheet" href="/form.css">' in html
    assert not page.styled  # the CSP runs no inline style or script


def test_page_without_notices_or_matches_leaves_them_out() -> None:
    html = render(notices=[], handouts=[], packet=None, matched=[])
    page = read(html)
    assert [h for _, h in page.headings] == [CONTEXT["heading"], "Handouts"]
    assert "No handout matches these codes." in html
    assert "Codes matched" not in html
    assert page.links == []


def test_page_escapes_what_it_is_given() -> None:
    html = render(handouts=[{"title": "<script>alert(1)</script>", "href": '"><img src=x>'}])
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (PDF)" in html
    assert 'href="&#34;&gt;&lt;img src=x&gt;"' in html
