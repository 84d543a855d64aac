"""No repeats in a packet: a sentence prints once, on the first of the packet's sheets that prints it.

A packet (`factsheets packet`, the form, the API, the Infobutton endpoint, the build's packets)
is several sheets read one after another, and sheets quote the same pages: the breast packet
printed "Treatment can ease your symptoms..." three times. `without_repeats` takes the packet's
sheets, filled as each prints alone, in reading order, and returns them as the packet prints
them: a later sheet leaves out each sentence (list item, table row) an earlier one prints. The
step sits between selection and rendering, so every way of making a packet shares it
(`patient.packet.packet_fills`), and a sheet printed alone never passes through it.

**What is compared.** The sheet's own text: its sections' sentences, split as the sheets cut them
(`sentences`), each table row whole; the care team's own words too. Two sentences are the same
when their words are, in any case and punctuation ("What are my treatment options?" on bone and
on lungs). The boxes every sheet prints by design (When to call, with the sheet's own urgent
signs in it, Words to know, the sources and the footer) are each sheet's own and stay, on both
sides of the comparison: a page handed out alone keeps its definitions and its call to action,
and a sign to act on is never left out for having been read elsewhere. Words to know keeps the
words the shorter text still uses, and the sources panel the sources it still quotes. A sheet
that repeats itself is the sheet's business, not the packet's: only earlier sheets count.

**Leaving out, or referring back.** A left-out sentence goes silently when what follows it still
reads on its own: nothing follows in its section, or a list item or table row does (each stands
alone). Otherwise leaving it out would start a passage mid-thought ("It can also..." after the
sentence it continues), so the page refers back instead: a note, "See also “What is metastatic
cancer?”, earlier in this packet.", stands where the sentences were, naming the sheet(s) that
print them, and the text after it goes on in a paragraph (item) of its own. A section that would
be left with nothing keeps its heading and that note, never an empty heading. The rule is
structural on purpose (it does not guess from the next sentence's first word): a paragraph's
sentences may lean on each other, so a cut inside one or just before one is always marked.

**Approval.** The lock (`selection.approval`) approves what a variant prints alone, and
`Content.fill` dates a variant that prints exactly that. A packet's sheet keeps that date: what
it prints is the approved text less whole approved sentences, rows and items, none cut inside,
none reworded, in the approved order, plus the packet's notes, which quote nothing and say only
where the rest is (like the packet's bookmarks). So the footer's "Approved" stays true of every
word quoted on the page. `repeats_left_out` lists what was left out, and a packet's sheet is
never given to the lock: `lock` and `check` fill variants alone.

**Edition and caches.** What a packet's sheet prints differs from the sheet alone, so its content
version (a hash of the printed sections, notes included) and the edition code on its page differ
too: a scanned page names the text it bears, and nothing keyed by edition or content version can
take one for the other. The sheet alone is unchanged, byte for byte: the build's out/<type>/
PDFs, the manifest's entries and `GET /handout.pdf` never see a shortened sheet. The build
renders a packet's shortened sheets for that packet only (build.packets), keys the packet by
their content versions and lists them in the manifest (`PacketEntry.shortened`). The FHIR
records (`/api/handouts/records`) describe each sheet as published, as their links serve it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from factsheets.content.shared import Glossary
from factsheets.selection.select import FilledSection, FilledSheet, Group, cited, words_used
from factsheets.selection.sentences import sentences, tidy

STANDS_ALONE = ("item", "row")  # what may follow a left-out sentence unmarked: a list item or table row, whole
_WORDS = re.compile(r"\w+")


def without_repeats(fills: Sequence[FilledSheet], glossary: Glossary | None = None) -> list[FilledSheet]:
    """The packet's sheets as it prints them: each leaves out what an earlier one prints (or refers back to it).

    `fills` are the sheets as each prints alone, in reading order; a sheet that repeats nothing is
    returned as it is (the very object), so it renders as the sheet alone does. With the
    `glossary`, a shortened sheet's "Words to know" keeps only the words its text still uses.
    """
    seen: dict[str, str] = {}  # a sentence's key -> the title of the first sheet printing it
    packet = []
    for filled in fills:
        shortened = _shortened(filled, seen, glossary)
        for key in filter(None, (same(text) for text in printed_units(shortened))):  # a unit without words: never
            seen.setdefault(key, filled.sheet.title)
        packet.append(shortened)
    return packet


@dataclass(frozen=True)
class Repeat:
    """A sentence printed on a sheet after an earlier sheet of the same packet printed it."""

    text: str
    sheet: str  # the later sheet's id
    first_on: str  # the id of the sheet that printed it first


def repeats(fills: Sequence[FilledSheet]) -> list[Repeat]:
    """Every sentence (list item, table row) of the sheets' own text that an earlier sheet already printed."""
    first: dict[str, str] = {}
    found = []
    for filled in fills:
        units = [text for text in printed_units(filled) if same(text)]
        found += [Repeat(text, filled.sheet.id, first[same(text)]) for text in units if same(text) in first]
        for text in units:
            first.setdefault(same(text), filled.sheet.id)
    return found


def same(text: str) -> str:
    """What two sentences share when they are the same sentence: their words, in any case or punctuation."""
    return " ".join(_WORDS.findall(tidy(text).casefold()))


def printed_units(filled: FilledSheet) -> list[str]:
    """The sentences (table rows) a sheet's sections print, in order; a packet's notes are not among them."""
    return [unit.text for section in filled.sections for group in section.groups for unit in _units(group)]


def see_also(titles: Sequence[str]) -> str:
    """The note that stands for sentences left out: 'See also “What is metastatic cancer?”, earlier in this packet.'"""
    named = [f"“{title}”" for title in dict.fromkeys(titles)]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"See also {listed}, earlier in this packet."


@dataclass(frozen=True)
class _Unit:
    """One thing a group prints that can be left out whole: a sentence, or a table row."""

    text: str
    block: int  # its block in the group (0 for the care team's words)
    first: bool  # the first of its block
    kind: str  # "paragraph", "item", "row" or "clinic"

    @property
    def stands_alone(self) -> bool:
        """Whether it reads right after a cut: the start of a list item or a table row."""
        return self.first and self.kind in STANDS_ALONE


def _units(group: Group) -> Iterator[_Unit]:
    if group.note is not None:
        return
    if group.clinic_text is not None:
        for n, sentence in enumerate(sentences(group.clinic_text)):
            yield _Unit(sentence, 0, n == 0, "clinic")
        return
    for index, block in enumerate(group.blocks):
        if block.kind == "row":
            yield _Unit(" ".join(block.cells), index, True, "row")
            continue
        for n, sentence in enumerate(sentences(block.text)):
            yield _Unit(sentence, index, n == 0, block.kind)


def _shortened(filled: FilledSheet, seen: dict[str, str], glossary: Glossary | None) -> FilledSheet:
    """`filled` without what `seen` holds, or `filled` itself when it prints none of it."""
    if not seen:
        return filled
    walks = [_Section(seen) for _ in filled.sections]
    sections = tuple(walk.walk(section) for walk, section in zip(walks, filled.sections, strict=True))
    left_out = tuple(text for walk in walks for text in walk.left_out)
    if not left_out:
        return filled
    words = filled.words
    if glossary is not None:  # the words its text, and its urgent signs, still use (not the notes)
        own = [t for s in sections for g in s.groups if g.note is None for t in g.texts]
        words = tuple(words_used(words, "\n".join([*own, *(t for g in filled.urgent for t in g.texts)]), glossary))
    groups = [g for s in sections for g in s.groups] + [w.group for w in words] + list(filled.urgent)  # as printed
    return replace(filled, sections=sections, sources=cited(groups), words=words, repeats_left_out=left_out)


@dataclass
class _Section:
    """One section of a later sheet, walked unit by unit: what it keeps, what it leaves out, where it refers back."""

    seen: dict[str, str]
    groups: list[Group] = field(default_factory=list)  # what the section prints, in order
    left_out: list[str] = field(default_factory=list)
    run: list[str] = field(default_factory=list)  # titles printing the units left out since the last one kept
    titles: list[str] = field(default_factory=list)  # of every unit left out

    def walk(self, section: FilledSection) -> FilledSection:
        """The section as the packet prints it (itself when it leaves nothing out)."""
        for group in section.groups:
            self._group(group)
        if not self.left_out:
            return section
        if not self.groups:  # never an empty heading: the section says where its text is
            return replace(section, groups=(Group(None, note=see_also(self.titles)),))
        return replace(section, groups=tuple(self.groups))

    def _group(self, group: Group) -> None:
        piece = _Piece(group)
        for unit in _units(group):
            title = self.seen.get(same(unit.text))  # (a unit without words has no key in `seen`)
            if title is not None:
                self.left_out.append(unit.text)
                self.run.append(title)
                self.titles.append(title)
                piece.leave_out(unit)
                continue
            if self.run and not unit.stands_alone:  # leaving out would start this mid-thought: refer back
                self.groups += piece.cut()
                self.groups.append(Group(None, note=see_also(self.run)))
            self.run = []
            piece.keep(unit)
        self.groups += piece.cut()


@dataclass
class _Piece:
    """The part of a group printed since the last note: its blocks rebuilt from the units kept."""

    group: Group
    blocks: list[tuple[int, list[str]]] = field(default_factory=list)  # (block in the group, its units kept)
    dropped: dict[int, list[str]] = field(default_factory=dict)  # per block: units left out, not yet recorded
    fresh: bool = False  # the next unit kept starts a block of its own (after a note)

    def leave_out(self, unit: _Unit) -> None:
        self.dropped.setdefault(unit.block, []).append(unit.text)

    def keep(self, unit: _Unit) -> None:
        if self.blocks and self.blocks[-1][0] == unit.block and not self.fresh:
            self.blocks[-1][1].append(unit.text)
        else:
            self.blocks.append((unit.block, [unit.text]))
        self.fresh = False

    def cut(self) -> list[Group]:
        """The group's part kept so far, as a group of its own (none if nothing was kept); the next starts anew."""
        made = [self._made()] if self.blocks else []
        self.blocks, self.fresh = [], True
        return made

    def _made(self) -> Group:
        group = self.group
        if group.clinic_text is not None:
            return replace(group, clinic_text=" ".join(self.blocks[0][1]))
        blocks, left_out, tidied = [], [], []
        for index, kept in self.blocks:
            block = group.blocks[index]
            blocks.append(block if block.kind == "row" else replace(block, text=" ".join(kept)))
            before = group.left_out[index] if group.left_out else ()
            left_out.append((*before, *self.dropped.pop(index, [])))
            tidied.append(group.tidied[index] if group.tidied else False)
        citation = group.citation and replace(group.citation, line=blocks[0].line)
        return replace(group, citation=citation, blocks=tuple(blocks), left_out=tuple(left_out), tidied=tuple(tidied))
