"""Variants: one spelling of a variant's key, path and label, and of a cancer type, everywhere."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from helpers.project import variant_keys
from pydantic import BaseModel, ValidationError

from factsheets.content.cancer_types import CANCER_TYPES, KNOWN_TYPES, CancerTypeChoice, find_cancer_type
from factsheets.errors import FactsheetsError
from factsheets.project import Content
from factsheets.selection.variant import GENERAL, Variant


def test_a_variant_names_its_key_path_and_label() -> None:
    breast = Variant.of("bone", "breast")
    assert (breast.key, breast.path, breast.label, str(breast)) == (
        "bone/breast",
        "breast/bone.pdf",
        "breast cancer",
        "breast",  # as templates printed {{ filled.variant }} before variants had a type
    )
    general = Variant("bone")
    assert (general.key, general.path, general.label) == ("bone/general", "general/bone.pdf", GENERAL)


def test_every_variant_of_the_shipped_sheets_has_its_own_key_and_file(content: Content) -> None:
    variants = content.variants()
    assert len({v.key for v in variants}) == len({v.path for v in variants}) == len(variants)
    assert {v.key for v in variants} == set(variant_keys())  # a general sheet each, and one per type listed
    assert all(content.fill(v).variant == v for v in variants)


@pytest.mark.parametrize("spelling", ["ovary", "Ovary", "OVARIAN CANCER", "ovarian  cancer", "Ovarian"])
def test_one_cancer_type_check_accepts_every_spelling_everywhere(spelling: str) -> None:
    """The CLI, the API and the YAML files share this check, so they accept the same words."""
    assert find_cancer_type(spelling) is CANCER_TYPES["ovary"]

    class Request(BaseModel):
        cancer_type: CancerTypeChoice = None

    class SheetPart(BaseModel):
        cancer_types: Annotated[Literal["all"] | list[str], KNOWN_TYPES]

    assert Request(cancer_type=spelling).cancer_type == "ovary"
    assert SheetPart(cancer_types=[spelling]).cancer_types == ["ovary"]


@pytest.mark.parametrize("none", [None, "", "general", "None", " none "])
def test_no_type_means_the_general_sheet(none: str | None) -> None:
    assert find_cancer_type(none) is None


def test_an_unknown_type_is_refused_with_the_same_words_everywhere() -> None:
    with pytest.raises(FactsheetsError) as raised:
        find_cancer_type("brest")
    (problem,) = raised.value.problems
    assert problem.message == "unknown cancer type 'brest'"
    assert problem.fix.startswith("use one of: bladder, breast,")

    class Request(BaseModel):
        cancer_type: CancerTypeChoice = None

    with pytest.raises(ValidationError) as invalid:
        Request(cancer_type="brest")
    (error,) = invalid.value.errors()
    assert error["msg"] == problem.message
    assert error["ctx"]["fix"] == problem.fix


def test_a_list_of_types_names_every_wrong_entry_in_one_error() -> None:
    class SheetPart(BaseModel):
        cancer_types: Annotated[Literal["all"] | list[str], KNOWN_TYPES]

    with pytest.raises(ValidationError) as invalid:
        SheetPart(cancer_types=["breast", "general", "brest"])
    (error,) = invalid.value.errors()  # one error for the whole list, naming each wrong entry
    assert error["msg"] == "unknown cancer type 'general', 'brest'"
    assert SheetPart(cancer_types="all").cancer_types == "all"
