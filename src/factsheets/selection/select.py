"""Resolve a sheet's selections against the corpus: the words that will be printed, each with
the citation that says where it came from."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from factsheets.content.cancer_types import CancerType
from factsheets.content.shared import FOLDER, GLOSSARY, Common, Glossary, WhenToCall
from factsheets.content.sheets import Passage, Sheet, SheetSection
from factsheets.content.sources import Block, BlockKind, Corpus, Document, Section, SourceMeta
from factsheets.content.yamlfile import Loc
from factsheets.errors import FactsheetsError, Problem, collect, raise_any
from factsheets.selection.sentences import picked, sentences, split_by, tidy
from factsheets.selection.variant import Variant

WORDS_TO_KNOW = "Words to know"


class Locates(Protocol):
    """A content file that can point at its own lines: a sheet, or the glossary."""

    def problem(self, loc: Loc, message: str, fix: str) -> Problem: ...


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
    blocks: tuple[Block, ...] = ()  # as printed: kept sentences only, typography tidied
    clinic_text: str | None = None
    table_header: tuple[str, ...] = ()
    left_out: tuple[tuple[str, ...], ...] = ()  # per block: the source's sentences not printed
    tidied: tuple[bool, ...] = ()  # per block: whether typography (quotes, dashes, spaces) was changed

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.clinic_text,) if self.clinic_text is not None else tuple(b.text for b in self.blocks)

    def edits(self) -> list[tuple[str, tuple[str, ...], bool]]:
        """Each printed text with the source's sentences it leaves out and whether its typography was tidied."""
        if self.clinic_text is not None:
            return [(self.clinic_text, (), False)]
        left_out = self.left_out or tuple(() for _ in self.blocks)
        tidied = self.tidied or tuple(False for _ in self.blocks)
        return list(zip(self.texts, left_out, tidied, strict=True))

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
class Definition:
    """A term of the glossary as a sheet prints it in "Words to know"."""

    term: str
    group: Group


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
    words: tuple[Definition, ...] = ()  # "Words to know", in the sheet's order
    when_to_call: WhenToCall | None = None
    approved_on: dt.date | None = None  # the lock file's date, when this variant prints exactly what it approved

    @property
    def variant(self) -> Variant:
        return Variant(self.sheet.id, self.cancer_type)

    def plain_text(self) -> str:
        """Everything that will be printed from the sections, one block a line."""
        return _plain(self.sections)

    def printed(self) -> list[tuple[str, Group]]:
        """Every group the sheet prints, under the heading it prints under: its sections, then
        "Words to know", then "When to call" (the clinic's words). What the lock approves."""
        rows = [(s.heading, g) for s in self.sections for g in s.groups]
        rows += [(f"{WORDS_TO_KNOW}: {w.term}", w.group) for w in self.words]
        call = self.when_to_call
        if call is not None:
            rows += [(call.heading, Group(None, clinic_text=text)) for text in [*call.call_about, call.emergency]]
        return rows


def select(sheet: Sheet, corpus: Corpus, ctype: CancerType | None = None, common: Common | None = None) -> FilledSheet:
    """Fill `sheet` for a variant. A type the sheet does not vary by gives the general sheet.

    `common` brings the glossary (for the sheet's `words_to_know`) and the call to action.
    """
    common = common or Common()
    if ctype is not None and ctype.key not in sheet.variant_types:
        ctype = None
    sections, problems = collect(
        enumerate(sheet.sections), lambda indexed: _fill_section(sheet, corpus, ctype, *indexed)
    )
    words, more = collect(enumerate(sheet.words_to_know), lambda named: _define(sheet, corpus, common, *named))
    raise_any(problems + more)
    words = _used(words, _plain(sections), common.glossary)
    groups = [g for s in sections for g in s.groups] + [w.group for w in words]
    return FilledSheet(
        sheet, ctype, tuple(sections), _cited(groups), words=tuple(words), when_to_call=common.when_to_call
    )


def _plain(sections: Iterable[FilledSection]) -> str:
    return "\n".join(text for s in sections for g in s.groups for text in g.texts)


def _used(words: list[Definition], text: str, glossary: Glossary) -> list[Definition]:
    """The words this variant's `text` uses: a sheet's type variants share its list, but not every word."""
    return [w for w in words if (term := glossary.term(w.term)) is not None and term.used_in(text)]


def _define(sheet: Sheet, corpus: Corpus, common: Common, index: int, name: str) -> Definition:
    """A term the sheet lists in `words_to_know`, with its definition from the glossary (printed if used)."""
    term = common.glossary.term(name)
    if term is None:
        fix = f"add it to sheets/{FOLDER}/{GLOSSARY} with a definition, or check the spelling."
        raise FactsheetsError(sheet.problem(("words_to_know", index), f"'{name}' is not in the glossary", fix))
    position = common.glossary.terms.index(term)
    group = _resolve(common.glossary, corpus, term.definition, None, ("terms", position, "definition"))
    if group is None:  # in_general: false makes no sense for a definition
        raise FactsheetsError(
            common.glossary.problem(("terms", position), f"'{name}' has no definition", "select one.")
        )
    return Definition(term.term, group)


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


def _cited(groups: list[Group]) -> tuple[SourceMeta, ...]:
    """The sources the groups quote, in order of first use (the order their numbers print in)."""
    seen: dict[str, SourceMeta] = {}
    for g in groups:
        if g.citation and g.citation.source.id not in seen:
            seen[g.citation.source.id] = g.citation.source
    return tuple(seen.values())


def _resolve(where: Locates, corpus: Corpus, passage: Passage, ctype: CancerType | None, loc: Loc) -> Group | None:
    if ctype is None and not passage.in_general:
        return None
    if passage.clinic_text is not None:
        return Group(None, clinic_text=tidy(passage.clinic_text))
    assert passage.source is not None
    assert passage.section is not None
    if passage.source not in corpus:
        raise FactsheetsError(
            where.problem(
                (*loc, "source"), f"unknown source '{passage.source}'", f"use one of: {', '.join(corpus.documents)}."
            )
        )
    doc = corpus[passage.source]
    section = _find_section(where, doc, passage.section, (*loc, "section"))
    blocks = _narrow(where, section, passage, loc)
    _check_picks(where, blocks, passage, loc)  # before the type filter: a pick must hold for every variant
    if passage.by_cancer_type and ctype is not None:
        blocks = [b for b in blocks if _names(b, ctype)]
        if not blocks:
            return None  # this source does not speak to this type; other passages may
    if not blocks:
        raise FactsheetsError(
            where.problem(
                loc,
                f"selection matches nothing in '{section.address}' of {doc.id}",
                "loosen 'contains', 'rows', 'items' or 'paragraphs', or pick another "
                "section (see 'factsheets sections " + doc.id + "').",
            )
        )
    return _group(doc, section, *_by_sentence(where, blocks, passage, loc))


def _by_sentence(
    where: Locates, blocks: list[Block], passage: Passage, loc: Loc
) -> tuple[list[Block], list[tuple[str, ...]]]:
    """Each paragraph and item cut to the sentences the passage keeps, with those it leaves out.

    A paragraph or item that would keep no sentence at all is an error, not a silent gap: leave
    it out with `items` or `paragraphs`, which say so in the sheet.
    """
    if passage.sentences is None and passage.drop_sentences is None:
        return blocks, [() for _ in blocks]
    printed: list[Block] = []
    left_out: list[tuple[str, ...]] = []
    for block in blocks:
        kept, dropped = split_by(block.text, passage.sentences, passage.drop_sentences)
        if block.kind == "row" or not dropped:
            printed.append(block)
            left_out.append(())
            continue
        if not kept:
            kind = "list item" if block.kind == "item" else block.kind
            raise FactsheetsError(
                where.problem(
                    loc,
                    f"the sentence picks keep nothing of {kind} {block.position} of this section",
                    f"leave it out with '{block.kind}s: [...]' instead, so the sheet says so.",
                )
            )
        printed.append(replace(block, text=" ".join(kept)))
        left_out.append(tuple(dropped))
    return printed, left_out


def _check_picks(where: Locates, blocks: list[Block], passage: Passage, loc: Loc) -> None:
    """A position or phrase that picks no sentence of the selection is an error: after a source
    update it would otherwise quietly print something else. Sentences are not cut from table rows."""
    for key in ("sentences", "drop_sentences"):
        picks = getattr(passage, key)
        if picks is not None and all(b.kind == "row" for b in blocks):
            fix = "remove it: a table row prints whole."
            raise FactsheetsError(where.problem((*loc, key), f"{key}: the selection is table rows, not sentences", fix))
        for pick in picks or []:
            if not any(picked(n, s, [pick]) for b in blocks if b.kind != "row" for n, s in _numbered(b.text)):
                what = f"sentence {pick}" if isinstance(pick, int) else f"sentence containing '{pick}'"
                fix = "check the position or phrase against 'factsheets show', or remove it."
                raise FactsheetsError(where.problem((*loc, key), f"{key}: the selection has no {what}", fix))


def _numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(sentences(text), start=1))


def _names(block: Block, ctype: CancerType) -> bool:
    if block.kind == "row":
        return block.cells[0].casefold() == ctype.label.casefold()
    return ctype.named_in(block.text)


def _find_section(where: Locates, doc: Document, address: str, loc: Loc) -> Section:
    found = doc.find_sections(address)
    if len(found) == 1:
        return found[0]
    if found:
        options = "; ".join(f"'{s.address}'" for s in found)
        raise FactsheetsError(
            where.problem(
                loc,
                f"section '{address}' is ambiguous in {doc.id}: {options}",
                "write the full path with ' > ' between headings.",
            )
        )
    headings = list(dict.fromkeys([s.address for s in doc.sections] + [s.heading for s in doc.sections]))
    close = difflib.get_close_matches(address, headings, n=3, cutoff=0.4)
    hint = f"did you mean: {'; '.join(repr(c) for c in close)}?" if close else f"see 'factsheets sections {doc.id}'."
    raise FactsheetsError(where.problem(loc, f"no section '{address}' in source {doc.id}", hint))


def _narrow(where: Locates, section: Section, passage: Passage, loc: Loc) -> list[Block]:
    """Apply the position, row and word filters; out-of-range positions are errors."""
    blocks = section.blocks
    if passage.items is not None or passage.paragraphs is not None:
        wanted = {("item", n) for n in passage.items or []} | {("paragraph", n) for n in passage.paragraphs or []}
        positional: tuple[tuple[BlockKind, str], ...] = (("item", "items"), ("paragraph", "paragraphs"))
        for kind, key in positional:
            too_far = [n for k, n in wanted if k == kind and n > section.count(kind)]
            if too_far:
                raise FactsheetsError(
                    where.problem(
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


def _group(doc: Document, section: Section, blocks: list[Block], left_out: list[tuple[str, ...]]) -> Group:
    """The printed group: typography tidied in every block (and recorded), cited at its first block."""
    printed = [replace(b, text=tidy(b.text), cells=tuple(tidy(c) for c in b.cells)) for b in blocks]
    return Group(
        Citation(doc.meta, section.address, blocks[0].line),
        tuple(printed),
        table_header=tuple(tidy(h) for h in section.table_header),
        left_out=tuple(left_out),
        tidied=tuple(p != b for p, b in zip(printed, blocks, strict=True)),
    )
