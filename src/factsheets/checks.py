"""Content safety, per sheet variant: reading level, review dates, words quoted, approval.

Everything here produces warnings (plain sentences); `--strict` turns them into failures for
clinics that gate their builds. `today` is a parameter so review dates can be tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from factsheets.clinic import Clinic
from factsheets.common import Glossary
from factsheets.corpus import SourceMeta
from factsheets.lock import Lock, LockChange, differences
from factsheets.pemat import PematScore, score, words
from factsheets.periods import after
from factsheets.project import Content, Project, load_content
from factsheets.readability import Reading, reading
from factsheets.select import WORDS_TO_KNOW, FilledSheet

DEFAULT_REVIEW_YEARS = 3


@dataclass(frozen=True)
class SourceReview:
    source: SourceMeta
    due: dt.date | None  # None: the page states no review date

    def overdue(self, today: dt.date) -> bool:
        return self.due is None or today > self.due


@dataclass
class VariantCheck:
    name: str  # sheet/variant
    reading: Reading
    target: float
    reviews: list[SourceReview]
    quoted: dict[str, int]  # copyrighted source id -> words quoted
    lock: LockChange | None  # None: matches the lock file (or there is none)
    pemat: PematScore  # the PEMAT-P items a machine can rate (see pemat.py)
    warnings: list[str] = field(default_factory=list)


def review_due(meta: SourceMeta) -> dt.date | None:
    """`reviewed` plus `review_every` (or the default three years)."""
    reviewed = meta.reviewed_date
    return None if reviewed is None else after(reviewed, meta.review_every or f"{DEFAULT_REVIEW_YEARS} years")


def approval_expired(lock: Lock | None, clinic: Clinic, today: dt.date) -> str | None:
    """A warning when the clinic's `approval_valid_for` has run out since the lock was approved."""
    if lock is None or lock.approved_on is None:
        return None
    until = clinic.approval_until(lock.approved_on)
    if until is None or today <= until:
        return None
    return (
        f"approved on {lock.approved_on.isoformat()} by {lock.approved_by or 'an unnamed approver'}; the approval "
        f"ran out on {until.isoformat()} (approval_valid_for: {clinic.approval_valid_for}): review and lock again"
    )


def quoted_words(filled: FilledSheet) -> dict[str, int]:
    """Words printed from each copyrighted source (table cells and list items included)."""
    counts: dict[str, int] = {}
    for _, group in filled.printed():
        if group.citation and group.citation.source.license == "copyrighted":
            counts[group.citation.source.id] = counts.get(group.citation.source.id, 0) + words(group.texts)
    return counts


def undefined_terms(filled: FilledSheet, glossary: Glossary) -> list[str]:
    """Glossary terms the sheet prints without defining them in its "Words to know"."""
    defined = {w.term.casefold() for w in filled.words}
    text = "\n".join(t for heading, g in filled.printed() if not heading.startswith(WORDS_TO_KNOW) for t in g.texts)
    return [t.term for t in glossary.terms if t.term.casefold() not in defined and t.used_in(text)]


def check_variant(
    filled: FilledSheet, clinic: Clinic, today: dt.date, lock: LockChange | None, glossary: Glossary | None = None
) -> VariantCheck:
    glossary = glossary or Glossary()
    undefined = undefined_terms(filled, glossary)
    result = VariantCheck(
        filled.variant.key,
        reading(g for _, g in filled.printed()),  # the prose of everything printed; tables and short items apart
        filled.sheet.reading_grade_target,
        [SourceReview(src, review_due(src)) for src in filled.sources],
        quoted_words(filled),
        lock,
        score(filled, undefined if glossary.terms else None),
    )
    if result.reading.flesch_kincaid > result.target:
        result.warnings.append(
            f"reading grade {result.reading.flesch_kincaid:.1f} (Flesch-Kincaid, on the prose) is over the "
            f"target of {result.target:g}"
        )
    for review in result.reviews:
        if review.due is None:
            result.warnings.append(f"source {review.source.id} states no review date")
        elif review.overdue(today):
            result.warnings.append(f"source {review.source.id} was due for review on {review.due.isoformat()}")
    limit = clinic.quote_word_limit
    for source_id, quoted in result.quoted.items():
        if limit is not None and quoted > limit:
            result.warnings.append(f"quotes {quoted} words from {source_id}, over the clinic's limit of {limit}")
    for term in undefined:
        result.warnings.append(f"uses '{term}' without defining it: add it to the sheet's words_to_know")
    if filled.when_to_call is None:
        result.warnings.append("prints no call to action: sheets/common/when-to-call.yaml is missing")
    result.warnings += result.pemat.warnings()  # under 70% understandable or actionable: a failure under --strict
    if lock is not None:
        result.warnings.append(lock.warning)
    return result


def check_all(
    fills: list[FilledSheet], clinic: Clinic, today: dt.date, lock: Lock | None, glossary: Glossary | None = None
) -> list[VariantCheck]:
    diffs = differences(lock, fills)
    checks = [check_variant(f, clinic, today, diffs.get(f.variant.key), glossary) for f in fills]
    expired = approval_expired(lock, clinic, today)
    if expired:
        for check in checks:
            if check.lock is None:  # approved as printed, but too long ago
                check.warnings.append(expired)
    return checks


def assess(project: Project, today: dt.date, content: Content | None = None) -> list[VariantCheck]:
    """Every variant of every sheet, checked against the clinic's rules and the lock file."""
    content = content or load_content(project)
    return check_all(content.fill_all(), project.clinic, today, content.lock, content.common.glossary)
