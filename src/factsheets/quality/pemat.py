"""PEMAT-P by machine: the items a sheet's structure can answer, and the items that need a person.

Clinics review handouts with AHRQ's Patient Education Materials Assessment Tool for printable
materials (Shoemaker, Wolf, Brach. *The Patient Education Materials Assessment Tool (PEMAT) and
User's Guide*, AHRQ Publication No. 14-0002-EF, 2013). PEMAT-P has 24 items, numbered as in the
guide: understandability 1-12 and 15-19 (13 and 14 are for audiovisual material only),
actionability 20-26. Each is rated Agree (1) or Disagree (0), and some may be N/A; a score is the
points over the items rated, N/A left out, as a percentage, separately for understandability and
actionability. 70% or more is read as adequate (`ADEQUATE`).

The guide's N/A options relied on here: items 8, 9 and 11, "very short material" (about two
paragraphs or fewer); item 19, "no tables". Items 15 and 23 have no N/A in the guide: a rater
disagrees when they can think of a visual aid, or a tool, that would have helped. That is a
person's judgment, so when the machine finds none on the sheet it rates the item "for a person"
rather than guessing either way. Percentages here count agree and disagree only: a variant's score
is over the items a machine could rate for it, and the report says how many those were.

Rules, each a function of the filled sheet (and the glossary) alone:

Understandability
- 4 (medical terms defined): agree when the sheet prints no glossary term without defining it in
  its "Words to know" (`checks.undefined_terms`, passed in); disagree otherwise, naming the terms.
  For a person when there is no glossary to check against. Terms the glossary does not list, and
  whether a term is needed at all, are not judged.
- 8 (chunking): agree when the sheet has at least 2 sections and none prints over `CHUNK_WORDS`
  (120) words; N/A when very short.
- 9 (informative headers): agree when every section has a heading, none is generic ("Information",
  "Other", "Part 2", ...: `GENERIC_HEADINGS`), and no heading prints twice on the page (the "Words
  to know" and "When to call" boxes' headings included); N/A when very short.
- 11 (summary): agree when a section's heading starts with "Key points", "In short", "Summary",
  "Main points" or "What to remember" (`SUMMARY_HEADINGS`); N/A when very short.
- 12 (visual cues): agree when the sheet prints a bulleted or numbered list or a box: "Words to
  know", "When to call", or the clinic's own words (printed in a marked "From your care team"
  box). The personal and notes boxes, printed on every sheet, hold no key point and do not count.
- 15 (visual aids): agree when the sheet prints a table (sheets have no figures); for a person
  when it prints none (whether one would help is the guide's question).
- 19 (simple tables): agree when every table has column headings, at most `TABLE_COLUMNS` (3)
  columns and `TABLE_ROWS` (12) rows, and every column and row heading has at most
  `HEADING_WORDS` (4) words; N/A without tables.

Actionability (the call to action is the "When to call" block every sheet prints from
sheets/common/when-to-call.yaml; actions inside quoted source text are not looked for)
- 20 (an action identified): agree when the sheet prints a call to action.
- 21 (addresses the user): agree when the call to action says "you"/"your" or a line of it starts
  with an imperative ("Call", "Go", "Tell", ...: `IMPERATIVES`), and no line speaks of "the
  patient" or "patients". Disagree without a call to action.
- 22 (explicit steps): agree when the call to action lists at least 2 things to call about, each
  of at most `STEP_WORDS` (20) words. Disagree without a call to action.
- 23 (tangible tool): agree when a section leaves room to write answers (`write_in`: a question
  list to take to the visit). The "Notes from your care team" box does not count: it is on every
  sheet whatever the topic, for the care team's notes, not a tool fitted to an action. For a
  person otherwise.

Needing a person on every sheet (`FOR_A_PERSON`): 1, 2, 3, 5, 6, 7, 10, 16, 17, 18, 24, 25, 26.

Two checks the issue asks for are not PEMAT items, so they are reported beside the scores as
`Extra`s and never counted in them:
- type size: chosen at render (the largest of 13 to 11 pt that fits one page), so it cannot be
  read from the sheet; `check` does not render. It is left to a render: `factsheets check` lays
  every variant out and keeps the size in out/fit-cache.json, and the PDF shows it.
- white space: a rough proxy, the words the page prints (sections, "Words to know", "When to
  call") at most `PAGE_WORDS` (250). In the shipped set, sheets over about 250 words fit their
  page only at 11 or 11.5 pt, with the page full; a pass does not prove white space (lists,
  tables and boxes take room too), and the type size from a render is the better measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from factsheets.content.shared import WhenToCall
from factsheets.errors import counted
from factsheets.quality.pemat_form import ITEMS, Extra, PematScore, Rating, Verdict
from factsheets.selection.select import WORDS_TO_KNOW, FilledSection, FilledSheet, Group

CHUNK_WORDS = 120  # a "short section" prints at most this many words
SHORT_MATERIAL_CHUNKS = 2  # "very short material": at most two paragraphs (or lists, tables)
TABLE_COLUMNS = 3
TABLE_ROWS = 12
HEADING_WORDS = 4  # a "short" table heading
STEP_WORDS = 20  # a "manageable" thing to call about
PAGE_WORDS = 250  # more on one page leaves it crowded (see the module docstring)
SUMMARY_HEADINGS = ("key points", "in short", "summary", "main points", "what to remember")
GENERIC_HEADINGS = frozenset(
    {"information", "more information", "other", "others", "details", "more", "general", "misc", "text", "notes"}
)
IMPERATIVES = frozenset(
    {"call", "go", "tell", "ask", "take", "bring", "write", "keep", "get", "dial", "seek", "come", "contact", "phone"}
)
_WORD = re.compile(r"[\w’'-]+")


def score(filled: FilledSheet, undefined: Sequence[str] | None) -> PematScore:
    """Rate the machine-judged PEMAT-P items of one variant (the rules are in the module docstring).

    `undefined`: the glossary terms the sheet prints without defining them (`checks.undefined_terms`),
    or None when the project has no glossary to check against.
    """
    short = _very_short(filled)
    tables = _tables(filled)
    call = filled.when_to_call
    ratings = (
        _terms(filled, undefined),
        _chunking(filled, short),
        _headers(filled, short),
        _summary(filled, short),
        _cues(filled),
        _visual_aids(tables),
        _simple_tables(tables),
        _action(call),
        _direct(call),
        _steps(call),
        _tool(filled),
    )
    return PematScore(ratings, (_type_size(), _white_space(filled)))


def _rate(number: int, verdict: Verdict, reason: str) -> Rating:
    return Rating(ITEMS[number], verdict, reason)


def words(texts: Iterable[str]) -> int:
    """Words as `checks.quoted_words` counts them."""
    return sum(len(_WORD.findall(t)) for t in texts)


def _section_words(section: FilledSection) -> int:
    return words(t for g in section.groups for t in g.texts)


def chunks(filled: FilledSheet) -> int:
    """Paragraph-sized pieces the sections print: each paragraph, list, table and piece of clinic text is one."""
    count = 0
    for section in filled.sections:
        for group in section.groups:
            if group.clinic_text is not None:
                count += 1
            for kind, blocks in group.runs():
                count += len(blocks) if kind == "paragraph" else 1
    return count


def _very_short(filled: FilledSheet) -> bool:
    return chunks(filled) <= SHORT_MATERIAL_CHUNKS


def _very_short_reason(filled: FilledSheet) -> str:
    return f"very short material: {chunks(filled)} paragraphs, lists or tables in all (at most {SHORT_MATERIAL_CHUNKS})"


def _terms(filled: FilledSheet, undefined: Sequence[str] | None) -> Rating:
    if undefined is None:
        return _rate(4, "person", "no glossary (sheets/common/glossary.yaml) to check the sheet's terms against")
    if undefined:
        them = "it" if len(undefined) == 1 else "them"
        return _rate(
            4, "disagree", f"uses {', '.join(repr(t) for t in undefined)} without defining {them} in Words to know"
        )
    return _rate(4, "agree", f"every glossary term it uses is defined ({len(filled.words)} in Words to know)")


def _chunking(filled: FilledSheet, short: bool) -> Rating:
    if short:
        return _rate(8, "n/a", _very_short_reason(filled))
    if len(filled.sections) < 2:
        return _rate(8, "disagree", "one section: the text is not broken into parts")
    longest = max(filled.sections, key=_section_words)
    most = _section_words(longest)
    if most > CHUNK_WORDS:
        return _rate(8, "disagree", f"section '{longest.heading}' prints {most} words (over {CHUNK_WORDS})")
    return _rate(8, "agree", f"{len(filled.sections)} sections, the longest {most} words (at most {CHUNK_WORDS})")


def generic(heading: str) -> bool:
    """A heading that says nothing about what follows: 'Information', 'Other', 'Part 2'."""
    folded = " ".join(heading.split()).casefold().rstrip(":")
    return folded in GENERIC_HEADINGS or bool(re.fullmatch(r"(part|section|chapter|page|step) \w+", folded))


def _headers(filled: FilledSheet, short: bool) -> Rating:
    if short:
        return _rate(9, "n/a", _very_short_reason(filled))
    headings = [s.heading.strip() for s in filled.sections]
    if not all(headings):
        return _rate(9, "disagree", "a section has no heading")
    boxes = [WORDS_TO_KNOW] if filled.words else []
    boxes += [filled.when_to_call.heading] if filled.when_to_call is not None else []
    printed = [" ".join(h.split()).casefold() for h in [*headings, *boxes]]
    repeated = [h for h in [*headings, *boxes] if printed.count(" ".join(h.split()).casefold()) > 1]
    if repeated:
        return _rate(9, "disagree", f"the heading '{repeated[0]}' prints twice")
    vague = [h for h in headings if generic(h)]
    if vague:
        return _rate(9, "disagree", f"heading '{vague[0]}' says nothing about its section")
    return _rate(9, "agree", f"all {len(headings)} sections have their own heading")


def _summary(filled: FilledSheet, short: bool) -> Rating:
    if short:
        return _rate(11, "n/a", _very_short_reason(filled))
    for section in filled.sections:
        if section.heading.strip().casefold().startswith(SUMMARY_HEADINGS):
            return _rate(11, "agree", f"section '{section.heading}' sums up")
    return _rate(11, "disagree", "no section headed 'Key points', 'In short', 'Summary', ...")


def _cues(filled: FilledSheet) -> Rating:
    groups = [g for s in filled.sections for g in s.groups]
    found = []
    if any(b.kind == "item" for g in groups for b in g.blocks):
        found.append("a list")
    if filled.words:
        found.append(f"the {WORDS_TO_KNOW} box")
    if filled.when_to_call is not None:
        found.append(f"the {filled.when_to_call.heading} box")
    if any(g.clinic_text is not None for g in groups):
        found.append("the care team's box")
    if found:
        return _rate(12, "agree", "prints " + ", ".join(found))
    return _rate(12, "disagree", "no list and no box: paragraphs and tables only")


@dataclass(frozen=True)
class _Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _tables(filled: FilledSheet) -> list[_Table]:
    """Every table the sections print: a run of rows in one group, captioned as the template captions it."""
    found = []
    for section in filled.sections:
        for group in section.groups:
            for kind, blocks in group.runs():
                if kind == "row":
                    found.append(_Table(_caption(group), group.table_header, tuple(b.cells for b in blocks)))
    return found


def _caption(group: Group) -> str:
    return group.citation.section.split(" > ")[-1] if group.citation else ""


def _visual_aids(tables: list[_Table]) -> Rating:
    if tables:
        names = ", ".join(f"'{t.caption}'" for t in tables)
        return _rate(15, "agree", f"prints {counted(len(tables), 'table')}: {names}")
    return _rate(15, "person", "no table or figure: whether one would help needs a person")


def _simple_tables(tables: list[_Table]) -> Rating:
    if not tables:
        return _rate(19, "n/a", "no tables")
    for t in tables:
        problem = _table_problem(t)
        if problem:
            return _rate(19, "disagree", f"table '{t.caption}': {problem}")
    return _rate(
        19,
        "agree",
        f"{counted(len(tables), 'table')} with column headings, at most {TABLE_COLUMNS} columns and {TABLE_ROWS} "
        f"rows, headings of at most {HEADING_WORDS} words",
    )


def _table_problem(table: _Table) -> str | None:
    columns = max([len(table.header), *(len(r) for r in table.rows)])
    long_heads = [h for h in [*table.header, *(r[0] for r in table.rows if r)] if len(h.split()) > HEADING_WORDS]
    if not table.header:
        return "no column headings"
    if columns > TABLE_COLUMNS:
        return f"{columns} columns (over {TABLE_COLUMNS})"
    if len(table.rows) > TABLE_ROWS:
        return f"{len(table.rows)} rows (over {TABLE_ROWS})"
    if long_heads:
        return f"heading '{long_heads[0]}' is over {HEADING_WORDS} words"
    return None


def _action(call: WhenToCall | None) -> Rating:
    if call is None:
        return _rate(20, "disagree", "no call to action (sheets/common/when-to-call.yaml)")
    return _rate(
        20,
        "agree",
        f"'{call.heading}' lists {counted(len(call.call_about), 'reason')} to call and when to get emergency help",
    )


def _direct(call: WhenToCall | None) -> Rating:
    if call is None:
        return _rate(21, "disagree", "no call to action")
    lines = [call.heading, *call.call_about, call.emergency]
    third = [line for line in lines if re.search(r"\b(the patient|patients)\b", line, re.IGNORECASE)]
    if third:
        return _rate(21, "disagree", f"speaks of the patient, not to the reader: '{third[0]}'")
    if any(re.search(r"\b(you|your|yours|yourself)\b", line, re.IGNORECASE) for line in lines):
        return _rate(21, "agree", "says 'you'/'your'")
    imperative = [line for line in lines if (_WORD.findall(line) or [""])[0].casefold() in IMPERATIVES]
    if imperative:
        return _rate(21, "agree", f"tells the reader what to do: '{imperative[0]}'")
    return _rate(21, "disagree", "neither 'you' nor an imperative in the call to action")


def _steps(call: WhenToCall | None) -> Rating:
    if call is None:
        return _rate(22, "disagree", "no call to action")
    if len(call.call_about) < 2:
        return _rate(22, "disagree", "one reason to call: the action is not broken down")
    longest = max(call.call_about, key=lambda t: words([t]))
    if words([longest]) > STEP_WORDS:
        return _rate(22, "disagree", f"'{longest}' is over {STEP_WORDS} words")
    return _rate(22, "agree", f"a list of {len(call.call_about)} reasons to call, each at most {STEP_WORDS} words")


def _tool(filled: FilledSheet) -> Rating:
    write_in = [s.heading for s in filled.sections if s.write_in]
    if write_in:
        return _rate(23, "agree", f"room to write answers under '{write_in[0]}'")
    return _rate(23, "person", "no write-in section (the Notes box is not counted): whether a tool would help")


def _type_size() -> Extra:
    return Extra(
        "type size",
        None,
        "set at render: the largest of 13 to 11 pt that fits the page; 'factsheets check' records it in "
        "out/fit-cache.json",
    )


def _white_space(filled: FilledSheet) -> Extra:
    printed = words(t for _, g in filled.printed() for t in g.texts)
    if printed > PAGE_WORDS:
        return Extra("white space", False, f"{printed} words on the page (over {PAGE_WORDS})")
    return Extra("white space", True, f"{printed} words on the page (at most {PAGE_WORDS})")
