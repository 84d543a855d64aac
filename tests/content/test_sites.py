"""Sites of spread: every site NCI's table names is known, and requests name them in plain words."""

from __future__ import annotations

import pytest

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.sites import SITES, common_sites, find_site, find_sites
from factsheets.errors import FactsheetsError
from factsheets.project import Content


def test_every_site_in_ncis_table_is_known(content: Content) -> None:
    for ctype in CANCER_TYPES.values():
        assert common_sites(content.corpus, ctype), ctype.key


def test_a_types_common_sites_are_its_row_of_ncis_table(content: Content) -> None:
    assert [s.key for s in common_sites(content.corpus, CANCER_TYPES["breast"])] == ["bone", "brain", "liver", "lungs"]
    # "Lung" and "Other lung" are one site, listed once
    assert [s.key for s in common_sites(content.corpus, CANCER_TYPES["lung"])] == [
        "adrenal",
        "bone",
        "brain",
        "liver",
        "lungs",
    ]


@pytest.mark.parametrize(
    ("typed", "key"),
    [("bone", "bone"), ("Bones", "bone"), ("lung", "lungs"), ("the lungs", "lungs"), ("Other lung", "lungs"),
     ("adrenal gland", "adrenal"), ("Adrenal glands", "adrenal"), (" PERITONEUM ", "peritoneum")],
)  # fmt: skip
def test_a_site_is_found_by_its_key_ncis_word_or_its_name(typed: str, key: str) -> None:
    assert find_site(typed) is SITES[key]


def test_unknown_sites_are_all_named_with_the_known_ones() -> None:
    with pytest.raises(FactsheetsError) as caught:
        find_sites(["bone", "spleen", "x" * 100])
    (problem,) = caught.value.problems
    assert problem.message.startswith("unknown site(s) of spread: spleen, " + "x" * 40 + "…")
    assert "bone, brain, liver, lungs, peritoneum" in problem.fix
    assert problem.field == "sites"


def test_a_site_named_twice_is_kept_once_in_the_order_given() -> None:
    assert [s.key for s in find_sites(["liver", "bone", "Liver"])] == ["liver", "bone"]
