"""The FHIR record of a handout given: built from real rendered PDFs, validated with fhir.resources.

R4 or R4B. The records are FHIR R4 (4.0.1). fhir.resources 8 ships models for R5 (its default),
R4B (4.3.0) and STU3, not R4. R4B changed only chosen modules (medication definitions, evidence,
subscriptions) and is otherwise compatible with R4 (https://hl7.org/fhir/R4B/r4b-explanation.html);
DocumentReference, Bundle and the types used here (Attachment, Identifier, Reference, Coding,
CodeableConcept) are among the unchanged. Checked, not assumed: the R4 models fhir.resources once
generated from the 4.0.1 definitions (its commit d580f5aa, "R4 legacy", pydantic 1) have the same
elements, types, cardinalities, required flags and code lists for all of these as the R4B models
installed. So validating with `fhir.resources.R4B` validates the R4 structure.

fhir.resources checks structure (unknown or misspelt elements, required elements, primitive formats
such as instant and base64Binary) but not code lists: it lists them per element (`enum_values`) and
accepts `status: "active"`. `_assert_codes` checks every coded element against those lists.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from helpers.project import variant
from pydantic import BaseModel, ValidationError

from factsheets.patient.fhir import NI_SHA256, Given, bundle, document_reference, full_url, named_information
from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer

GIVEN_AT = dt.datetime(2026, 3, 14, 9, 26, 53, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
PATIENT = "Zebulon Quartermaine"  # printed on one copy in the privacy test, and in no record


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One rendered edition, and what a record of it is made from."""

    given: Given
    pdf: bytes


def _given(renderer: Renderer, content: Content, key: str, **changes: Any) -> Given:
    filled = content.fill(variant(key))
    rendered = renderer.render(filled, RenderOptions(print_date=GIVEN_AT.date()))  # the edition: no personal details
    fields: dict[str, Any] = {
        "title": filled.sheet.title,
        "sheet_id": filled.variant.sheet_id,
        "variant_key": filled.variant.key,
        "content_version": rendered.content_version,
        # edition.edition_id(filled) is another module's; this is its form.
        "edition": f"factsheets:{filled.variant.key}@{rendered.content_version};lang=en",
        "pdf": rendered.pdf,
        "language": "en",
        "created": GIVEN_AT,
        "url": None,
    }
    return Given(**(fields | changes))


@pytest.fixture(scope="module")
def breast(renderer: Renderer, content: Content) -> Given:
    return _given(renderer, content, "where-it-spreads/breast")


@pytest.fixture(scope="module")
def general(renderer: Renderer, content: Content) -> Given:
    return _given(renderer, content, "bone/general", url="https://clinic.example/handouts/general/bone.pdf")


def _assert_codes(model: BaseModel, path: str = "") -> None:
    """Every coded element's value is one of the codes its FHIR definition allows."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        allowed = extra.get("enum_values")
        if allowed and value is not None:
            assert value in allowed, f"{path}{name}: {value!r} is not one of {allowed}"
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                _assert_codes(item, f"{path}{name}.")


def _valid_document_reference(record: dict[str, Any]) -> DocumentReference:
    model = DocumentReference.model_validate(record)
    _assert_codes(model)
    assert json.loads(model.model_dump_json()) == record  # nothing dropped, renamed or coerced on the way
    return model


def _keys(node: object) -> set[str]:
    """Every key at every depth."""
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


# --- Valid FHIR ------------------------------------------------------------------------------------


def test_a_record_is_a_valid_r4_document_reference(breast: Given, general: Given) -> None:
    for given in (breast, general):
        for clinic in (None, "Riverside Cancer Centre"):
            _valid_document_reference(document_reference(given, clinic))


def test_the_bundle_is_a_valid_collection_with_one_entry_per_record(breast: Given, general: Given) -> None:
    records = [document_reference(breast), document_reference(general, "Riverside Cancer Centre")]
    result = bundle(records)
    model = Bundle.model_validate(result)
    _assert_codes(model)
    assert json.loads(model.model_dump_json()) == result
    assert result["type"] == "collection"
    assert [entry["resource"] for entry in result["entry"]] == records
    urls = [entry["fullUrl"] for entry in result["entry"]]
    assert len(set(urls)) == len(urls)
    for url in urls:
        assert url.startswith("urn:uuid:")
        assert uuid.UUID(url.removeprefix("urn:uuid:")).version == 5
    for entry in model.entry or []:
        assert isinstance(entry.resource, DocumentReference)  # each entry read back as its resource type


def test_an_empty_bundle_has_no_entry_array() -> None:
    """FHIR JSON has no empty arrays."""
    assert bundle([]) == {"resourceType": "Bundle", "type": "collection"}
    Bundle.model_validate(bundle([]))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r.update(stauts=r.pop("status")), id="a misspelt element"),
        pytest.param(lambda r: r.pop("status"), id="no status"),
        pytest.param(lambda r: r.pop("content"), id="no content"),
        pytest.param(lambda r: r.update(date="2026-03-14T14:26:53"), id="a date without a time zone"),
        pytest.param(lambda r: r.update(date="2026-03-14"), id="a date without a time"),
        pytest.param(lambda r: r["content"][0]["attachment"].update(hash="sha1:not base64"), id="a hash not base64"),
        pytest.param(lambda r: r["content"][0]["attachment"].update(size=-1), id="a negative size"),
        pytest.param(lambda r: r.update(subject={"patient": PATIENT}), id="a subject with an unknown element"),
        pytest.param(lambda r: r["content"][0]["attachment"].update(pages=1), id="attachment.pages (R5, not R4)"),
        pytest.param(lambda r: r.update(context={"related": [{"identifier": "bone"}]}), id="a string for a type"),
    ],
)
def test_validation_catches_a_structural_mistake(breast: Given, change: Any) -> None:
    record = document_reference(breast)
    change(record)
    with pytest.raises(ValidationError):
        DocumentReference.model_validate(record)


@pytest.mark.parametrize(("element", "value"), [("status", "active"), ("docStatus", "done"), ("status", "Current")])
def test_validation_catches_a_wrong_code(breast: Given, element: str, value: str) -> None:
    with pytest.raises(AssertionError, match="is not one of"):
        _valid_document_reference(document_reference(breast) | {element: value})


def test_the_library_alone_would_accept_a_wrong_code(breast: Given) -> None:
    """Why _assert_codes exists: fhir.resources reads `status: active` without a word.

    Should this fail after an upgrade, fhir.resources checks code lists itself, and _assert_codes may go.
    """
    DocumentReference.model_validate(document_reference(breast) | {"status": "active"})


def test_a_bundle_with_a_misspelt_type_fails() -> None:
    with pytest.raises(ValidationError):
        Bundle.model_validate({"resourceType": "Bundle", "tpye": "collection"})
    with pytest.raises(AssertionError):
        _assert_codes(Bundle.model_validate({"resourceType": "Bundle", "type": "pile"}))


# --- What it says ----------------------------------------------------------------------------------


def test_the_record_names_the_handout(breast: Given, general: Given) -> None:
    record = document_reference(breast)
    assert record["status"] == "current"
    assert record["docStatus"] == "final"
    assert record["type"]["coding"] == [{"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}]
    assert record["description"] == breast.title
    assert record["masterIdentifier"] == {"system": "urn:ietf:rfc:3986", "value": breast.edition}
    values = {i["value"] for i in record["identifier"]}
    assert {"where-it-spreads/breast", breast.content_version} <= values
    attachment = record["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["language"] == "en"
    assert attachment["title"] == f"{breast.title} (breast cancer)"
    assert "url" not in attachment
    assert document_reference(general)["content"][0]["attachment"]["title"] == general.title
    assert document_reference(general)["content"][0]["attachment"]["url"] == general.url


def test_the_date_is_an_instant_in_utc(breast: Given) -> None:
    assert document_reference(breast)["date"] == "2026-03-14T14:26:53Z"


def test_the_sha256_is_the_pdfs(breast: Given) -> None:
    [ni] = [i["value"] for i in document_reference(breast)["identifier"] if i["value"].startswith(NI_SHA256)]
    digest = ni.removeprefix(NI_SHA256)
    assert "=" not in digest  # RFC 6920: base64url without padding
    assert base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4)) == hashlib.sha256(breast.pdf).digest()
    assert named_information(b"Hello World!") == "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk"


def test_the_attachment_hash_is_the_base64_sha1_r4_asks_for(breast: Given) -> None:
    attachment = document_reference(breast)["content"][0]["attachment"]
    assert base64.b64decode(attachment["hash"], validate=True) == hashlib.sha1(breast.pdf).digest()
    assert attachment["size"] == len(breast.pdf)


def test_the_clinic_is_named_and_never_referenced(breast: Given) -> None:
    assert "author" not in document_reference(breast)
    assert "author" not in document_reference(breast, "  ")
    record = document_reference(breast, "Riverside Cancer Centre")
    assert record["author"] == [{"type": "Organization", "display": "Riverside Cancer Centre"}]
    assert "reference" not in _keys(record)  # no link to a resource the receiver does not have


# --- Nothing about the patient ---------------------------------------------------------------------

EXPECTED_ELEMENTS = {
    "resourceType",
    "masterIdentifier",
    "identifier",
    "status",
    "docStatus",
    "type",
    "date",
    "author",
    "description",
    "content",
}


def test_the_record_holds_the_listed_elements_and_nothing_about_a_patient(breast: Given) -> None:
    record = document_reference(breast, "Riverside Cancer Centre")
    assert set(record) == EXPECTED_ELEMENTS
    assert set(record["content"][0]["attachment"]) == {"contentType", "language", "size", "hash", "title"}
    assert not _keys(record) & {"subject", "patient", "sourcePatientInfo", "encounter", "context", "contained"}


def test_a_given_has_no_room_for_personal_details() -> None:
    assert [f.name for f in dataclasses.fields(Given)] == [
        "title",
        "sheet_id",
        "variant_key",
        "content_version",
        "edition",
        "pdf",
        "language",
        "created",
        "url",
    ]


def test_the_hash_is_of_the_edition_not_of_a_named_copy(renderer: Renderer, content: Content, breast: Given) -> None:
    """A named copy differs from the edition, so its hash would stand for the name: the record has the edition's."""
    filled = content.fill(variant("where-it-spreads/breast"))
    named = renderer.render(filled, RenderOptions(personal=Personal(patient=PATIENT), print_date=GIVEN_AT.date())).pdf
    text = json.dumps(bundle([document_reference(breast, "Riverside Cancer Centre")]))
    assert named_information(named) not in text
    assert named_information(breast.pdf) in text
    assert base64.b64encode(hashlib.sha1(named).digest()).decode() not in text
    assert PATIENT not in text
    assert PATIENT.split()[1] not in text


# --- Deterministic ---------------------------------------------------------------------------------


def test_the_same_pdf_gives_the_same_record(renderer: Renderer, content: Content, breast: Given) -> None:
    again = _given(renderer, content, "where-it-spreads/breast")  # rendered anew
    assert again.pdf == breast.pdf
    assert json.dumps(document_reference(again)) == json.dumps(document_reference(breast))
    assert json.dumps(bundle([document_reference(again)])) == json.dumps(bundle([document_reference(breast)]))


def test_the_entry_url_follows_the_edition_and_the_pdf(breast: Given) -> None:
    url = full_url(document_reference(breast))
    assert full_url(document_reference(breast, "Riverside Cancer Centre")) == url  # the same PDF, the same URL
    other_pdf = dataclasses.replace(breast, pdf=breast.pdf + b"\n")
    assert full_url(document_reference(other_pdf)) != url
    other_edition = dataclasses.replace(breast, edition=breast.edition.replace("lang=en", "lang=es"))
    assert full_url(document_reference(other_edition)) != url


def test_a_record_listed_twice_is_one_entry_and_a_conflicting_one_is_refused(breast: Given) -> None:
    record = document_reference(breast)
    assert len(bundle([record, document_reference(breast)])["entry"]) == 1
    later = document_reference(dataclasses.replace(breast, created=GIVEN_AT + dt.timedelta(days=1)))
    with pytest.raises(ValueError, match="two different records"):
        bundle([record, later])
    with pytest.raises(ValueError, match="not a record"):
        bundle([{"resourceType": "DocumentReference"}])


# --- Refused input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"created": dt.datetime(2026, 3, 14, 9, 26, 53)}, "time zone"),  # naive, on purpose
        ({"edition": "bone/breast"}, "not a URI"),
        ({"variant_key": "bone/breast"}, "not a variant key of sheet"),
        ({"variant_key": "where-it-spreads/atlantis"}, "not a variant key"),
        ({"variant_key": "breast"}, "not a variant key"),
        ({"pdf": b"<html>"}, "not a PDF"),
        ({"language": "English"}, "language tag"),
        ({"title": " "}, "title"),
        ({"url": "handouts/bone.pdf"}, "absolute URL"),
    ],
)
def test_a_given_refuses_what_would_make_a_wrong_record(breast: Given, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(breast, **change)


def test_the_pdf_stays_out_of_the_repr(breast: Given) -> None:
    assert "%PDF" not in repr(breast)
