"""The ICD-10-CM map (`sheets/common/icd10-cm.yaml`): which code asks for which handouts, checked against ICD-10-CM.

An EHR or a nurse knows the patient's codes, not our keys: C50.911 asks for the breast cancer
packet, C79.51 for the sheet on spread to the bone. Which code asks for which handouts is content
(`sheets/common/icd10-cm.yaml`), reviewed like the glossary. Whether a code exists at all is
ICD-10-CM's answer, from the tables the `simple-icd-10-cm` package ships, never a list typed
here.

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

import yaml
from pydantic import Field

from factsheets.cache import read_json
from factsheets.content.cancer_types import CANCER_TYPES, CancerType, find_cancer_type
from factsheets.content.shared import FOLDER
from factsheets.content.sheets import Strict
from factsheets.content.sites import SITES, Site, find_site
from factsheets.content.yamlfile import MAX_PROBLEMS, YamlDocument, parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem, shown
from factsheets.files import write_atomic

CODES_FILE = "icd10-cm.yaml"

# What a code can look like: a letter, two letters or digits, then up to four more after an optional dot.
_CODE = re.compile(r"([A-Z][0-9A-Z]{2})\.?([0-9A-Z]{0,4})")
_CHECK_TABLES = "check the code in the ICD-10-CM tables, and write it as they print it (upper case, with the dot)."


# --- ICD-10-CM, from the package's tables ---------------------------------------------------------


def _icd() -> ModuleType:
    """The ICD-10-CM tables, loaded on first use: importing them takes about 2 s.

    The package reads its tables with `importlib.resources` calls Python 3.11 deprecates; that is
    the package's business, not a user's, so those warnings are not shown.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(read|open)_text is deprecated", DeprecationWarning)
        return importlib.import_module("simple_icd_10_cm")  # imported once, then cached in sys.modules


def is_code(code: str) -> bool:
    """Whether `code` (as `canonical` writes it) is an ICD-10-CM category or subcategory.

    A chapter ("2") or a block ("C00-C96") is a heading of the tables, not a diagnosis.
    """
    return bool(_icd().is_category_or_subcategory(code))


def description_of(code: str) -> str:
    return str(_icd().get_description(code))


def canonical(text: str) -> str | None:
    """`text` written as ICD-10-CM prints codes ("c50911 " -> "C50.911"), or None when it cannot be a code.

    Only the form is checked here; whether the code exists is `is_code`'s question.
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
            entry = _Entry(section, code if code is not None and is_code(code) else None, lines.get((section, text)))
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
