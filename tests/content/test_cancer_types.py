"""Cancer types print by their natural names: "melanoma", "ovarian cancer", never "ovary cancer"."""

from __future__ import annotations

import pytest
from helpers.cli import cli
from helpers.pdfs import text_of

from factsheets.content.cancer_types import CANCER_TYPES, find_cancer_type
from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant

AWKWARD = ("melanoma cancer", "ovary cancer", "uterus cancer", "pancreas cancer")


@pytest.mark.parametrize("ctype", CANCER_TYPES.values(), ids=list(CANCER_TYPES))
def test_every_type_has_a_natural_printed_name(ctype) -> None:
    assert ctype.name
    assert ctype.name == ctype.name.strip()
    for printed in (ctype.name, ctype.title, ctype.short, ctype.fill("Where {type} cancer spreads")):
        assert not any(bad in printed.lower() for bad in AWKWARD), printed
    assert ctype.title[0].isupper()
    assert ctype.title.lower() == ctype.name
    assert ctype.named_in(f"About {ctype.name}.")  # the printed name is one the type's own phrases match


def test_names_keys_and_nci_labels() -> None:
    assert {k: t.name for k, t in CANCER_TYPES.items()} == {
        "bladder": "bladder cancer",
        "breast": "breast cancer",
        "colon": "colon cancer",
        "kidney": "kidney cancer",
        "lung": "lung cancer",
        "melanoma": "melanoma",
        "ovary": "ovarian cancer",
        "pancreas": "pancreatic cancer",
        "prostate": "prostate cancer",
        "rectal": "rectal cancer",
        "stomach": "stomach cancer",
        "thyroid": "thyroid cancer",
        "uterus": "uterine cancer",
    }
    ovary = CANCER_TYPES["ovary"]
    assert (ovary.key, ovary.label, ovary.title, ovary.short) == ("ovary", "Ovary", "Ovarian cancer", "Ovarian")
    assert CANCER_TYPES["melanoma"].short == "Melanoma"
    assert CANCER_TYPES["uterus"].short == "Uterine"
    for name in ("ovary", "Ovary", "ovarian cancer", "Ovarian", " OVARIAN  CANCER "):
        assert find_cancer_type(name) is ovary


@pytest.mark.parametrize(
    ("template", "ctype", "heading"),
    [
        ("Where {type} cancer spreads", "melanoma", "Where melanoma spreads"),
        ("Where {type} cancer spreads", "ovary", "Where ovarian cancer spreads"),
        ("Living with {type}", "uterus", "Living with uterine cancer"),
        ("{type} cancer: where it spreads", "melanoma", "Melanoma: where it spreads"),
        ("{type} and the bones", "pancreas", "Pancreatic cancer and the bones"),
    ],
)
def test_type_heading_reads_naturally(template: str, ctype: str, heading: str) -> None:
    assert CANCER_TYPES[ctype].fill(template) == heading


def test_melanoma_sheet_says_melanoma_not_melanoma_cancer(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "melanoma"))
    result = renderer.render(filled, RenderOptions())
    text = " ".join(text_of(result.pdf).split())
    assert "For people with melanoma" in text
    assert "Where melanoma spreads" in text
    assert "melanoma cancer" not in text.lower()


def test_ovary_variant_prints_ovarian_cancer(content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "ovary"))
    assert filled.sections[0].heading == "Where ovarian cancer spreads"
    result = cli("show", "where-it-spreads", "--cancer-type", "ovary")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "Where cancer spreads (Ovarian cancer)"
    assert "ovary cancer" not in result.out.lower()
