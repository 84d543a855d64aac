"""A publisher's revision of a source, as a re-capture would bring it: for impact and lock tests.

Always written into a scratch copy or a temporary folder, never into the project's own sources.
"""

from __future__ import annotations

from pathlib import Path

NCI = "nci-metastatic-cancer"
CARE = "clevelandclinic-metastasis"
# Cleveland Clinic's opening paragraph: what-is-metastatic-cancer.yaml prints its sentences 2 and 3.
OPENING_START = "Metastatic cancer occurs when cancer cells break off from the original tumor, enter"
INSERTED = "Metastatic cancer can often be treated."
APPROVED = (  # sentences 2 and 3 of that paragraph, as approved
    "Most metastatic cancers are manageable, but not curable.",
    "Treatment can ease your symptoms, slow cancer growth and improve your quality of life.",
)
FIRST = (  # sentence 1, left out
    "Metastatic cancer occurs when cancer cells break off from the original tumor, enter your bloodstream or lymph "
    "system and spread to other areas of your body."
)


def revised(sources: Path, old: str, new: str, into: Path | None = None, source: str = NCI) -> Path:
    """`source` with `old` (which must be there) replaced by `new`, written to `into` (default: in place)."""
    path = sources / f"{source}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    target = (into or sources) / f"{source}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def with_inserted_sentence(sources: Path, into: Path | None = None) -> Path:
    """Cleveland Clinic's page with one sentence inserted at the start of its opening paragraph: every
    position there moves by one."""
    return revised(sources, OPENING_START, f"{INSERTED} {OPENING_START}", into, source=CARE)
