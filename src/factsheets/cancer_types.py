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
                template = self.title + template[len(placeholder):]
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


def cancer_type(key: str) -> CancerType:
    """Look a type up by key, label or name ("ovary", "Ovary", "ovarian cancer", "Ovarian"), in any case.

    Unknown types raise KeyError.
    """
    wanted = " ".join(key.split()).lower()
    for t in CANCER_TYPES.values():
        if wanted in (t.key, t.label.lower(), t.name, t.short.lower()):
            return t
    raise KeyError(key)
