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
URGENT = "Get help right away"  # over a sheet's own urgent signs, in the When to call box


class Locates(Protocol):
    """A content file that can point at its own lines: a sheet, or the glossary."""

    def problem(self, loc: Loc, message: str, fix: str, column: bool = False) -> Problem: ...


PickEntry = tuple[str, int, int]  # ("sentences" or "drop_sentences", index in that list, the position it names)


@dataclass(frozen=True)
class Picked:
    """Where a passage picks sentences by position, and every sentence of each block it printed from.

    The lock keeps the sentence each position picked, so a source change that moves one is an
    error at the pick's own entry (`problem`), never a silent swap.
    """

    where: Locates  # the sheet or the glossary
    loc: Loc  # the passage in its file
    entries: tuple[PickEntry, ...]
    sentences: tuple[tuple[str, ...], ...]  # per printed block: the source's sentences, tidied (empty for a row)

    @property
    def positions(self) -> tuple[int, ...]:
        return tuple(sorted({position for _, _, position in self.entries}))

    def at(self, block: int) -> dict[int, str]:
        """The sentence each picked position names in `block` (positions past its end are left out)."""
        found = self.sentences[block]
        return {n: found[n - 1] for n in self.positions if n <= len(found)}

    def problem(self, position: int, message: str, fix: str) -> Problem:
        """A problem at the first entry naming `position`."""
        key, index, _ = next(entry for entry in self.entries if entry[2] == position)
        return self.where.problem((*self.loc, key, index), f"{key}: {message}", fix, column=True)


@dataclass(frozen=True)
class Citation:
    """Where a passage came from: source, section and line."""

    source: SourceMeta
    section: str
    line: int


@dataclass(frozen=True)
class Group:
    """What one passage of a sheet produced: source blocks with their citation, or clinic text.

    In a packet, also a note in place of text an earlier sheet prints (`note`; see selection.repeats).
    """

    citation: Citation | None  # None for the clinic's own text
    blocks: tuple[Block, ...] = ()  # as printed: kept sentences only, typography tidied
    clinic_text: str | None = None
    table_header: tuple[str, ...] = ()
    left_out: tuple[tuple[str, ...], ...] = ()  # per block: the source's sentences not printed
    tidied: tuple[bool, ...] = ()  # per block: whether typography (quotes, dashes, spaces) was changed
    picked: Picked | None = field(default=None, compare=False)  # sentence picks by position, if any
    loc: Loc | None = field(default=None, compare=False)  # the passage in its sheet (or the glossary)
    note: str | None = None  # a packet's "See also" pointing back to an earlier sheet: no source's words, no clinic's

    @property
    def texts(self) -> tuple[str, ...]:
        if self.note is not None:
            return (self.note,)
        return (self.clinic_text,) if self.clinic_text is not None else tuple(b.text for b in self.blocks)

    def edits(self) -> list[tuple[str, tuple[str, ...], bool]]:
        """Each printed text with the source's sentences it leaves out and whether its typography was tidied."""
        if self.note is not None or self.clinic_text is not None:
            return [(self.texts[0], (), False)]
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
    approved_on: dt.date | None = None  # its own approval's date, when this variant prints exactly what was approved
    # In a packet: the sentences (rows) it leaves out because an earlier sheet prints them (selection.repeats).
    # `approved_on` stays: what is left is the approved text less whole approved sentences, and notes.
    repeats_left_out: tuple[str, ...] = ()
    # The sheet's own urgent signs (its `urgent:` passages), printed in the When to call box under URGENT:
    # the sheet's own text, graded and credited with its sections, never with the shared boxes.
    urgent: tuple[Group, ...] = ()

    @property
    def variant(self) -> Variant:
        return Variant(self.sheet.id, self.cancer_type)

    def plain_text(self) -> str:
        """Everything that will be printed from the sections, one block a line."""
        return _plain(self.sections)

    def printed(self) -> list[tuple[str, Group]]:
        """Every group the sheet prints, under the heading it prints under: its sections, then
        "Words to know", then "When to call": the clinic's words, with the sheet's own urgent signs
        (under URGENT) before the line about emergencies. What the lock approves."""
        rows = [(s.heading, g) for s in self.sections for g in s.groups]
        rows += [(f"{WORDS_TO_KNOW}: {w.term}", w.group) for w in self.words]
        call = self.when_to_call
        if call is not None:
            rows += [(call.heading, Group(None, clinic_text=text)) for text in call.call_about]
        rows += [(URGENT, g) for g in self.urgent]
        if call is not None:
            rows.append((call.heading, Group(None, clinic_text=call.emergency)))
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
    signs, urgent_problems = collect(enumerate(sheet.urgent), lambda indexed: _urgent(sheet, corpus, ctype, *indexed))
    raise_any(problems + more + urgent_problems)
    urgent = tuple(group for group in signs if group is not None)
    words = words_used(words, "\n".join([_plain(sections), *(t for g in urgent for t in g.texts)]), common.glossary)
    groups = [g for s in sections for g in s.groups] + [w.group for w in words] + list(urgent)  # as the page prints
    return FilledSheet(
        sheet,
        ctype,
        tuple(sections),
        cited(groups),
        words=tuple(words),
        when_to_call=common.when_to_call,
        urgent=urgent,
    )


def _plain(sections: Iterable[FilledSection]) -> str:
    return "\n".join(text for s in sections for g in s.groups for text in g.texts)


def _urgent(sheet: Sheet, corpus: Corpus, ctype: CancerType | None, index: int, passage: Passage) -> Group | None:
    """One of the sheet's urgent signs, selected as a section's passage is; printed as a list, so never table rows."""
    group = _resolve(sheet, corpus, passage, ctype, ("urgent", index))
    if group is not None and any(block.kind == "row" for block in group.blocks):
        raise FactsheetsError(
            sheet.problem(
                ("urgent", index),
                "urgent signs print as a list in the When to call box, and this passage selects table rows",
                "select the sentences or list items that name the signs (sentences: [...], items: [...]).",
            )
        )
    return group


def words_used(words: Iterable[Definition], text: str, glossary: Glossary) -> list[Definition]:
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


def cited(groups: list[Group]) -> tuple[SourceMeta, ...]:
    """The sources the groups quote, in order of first use (the order their numbers print in)."""
    seen: dict[str, SourceMeta] = {}
    for g in groups:
        if g.citation and g.citation.source.id not in seen:
            seen[g.citation.source.id] = g.citation.source
    return tuple(seen.values())


def _resolve(where: Locates, corpus: Corpus, passage: Passage, ctype: CancerType | None, loc: Loc) -> Group | None:
    if ctype is None and not passage.in_general:
        return None
    if ctype is not None and passage.only_types is not None and ctype.key not in passage.only_types:
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
    blocks = _narrow(where, doc, section, passage, loc)  # before the type filter: every entry must match
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
    group = _group(doc, section, *_by_sentence(where, blocks, passage, loc))
    return replace(group, picked=_picked(where, loc, passage, blocks), loc=loc)


def _picked(where: Locates, loc: Loc, passage: Passage, blocks: list[Block]) -> Picked | None:
    """The passage's picks by position, with the sentences of each block: what the lock records."""
    entries = tuple(
        (key, index, pick)
        for key in ("sentences", "drop_sentences")
        for index, pick in enumerate(getattr(passage, key) or [])
        if isinstance(pick, int)
    )
    if not entries:
        return None
    texts = tuple(() if b.kind == "row" else tuple(tidy(s) for s in sentences(b.text)) for b in blocks)
    return Picked(where, loc, entries, texts)


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


def _unmatched_picks(where: Locates, doc: Document, blocks: list[Block], passage: Passage, loc: Loc) -> list[Problem]:
    """Each position or phrase must pick a sentence of the selection: after a source update a
    pick that matches nothing would quietly print something else. Sentences are not cut from rows."""
    if not blocks:  # a row or word that matched nothing says so already
        return []
    problems: list[Problem] = []
    numbered = [_numbered(b.text) for b in blocks if b.kind != "row"]
    longest = max((len(n) for n in numbered), default=0)
    for key in ("sentences", "drop_sentences"):
        picks = getattr(passage, key)
        if picks is not None and not numbered:
            fix = "remove it: a table row prints whole."
            problems.append(where.problem((*loc, key), f"{key}: the selection is table rows, not sentences", fix))
            continue
        for index, pick in enumerate(picks or []):
            if not any(picked(n, s, [pick]) for found in numbered for n, s in found):
                message, fix = _no_sentence(doc, key, pick, longest)
                problems.append(where.problem((*loc, key, index), message, fix, column=True))
    return problems


def _no_sentence(doc: Document, key: str, pick: int | str, longest: int) -> tuple[str, str]:
    if isinstance(pick, int):
        return (
            f"{key}: there is no sentence {pick}: the selection's paragraphs and items have at most {longest}",
            f"use a position from 1 to {longest} (see 'factsheets show'), or pick the sentence by a phrase it holds.",
        )
    return (
        f"{key}: no sentence of the selection contains '{pick}'",
        f"check the phrase against {doc.path.name} (any case or quote style matches), or remove it.",
    )


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


def _narrow(where: Locates, doc: Document, section: Section, passage: Passage, loc: Loc) -> list[Block]:
    """Apply the position, row and word filters. Every entry must match: a position past the end,
    a row or word found nowhere, or a sentence pick that picks nothing is an error at its entry."""
    blocks = _by_position(where, section, passage, loc)
    problems: list[Problem] = []
    if passage.rows is not None:
        problems += _unmatched_rows(where, doc, section, blocks, passage.rows, loc)
        wanted_rows = {r.casefold() for r in passage.rows}
        blocks = [b for b in blocks if b.kind == "row" and b.cells[0].casefold() in wanted_rows]
    if passage.contains is not None:
        patterns = [_word(w) for w in passage.contains]
        problems += _unmatched_words(where, doc, section, blocks, passage.contains, loc)
        blocks = [b for b in blocks if any(p.search(b.text) for p in patterns)]
    raise_any(problems + _unmatched_picks(where, doc, blocks, passage, loc))
    return blocks


def _by_position(where: Locates, section: Section, passage: Passage, loc: Loc) -> list[Block]:
    """The blocks `items` and `paragraphs` name (all without them); a position past the end is an error."""
    blocks = section.blocks
    if passage.items is None and passage.paragraphs is None:
        return blocks
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
    return [b for b in blocks if (b.kind, b.position) in wanted]


def _word(word: str) -> re.Pattern[str]:
    """`contains` matches from the start of a word, in any case: 'bone' finds 'bones'."""
    return re.compile(rf"\b{re.escape(word)}", re.IGNORECASE)


def _unmatched_rows(
    where: Locates, doc: Document, section: Section, blocks: list[Block], rows: list[str], loc: Loc
) -> list[Problem]:
    """A problem at each entry of `rows` that names no row of the selection (first cell, any case)."""
    names = [b.cells[0] for b in blocks if b.kind == "row"]
    if not names:
        fix = f"remove 'rows', or pick the section that holds the table (see 'factsheets sections {doc.id}')."
        return [where.problem((*loc, "rows"), f"rows: '{section.address}' in {doc.id} has no table rows", fix)]
    folded = {n.casefold() for n in names}
    problems = []
    for index, row in enumerate(rows):
        if row.casefold() not in folded:
            close = difflib.get_close_matches(row, names, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "."
            fix = f"use a row of the table ({', '.join(names)}){hint}"
            message = f"rows: no row '{row}' in the table of '{section.address}' ({doc.id})"
            problems.append(where.problem((*loc, "rows", index), message, fix, column=True))
    return problems


def _unmatched_words(
    where: Locates, doc: Document, section: Section, blocks: list[Block], words: list[str], loc: Loc
) -> list[Problem]:
    """A problem at each entry of `contains` that no block of the selection holds."""
    problems = []
    for index, word in enumerate(words):
        if not any(_word(word).search(b.text) for b in blocks):
            written = sorted({w.casefold() for b in blocks for w in re.findall(r"[\w'-]+", b.text)})
            close = difflib.get_close_matches(word.casefold(), written, n=1, cutoff=0.75)
            hint = f"; did you mean '{close[0]}'?" if close else "."
            fix = f"check the spelling against {doc.path.name} (line {section.line}), or remove it{hint}"
            message = f"contains: nothing selected from '{section.address}' ({doc.id}) contains '{word}'"
            problems.append(where.problem((*loc, "contains", index), message, fix, column=True))
    return problems


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
