"""PEMAT-P by machine, on the sheet's own content: the items its structure and words can answer.

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

**Credit comes from the sheet's own content only**: its title, its sections' headings and the
text they select, and its urgent signs (`urgent:`; `own_sections` adds them as one more part, a
list). Every sheet also prints the same shared parts: the clinic's words in the "When to call" box
(sheets/common/when-to-call.yaml), "Words to know" (the shared glossary's definitions), the notes,
sources and personal boxes. Those earn no item: were they counted, every sheet would be 100%
actionable from the call box alone, whatever it says. The urgent signs print inside that box, but
the sheet selected them, so they count as its own: in the chunks (8), as a list (12) and for the
actions (20 to 22), though never the box's label over them ("Get help right away", the same on
every sheet), and never as a summary (11: only sections are). A shared part can still cost an item
where it harms the page as printed (a section heading that repeats a box's, item 9; a glossary
term printed undefined, item 4).

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
- 11 (summary): the guide asks for a summary of the key points; a heading does not make one. The
  machine's rule (`summary`): the first or the last section sums up when
  - every point it prints (each sentence of a paragraph or of the care team's words, each list
    item, each table row; a lead-in ending in ":" is not a point) restates a point of one other
    section: at least half of the point's content words, and at least 2, appear in that section
    (its heading and text). Words are compared by their Porter stem ("spreads" as "spread");
    function words ("the", "can", "your": `FUNCTION_WORDS`) and the words of the sheet's title
    (its topic, on every section: "cancer", "spread" on "How cancer spreads") are left out;
  - together its points restate at least 2 other sections (the one other, on a two-section sheet);
  - it is short: at most `SUMMARY_SHARE` (half) as many words as the other sections together.
  A "Key points" section of one sentence found nowhere else on the sheet is not a summary; a
  section headed "Remember" that restates two sections is. N/A when very short.
- 12 (visual cues): agree when the sheet's sections print a bulleted or numbered list, or the
  clinic's own words (in a marked "From your care team" box). The shared boxes ("Words to know",
  "When to call", notes, personal) are on every sheet and do not count.
- 15 (visual aids): agree when the sheet prints a table (sheets have no figures); for a person
  when it prints none (whether one would help is the guide's question).
- 19 (simple tables): agree when every table has column headings, at most `TABLE_COLUMNS` (3)
  columns and `TABLE_ROWS` (12) rows, and every column and row heading has at most
  `HEADING_WORDS` (4) words; N/A without tables.

Actionability, on the actions the sheet's own content asks of the reader (`actions`). An action is
- a sentence, list item or line of the care team's words that starts with an action verb
  (`ACTION_VERBS`: "Ask", "Call", "Take", "Write", ...; after "Always", "Never", "Please", "Do not"
  or an opening "If ..., " clause): direct;
- "you" with should, must, need to, have to, can, could, may want to, might want to, will need to,
  followed by an action verb ("you can ask"): direct;
- "It is important (best, helpful, a good idea) to", "be sure to", "make sure to", "remember to",
  "try to" followed by an action verb: direct when the sentence says "you" or "your", else not;
- "should (must, need to) be" and a past participle ("must be evaluated"): an action, not direct
  (the guide's indirect example is "Medicine should be taken at mealtimes");
- "the patient", "patients", "people", "caregivers" or "families" with such a verb ("Patients
  should ask"): an action, not direct;
- a title or section heading that starts with an action verb ("Ask about the goals of
  treatment"), or names one after "to" and then speaks to the reader ("Questions to ask your care
  team"; "Signs to watch for" names a topic, not the reader's action): direct.
A list item that follows a lead-in ending in ":" is read with it ("you might: Feel sad" is not an
action; "you can: Take walks" is).
- 20 (an action identified): agree when the sheet's own content has at least one action.
- 21 (addresses the user): agree when it has actions and every one is direct; disagree naming the
  first that is not, or when there is no action (the guide: disagree if no actions are described).
- 22 (explicit steps): agree when an action is broken into a list of at least 2 steps of at most
  `STEP_WORDS` (20) words each: a list whose items are actions, or whose lead-in or section heading
  is one, or a write-in list on a sheet whose title is one ("Questions to ask your care team").
  Disagree otherwise, and when there is no action.
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

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from factsheets.errors import counted
from factsheets.quality.pemat_form import ITEMS, Extra, PematScore, Rating, Verdict
from factsheets.selection.select import URGENT, WORDS_TO_KNOW, FilledSection, FilledSheet, Group
from factsheets.selection.sentences import sentences

if TYPE_CHECKING:
    from nltk.stem.porter import PorterStemmer


def _word_set(text: str) -> frozenset[str]:
    """Words written as one string, a space between each: a list literal would take a line a word."""
    return frozenset(text.split())


CHUNK_WORDS = 120  # a "short section" prints at most this many words
SHORT_MATERIAL_CHUNKS = 2  # "very short material": at most two paragraphs (or lists, tables)
TABLE_COLUMNS = 3
TABLE_ROWS = 12
HEADING_WORDS = 4  # a "short" table heading
STEP_WORDS = 20  # a "manageable" step
PAGE_WORDS = 250  # more on one page leaves it crowded (see the module docstring)
SUMMARY_SHARE = 0.5  # a summary has at most half as many words as what it sums up
RESTATED_WORDS = 2  # a point restates another section's when it shares at least this many content words
GENERIC_HEADINGS = frozenset(
    {"information", "more information", "other", "others", "details", "more", "general", "misc", "text", "notes"}
)
ACTION_VERBS = _word_set(
    "ask avoid bring call check choose come consider contact dial drink eat follow get give go join keep "
    "learn let look make phone plan practice prepare put read record report schedule see seek share "
    "speak start stop take talk tell try use visit walk watch wear write"
)
FUNCTION_WORDS = _word_set(
    "a about above after again against all almost also although always am an and any are around as at be "
    "because been before being below between both but by can cannot could did do does doing don down "
    "during each either else even ever every few for from further had has have having he her here hers "
    "him his how however if in into is isn it its itself just least less like many may me might more "
    "most much must my near neither no nor not now of off often on once one only or other others our out "
    "over own per quite rather same shall she should so some sometimes such than that the their them "
    "then there these they this those though through thus to too under until up upon us usually very was "
    "we were what when where whether which while who whom whose why will with within without would yet "
    "you your yours"
)
_WORD = re.compile(r"[\w’'-]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_YOU = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
_OPENING = re.compile(r"^(?:(?:if|when|whenever|before|after|while|once|until)\b[^,]*,\s*)?", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:(?:always|never|please|also|do not|don’t|don't)\s+)*", re.IGNORECASE)
_MODAL = r"(?:\w+\s+)?(?:should|must|need to|needs to|have to|has to|can|could|may want to|might want to|will need to)"
_YOU_ACT = re.compile(rf"\byou\s+{_MODAL}\s+(\w+)", re.IGNORECASE)
_THEY_ACT = re.compile(rf"\b(?:the patient|patients|people|caregivers|families)\s+{_MODAL}\s+(\w+)", re.IGNORECASE)
_ADVISED = re.compile(
    r"\b(?:it is (?:also )?(?:important|best|helpful|a good idea|wise)|be sure|make sure|remember|try) to (\w+)",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(?:should|must|needs? to) be (?:\w+ly\s+)?\w+(?:ed|en)\b", re.IGNORECASE)
_TO_VERB = re.compile(r"\bto (\w+)\b.*\byour?\b", re.IGNORECASE)  # "Questions to ask your care team"


def score(filled: FilledSheet, undefined: Sequence[str] | None) -> PematScore:
    """Rate the machine-judged PEMAT-P items of one variant (the rules are in the module docstring).

    `undefined`: the glossary terms the sheet prints without defining them (`checks.undefined_terms`),
    or None when the project has no glossary to check against.
    """
    short = _very_short(filled)
    tables = _tables(filled)
    found = actions(filled)
    ratings = (
        _terms(filled, undefined),
        _chunking(filled, short),
        _headers(filled, short),
        _summary(filled, short),
        _cues(filled),
        _visual_aids(tables),
        _simple_tables(tables),
        _action(found),
        _direct(found),
        _steps(filled, found),
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


def own_sections(filled: FilledSheet) -> list[FilledSection]:
    """The sheet's own content as sections: its sections, then its urgent signs (`urgent:`) as one more, headed
    as the When to call box heads them. The signs print inside that shared box, but the sheet selected them."""
    urgent = [FilledSection(URGENT, filled.urgent)] if filled.urgent else []
    return [*filled.sections, *urgent]


def _urgent_part(filled: FilledSheet, section: FilledSection) -> bool:
    """Whether `section` is the sheet's urgent signs (`own_sections`), whose heading is the box's, not the sheet's."""
    return bool(filled.urgent) and section.groups == filled.urgent and section not in filled.sections


def chunks(filled: FilledSheet) -> int:
    """Paragraph-sized pieces the sheet's own content prints: each paragraph, list, table and piece of clinic
    text is one (its urgent signs, a list, are one more)."""
    count = 0
    for section in own_sections(filled):
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


def _quote(text: str, length: int = 60) -> str:
    """A text as a reason quotes it: whole, or cut at `length` characters with '…'."""
    return f"'{text}'" if len(text) <= length else f"'{text[: length - 1].rstrip()}…'"


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
    parts = own_sections(filled)
    if len(parts) < 2:
        return _rate(8, "disagree", "one section: the text is not broken into parts")
    longest = max(parts, key=_section_words)
    most = _section_words(longest)
    if most > CHUNK_WORDS:
        return _rate(8, "disagree", f"section '{longest.heading}' prints {most} words (over {CHUNK_WORDS})")
    urgent = " and its urgent signs" if filled.urgent else ""
    return _rate(
        8,
        "agree",
        f"{counted(len(filled.sections), 'section')}{urgent}, the longest {most} words (at most {CHUNK_WORDS})",
    )


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
    boxes += [URGENT] if filled.urgent else []
    printed = [" ".join(h.split()).casefold() for h in [*headings, *boxes]]
    repeated = [h for h in [*headings, *boxes] if printed.count(" ".join(h.split()).casefold()) > 1]
    if repeated:
        return _rate(9, "disagree", f"the heading '{repeated[0]}' prints twice")
    vague = [h for h in headings if generic(h)]
    if vague:
        return _rate(9, "disagree", f"heading '{vague[0]}' says nothing about its section")
    return _rate(9, "agree", f"all {len(headings)} sections have their own heading")


# --- Item 11: a summary that restates the sheet's points ---------------------------------------------


@functools.cache
def _stemmer() -> PorterStemmer:
    """NLTK's Porter stemmer: the published algorithm, no data to download (NLTK comes with textstat)."""
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def content_words(text: str) -> frozenset[str]:
    """The stems of `text`'s content words: function words (`FUNCTION_WORDS`) and single letters left out."""
    folded = (w for w in _LETTERS.findall(text.casefold()) if len(w) > 1 and w not in FUNCTION_WORDS)
    return frozenset(_stemmer().stem(w) for w in folded)


def points(section: FilledSection) -> list[str]:
    """What a section says, point by point: each sentence, list item and table row (lead-ins left out)."""
    found: list[str] = []
    for group in section.groups:
        texts = [group.clinic_text] if group.clinic_text is not None else []
        found += [s for t in texts for s in sentences(t)]
        for block in group.blocks:
            if block.kind == "paragraph":
                found += sentences(block.text)
            else:
                found.append(" ".join(block.cells) if block.kind == "row" else block.text)
    return [p for p in found if not p.rstrip().endswith(":")]


def _section_stems(section: FilledSection) -> frozenset[str]:
    """Everything a section prints that a summary may restate: its heading, text and table headings."""
    headers = [h for g in section.groups for h in g.table_header]
    return content_words(" ".join([section.heading, *points(section), *headers]))


def restates(point: str, section: FilledSection, topic: frozenset[str] = frozenset()) -> bool:
    """Whether `point` says again what `section` says: half its content words, and at least 2, are there.

    `topic`: the stems of the sheet's title, left out of both: "cancer" and "spread" are on every
    section of "How cancer spreads", so sharing them restates nothing.
    """
    mine = content_words(point) - topic
    shared = len(mine & _section_stems(section))
    return shared >= RESTATED_WORDS and 2 * shared >= len(mine)


@dataclass(frozen=True)
class Summary:
    """A first or last section judged as a summary: the sections it restates, or why it is not one."""

    section: FilledSection
    restated: tuple[str, ...]  # headings of the other sections its points restate
    problem: str | None  # None: it sums up


def summary(filled: FilledSheet) -> list[Summary]:
    """The first and the last section, each judged by the rule of item 11 (the module docstring)."""
    ends = [filled.sections[-1], filled.sections[0]] if len(filled.sections) > 1 else []
    topic = content_words(filled.sheet.title)
    return [_judge(end, [s for s in filled.sections if s is not end], topic) for end in ends]


def _judge(candidate: FilledSection, others: list[FilledSection], topic: frozenset[str]) -> Summary:
    """Whether `candidate` sums up `others`: each point restated, two sections covered, half their length."""
    said = points(candidate)
    if not said:
        return Summary(candidate, (), "it prints no point of its own")
    restated: list[str] = []
    for point in said:
        where = [s.heading for s in others if restates(point, s, topic)]
        if not where:
            return Summary(candidate, tuple(restated), f"{_quote(point, 50)} restates no other section")
        restated += [h for h in where if h not in restated]
    needed = min(2, len(others))
    if len(restated) < needed:
        return Summary(candidate, tuple(restated), f"restates only '{restated[0]}', not {needed} sections")
    length, rest = _section_words(candidate), sum(_section_words(s) for s in others)
    if length > SUMMARY_SHARE * rest:
        return Summary(candidate, tuple(restated), f"{length} words, over half of the other sections' {rest}")
    return Summary(candidate, tuple(restated), None)


def _summary(filled: FilledSheet, short: bool) -> Rating:
    if short:
        return _rate(11, "n/a", _very_short_reason(filled))
    judged = summary(filled)
    if not judged:
        return _rate(11, "disagree", "one section: there is nothing for a summary to restate")
    for found in judged:
        if found.problem is None:
            sums = " and ".join(f"'{h}'" for h in found.restated)
            return _rate(11, "agree", f"section '{found.section.heading}' restates the points of {sums}")
    why = "; ".join(f"'{j.section.heading}': {j.problem}" for j in judged)
    return _rate(11, "disagree", f"neither the first nor the last section sums up the others ({why})")


def _cues(filled: FilledSheet) -> Rating:
    groups = [g for s in filled.sections for g in s.groups]
    found = []
    if any(b.kind == "item" for g in groups for b in g.blocks):
        found.append("a list")
    if any(g.clinic_text is not None for g in groups):
        found.append("the care team's box")
    if found:
        return _rate(12, "agree", "its sections print " + " and ".join(found))
    if filled.urgent:  # a list of its own, set apart in the box (the box itself is shared)
        return _rate(12, "agree", f"its urgent signs print as a list under '{URGENT}'")
    return _rate(
        12, "disagree", "no list and no box in its sections (the shared boxes, on every sheet, are not counted)"
    )


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


# --- Items 20 to 22: the actions the sheet's own content asks of the reader ----------------------------


@dataclass(frozen=True)
class Action:
    """Something the sheet's own content asks the reader to do, and whether it says so to them."""

    text: str  # the sentence, list item (with its lead-in), heading or title
    direct: bool  # an imperative, or "you": the guide's "addresses the user directly"


@dataclass(frozen=True)
class SheetList:
    """A bulleted or numbered list a section prints, with the lead-in before it (ending in ':') if any."""

    section: FilledSection
    items: tuple[str, ...]
    lead_in: str | None


def action_in(sentence: str) -> Action | None:
    """The action `sentence` asks of the reader, if any (the patterns are in the module docstring)."""
    text = _PREFIX.sub("", _OPENING.sub("", sentence.strip()))
    first = (_LETTERS.findall(text.casefold()) or [""])[0]
    if first in ACTION_VERBS:
        return Action(sentence, True)
    if _verb_after(_YOU_ACT, sentence):
        return Action(sentence, True)
    if _verb_after(_ADVISED, sentence):
        return Action(sentence, bool(_YOU.search(sentence)))
    if _PASSIVE.search(sentence) or _verb_after(_THEY_ACT, sentence):
        return Action(sentence, False)
    return None


def _verb_after(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` matches `text` with an action verb as its group."""
    return any(m[1].casefold() in ACTION_VERBS for m in pattern.finditer(text))


def heading_action(heading: str) -> Action | None:
    """A title or heading that tells the reader what to do: 'Ask about ...', 'Questions to ask ...'."""
    first = (_LETTERS.findall(_PREFIX.sub("", heading.strip()).casefold()) or [""])[0]
    if first in ACTION_VERBS or _verb_after(_TO_VERB, heading):
        return Action(heading, True)
    return None


def lists(filled: FilledSheet) -> list[SheetList]:
    """Every list the sheet's own content prints: its sections', then its urgent signs (one list)."""
    found = [found for section in filled.sections for found in section_lists(section)]
    if filled.urgent:
        signs = tuple(text for group in filled.urgent for text in group.texts)
        found.append(SheetList(own_sections(filled)[-1], signs, None))
    return found


def section_lists(section: FilledSection) -> list[SheetList]:
    """The lists a section prints: each run of items from one passage, with the text just before it if a lead-in."""
    flat = _flat(section)
    found = []
    for start, (kind, _, group) in enumerate(flat):
        if kind != "item" or (start and flat[start - 1][0] == "item" and flat[start - 1][2] == group):
            continue  # not the first item of a list
        end = start
        while end < len(flat) and flat[end][0] == "item" and flat[end][2] == group:
            end += 1
        before = flat[start - 1] if start else None
        lead = before[1] if before and before[0] == "paragraph" and before[1].rstrip().endswith(":") else None
        found.append(SheetList(section, tuple(t for _, t, _ in flat[start:end]), lead))
    return found


def _flat(section: FilledSection) -> list[tuple[str, str, int]]:
    """A section's texts in print order as (kind, text, passage number); the care team's words as a paragraph."""
    flat = []
    for number, group in enumerate(section.groups):
        if group.clinic_text is not None:
            flat.append(("paragraph", group.clinic_text, number))
        flat += [(b.kind, b.text, number) for b in group.blocks]
    return flat


def _led(lead_in: str | None, item: str) -> str:
    """A list item as it reads after its lead-in: 'you can: Take walks' is 'you can Take walks'."""
    return f"{sentences(lead_in)[-1].rstrip().rstrip(':')} {item}" if lead_in else item


def actions(filled: FilledSheet) -> list[Action]:
    """Every action in the sheet's title, headings and sections' text; the shared boxes are not read."""
    found = [a for h in [filled.sheet.title, *(s.heading for s in filled.sections)] if (a := heading_action(h))]
    for text in _sentences(filled):
        action = action_in(text)
        if action is not None:
            found.append(action)
    return found


def _sentences(filled: FilledSheet) -> Iterator[str]:
    """Each sentence of the sections' paragraphs and care team's words, and each list item read after its lead-in;
    then each sentence of the sheet's urgent signs (each sign a list item of the box, with no lead-in)."""
    for section in filled.sections:
        yield from (s for kind, text, _ in _flat(section) if kind == "paragraph" for s in sentences(text))
        yield from (_led(found.lead_in, item) for found in section_lists(section) for item in found.items)
    yield from (s for group in filled.urgent for text in group.texts for s in sentences(text))


def _action(found: list[Action]) -> Rating:
    if not found:
        return _rate(
            20, "disagree", "its own content asks the reader to do nothing (the shared When to call box is not counted)"
        )
    return _rate(20, "agree", f"{counted(len(found), 'action')}, the first {_quote(found[0].text)}")


def _direct(found: list[Action]) -> Rating:
    if not found:
        return _rate(21, "disagree", "no action in its own content")
    indirect = [a for a in found if not a.direct]
    if indirect:
        return _rate(21, "disagree", f"does not say it to the reader: {_quote(indirect[0].text)}")
    return _rate(21, "agree", f"every action is said to the reader ({counted(len(found), 'action')})")


def _steps(filled: FilledSheet, found: list[Action]) -> Rating:
    if not found:
        return _rate(22, "disagree", "no action in its own content to break down")
    stepped = [s for s in lists(filled) if len(s.items) >= 2 and _steps_of_action(filled, s)]
    fine = [s for s in stepped if all(words([item]) <= STEP_WORDS for item in s.items)]
    if fine:
        where = fine[0].section.heading
        return _rate(
            22, "agree", f"a list of {len(fine[0].items)} steps under '{where}', each at most {STEP_WORDS} words"
        )
    if stepped:
        longest = max(stepped[0].items, key=lambda t: words([t]))
        return _rate(22, "disagree", f"the step {_quote(longest)} is over {STEP_WORDS} words")
    return _rate(22, "disagree", "no action is broken into a list of steps")


def _steps_of_action(filled: FilledSheet, found: SheetList) -> bool:
    """Whether a list gives an action's steps: its items are actions, or its lead-in, heading or (write-in) title is one."""
    if all(action_in(_led(found.lead_in, item)) for item in found.items):
        return True
    if found.lead_in and action_in(found.lead_in):
        return True
    if heading_action(found.section.heading) and not _urgent_part(filled, found.section):  # the box's heading: shared
        return True
    return found.section.write_in and heading_action(filled.sheet.title) is not None


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
