"""Diagnosis codes: the ICD-10-CM codes in a patient's record, turned into what factsheets prints for them.

A code is refused in one of two ways, and the message says which: it is no code at all (a typo
to check in the record), or a real one that factsheets has no handouts for (the map in
`content.code_map` lists what it has).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, NamedTuple

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from factsheets.content.cancer_types import CANCER_TYPES, CancerType
from factsheets.content.code_map import CODES_FILE, CodeMap, canonical, description_of, is_code
from factsheets.content.shared import FOLDER
from factsheets.content.sites import SITES, Site
from factsheets.errors import FactsheetsError, Problem, shown

# A patient's record has a primary site and a few secondary ones: 20 is plenty, and keeps a request small.
MAX_CODES = 20
# The longest ICD-10-CM code is 8 characters with its dot (S52.123A); 10 leaves room for no more than typing.
MAX_CODE_LENGTH = 10
_SEPARATORS = re.compile(r"[\s,;]+")
_CHECK_RECORD = "check the code in the patient's record (ICD-10-CM codes look like C50.911)."
_NUMBERS = {2: "two", 3: "three", 4: "four"}


# --- A patient's codes ----------------------------------------------------------------------------


class Match(NamedTuple):
    """One code as factsheets read it, for the person who gave it to see: code, ICD-10-CM's words, and ours."""

    code: str  # as ICD-10-CM prints it: "C50.911"
    description: str  # ICD-10-CM's: "Malignant neoplasm of unspecified site of right female breast"
    meaning: str  # what factsheets prints for it: "breast cancer", "spread to the bone"

    @property
    def line(self) -> str:
        return f"{self.code} ({self.description}): {self.meaning}"


@dataclass(frozen=True)
class Diagnosis:
    """What a patient's codes ask for: a cancer type (its packet), the sites it has spread to, and how each code was read."""

    cancer_type: CancerType | None
    sites: tuple[Site, ...]  # each once, in the order of the codes
    matched: tuple[Match, ...]  # each code once, in the order given

    def lines(self) -> list[str]:
        """How each code was read, one line each, for staff to check against the record."""
        return [m.line for m in self.matched]


def split_codes(text: str) -> list[str]:
    """The codes in `text` as an EHR or a person writes a list: "C50.911, C79.51" or "c50911 c7951"."""
    return [code for code in _SEPARATORS.split(text) if code]


def resolve(codes: list[str], mapping: CodeMap) -> Diagnosis:
    """The handouts `codes` ask for, in any case, with or without the dot and spaces around.

    Every bad code is refused in one error, one problem each, saying whether it is no ICD-10-CM
    code or one factsheets has no handouts for; codes naming two cancer types are refused too,
    as a packet is about one type. The input is bounded before any lookup.
    """
    if len(codes) > MAX_CODES:
        raise FactsheetsError(
            Problem(
                f"{len(codes)} codes given; factsheets reads at most {MAX_CODES}",
                "give the codes of the cancer's primary site and of where it has spread.",
                field="codes",
            )
        )
    problems: list[Problem] = []
    matched: dict[str, Match] = {}
    types: dict[CancerType, str] = {}  # each type named, and the first code naming it
    sites: dict[Site, None] = {}
    for text in codes:
        code, wrong = _read(text)
        if wrong is not None:
            problems.append(wrong)
            continue
        if code is None or code in matched:
            continue
        meaning = mapping.meaning(code)
        description = description_of(code)
        if meaning is None:
            message = f"{code} ({description}) is an ICD-10-CM code, but factsheets has no handouts for it"
            problems.append(Problem(message, _covered(mapping), field="codes"))
            continue
        if isinstance(meaning, CancerType):
            types.setdefault(meaning, code)
            matched[code] = Match(code, description, meaning.name)
        else:
            sites[meaning] = None
            matched[code] = Match(code, description, f"spread to {meaning.name}")
    if len(types) > 1:
        named = [f"{code} ({ctype.name})" for ctype, code in types.items()]
        count = _NUMBERS.get(len(named), str(len(named)))
        problems.append(
            Problem(
                f"{_and(named)} name {count} cancer types: make one packet per type",
                "give the codes of one cancer at a time: its primary site and where it has spread.",
                field="codes",
            )
        )
    if problems:
        raise FactsheetsError(problems)
    return Diagnosis(next(iter(types), None), tuple(sites), tuple(matched.values()))


def _read(text: str) -> tuple[str | None, Problem | None]:
    """One code as ICD-10-CM prints it, or the problem with it; the length is checked before anything else."""
    value = text.strip()
    if len(value) > MAX_CODE_LENGTH:
        return None, Problem(_TOO_LONG.format(value=shown(value), limit=MAX_CODE_LENGTH), _SEPARATE, field="codes")
    if not value:
        return None, Problem("a blank code", "leave it out, or write the code, e.g. C50.911.", field="codes")
    code = canonical(value)
    if code is None or not is_code(code):
        return None, Problem(f"{value} is not an ICD-10-CM code", _CHECK_RECORD, field="codes")
    return code, None


_TOO_LONG = "'{value}' is too long for an ICD-10-CM code (at most {limit} characters)"
_SEPARATE = _CHECK_RECORD + " Separate codes with commas."


def _code_text(value: object) -> object:
    """A request's code, refused at the door when too long, in `resolve`'s words; the rest is `resolve`'s to check."""
    if isinstance(value, str) and len(value.strip()) > MAX_CODE_LENGTH:
        context = {"value": shown(value.strip()), "limit": MAX_CODE_LENGTH, "fix": _SEPARATE}
        raise PydanticCustomError("icd10_code", _TOO_LONG, context)
    return value


# A code in a request model (the API, the form): a string, bounded before any lookup.
CodeText = Annotated[str, BeforeValidator(_code_text)]


def _covered(mapping: CodeMap) -> str:
    """What codes factsheets has handouts for, as a fix: the types and sites the mapping lists."""
    where = f"sheets/{FOLDER}/{CODES_FILE}"
    if not mapping.cancer_types and not mapping.sites:
        return f"no codes are listed in {where}: choose the handouts by cancer type and site instead."
    types = [t.short.lower() for t in CANCER_TYPES.values() if t in mapping.cancer_types.values()]
    places = [s.name.removeprefix("the ") for s in SITES.values() if s in mapping.sites.values()]
    parts = [f"the primary site of {_and(types, 'or')} cancer"] if types else []
    parts += [f"spread to the {_and(places, 'or')}"] if places else []
    return f"factsheets has handouts for codes of {' and of '.join(parts)} (listed in {where}); leave this code out."


def _and(items: list[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"
