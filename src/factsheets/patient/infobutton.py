"""The HL7 Infobutton knowledge request, read from a URL, and the Atom-style JSON feed that answers it.

An EHR's infobutton opens a URL built by the HL7 Version 3 Implementation Guide "URL-Based
Implementations of the Context-Aware Knowledge Retrieval (Infobutton) Domain" (Release 4), the
same request MedlinePlus Connect answers:
`?mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90`. `parse` turns the
query into a `KnowledgeRequest`; `atom_json` shapes the JSON answer. Pure (no web framework), so the
rules are tested on the guide's own example requests; web/routes.py routes the request and finds the handouts.

Privacy: the guide lets an EHR send the patient's age, gender and more. They are read past, never
kept in the request, logged or repeated in a message.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from factsheets.errors import FactsheetsError, Problem, shown
from factsheets.patient.diagnosis import MAX_CODE_LENGTH

ICD10CM = "2.16.840.1.113883.6.90"
# Code systems an EHR commonly sends, named so a refusal says what was sent, not only its OID.
CODE_SYSTEMS = {
    ICD10CM: "ICD-10-CM",
    "2.16.840.1.113883.6.3": "ICD-10 (WHO)",
    "2.16.840.1.113883.6.4": "ICD-10-PCS",
    "2.16.840.1.113883.6.103": "ICD-9-CM",
    "2.16.840.1.113883.6.96": "SNOMED CT",
    "2.16.840.1.113883.6.88": "RxNorm",
    "2.16.840.1.113883.6.69": "NDC",
    "2.16.840.1.113883.6.1": "LOINC",
    "2.16.840.1.113883.6.12": "CPT-4",
    "2.16.840.1.113883.6.177": "MeSH",
}
RESPONSE_TYPES = ("text/html", "application/json", "application/pdf")
RECIPIENTS = ("PAT", "PROV", "PAYOR")  # the guide's informationRecipient roles: patient, provider, payor
MAX_CRITERIA = 20
MAX_VALUE = 200  # characters, for every parameter's name and value
MAX_PARAMETERS = 100  # the guide's fullest request has about 45

# mainSearchCriteria.v.c, .v.cs, .v.dn, .v.ot, each optionally numbered (.v.c1, .v.cs1, ...) for the next code.
_CRITERION = re.compile(r"mainsearchcriteria\.v\.(c|cs|dn|ot)(\d*)")
_LEAVES = ("c", "cs", "dn", "ot")
_RESPONSE_TYPE, _RECIPIENT, _LANGUAGE = (
    "knowledgeResponseType",
    "informationRecipient",
    "informationRecipient.languageCode.c",
)
_SINGLES = {name.lower(): name for name in (_RESPONSE_TYPE, _RECIPIENT, _LANGUAGE)}
_NAMES_FIX = (
    "name the code mainSearchCriteria.v.c, its code system mainSearchCriteria.v.cs, its display name "
    "mainSearchCriteria.v.dn; number the next code's parameters mainSearchCriteria.v.c1, .v.cs1, .v.dn1, and so on."
)


@dataclass(frozen=True)
class Criterion:
    """One code the handouts are asked for; the code itself is checked against ICD-10-CM elsewhere (diagnosis)."""

    code: str
    code_system: str = ICD10CM
    # What the EHR and the clinician called it (mainSearchCriteria.v.dn, .v.ot): read to pair repeated codes
    # with their names, never repeated in a link or the feed, since free text can say anything about the patient.
    display_name: str | None = None
    original_text: str | None = None


@dataclass(frozen=True)
class KnowledgeRequest:
    """What an infobutton asks: the codes, who reads the answer, in which language and format.

    Nothing else from the request is kept: the patient's age and gender, the task, the performer and
    the like are accepted so an EHR's routine request works, and dropped.
    """

    criteria: tuple[Criterion, ...]
    recipient: str = "PAT"  # MedlinePlus Connect answers PAT when none is sent; these are patient handouts
    language: str = "en"
    response_type: str = "text/html"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)


@dataclass(frozen=True)
class FeedEntry:
    """One handout (or the packet) in the feed."""

    title: str
    href: str  # resolved against the feed's base URL
    summary: str  # plain text
    id: str
    updated: dt.datetime  # timezone-aware
    media_type: str = "application/pdf"


def parse(query: list[tuple[str, str]]) -> KnowledgeRequest:
    """The request in the raw query pairs (in order, repeated names kept), or every problem with it at once.

    Names are matched ignoring case (the guide's own examples write both subTopic and subtopic). More
    than one code is read both ways EHRs send it: numbered, as the guide does (mainSearchCriteria.v.c,
    .v.c1, .v.c2 with .v.cs1, .v.cs2; .v.c0 is the first, like .v.c), and by plain repetition, where
    the n-th mainSearchCriteria.v.c goes with the n-th .v.cs and .v.dn.
    """
    if len(query) > MAX_PARAMETERS:
        raise FactsheetsError(
            Problem(
                f"the request has {len(query)} parameters; at most {MAX_PARAMETERS} are read",
                "send only the Infobutton parameters the guide defines.",
            )
        )
    problems: list[Problem] = []
    fields: dict[tuple[int, str], list[tuple[str, str]]] = {}  # (number, leaf) -> [(name as sent, value)]
    singles: dict[str, list[tuple[str, str]]] = {}
    for raw_name, raw_value in query:
        name, value = raw_name.strip(), raw_value.strip()
        if len(name) > MAX_VALUE:
            problems.append(Problem(f"a parameter name is longer than {MAX_VALUE} characters ({name[:40]}…)"))
            continue
        if len(value) > MAX_VALUE:  # named, not repeated: it may be anything (holder.assignedEntity.certificateText)
            problems.append(Problem(f"{name} is longer than {MAX_VALUE} characters", f"shorten {name}.", field=name))
            continue
        key = name.lower()
        if match := _CRITERION.fullmatch(key):
            fields.setdefault((int(match[2] or 0), match[1]), []).append((name, value))
        elif key.startswith("mainsearchcriteria."):
            problems.append(Problem(f"unknown parameter {name}", _NAMES_FIX, field=name))
        elif key in _SINGLES:
            singles.setdefault(_SINGLES[key], []).append((name, value))
        # Anything else is context the guide allows (age, gender, task, performer, encounter...): not kept.
    criteria = _criteria(fields, problems)
    response_type = _response_type(_single(singles, _RESPONSE_TYPE, problems), problems)
    recipient = _recipient(_single(singles, _RECIPIENT, problems), problems)
    _language(_single(singles, _LANGUAGE, problems), problems)
    if problems:
        raise FactsheetsError(problems)
    return KnowledgeRequest(tuple(criteria), recipient, "en", response_type)


def _criteria(fields: dict[tuple[int, str], list[tuple[str, str]]], problems: list[Problem]) -> list[Criterion]:
    found: list[Criterion] = []
    for number in sorted({n for n, _ in fields}):
        sent = {leaf: fields.get((number, leaf), []) for leaf in _LEAVES}
        count = max(len(values) for values in sent.values())
        for leaf in ("dn", "ot"):
            if count > 1 and 0 < len(sent[leaf]) != count:
                name = sent[leaf][0][0]
                problems.append(
                    Problem(
                        f"{name} is given {len(sent[leaf])} time(s) for {count} codes, so which name goes with "
                        "which code is unclear",
                        "give every repeated code its own display name (empty if none), or " + _NAMES_FIX,
                        field=name,
                    )
                )
        for k in range(count):
            at = {leaf: sent[leaf][k] if k < len(sent[leaf]) else None for leaf in _LEAVES}
            criterion = _criterion(at, number, f" (code {k + 1} of {count})" if count > 1 else "", problems)
            if criterion is not None and criterion.code not in [c.code for c in found]:  # the same code twice: once
                found.append(criterion)
    if not any(value for values in fields.values() for _, value in values):
        problems.append(
            Problem(
                "no mainSearchCriteria.v.c: the request does not say which diagnosis the handouts are for",
                f"add mainSearchCriteria.v.c=<ICD-10-CM code>&mainSearchCriteria.v.cs={ICD10CM}, "
                f"e.g. mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs={ICD10CM}.",
                field="mainSearchCriteria.v.c",
            )
        )
    elif len(found) > MAX_CRITERIA:
        problems.append(
            Problem(
                f"the request has {len(found)} codes; at most {MAX_CRITERIA} are answered at once",
                "send the codes the handouts are for (the diagnosis and where it has spread).",
                field="mainSearchCriteria.v.c",
            )
        )
    return found


def _criterion(
    at: dict[str, tuple[str, str] | None], number: int, which: str, problems: list[Problem]
) -> Criterion | None:
    """One numbered (or repeated) set of mainSearchCriteria.v.* parameters as a criterion, or its problem."""
    suffix = str(number) if number else ""
    code_name = at["c"][0] if at["c"] else f"mainSearchCriteria.v.c{suffix}"
    system_name = at["cs"][0] if at["cs"] else f"mainSearchCriteria.v.cs{suffix}"
    code, system = (at["c"] or ("", ""))[1], (at["cs"] or ("", ""))[1]
    if not any(sent[1] for sent in at.values() if sent):
        return None  # all empty (mainSearchCriteria.v.dn= and the like): nothing asked
    if not code:
        given = next(sent[0] for sent in at.values() if sent and sent[1])
        problems.append(
            Problem(
                f"{given}{which} has no code with it: {code_name} is missing or empty",
                f"add {code_name}=<ICD-10-CM code>: handouts are found by code, not by name.",
                field=code_name,
            )
        )
        return None
    if not system:
        problems.append(
            Problem(
                f"{code_name}{which} ({code}) has no code system: {system_name} is missing or empty",
                f"add {system_name}={ICD10CM} (ICD-10-CM).",
                field=system_name,
            )
        )
        return None
    system = system.removeprefix("urn:oid:")
    if system != ICD10CM:
        named = f"{system} ({CODE_SYSTEMS[system]})" if system in CODE_SYSTEMS else system
        hint = (
            "; ICD-10 (WHO) codes look alike but are not the same list." if system == "2.16.840.1.113883.6.3" else "."
        )
        problems.append(
            Problem(
                f"{system_name}{which} is {named}, which is not supported: "
                f"only ICD-10-CM ({ICD10CM}) codes are answered",
                f"send the ICD-10-CM code with {system_name}={ICD10CM}{hint}",
                field=system_name,
            )
        )
        return None
    if len(code) > MAX_CODE_LENGTH:  # an ICD-10-CM code's own bound (other systems' codes are refused above)
        problems.append(_too_long(code_name, which, code))
        return None
    names = {leaf: (at[leaf] or ("", ""))[1] or None for leaf in ("dn", "ot")}
    return Criterion(code, ICD10CM, names["dn"], names["ot"])


def _too_long(code_name: str, which: str, code: str) -> Problem:
    """A value longer than any ICD-10-CM code: most often two codes in one parameter, which the guide numbers instead."""
    several = re.search(r"[\s,;|]", code) is not None
    return Problem(
        f"{code_name}{which} ('{shown(code)}') is longer than an ICD-10-CM code (at most {MAX_CODE_LENGTH} characters)"
        + (": it looks like more than one code" if several else ""),
        (
            "send one code per parameter, numbered: mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs="
            f"{ICD10CM}&mainSearchCriteria.v.c1=C79.51&mainSearchCriteria.v.cs1={ICD10CM}."
            if several
            else "send one ICD-10-CM code, e.g. C50.911."
        ),
        field=code_name,
    )


def _single(singles: dict[str, list[tuple[str, str]]], name: str, problems: list[Problem]) -> str:
    """A parameter sent at most once (or repeated with the same value); "" when not sent or empty."""
    values = {value.lower(): value for _, value in singles.get(name, []) if value}
    if len(values) > 1:
        problems.append(
            Problem(f"{name} is given more than once, with different values", f"send {name} once.", field=name)
        )
        return ""
    return next(iter(values.values()), "")


def _response_type(value: str, problems: list[Problem]) -> str:
    """text/html when not sent; media type parameters (`; charset=utf-8`) are ignored."""
    media_type = value.partition(";")[0].strip().lower() or "text/html"
    if media_type not in RESPONSE_TYPES:
        problems.append(
            Problem(
                f"{_RESPONSE_TYPE} {value} is not offered: this service answers text/html (the default), "
                "application/json or application/pdf",
                "send one of those three. MedlinePlus Connect's text/xml (Atom XML) and application/javascript "
                "(JSONP) are not offered here; application/json is the same feed as JSON.",
                field=_RESPONSE_TYPE,
            )
        )
    return media_type


def _recipient(value: str, problems: list[Problem]) -> str:
    recipient = value.upper() or "PAT"
    if recipient not in RECIPIENTS:
        problems.append(
            Problem(
                f"{_RECIPIENT} {value} is not one of the guide's roles: PAT (patient), PROV (provider), PAYOR",
                f"send {_RECIPIENT}=PAT, or leave it out: the handouts are written for patients.",
                field=_RECIPIENT,
            )
        )
    return recipient


def _language(value: str, problems: list[Problem]) -> None:
    """English, or a refusal: the handouts exist only in English, and answering in it silently would mislead."""
    language = value.lower().replace("_", "-")
    if language and language not in ("en", "eng") and not language.startswith("en-"):
        problems.append(
            Problem(
                f"{_LANGUAGE} is {value[:20]}, but the handouts are in English only",
                f"leave {_LANGUAGE} out or send en; for a patient who reads another language, use handouts "
                "in that language from another source, or go through these with an interpreter.",
                field=_LANGUAGE,
            )
        )


def to_query(request: KnowledgeRequest, response_type: str | None = None) -> list[tuple[str, str]]:
    """The request as query pairs in the guide's numbered form, e.g. for the page's links to the PDFs.

    Only what `KnowledgeRequest` keeps goes back into a URL, so no patient context is ever passed on.
    """
    pairs: list[tuple[str, str]] = []
    for i, criterion in enumerate(request.criteria):
        suffix = str(i) if i else ""
        pairs += [(f"mainSearchCriteria.v.c{suffix}", criterion.code)]
        pairs += [(f"mainSearchCriteria.v.cs{suffix}", criterion.code_system)]  # no .v.dn, .v.ot: free text
    pairs += [(_RECIPIENT, request.recipient), (_LANGUAGE, request.language)]
    return [*pairs, (_RESPONSE_TYPE, response_type or request.response_type)]


def atom_json(
    *,
    title: str,
    subtitle: str,
    updated: dt.datetime,
    base_url: str,
    language: str,
    criteria: Sequence[Criterion],
    entries: Sequence[FeedEntry],
    recipient: str = "PAT",
    author: str = "factsheets",
) -> dict[str, Any]:
    """The answer as an Atom feed in JSON, shaped like MedlinePlus Connect's (knowledgeResponseType=application/json).

    MedlinePlus Connect answers {"feed": {"xsi", "base", "lang", "title": {"_value", "type"}, "subtitle",
    "author": {"name": {"_value"}, "uri": {"_value"}}, "updated": {"_value"}, "id": {"_value"},
    "category": [{"scheme": "mainSearchCriteria.v.c", "term": ...}, ..., {"scheme": "informationRecipient",
    "term": "PAT"}], "entry": [{"lang", "title": {"_value", "type"}, "link": [{"href", "rel": "alternate", ...}],
    "id": {"_value"}, "updated": {"_value"}, "summary": {"_value", "type"}}]}}: Atom's elements as keys, their
    attributes as plain keys, and their text under "_value". Same keys here, so an EHR that reads MedlinePlus
    Connect reads this too. Differences: a code's category schemes are numbered like the request
    (mainSearchCriteria.v.c1, ...), the code system is its OID, links are absolute and typed
    application/pdf, and summaries are plain text, not HTML. `criteria` and `recipient` are the request's
    (`KnowledgeRequest.criteria`, `.recipient`), echoed as categories as MedlinePlus Connect does.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    categories: list[dict[str, str]] = []
    for i, criterion in enumerate(criteria):
        suffix = str(i) if i else ""
        categories += [
            {"scheme": f"mainSearchCriteria.v.c{suffix}", "term": criterion.code},
            {"scheme": f"mainSearchCriteria.v.cs{suffix}", "term": criterion.code_system},
        ]  # not .v.dn: the EHR's free text is not repeated
    categories.append({"scheme": _RECIPIENT, "term": recipient})
    codes = "&".join(f"{c.code_system}|{c.code}" for c in criteria)
    return {
        "feed": {
            "xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "base": base,
            "lang": language,
            "title": {"_value": title, "type": "text"},
            "subtitle": {"_value": subtitle, "type": "text"},
            "author": {"name": {"_value": author}, "uri": {"_value": base}},
            "updated": {"_value": _timestamp(updated)},
            "id": {"_value": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}infobutton?{codes}')}"},
            "category": categories,
            "entry": [
                {
                    "lang": language,
                    "title": {"_value": entry.title, "type": "text"},
                    "link": [
                        {
                            "href": urljoin(base, entry.href),
                            "rel": "alternate",
                            "type": entry.media_type,
                            "title": entry.title,
                        }
                    ],
                    "id": {"_value": entry.id},
                    "updated": {"_value": _timestamp(entry.updated)},
                    "summary": {"_value": entry.summary, "type": "text"},
                }
                for entry in entries
            ],
        }
    }


def _timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC, as Atom and MedlinePlus Connect write it (2016-08-10T03:08:54Z)."""
    if moment.tzinfo is None:
        raise ValueError("a feed's times must be timezone-aware")  # a programming error, not a request's
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
