"""A paragraph's sentences, cut where the publisher's own punctuation ends them, and typographic tidying.

Sentence-level selection keeps or drops whole sentences of a source's paragraph or list item,
never words inside one: what prints is still the publisher's text, verbatim. pysbd finds the
boundaries (it knows "e.g." and "Dr." do not end a sentence) and, with `clean=False`, returns
the text unchanged, so the kept sentences are exact substrings of the source.

Typography is the one change allowed to a source's words: straight quotes become curly ones,
a spaced hyphen becomes an en dash, a double (or triple) hyphen an em dash, and runs of spaces become one. Sources mix
both styles; a sheet should not. Every change is recorded (see `lock`), so nothing is hidden.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd


def sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, each exactly as written (spaces around them trimmed)."""
    return list(_segmented(text))


@functools.lru_cache(maxsize=4096)
def _segmented(text: str) -> tuple[str, ...]:
    """Kept per text: a build fills 27 variants, most quoting the same paragraphs (pysbd takes ~1 ms each)."""
    return tuple(part.strip() for part in _segmenter().segment(text) if part.strip())


@functools.cache
def _segmenter() -> pysbd.Segmenter:
    """Made on first use: commands that select nothing (`list`) do not load pysbd."""
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


_OPENING = r"(^|(?<=[\s(\[{\u2014\u2013-]))"  # a quote here opens; elsewhere it closes or is an apostrophe


def tidy(text: str) -> str:
    """Curly quotes and apostrophes, en dashes for spaced hyphens, single spaces."""
    text = " ".join(text.split())
    text = re.sub(_OPENING + '"', "\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(_OPENING + "'", "\u2018", text)
    text = text.replace("'", "\u2019")
    text = re.sub(r"-{2,3}", "\u2014", text)  # a double or triple hyphen: a dash
    return re.sub(r" - ", " \u2013 ", text)


Pick = int | str  # a sentence's 1-based position in its paragraph, or a phrase it contains


def picked(position: int, sentence: str, picks: list[Pick]) -> bool:
    """Whether `sentence`, at `position` in its paragraph, is one of `picks` (phrases in any case)."""
    folded = tidy(sentence).casefold()  # a phrase copied from `show` (tidied) or from the source matches alike
    return any(p == position if isinstance(p, int) else tidy(p).casefold() in folded for p in picks)


def split_by(text: str, keep: list[Pick] | None, drop: list[Pick] | None) -> tuple[list[str], list[str]]:
    """The sentences of `text` that print (in `keep`, or all; and not in `drop`) and those left out."""
    kept: list[str] = []
    left_out: list[str] = []
    for position, sentence in enumerate(sentences(text), start=1):
        wanted = (keep is None or picked(position, sentence, keep)) and not (drop and picked(position, sentence, drop))
        (kept if wanted else left_out).append(sentence)
    return kept, left_out
