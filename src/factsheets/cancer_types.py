"""The cancer types a sheet can vary by: the rows of NCI's "Common Sites Where Cancer Spreads".

`phrases` are how publishers name a type in running text (Cancer.Net writes "Colon and rectal
cancers", Cleveland Clinic "Ovarian cancer"); matching on these phrases, not on the bare organ,
keeps "spreads to the lungs" from counting as a passage about lung cancer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CancerType:
    """One type: its key (used on the command line and in paths), label and naming phrases."""

    key: str
    label: str
    phrases: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        """True when `text` talks about this type of cancer."""
        return any(re.search(rf"\b{re.escape(p)}s?\b", text, re.IGNORECASE) for p in self.phrases)


_COLORECTAL = ("colon and rectal cancer", "colorectal cancer")

CANCER_TYPES: dict[str, CancerType] = {
    t.key: t
    for t in [
        CancerType("bladder", "Bladder", ("bladder cancer",)),
        CancerType("breast", "Breast", ("breast cancer",)),
        CancerType("colon", "Colon", ("colon cancer", *_COLORECTAL)),
        CancerType("kidney", "Kidney", ("kidney cancer", "renal cell cancer")),
        CancerType("lung", "Lung", ("lung cancer",)),
        CancerType("melanoma", "Melanoma", ("melanoma",)),
        CancerType("ovary", "Ovary", ("ovarian cancer",)),
        CancerType("pancreas", "Pancreas", ("pancreatic cancer",)),
        CancerType("prostate", "Prostate", ("prostate cancer",)),
        CancerType("rectal", "Rectal", ("rectal cancer", *_COLORECTAL)),
        CancerType("stomach", "Stomach", ("stomach cancer", "gastric cancer")),
        CancerType("thyroid", "Thyroid", ("thyroid cancer",)),
        CancerType("uterus", "Uterus", ("uterine cancer", "endometrial cancer")),
    ]
}


def cancer_type(key: str) -> CancerType:
    """Look a type up by key, label or any case; unknown types raise KeyError."""
    wanted = key.strip().lower()
    for t in CANCER_TYPES.values():
        if wanted in (t.key, t.label.lower()):
            return t
    raise KeyError(key)
