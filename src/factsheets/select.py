"""Resolve a sheet's selections against the corpus: the words that will be printed, each with
the citation that says where it came from."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from factsheets.cancer_types import CancerType
from factsheets.corpus import Block, BlockKind, Corpus, Document, Section, SourceMeta
from factsheets.errors import FactsheetsError, collect, raise_any
from factsheets.sheet import Passage, Sheet, SheetSection
from factsheets.variant import Variant
from factsheets.yamlfile import Loc


@dataclass(frozen=True)
class Citation:
    """Where a passage came from: source, section and line."""

    source: SourceMeta
    section: str
    line: int


@dataclass(frozen=True)
class Group:
    """What one passage of a sheet produced: source blocks with their citation, or clinic text."""

    citation: Citation | None  # None for the clinic's own text
    blocks: tuple[Block, ...] = ()
    clinic_text: str | None = None
    table_header: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.clinic_text,) if self.clinic_text is not None else tuple(b.text for b in self.blocks)

    def runs(self) -> list[tuple[str, list[Block]]]:
        """Consecutive blocks of one kind, so items print as one list and rows as one table."""
        runs: list[tuple[str, list[Block]]] = []
        for block in self.blocks:
            if runs and runs[-1][0] == block.kind:
                runs[-1][1].append(block)
            else:
                runs.append((block.kind, [block]))
        return runs


@dataclass(frozen=True)
class FilledSection:
    heading: str
    groups: tuple[Group, ...]
    write_in: bool = False


@dataclass(frozen=True)
class FilledSheet:
    """A sheet with its content resolved for one variant (`cancer_type` None = general)."""

    sheet: Sheet
    cancer_type: CancerType | None
    sections: tuple[FilledSection, ...]
    sources: tuple[SourceMeta, ...] = field(default=())

    @property
    def variant(self) -> Variant:
        return Variant(self.sheet.id, self.cancer_type)

    def plain_text(self) -> str:
        """Everything that will be printed from the sections, one block a line."""
        return "\n".join(text for s in self.sections for g in s.groups for text in g.texts)


def select(sheet: Sheet, corpus: Corpus, ctype: CancerType | None = None) -> FilledSheet:
    """Fill `sheet` for a variant. A type the sheet does not vary by gives the general sheet."""
    if ctype is not None and ctype.key not in sheet.variant_types:
        ctype = None
    sections, problems = collect(
        enumerate(sheet.sections), lambda indexed: _fill_section(sheet, corpus, ctype, *indexed)
    )
    raise_any(problems)
    return FilledSheet(sheet, ctype, tuple(sections), _cited(sections))


def _fill_section(
    sheet: Sheet, corpus: Corpus, ctype: CancerType | None, index: int, section: SheetSection
) -> FilledSection:
    found, problems = collect(
        enumerate(section.passages),
        lambda indexed: _resolve(sheet, corpus, indexed[1], ctype, ("sections", index, "passages", indexed[0])),
    )
    raise_any(problems)
    groups = tuple(group for group in found if group is not None)
    if not groups:
        raise FactsheetsError(
            sheet.problem(
                ("sections", index),
                f"section '{section.heading}' has no passages for the {ctype.label if ctype else 'general'} variant",
                "add a passage that does not depend on the cancer type.",
            )
        )
    heading = ctype.fill(section.type_heading) if ctype is not None and section.type_heading else section.heading
    return FilledSection(heading, groups, section.write_in)


def _cited(sections: list[FilledSection]) -> tuple[SourceMeta, ...]:
    seen: dict[str, SourceMeta] = {}
    for s in sections:
        for g in s.groups:
            if g.citation and g.citation.source.id not in seen:
                seen[g.citation.source.id] = g.citation.source
    return tuple(seen.values())


def _resolve(sheet: Sheet, corpus: Corpus, passage: Passage, ctype: CancerType | None, loc: Loc) -> Group | None:
    if ctype is None and not passage.in_general:
        return None
    if passage.clinic_text is not None:
        return Group(None, clinic_text=" ".join(passage.clinic_text.split()))
    assert passage.source is not None
    assert passage.section is not None
    if passage.source not in corpus:
        raise FactsheetsError(
            sheet.problem(
                (*loc, "source"), f"unknown source '{passage.source}'", f"use one of: {', '.join(corpus.documents)}."
            )
        )
    doc = corpus[passage.source]
    section = _find_section(sheet, doc, passage.section, (*loc, "section"))
    blocks = _narrow(sheet, section, passage, loc)
    if passage.by_cancer_type and ctype is not None:
        blocks = [b for b in blocks if _names(b, ctype)]
        if not blocks:
            return None  # this source does not speak to this type; other passages may
    if not blocks:
        raise FactsheetsError(
            sheet.problem(
                loc,
                f"selection matches nothing in '{section.address}' of {doc.id}",
                "loosen 'contains', 'rows', 'items' or 'paragraphs', or pick another "
                "section (see 'factsheets sections " + doc.id + "').",
            )
        )
    return _group(doc, section, blocks)


def _names(block: Block, ctype: CancerType) -> bool:
    if block.kind == "row":
        return block.cells[0].casefold() == ctype.label.casefold()
    return ctype.named_in(block.text)


def _find_section(sheet: Sheet, doc: Document, address: str, loc: Loc) -> Section:
    found = doc.find_sections(address)
    if len(found) == 1:
        return found[0]
    if found:
        options = "; ".join(f"'{s.address}'" for s in found)
        raise FactsheetsError(
            sheet.problem(
                loc,
                f"section '{address}' is ambiguous in {doc.id}: {options}",
                "write the full path with ' > ' between headings.",
            )
        )
    headings = list(dict.fromkeys([s.address for s in doc.sections] + [s.heading for s in doc.sections]))
    close = difflib.get_close_matches(address, headings, n=3, cutoff=0.4)
    hint = f"did you mean: {'; '.join(repr(c) for c in close)}?" if close else f"see 'factsheets sections {doc.id}'."
    raise FactsheetsError(sheet.problem(loc, f"no section '{address}' in source {doc.id}", hint))


def _narrow(sheet: Sheet, section: Section, passage: Passage, loc: Loc) -> list[Block]:
    """Apply the position, row and word filters; out-of-range positions are errors."""
    blocks = section.blocks
    if passage.items is not None or passage.paragraphs is not None:
        wanted = {("item", n) for n in passage.items or []} | {("paragraph", n) for n in passage.paragraphs or []}
        positional: tuple[tuple[BlockKind, str], ...] = (("item", "items"), ("paragraph", "paragraphs"))
        for kind, key in positional:
            too_far = [n for k, n in wanted if k == kind and n > section.count(kind)]
            if too_far:
                raise FactsheetsError(
                    sheet.problem(
                        (*loc, key),
                        f"'{section.address}' has only {section.count(kind)} {key}, not {max(too_far)}",
                        f"use positions 1 to {section.count(kind)}.",
                    )
                )
        blocks = [b for b in blocks if (b.kind, b.position) in wanted]
    if passage.rows is not None:
        wanted_rows = {r.casefold() for r in passage.rows}
        blocks = [b for b in blocks if b.kind == "row" and b.cells[0].casefold() in wanted_rows]
    if passage.contains is not None:
        patterns = [re.compile(rf"\b{re.escape(w)}", re.IGNORECASE) for w in passage.contains]
        blocks = [b for b in blocks if any(p.search(b.text) for p in patterns)]
    return blocks


def _group(doc: Document, section: Section, blocks: list[Block]) -> Group:
    citation = Citation(doc.meta, section.address, blocks[0].line)
    return Group(citation, tuple(blocks), table_header=section.table_header)
