"""Which handouts a patient gets: the overview sheets, the sheets for where their cancer has
spread, and questions, in reading order; and, in one line, what was chosen and why.

One rule, here, for every way of asking (the CLI's `packet`, the form, the API, the Infobutton
endpoint): a cancer type, sites and diagnosis codes bring their sheets whatever else is asked,
and sheets listed (ticked on the form, `--sheets`) are added to them; only a request naming no
type, site or code prints exactly the sheets it lists. Where the cancer has spread comes from
the sites named and the secondary-site codes; when nothing says, from NCI's table of the type's
common sites. A named site without a sheet is listed in `without_sheet`, never silently left
out. `summary` says all this in the same words wherever the answer is shown. The build's
packets per cancer type choose with `choose` too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from factsheets.content.cancer_types import CancerType, find_cancer_type
from factsheets.content.sites import SITES, Site, common_sites, find_sites
from factsheets.content.sources import Corpus
from factsheets.errors import FactsheetsError, Problem, counted
from factsheets.patient.diagnosis import Diagnosis, resolve
from factsheets.project import Content

OVERVIEW = ("what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads")
CLOSING = ("questions",)


@dataclass(frozen=True)
class Choice:
    cancer_type: CancerType | None
    sites: tuple[Site, ...]
    sites_given: bool  # named by the request; False: the type's common sites, from NCI's table
    sheet_ids: tuple[str, ...]  # in reading order (as listed, when `listed`)
    without_sheet: tuple[Site, ...]  # sites chosen that have no sheet yet
    codes: tuple[str, ...] = ()  # what each diagnosis code given was read as, for staff
    listed: bool = False  # the sheets were listed by the request, not chosen here
    added: tuple[str, ...] = ()  # sheets the request listed on top of those chosen
    coded: tuple[tuple[str, str], ...] = ()  # (type or site key, code): which code asked for what

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

    @property
    def summary(self) -> str:
        """What was chosen and why, as the form, the API, the CLI and the PDF all say it.

        "5 sheets: breast cancer (C50.911); spread to bone (C79.51)".
        """
        return f"{counted(len(self.sheet_ids), 'sheet')}: {'; '.join(self._reasons())}"

    def _reasons(self) -> list[str]:
        if self.listed:
            return ["as listed (no cancer type, sites or codes given)"]
        reasons = [self.cancer_type.name + self._codes_of(self.cancer_type.key)] if self.cancer_type else []
        places = ", ".join(self._place(s) for s in sorted(self.sites, key=list(SITES.values()).index))
        if self.sites_given:
            reasons.append(f"spread to {places}")
        elif self.sites:
            reasons.append(f"common sites: {places}")
        if not self.cancer_type and not self.sites:
            reasons.append("overview sheets and questions (no cancer type, sites or codes given)")
        if self.added:
            reasons.append(f"sheets added: {', '.join(self.added)}")
        return reasons

    def _place(self, site: Site) -> str:
        """'bone (C79.51)', 'peritoneum (no sheet yet)': a site as the summary names it."""
        notes = [code for key, code in self.coded if key == site.key]
        notes += ["no sheet yet"] if site in self.without_sheet else []
        return site.name.removeprefix("the ") + (f" ({'; '.join(notes)})" if notes else "")

    def _codes_of(self, key: str) -> str:
        codes = [code for named, code in self.coded if named == key]
        return f" ({', '.join(codes)})" if codes else ""

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


def choose_for(
    content: Content,
    cancer_type: str | None,
    sites: list[str],
    codes: list[str],
    sheets: list[str] | None = None,
) -> Choice:
    """A request's sheets, by the one rule: what its type, sites and codes bring, plus the sheets it lists.

    Codes add sites to those named (a record may list only some); a type named and a type coded
    that differ are refused rather than guessed between. A request that names no type, site or
    code gets the sheets it lists, in its order; leaving `sheets` out, the overview sheets and
    questions; listing none at all (`[]`, the form with nothing ticked), nothing, and says so.
    """
    chosen = _chosen(content, cancer_type, sites, codes)
    if sheets is None:
        return chosen
    _check_sheets(content, sheets)
    if not chosen.cancer_type and not chosen.sites_given:
        if not sheets:
            raise FactsheetsError(
                Problem(
                    "nothing to print: no cancer type, sites or codes given, and no sheet ticked or listed",
                    "choose the cancer type, or tick at least one sheet.",
                    field="sheets",
                )
            )
        return chosen.as_listed(sheets)
    added = reading_order(s for s in sheets if s not in chosen.sheet_ids)  # in one order, however listed
    return replace(chosen, sheet_ids=reading_order([*chosen.sheet_ids, *added]), added=added)


def one_sheet(content: Content, sheet_id: str, cancer_type: str | None) -> Choice:
    """One sheet as published, for a type: what a link to one handout prints (no rule applied)."""
    _check_sheets(content, [sheet_id])
    return Choice(find_cancer_type(cancer_type), (), False, (sheet_id,), (), listed=True)


def reading_order(sheet_ids: Iterable[str]) -> tuple[str, ...]:
    """Sheets as a packet reads: overview, a sheet per site (in NCI's order), the rest as given, questions."""
    order = [*OVERVIEW, *(s.sheet_id for s in SITES.values()), "", *CLOSING]
    rank = {sheet_id: i for i, sheet_id in enumerate(order)}
    return tuple(sorted(dict.fromkeys(sheet_ids), key=lambda s: rank.get(s, rank[""])))


def _chosen(content: Content, cancer_type: str | None, sites: list[str], codes: list[str]) -> Choice:
    """What the type, sites and codes bring; the codes must agree with the type named."""
    ctype, named = find_cancer_type(cancer_type), find_sites(sites)
    if not codes:
        return choose(content.corpus, content.sheets, ctype, named or None)
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
    chosen = choose(content.corpus, content.sheets, ctype, named or None)
    return replace(chosen, codes=tuple(diagnosis.lines()), coded=_coded(content, diagnosis))


def _coded(content: Content, diagnosis: Diagnosis) -> tuple[tuple[str, str], ...]:
    """(type or site key, code) for each code read, so the summary can say which code asked for what."""
    pairs = []
    for match in diagnosis.matched:
        meaning = content.codes.meaning(match.code)  # as ICD-10-CM prints it, as the map is keyed
        if meaning is not None:
            pairs.append((meaning.key, match.code))
    return tuple(pairs)


def _check_sheets(content: Content, sheets: list[str]) -> None:
    unknown = [s for s in dict.fromkeys(sheets) if s not in content.sheets]
    if unknown:
        raise FactsheetsError(
            Problem(
                f"unknown sheet(s): {', '.join(unknown)}",
                f"use: {', '.join(content.sheets)}.",
                field="sheets",
            )
        )
