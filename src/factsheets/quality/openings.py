"""A sentence that points back to one the sheet cut: "These challenges vary..." without the challenges.

A sheet prints the publisher's sentences word for word, but it chooses which: `sentences`,
`drop_sentences`, `items` and `paragraphs` cut a page's text. A cut can leave a sentence that
opens on a pronoun or connective ("These", "This", "They", "It is also", "However", "Also", "For
example") whose antecedent is the sentence left out, so the page says something else than the
source, or nothing a reader can follow. `check` warns about each such passage, at its line in the
sheet, and `show` marks it.

The rule, per variant (`openings`): each sentence the sheet's sections print (each list item,
each table row) is traced to its place in its source section. It **starts after a cut** when the
source has a sentence (item, row) just before it in that section and the page does not print
that one just before it (in the same passage or the one before; a heading between them does not
break the run). Such a sentence that opens on a word pointing back (`opener`) is an `Opening`.
The first sentence of a source section is not judged (what it points back to is the source's
own heading), nor is the care team's own text.

A reviewer who has read the passage in its place and finds that it reads right (the heading or
the sentence before it on the page supplies what the word points to) clears the warning in the
sheet with `reviewed_start: "the heading names the challenges"` on the passage. A
`reviewed_start` on a passage that no variant needs it for is a warning too (`stale_reviews`):
left behind after an edit, it would clear a warning nobody has read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from factsheets.content.shared import Glossary
from factsheets.content.sheets import Passage, Sheet
from factsheets.content.sources import Corpus, Section
from factsheets.content.yamlfile import Loc
from factsheets.errors import Problem
from factsheets.project import Content
from factsheets.selection.select import FilledSheet, Group, Locates
from factsheets.selection.sentences import sentences, tidy


def _word_set(text: str) -> frozenset[str]:
    """Words written as one string, a space between each (as pemat's lists are)."""
    return frozenset(text.split())


# Words that, opening a sentence, point back to what came before it.
POINTING_WORDS = _word_set(
    "these this that those they them their theirs its it’s he she his her such both another other "
    "however also but and or nor so then therefore thus still instead otherwise likewise similarly "
    "additionally furthermore moreover besides hence yet meanwhile alternatively"
)
POINTING_PHRASES = (
    "in addition",
    "as a result",
    "for this reason",
    "because of this",
    "even so",
    "on the other hand",
    "in this case",
    "in that case",
    "in this situation",
    "as mentioned",
    "for example",
    "for instance",
)
Unit = tuple[str, str, int, int]  # source id, section, the block's index in the section, the sentence's in it
ALSO_WITHIN = 4  # "also" among a sentence's first words ("It is also", "Cancer cells can also") points back
_WORDS = re.compile(r"[^\W\d_]+(?:’[^\W\d_]+)?")
# "It" as a placeholder, pointing at nothing: "It is important to ...", "It is possible that ...".
_EMPTY_IT = re.compile(r"^it(?:\s+is|’s|\s+was|\s+can be|\s+may be|\s+will be)\s+(?:not\s+)?\w+\s+(?:to|that)\b")


def opener(sentence: str) -> str | None:
    """The words `sentence` opens on that point back to an earlier one, as written; None if it opens on none."""
    text = tidy(sentence).lstrip("“‘(*-– ")
    words: list[str] = _WORDS.findall(text)
    if not words:
        return None
    folded = [w.casefold() for w in words]
    for phrase in POINTING_PHRASES:
        if " ".join(folded[: len(phrase.split())]) == phrase:
            return " ".join(words[: len(phrase.split())])
    if "also" in folded[:ALSO_WITHIN]:
        return " ".join(words[: folded.index("also") + 1])
    if folded[0] in POINTING_WORDS:
        return words[0]
    if folded[0] == "it" and not _EMPTY_IT.match(text.casefold()):
        return words[0]
    return None


@dataclass(frozen=True)
class Opening:
    """A printed sentence that opens on a word pointing back, after a cut."""

    where: Locates  # the sheet, or the glossary for a "Words to know" definition
    variant: str  # "bone/general"
    group: Group = field(compare=False, repr=False)  # the passage as printed
    block: int  # which of its printed blocks
    sentence: str  # the source's sentence, as printed
    opener: str  # the words that point back: "These", "It is also"
    before: str  # the source's sentence (item, row) just before it, which the page does not print there
    loc: Loc  # the passage in its file
    reviewed: str | None  # the passage's reviewed_start, if any

    def problem(self) -> Problem:
        """The warning, at the passage's line in its file."""
        return self.where.problem(
            self.loc,
            f"'{_short(self.sentence)}' opens on '{self.opener}', but the sentence before it in the source "
            f"is not printed before it: '{_short(self.before)}'",
            "print that sentence too (or start the selection there), begin at another sentence, or, if the "
            "passage reads right as it stands, say why on the passage: reviewed_start: REASON.",
        )


def openings(filled: FilledSheet, corpus: Corpus, glossary: Glossary | None = None) -> list[Opening]:
    """Every sentence of `filled`'s sections (and, given the `glossary`, of its "Words to know") that opens on
    a word pointing back after a cut, reviewed or not."""
    found = _run(filled, filled.sheet, [g for s in filled.sections for g in s.groups], corpus, _sheet_passage)
    found += _run(filled, filled.sheet, list(filled.urgent), corpus, _sheet_passage)  # in the When to call box
    if glossary is not None:
        for word in filled.words:  # each definition stands alone
            found += _run(filled, glossary, [word.group], corpus, _glossary_passage)
    return found


def _run(
    filled: FilledSheet,
    where: Locates,
    groups: list[Group],
    corpus: Corpus,
    passage_at: Callable[[Locates, Loc], Passage | None],
) -> list[Opening]:
    """The openings after a cut in groups printed one after the other."""
    found: list[Opening] = []
    before: Unit | None = None  # what the page printed last
    for group in groups:
        source = _section(corpus, group)
        if source is None or group.loc is None:
            before = None  # the care team's words come between
            continue
        passage = passage_at(where, group.loc)
        for index, (unit, text, previous) in _printed(group, source):
            word = opener(text) if previous is not None and previous[0] != before else None
            if word is not None and previous is not None:
                reviewed = passage.reviewed_start if passage is not None else None
                sentence, earlier = tidy(text), tidy(previous[1])
                found.append(
                    Opening(where, filled.variant.key, group, index, sentence, word, earlier, group.loc, reviewed)
                )
            before = unit
    return found


def _printed(group: Group, source: Section) -> list[tuple[int, tuple[Unit, str, tuple[Unit, str] | None]]]:
    """Each sentence (item, row) the group prints, in order, with its printed block's index, its unit and
    text, and the unit and text just before it in the source section (None for the section's first)."""
    assert group.citation is not None
    key = (group.citation.source.id, group.citation.section)
    result = []
    left_out = group.left_out or tuple(() for _ in group.blocks)
    for index, (block, dropped) in enumerate(zip(group.blocks, left_out, strict=True)):
        place = next(
            (n for n, b in enumerate(source.blocks) if (b.kind, b.position) == (block.kind, block.position)), None
        )
        if place is None:
            continue
        cut = list(dropped)
        for number, text in enumerate(_units(source, place)):
            if cut and text == cut[0]:
                cut.pop(0)
                continue
            unit = (*key, place, number)
            result.append((index, (unit, text, _previous(source, key, place, number))))
    return result


def _units(section: Section, place: int) -> list[str]:
    block = section.blocks[place]
    return [" | ".join(block.cells)] if block.kind == "row" else sentences(block.text)


def _previous(section: Section, key: tuple[str, str], place: int, number: int) -> tuple[Unit, str] | None:
    if number > 0:
        return (*key, place, number - 1), _units(section, place)[number - 1]
    if place == 0:
        return None
    earlier = _units(section, place - 1)
    return ((*key, place - 1, len(earlier) - 1), earlier[-1]) if earlier else None


def _section(corpus: Corpus, group: Group) -> Section | None:
    """The source section a group prints from; None for the care team's words."""
    if group.citation is None or group.citation.source.id not in corpus:
        return None
    sections = corpus[group.citation.source.id].sections
    return next((s for s in sections if s.address == group.citation.section), None)


def _sheet_passage(where: Locates, loc: Loc) -> Passage | None:
    """The passage at `loc` ("sections", i, "passages", j) of a sheet, or at ("urgent", j)."""
    if isinstance(where, Sheet) and len(loc) == 2 and loc[0] == "urgent" and isinstance(loc[1], int):
        return where.urgent[loc[1]]
    if not isinstance(where, Sheet) or len(loc) != 4:
        return None
    _, section, _, passage = loc
    assert isinstance(section, int)
    assert isinstance(passage, int)
    return where.sections[section].passages[passage]


def _glossary_passage(where: Locates, loc: Loc) -> Passage | None:
    """The definition at `loc` ("terms", i, "definition") of the glossary."""
    if not isinstance(where, Glossary) or len(loc) != 3:
        return None
    position = loc[1]
    assert isinstance(position, int)
    return where.terms[position].definition


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def warnings(filled: FilledSheet, corpus: Corpus, glossary: Glossary | None = None) -> list[Problem]:
    """The openings no reviewer has cleared, each at its passage's line."""
    return [o.problem() for o in openings(filled, corpus, glossary) if o.reviewed is None]


def stale_reviews(content: Content) -> list[Problem]:
    """Each `reviewed_start` on a passage that opens after no cut in any variant: nothing left to clear."""
    glossary = content.common.glossary
    needed = {(id(o.where), o.loc) for f in content.fill_all() for o in openings(f, content.corpus, glossary)}
    where: list[tuple[Locates, str, Loc, Passage]] = [
        (sheet, f"sheet '{sheet.id}'", ("sections", s, "passages", p), passage)
        for sheet in content.sheets.values()
        for s, section in enumerate(sheet.sections)
        for p, passage in enumerate(section.passages)
    ]
    where += [
        (sheet, f"sheet '{sheet.id}'", ("urgent", p), passage)
        for sheet in content.sheets.values()
        for p, passage in enumerate(sheet.urgent)
    ]
    where += [
        (glossary, f"the glossary's '{t.term}'", ("terms", n, "definition"), t.definition)
        for n, t in enumerate(glossary.terms)
    ]
    return [
        file.problem(
            (*loc, "reviewed_start"),
            f"{what}: reviewed_start on a passage that no variant prints after a cut of the sentence before it, "
            "so it clears nothing",
            "remove it (it would clear a later warning unread).",
        )
        for file, what, loc, passage in where
        if passage.reviewed_start is not None and (id(file), loc) not in needed
    ]
