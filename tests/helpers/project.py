"""The project's paths and inputs: the repository, tests/data, scratch copies, variants, fixture sheets."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
PROJECT_DIRS = ("sources", "sheets", "templates", "styles", "assets")


# --- The project's inputs -------------------------------------------------------------------------


def scratch_copy(target: Path) -> Path:
    """Copy the project's inputs into `target` (for module-scoped copies)."""
    for name in PROJECT_DIRS:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name)
    return target


def sheet_types(sheets_dir: Path = ROOT / "sheets") -> dict[str, list[str]]:
    """Each sheet's id and the cancer-type keys it has variants for, read straight from its YAML.

    Cheap enough for `parametrize` at collection time (no corpus, no selection); test_render checks
    that it agrees with `Content.variants()`.
    """
    from factsheets.content.cancer_types import CANCER_TYPES, find_cancer_type
    from factsheets.content.reading import content_files

    found = {}
    for path in content_files(sheets_dir, (".yaml", ".yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        listed = data.get("cancer_types") or []
        types = list(CANCER_TYPES) if listed == "all" else [find_cancer_type(t).key for t in listed]
        found[data["id"]] = types
    return found


def variant_keys(sheets_dir: Path = ROOT / "sheets") -> list[str]:
    """Every variant a full build makes, as keys ("bone/general", "where-it-spreads/breast"), in build order."""
    from factsheets.selection.variant import GENERAL

    return [f"{sheet}/{t}" for sheet, types in sheet_types(sheets_dir).items() for t in [GENERAL, *types]]


def variant(key: str):  # -> factsheets.selection.variant.Variant (imported late: collection stays cheap)
    """The variant a key names: "bone/general" or "where-it-spreads/breast"."""
    from factsheets.selection.variant import GENERAL, Variant

    sheet_id, type_key = key.split("/")
    return Variant.of(sheet_id, None if type_key == GENERAL else type_key)


# The passages of a small fixture sheet: brain metastasis signs from Cleveland Clinic and NCI.
BRAIN_SIGNS_PASSAGES = """    passages:
      - source: clevelandclinic-metastasis
        section: What are the symptoms of metastatic cancer? > Brain metastasis
      - source: nci-metastatic-cancer
        section: Symptoms of Metastatic Cancer
        contains: [brain]
"""

# A sheet that cannot fit one page at any type size: for failed renders and failed builds.
OVERFLOW_SHEET = """id: too-long
title: A sheet with far too much on it
sections:
""" + "".join(
    f"""  - heading: Part {n}
    passages:
      - source: clevelandclinic-metastasis
        section: {section}
"""
    for n, section in enumerate(
        [
            "Imaging tests",
            "Tumor markers",
            "How do I take care of myself?",
            "What questions should I ask my doctor?",
            "A note from Cleveland Clinic",
            "Is metastatic cancer curable?",
            "What is the metastatic cancer survival rate?",
        ]
    )
)
