"""What changed between two printings of a variant, sentence by sentence.

A committee reviews sentences, not passages: a passage shown as one long line hides the one
sentence that changed in it. `compare` lines up the printed sentences of each version under the
passage they print in, and pairs a removed sentence with an added one as "changed" when they are
mostly the same words (a publisher's edit). The lock's diff (`check --verbose`, the report) and a
re-capture's impact (`selection.impact`) both show changes this way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from factsheets.selection.sentences import sentences

SIMILAR = 0.6  # share of words two sentences must have in common to be one sentence edited, not two


@dataclass(frozen=True)
class Printed:
    """One printed passage as the comparison sees it: where it prints, and its text."""

    where: str  # e.g. "What treatment can do [nci-metastatic-cancer > Treatment for Metastatic Cancer]"
    text: str


@dataclass(frozen=True)
class SentenceChange:
    """One sentence removed, added, or changed (edited in place), in the passage it prints in."""

    kind: Literal["removed", "added", "changed"]
    where: str
    old: str = ""  # removed or changed: the sentence as it was
    new: str = ""  # added or changed: the sentence as it is now


def similar(old: str, new: str) -> bool:
    """Whether `new` reads as `old` edited rather than as another sentence."""
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() >= SIMILAR


def compare(then: Sequence[Printed], now: Sequence[Printed]) -> list[SentenceChange]:
    """The sentences removed, added and changed from `then` to `now`, in reading order."""
    old, new = _sentences(then), _sentences(now)
    changes: list[SentenceChange] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes += _replaced(old[i1:i2], new[j1:j2])
    return changes


def _sentences(printed: Sequence[Printed]) -> list[tuple[str, str]]:
    return [(p.where, sentence) for p in printed for sentence in sentences(p.text) or [p.text]]


def _replaced(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> Iterator[SentenceChange]:
    """A run of removed sentences and the run that took its place: each old sentence paired, in
    order, with the next new one in the same passage that reads as it edited; the rest removed or added."""
    j = 0
    for where, was in old:
        match = next((k for k in range(j, len(new)) if new[k][0] == where and similar(was, new[k][1])), None)
        if match is None:
            yield SentenceChange("removed", where, old=was)
            continue
        for added_where, added in new[j:match]:
            yield SentenceChange("added", added_where, new=added)
        yield SentenceChange("changed", where, was, new[match][1])
        j = match + 1
    for where, added in new[j:]:
        yield SentenceChange("added", where, new=added)


def lines(changes: Sequence[SentenceChange], indent: str = "  ") -> list[str]:
    """The changes for people: each passage's heading once, then a line per sentence."""
    shown: list[str] = []
    where = None
    for change in changes:
        if change.where != where:
            where = change.where
            shown.append(where)
        if change.kind == "changed":
            shown += [f"{indent}changed: {change.old}", f"{indent}    now: {change.new}"]
        else:
            shown.append(f"{indent}{change.kind + ':':<8} {change.old or change.new}")
    return shown
