"""Which handouts a patient gets: the overview sheets, the sheets for where their cancer has
spread, and questions, in reading order.

Where it has spread comes from the request (sites named, or secondary-site diagnosis codes);
when nothing says, from NCI's table of the type's common sites, and the choice says so in one
line for staff ("common sites for breast cancer"). A named site without a sheet is listed in
`without_sheet`, for the CLI, the form and the API to show: never silently left out.
The CLI's `packet`, the form, the API, the Infobutton endpoint and the build's packets all
choose here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from factsheets.content.cancer_types import CancerType, find_cancer_type
from factsheets.content.sites import SITES, Site, common_sites, find_sites
from factsheets.content.sources import Corpus
from factsheets.errors import FactsheetsError, Problem
from factsheets.patient.diagnosis import resolve
from factsheets.project import Content

OVERVIEW = ("what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads")
CLOSING = ("questions",)


@dataclass(frozen=True)
class Choice:
    cancer_type: CancerType | None
    sites: tuple[Site, ...]
    sites_given: bool  # named by the request; False: the type's common sites, from NCI's table
    sheet_ids: tuple[str, ...]  # in reading order
    without_sheet: tuple[Site, ...]  # sites chosen that have no sheet yet
    codes: tuple[str, ...] = ()  # what each diagnosis code given was read as, for staff
    listed: bool = False  # the sheets were listed by the request, not chosen here

    @property
    def basis(self) -> str:
        """One line for staff on where the sheets came from."""
        if self.listed:
            return "sheets as listed"
        if self.sites_given:
            return f"sites given: {', '.join(s.key for s in self.sites)}"
        if self.cancer_type:
            return f"common sites for {self.cancer_type.name}"
        return "no cancer type or sites given: overview sheets only"

    @property
    def notice(self) -> str:
        """'No sheet yet for: the peritoneum, the vagina.', or ''."""
        return f"No sheet yet for: {', '.join(s.name for s in self.without_sheet)}." if self.without_sheet else ""

    def as_listed(self, sheet_ids: list[str]) -> Choice:
        """The sheets a request listed itself, in its order; the sites without a sheet are still named."""
        return replace(self, sheet_ids=tuple(sheet_ids), listed=True)


def choose(corpus: Corpus, sheet_ids: Collection[str], ctype: CancerType | None, sites: list[Site] | None) -> Choice:
    """The sheets for a type and the sites given; no sites (None or []) means "not known": the type's common sites."""
    given = bool(sites)
    chosen = list(dict.fromkeys(sites or [])) if given else common_sites(corpus, ctype) if ctype else []
    in_order = sorted(chosen, key=list(SITES.values()).index)
    ids = [*OVERVIEW, *(s.sheet_id for s in in_order), *CLOSING]
    return Choice(
        cancer_type=ctype,
        sites=tuple(chosen),
        sites_given=given,
        sheet_ids=tuple(s for s in dict.fromkeys(ids) if s in sheet_ids),
        without_sheet=tuple(s for s in in_order if s.sheet_id not in sheet_ids),
    )


def choose_for(content: Content, cancer_type: str | None, sites: list[str], codes: list[str]) -> Choice:
    """A request's choice: its type and sites by name, plus what its diagnosis codes say; the two must agree.

    Codes add sites to those named (a record may list only some); a type named and a type coded
    that differ are refused rather than guessed between.
    """
    ctype, named = find_cancer_type(cancer_type), find_sites(sites)
    matched: tuple[str, ...] = ()
    if codes:
        diagnosis = resolve(codes, content.codes)
        if ctype and diagnosis.cancer_type and diagnosis.cancer_type != ctype:
            raise FactsheetsError(
                Problem(
                    f"the codes say {diagnosis.cancer_type.name}, but the cancer type given is {ctype.name}",
                    "leave one of them out, or make them agree.",
                    field="cancer_type",
                )
            )
        ctype = ctype or diagnosis.cancer_type
        named = list(dict.fromkeys([*named, *diagnosis.sites]))
        matched = tuple(diagnosis.lines())
    return replace(choose(content.corpus, content.sheets, ctype, named or None), codes=matched)
