"""The cancer types a sheet can vary by: the rows of NCI's "Common Sites Where Cancer Spreads".

`phrases` are how publishers name a type in running text (Cancer.Net writes "Colon and rectal
cancers", Cleveland Clinic "Ovarian cancer"); matching on these phrases, not on the bare organ,
keeps "spreads to the lungs" from counting as a passage about lung cancer.

A type has three names: `key` for the command line and paths ("ovary"), `label` as NCI's table
row names it ("Ovary", used to find that row), and `name` as a handout prints it ("ovarian
cancer", "melanoma": never "ovary cancer" or "melanoma cancer").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from factsheets.errors import FactsheetsError, Problem, shown


@dataclass(frozen=True)
class CancerType:
    """One type: its key (used on the command line and in paths), NCI table label, printed name and phrases."""

    key: str
    label: str  # the row's first cell in NCI's table, e.g. "Ovary"; not for printing
    name: str  # as running text names it, e.g. "ovarian cancer", "melanoma"
    phrases: tuple[str, ...]

    @property
    def title(self) -> str:
        """The name starting a title or heading: "Ovarian cancer", "Melanoma"."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def short(self) -> str:
        """The name in a list already headed "cancer type": "Ovarian", "Uterine", "Melanoma"."""
        return self.title.removesuffix(" cancer")

    def fill(self, template: str) -> str:
        """A sheet's `type_heading` for this type: "Where {type} cancer spreads" -> "Where melanoma spreads".

        "{type} cancer" and a bare "{type}" both become the printed name, so neither "melanoma
        cancer" nor "ovary cancer" can print; at the start of a heading the name is capitalised.
        """
        for placeholder in ("{type} cancer", "{type}"):
            if template.startswith(placeholder):
                template = self.title + template[len(placeholder) :]
            template = template.replace(placeholder, self.name)
        return template

    def named_in(self, text: str) -> bool:
        """True when `text` talks about this type of cancer."""
        return any(re.search(rf"\b{re.escape(p)}s?\b", text, re.IGNORECASE) for p in self.phrases)


_COLORECTAL = ("colon and rectal cancer", "colorectal cancer")

CANCER_TYPES: dict[str, CancerType] = {
    t.key: t
    for t in [
        CancerType("bladder", "Bladder", "bladder cancer", ("bladder cancer",)),
        CancerType("breast", "Breast", "breast cancer", ("breast cancer",)),
        CancerType("colon", "Colon", "colon cancer", ("colon cancer", *_COLORECTAL)),
        CancerType("kidney", "Kidney", "kidney cancer", ("kidney cancer", "renal cell cancer")),
        CancerType("lung", "Lung", "lung cancer", ("lung cancer",)),
        CancerType("melanoma", "Melanoma", "melanoma", ("melanoma",)),
        CancerType("ovary", "Ovary", "ovarian cancer", ("ovarian cancer",)),
        CancerType("pancreas", "Pancreas", "pancreatic cancer", ("pancreatic cancer",)),
        CancerType("prostate", "Prostate", "prostate cancer", ("prostate cancer",)),
        CancerType("rectal", "Rectal", "rectal cancer", ("rectal cancer", *_COLORECTAL)),
        CancerType("stomach", "Stomach", "stomach cancer", ("stomach cancer", "gastric cancer")),
        CancerType("thyroid", "Thyroid", "thyroid cancer", ("thyroid cancer",)),
        CancerType("uterus", "Uterus", "uterine cancer", ("uterine cancer", "endometrial cancer")),
    ]
}


NO_TYPE = ("", "general", "none")  # how a request says "no cancer type": the general sheet


def find_cancer_type(value: str | None) -> CancerType | None:
    """The type `value` names, by key, label or name in any case ("ovary", "Ovary", "ovarian cancer",
    "Ovarian"); None for no type (None, "", "general", "none").

    The one check of a cancer type: the CLI, the API, the form and the YAML files all come here,
    so they accept the same spellings and refuse with the same words.
    """
    wanted = " ".join((value or "").split()).lower()
    if wanted in NO_TYPE:
        return None
    for t in CANCER_TYPES.values():
        if wanted in (t.key, t.label.lower(), t.name, t.short.lower()):
            return t
    raise FactsheetsError(Problem(_UNKNOWN.format(value=shown(value)), _USE))


_UNKNOWN = "unknown cancer type '{value}'"
_USE = f"use one of: {', '.join(CANCER_TYPES)}."


def _key_or_none(value: str | None) -> str | None:
    """The key of the type `value` names; None when it names none ('general', or unknown)."""
    try:
        found = find_cancer_type(value)
    except FactsheetsError:
        return None
    return found.key if found else None


def _choice(value: object) -> object:
    """A request's type as its key, None for none, or a validation error with its fix."""
    if not isinstance(value, str):
        return value  # pydantic's own type check answers
    try:
        found = find_cancer_type(value)
    except FactsheetsError:
        raise PydanticCustomError("cancer_type", _UNKNOWN, {"value": shown(value), "fix": _USE}) from None
    return found.key if found else None


def _known_keys(values: object) -> object:
    """Each type of a list as its key, every unknown one named in one error; anything else ('all') as it is."""
    if not isinstance(values, list):
        return values
    keys = [_key_or_none(v) if isinstance(v, str) else None for v in values]
    unknown = [shown(v) for v, key in zip(values, keys, strict=True) if key is None]
    if unknown:
        raise PydanticCustomError("cancer_type", _UNKNOWN, {"value": "', '".join(unknown), "fix": _USE})
    twice = [key for key in dict.fromkeys(keys) if keys.count(key) > 1]
    if twice:  # "colon" and "Colon" would make the same variant twice
        raise PydanticCustomError(
            "cancer_type",
            "lists {twice} more than once",
            {"twice": ", ".join(map(str, twice)), "fix": "list each once."},
        )
    return keys


# A sheet's or a source's `cancer_types` (after its type, so a union such as "all" | list reports one error):
# `Annotated[list[str], KNOWN_TYPES]` stores every type by its key.
KNOWN_TYPES = AfterValidator(_known_keys)
# A request's type: a key, or None for the general sheets.
CancerTypeChoice = Annotated[str | None, BeforeValidator(_choice)]
