"""Where a cancer can spread: the sites NCI's "Common Sites Where Cancer Spreads" table names.

A handout request may name the sites a patient's cancer has spread to, so a patient whose cancer
is only in the bone is not handed "When cancer spreads to the brain". Every site in NCI's table
is known here, also where no sheet exists yet (peritoneum, adrenal gland...): a request naming
one is answered "no sheet yet for the peritoneum", never silently skipped.

A site has a `key` for the command line, the API and the form ("lungs"), the words NCI's table
uses for it (`labels`: "Lung", "Other lung"), and the words a handout prints (`name`). The sheet
about spread to a site has the site's key as its id ("bone", "lungs").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from factsheets.content.cancer_types import CancerType
from factsheets.content.sources import Corpus
from factsheets.errors import FactsheetsError, Problem, shown

SITES_TABLE = ("nci-metastatic-cancer", "Common Sites Where Cancer Spreads")


@dataclass(frozen=True)
class Site:
    key: str  # "lungs": what a request names, and the id of the sheet about it
    name: str  # "the lungs": as running text names it
    labels: tuple[str, ...]  # how NCI's table names it, lower case: ("lung", "other lung")

    @property
    def sheet_id(self) -> str:
        return self.key


SITES: dict[str, Site] = {
    s.key: s
    for s in [
        Site("bone", "the bone", ("bone",)),
        Site("brain", "the brain", ("brain",)),
        Site("liver", "the liver", ("liver",)),
        Site("lungs", "the lungs", ("lung", "other lung")),
        Site("peritoneum", "the peritoneum", ("peritoneum",)),
        Site("adrenal", "the adrenal gland", ("adrenal gland",)),
        Site("skin", "the skin", ("skin",)),
        Site("muscle", "muscle", ("muscle",)),
        Site("vagina", "the vagina", ("vagina",)),
    ]
}

_USE = f"use one or more of: {', '.join(SITES)}."


def find_site(value: str) -> Site:
    """The site `value` names: its key, NCI's word or the printed name, any case, singular or plural."""
    site = _lookup(value)
    if site is None:
        raise FactsheetsError(Problem(f"unknown site of spread '{shown(value)}'", _USE, field="sites"))
    return site


def find_sites(values: list[str]) -> list[Site]:
    """Each named site once, in the order given (blanks skipped); every unknown one named in one error."""
    named = [(value, _lookup(value)) for value in filter(str.strip, values)]
    unknown = [shown(value) for value, site in named if site is None]
    if unknown:
        raise FactsheetsError(Problem(f"unknown site(s) of spread: {', '.join(unknown)}", _USE, field="sites"))
    return list(dict.fromkeys(site for _, site in named if site is not None))


def _lookup(value: str) -> Site | None:
    wanted = " ".join(value.split()).lower().removeprefix("the ")
    for site in SITES.values():
        names = {site.key, site.name.removeprefix("the "), *site.labels}
        if wanted in names or wanted.removesuffix("s") in names:
            return site
    return None


def common_sites(corpus: Corpus, ctype: CancerType) -> list[Site]:
    """The main sites a type spreads to, in the order of its row in NCI's table."""
    (table,) = corpus[SITES_TABLE[0]].find_sections(SITES_TABLE[1])
    row = next(b for b in table.blocks if b.cells[0] == ctype.label)
    by_label = {label: site for site in SITES.values() for label in site.labels}
    cells = [cell.strip().lower() for cell in row.cells[1].split(",")]
    unknown = [cell for cell in cells if cell not in by_label]
    if unknown:  # NCI added a site: it needs a key before any request can name it
        raise FactsheetsError(
            Problem(
                f"{SITES_TABLE[0]}: the {ctype.label} row of '{SITES_TABLE[1]}' names a site factsheets "
                f"does not know: {', '.join(unknown)}",
                "add it to SITES in src/factsheets/sites.py.",
            )
        )
    return list(dict.fromkeys(by_label[cell] for cell in cells))


def _site_keys(values: list[str]) -> list[str]:
    """A request's sites as their keys, each once; every unknown one named in one validation error."""
    try:
        return [site.key for site in find_sites(values)]
    except FactsheetsError as err:
        (problem,) = err.problems
        raise PydanticCustomError("site", "{message}", {"message": problem.message, "fix": problem.fix}) from None


# A request's `sites`: ["Bone", "lung"] is stored as ["bone", "lungs"].
SiteChoices = Annotated[list[str], AfterValidator(_site_keys)]
