"""Diagnosis codes: the ICD-10-CM codes in a patient's record, turned into what factsheets prints for them.

An EHR or a nurse knows the patient's codes, not our keys: C50.911 asks for the breast cancer
packet, C79.51 for the sheet on spread to the bone. Which code asks for which handouts is content
(`sheets/common/icd10-cm.yaml`), reviewed like the glossary. Whether a code exists at all is
ICD-10-CM's answer, from the tables the `simple-icd-10-cm` package ships, never a list typed
here. So a code is refused in one of two ways, and the message says which: it is no code at all
(a typo to check in the record), or a real one that factsheets has no handouts for.

The package parses its 10 MB of XML tables when imported, about 2 s: it is imported on the first
lookup, so commands that never see a code do not pay for it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Annotated, NamedTuple

import yaml
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from factsheets.cache import read_json
from factsheets.cancer_types import CANCER_TYPES, CancerType, find_cancer_type
from factsheets.common import FOLDER
from factsheets.errors import FactsheetsError, Problem, shown
from factsheets.output import write_atomic
from factsheets.sheet import Strict
from factsheets.sites import SITES, Site, find_site
from factsheets.yamlfile import MAX_PROBLEMS, YamlDocument, parse_yaml, validate

CODES_FILE = "icd10-cm.yaml"
# A patient's record has a primary site and a few secondary ones: 20 is plenty, and keeps a request small.
MAX_CODES = 20
# The longest ICD-10-CM code is 8 characters with its dot (S52.123A); 10 leaves room for no more than typing.
MAX_CODE_LENGTH = 10

# What a code can look like: a letter, two letters or digits, then up to four more after an optional dot.
_CODE = re.compile(r"([A-Z][0-9A-Z]{2})\.?([0-9A-Z]{0,4})")
_SEPARATORS = re.compile(r"[\s,;]+")
_CHECK_RECORD = "check the code in the patient's record (ICD-10-CM codes look like C50.911)."
_CHECK_TABLES = "check the code in the ICD-10-CM tables, and write it as they print it (upper case, with the dot)."
_NUMBERS = {2: "two", 3: "three", 4: "four"}


# --- ICD-10-CM, from the package's tables ---------------------------------------------------------


def _icd() -> ModuleType:
    """The ICD-10-CM tables, loaded on first use: importing them takes about 2 s.

    The package reads its tables with `importlib.resources` calls Python 3.11 deprecates; that is
    the package's business, not a user's, so those warnings are not shown.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(read|open)_text is deprecated", DeprecationWarning)
        return importlib.import_module("simple_icd_10_cm")  # imported once, then cached in sys.modules


def _exists(code: str) -> bool:
    """Whether `code` (as `canonical` writes it) is an ICD-10-CM category or subcategory.

    A chapter ("2") or a block ("C00-C96") is a heading of the tables, not a diagnosis.
    """
    return bool(_icd().is_category_or_subcategory(code))


def _description(code: str) -> str:
    return str(_icd().get_description(code))


def canonical(text: str) -> str | None:
    """`text` written as ICD-10-CM prints codes ("c50911 " -> "C50.911"), or None when it cannot be a code.

    Only the form is checked here; whether the code exists is `_exists`'s question.
    """
    match = _CODE.fullmatch(text.strip().upper())
    if match is None:
        return None
    head, tail = match.groups()
    return f"{head}.{tail}" if tail else head


def _covering(code: str) -> Iterator[str]:
    """`code` and every code above it, narrowest first: C50.911, C50.91, C50.9, C50.

    In ICD-10-CM a code's parent is the same code one character shorter, so the codes that
    cover a code are its prefixes (a test holds the tables to this).
    """
    plain = code.replace(".", "")
    for end in range(len(plain), 2, -1):
        yield f"{plain[:3]}.{plain[3:end]}" if end > 3 else plain[:3]


# --- The mapping file -----------------------------------------------------------------------------


class CodeFile(Strict):
    """`sheets/common/icd10-cm.yaml` as written; `load_codes` then holds each entry to ICD-10-CM and our keys."""

    cancer_types: dict[str, str] = Field(
        default={}, description="A primary-site code or category -> the cancer type it means, e.g. 'C50: breast'."
    )
    sites: dict[str, str] = Field(
        default={}, description="A secondary-site code -> where the cancer has spread, e.g. 'C79.51: bone'."
    )


@dataclass(frozen=True)
class CodeMap:
    """The checked mapping: each listed code, as ICD-10-CM prints it, to the cancer type or site it means.

    No listed code is under another, so at most one entry covers any code.
    """

    cancer_types: dict[str, CancerType] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    path: Path | None = None  # where it was read from, for messages

    def meaning(self, code: str) -> CancerType | Site | None:
        """What the entry covering `code` (as `canonical` writes it) means, if one does."""
        for listed in _covering(code):
            found = self.cancer_types.get(listed) or self.sites.get(listed)
            if found is not None:
                return found
        return None


def load_codes(where: Path) -> CodeMap:
    """The checked mapping from `where`: the sheets folder (its `common/icd10-cm.yaml`) or the file itself.

    A missing file lists no codes, as a missing glossary defines no words: every code is then
    refused as having no handouts. Every problem in the file is reported at once, at its line.
    Loads the ICD-10-CM tables (about 2 s) when the file lists any code.
    """
    path = where if where.suffix.lower() in (".yaml", ".yml") else where / FOLDER / CODES_FILE
    if not path.exists():
        return CodeMap(path=path)
    doc = parse_yaml(path)
    return _checked(validate(doc, CodeFile, "the ICD-10-CM mapping"), doc)


@dataclass
class _Entry:
    """One line of the file, while it is checked."""

    section: str
    code: str | None  # as ICD-10-CM prints it, when it is a real code
    line: int | None


def _checked(written: CodeFile, doc: YamlDocument) -> CodeMap:
    """The mapping, if every entry names a real code, a known type or site, and no entry overlaps another.

    Overlaps are refused whatever the two entries mean: with none, what a code prints is always
    the one line that covers it, which is what a reviewer reads. (A narrower code under a wider
    one, like C79.89 under C79.8, would be an exception hidden further down the file.)
    """
    lines = _key_lines(doc)
    problems: list[Problem] = []
    types: dict[str, CancerType] = {}
    sites: dict[str, Site] = {}
    entries: dict[str, _Entry] = {}  # by code as ICD-10-CM prints it

    def problem(entry: _Entry, message: str, fix: str) -> None:
        problems.append(Problem(message, fix, doc.path, entry.line))

    sections: list[tuple[str, dict[str, str]]] = [("cancer_types", written.cancer_types), ("sites", written.sites)]
    for section, listed in sections:
        for text, key in listed.items():
            code = canonical(text)
            entry = _Entry(section, code if code is not None and _exists(code) else None, lines.get((section, text)))
            if entry.code is None:
                problem(entry, f"{shown(text)} is not an ICD-10-CM code", _CHECK_TABLES)
            elif entry.code != text:
                problem(entry, f"write {shown(text)} as ICD-10-CM prints it: {entry.code}", _CHECK_TABLES)
            meaning = _type_named(key) if section == "cancer_types" else _site_named(key)
            if isinstance(meaning, str):
                problem(entry, f"{shown(text)}: {meaning}", _use(section))
            if entry.code is None:
                continue
            first = entries.get(entry.code)
            if first is not None:
                where = "twice" if first.section == section else "under both cancer_types and sites"
                problem(entry, f"{entry.code} is listed {where} (also at line {first.line})", _ONE_LINE)
                continue
            entries[entry.code] = entry
            if isinstance(meaning, CancerType):
                types[entry.code] = meaning
            elif isinstance(meaning, Site):
                sites[entry.code] = meaning
    for code, entry in entries.items():
        above = next((c for c in list(_covering(code))[1:] if c in entries), None)
        if above is not None:
            problem(entry, f"{code} is under {above} (line {entries[above].line}), which already covers it", _ONE_LINE)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        if len(problems) > MAX_PROBLEMS:
            rest = Problem(f"... and {len(problems) - MAX_PROBLEMS:,} more problems in this file", _FIX_ABOVE, doc.path)
            problems = [*problems[:MAX_PROBLEMS], rest]
        raise FactsheetsError(problems)
    return CodeMap(types, sites, doc.path)


_ONE_LINE = "keep one line for it: a code covers every code below it, so each code is listed once, in one list."
_FIX_ABOVE = "fix the ones above, then check again."


def _key_lines(doc: YamlDocument) -> dict[tuple[str, str], int]:
    """The line of every code in the file, found in one pass (a line per problem would be a walk each)."""
    lines: dict[tuple[str, str], int] = {}
    if isinstance(doc.root, yaml.MappingNode):
        for section, listed in doc.root.value:
            if isinstance(listed, yaml.MappingNode):
                for key, _ in listed.value:
                    lines[section.value, key.value] = key.start_mark.line + 1 + doc.line_offset
    return lines


def _type_named(key: str) -> CancerType | str:
    """The cancer type `key` names, or what is wrong with it."""
    try:
        found = find_cancer_type(key)
    except FactsheetsError:
        found = None
    return found if found is not None else f"unknown cancer type '{shown(key)}'"


def _site_named(key: str) -> Site | str:
    """The site `key` names, or what is wrong with it."""
    try:
        return find_site(key)
    except FactsheetsError as err:
        return err.problems[0].message


def _use(section: str) -> str:
    keys = CANCER_TYPES if section == "cancer_types" else SITES
    return f"use one of: {', '.join(keys)}."


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
        description = _description(code)
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
    if code is None or not _exists(code):
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


STAMP = "codes-check.json"  # in out/, beside fit-cache.json


def check_codes(sheets_dir: Path, out_dir: Path) -> int:
    """How many codes the map lists, checked against ICD-10-CM's tables as `check` needs.

    Loading the tables costs `check` about 2 s of its run, so a passed check is stamped in
    out/ with the hash of the map, the tables' package version and these rules (this module),
    and repeated only when one of them changed. A damaged stamp is a changed one.
    """
    path = sheets_dir / FOLDER / CODES_FILE
    key = hashlib.sha256()
    for part in (path.read_bytes() if path.exists() else b"", version("simple-icd-10-cm").encode()):
        key.update(hashlib.sha256(part).digest())
    key.update(Path(__file__).read_bytes())
    stamp = out_dir / STAMP
    saved = read_json(stamp)
    if isinstance(saved, dict) and saved.get("key") == key.hexdigest() and isinstance(saved.get("codes"), int):
        return int(saved["codes"])
    codes = load_codes(sheets_dir)
    count = len(codes.cancer_types) + len(codes.sites)
    write_atomic(stamp, json.dumps({"key": key.hexdigest(), "codes": count}).encode())
    return count
