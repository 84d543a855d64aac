"""The FHIR record of a handout given: one R4 `DocumentReference` per sheet, gathered in a `Bundle`.

The record says which handout was given and exactly which PDF, and nothing about whom it was
given to: there is no `subject`, no patient reference and no personal detail anywhere in it. The
EHR that receives it attaches its own subject (and its own resource id) when it files it.

Privacy. The PDF hashed (`Given.pdf`) must be the sheet's edition PDF, rendered without personal
details (`RenderOptions()` with an empty `Personal`); the caller guarantees that. A hash of the
page that bears a patient's name would let anyone who has the template render it with guessed
names until the hash matches, so it would carry the name as surely as writing it down.

The resource, element by element (FHIR R4 4.0.1, https://hl7.org/fhir/R4/documentreference.html):

- `masterIdentifier`: the edition id printed as a code on the sheet (`factsheets:bone/breast@9cb96ddf;lang=en`),
  a URI, so its system is `urn:ietf:rfc:3986` (FHIR's "the value is a URI"). It is the version of
  the document: what the sheet says, in which language. The PDF's bytes are one rendition of that
  edition (paper size, large print and the "Printed" date change them), pinned by the hashes below.
- `identifier`: the PDF's SHA-256 as an RFC 6920 named-information URI, `ni:///sha-256;<digest>`
  (base64url, no padding; `sha-256` is its name in IANA's Named Information Hash Algorithm
  Registry), also under `urn:ietf:rfc:3986`. R4's `Attachment.hash` is defined as the base64 of
  the data's SHA-1, so it carries that, as the spec says, and the SHA-256 goes here: an `ni` URI
  is the IETF's standard way to name content by its hash, needs no extension, and anyone can
  check it with `sha256sum`. Beside it, the sheet variant (`bone/breast`, the same handout across
  editions: R4 allows "version independent identifiers" here) and the content version
  (`9cb96ddf`, printed in the footer), each named by `type.text`: they are this project's names,
  with no registered system to claim.
- `status` `current` and `docStatus` `final`: the edition was approved and printed as it is.
- `type`: LOINC 69730-0 "Instructions" (http://loinc.org/69730-0), "instructions given to a
  patient". It is a document code (scale Doc, class DOC.ONTOLOGY), so it is in R4's preferred
  value set for `type` (all LOINC codes with scale Doc). LOINC has no document code for patient
  education material as such; 34895-3 "Education note" is a clinician's note about teaching
  given, not the handout itself. `text` says what it is in words.
- `date`: when it was given, an instant in UTC (seconds, `Z`).
- `author`: the clinic, by name only (`display`): no reference to an Organization that does not
  exist on the receiving side. Left out when there is no clinic name.
- `description`: the sheet's title.
- `content[0].attachment`: `contentType` application/pdf, `language`, `url` if given (it should
  serve these very bytes, or the hashes will not check, and must not name the patient either),
  `size` in bytes, `hash` (SHA-1, base64) and `title` (with the cancer type for a type variant). `content[0].format` is IHE's `urn:ihe:iti:xds:2017:mimeTypeSufficient`
  (code system http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode, from R4's preferred
  format value set): a plain PDF, no content profile beyond its MIME type.

`bundle` wraps records in a `Bundle` of type `collection`, each entry's `fullUrl` a `urn:uuid:`
made with uuid5 from the edition and the SHA-256, so the same PDF of the same edition always gets
the same entry URL. Pure: no I/O, no clock, no randomness; the same input gives the same JSON.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from factsheets.selection.variant import GENERAL, Variant

URI = "urn:ietf:rfc:3986"  # Identifier.system: "the value is a URI" (HL7 terminology, NamingSystem uri)
LOINC = "http://loinc.org"
INSTRUCTIONS = {"system": LOINC, "code": "69730-0", "display": "Instructions"}
FORMAT_CODES = "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode"
MIME_TYPE_SUFFICIENT = {
    "system": FORMAT_CODES,
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}
PDF = "application/pdf"
NI_SHA256 = "ni:///sha-256;"  # RFC 6920: empty authority, algorithm, then the base64url digest without padding
SHEET_VARIANT = "Sheet variant"  # the identifiers' type.text
CONTENT_VERSION = "Content version"
# The uuid5 name space of this project's records: a UUID allocated once for it (RFC 4122, section 4.3).
RECORD_NAMESPACE = uuid.UUID("4b2f8fb5-a842-49a0-a688-04ff645f090c")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")  # an absolute URI: RFC 3986 scheme, then no blanks
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # a BCP 47 tag, loosely: en, es, pt-BR


@dataclass(frozen=True)
class Given:
    """One sheet as given: what the record says. Nothing here may name or describe the patient.

    `variant_key` is `Variant.key` ("bone/breast", "bone/general") of sheet `sheet_id`; `pdf` is the
    edition PDF, rendered without personal details (see the module's docstring); `edition` is the
    edition id printed on the sheet; `created` is when it was given (with a time zone).
    """

    title: str
    sheet_id: str
    variant_key: str
    content_version: str
    edition: str
    pdf: bytes = field(repr=False)
    language: str
    created: dt.datetime
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("a record needs the sheet's title")
        if _variant(self.sheet_id, self.variant_key) is None:
            raise ValueError(f"variant {self.variant_key!r} is not a variant key of sheet {self.sheet_id!r}")
        if not self.pdf.startswith(b"%PDF-"):
            raise ValueError("pdf is not a PDF file (it does not start with %PDF-)")
        if not _SCHEME.fullmatch(self.edition):
            raise ValueError(f"edition {self.edition!r} is not a URI such as 'factsheets:bone/breast@9cb96ddf;lang=en'")
        if not _LANGUAGE.fullmatch(self.language):
            raise ValueError(f"language {self.language!r} is not a language tag such as 'en'")
        if self.created.utcoffset() is None:
            raise ValueError("created needs a time zone: a FHIR instant is always one")
        if not self.content_version.strip():
            raise ValueError("a record needs the content version")
        if self.url is not None and not _SCHEME.fullmatch(self.url):
            raise ValueError(f"url {self.url!r} is not an absolute URL")

    @property
    def variant(self) -> Variant:
        variant = _variant(self.sheet_id, self.variant_key)
        assert variant is not None  # checked when made
        return variant

    @property
    def sha256_uri(self) -> str:
        """The PDF's SHA-256 as an RFC 6920 named-information URI."""
        return named_information(self.pdf)


def _variant(sheet_id: str, variant_key: str) -> Variant | None:
    """The variant `variant_key` names, if it is how variant.py spells a key of sheet `sheet_id`."""
    sheet, _, type_key = variant_key.partition("/")
    if sheet != sheet_id:
        return None
    try:
        variant = Variant.of(sheet_id, None if type_key == GENERAL else type_key)
    except KeyError:  # not a cancer type
        return None
    return variant if variant.key == variant_key else None


def named_information(data: bytes) -> str:
    """`ni:///sha-256;<base64url of the SHA-256, no padding>` (RFC 6920)."""
    digest = hashlib.sha256(data).digest()
    return NI_SHA256 + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def document_reference(given: Given, clinic_name: str | None = None) -> dict[str, Any]:
    """The FHIR R4 DocumentReference (JSON, as a dict) of one sheet given. No subject: the EHR adds its own."""
    record: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": URI, "value": given.edition},
        "identifier": [
            {"system": URI, "value": given.sha256_uri},
            {"type": {"text": SHEET_VARIANT}, "value": given.variant_key},
            {"type": {"text": CONTENT_VERSION}, "value": given.content_version},
        ],
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [dict(INSTRUCTIONS)], "text": "Patient education handout"},
        "date": _instant(given.created),
    }
    if clinic_name and clinic_name.strip():
        record["author"] = [{"type": "Organization", "display": clinic_name.strip()}]
    record["description"] = given.title
    record["content"] = [{"attachment": _attachment(given), "format": dict(MIME_TYPE_SUFFICIENT)}]
    return record


def bundle(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A FHIR R4 Bundle of type `collection`, one entry per record, each with a deterministic urn:uuid fullUrl.

    A record listed twice is one entry (FHIR requires fullUrls to be unique in a bundle); two
    different records for the same PDF of the same edition are refused. No records: no `entry`
    (FHIR JSON has no empty arrays).
    """
    entries: dict[str, dict[str, Any]] = {}
    for record in records:
        url = full_url(record)
        if url in entries and entries[url]["resource"] != record:
            raise ValueError(f"two different records for one PDF of edition {record['masterIdentifier']['value']}")
        entries.setdefault(url, {"fullUrl": url, "resource": record})
    result: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if entries:
        result["entry"] = list(entries.values())
    return result


def full_url(record: dict[str, Any]) -> str:
    """`urn:uuid:` + uuid5 of the record's edition and SHA-256: the same PDF of one edition, the same URL."""
    try:
        edition = record["masterIdentifier"]["value"]
        digest = next(i["value"] for i in record["identifier"] if i.get("value", "").startswith(NI_SHA256))
    except (KeyError, TypeError, StopIteration):
        raise ValueError("not a record made by document_reference (no edition or SHA-256 identifier)") from None
    return f"urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, f'{edition} {digest}')}"


def _attachment(given: Given) -> dict[str, Any]:
    attachment: dict[str, Any] = {"contentType": PDF, "language": given.language}
    if given.url is not None:
        attachment["url"] = given.url
    attachment["size"] = len(given.pdf)
    sha1 = hashlib.sha1(given.pdf, usedforsecurity=False).digest()  # R4 defines Attachment.hash as SHA-1, base64
    attachment["hash"] = base64.b64encode(sha1).decode("ascii")
    variant = given.variant
    attachment["title"] = f"{given.title} ({variant.label})" if variant.cancer_type else given.title
    return attachment


def _instant(moment: dt.datetime) -> str:
    """A FHIR instant: to the second, in UTC, written with Z."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
