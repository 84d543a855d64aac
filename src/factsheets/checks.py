"""Content safety, per sheet variant: reading level, review dates, words quoted, approval.

Everything here produces warnings (plain sentences); `--strict` turns them into failures for
clinics that gate their builds. `today` is a parameter so review dates can be tested.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from factsheets.clinic import Clinic
from factsheets.corpus import SourceMeta
from factsheets.lock import Approved, LockChange, differences, read_lock
from factsheets.project import Content, Project, load_content
from factsheets.readability import Reading, reading
from factsheets.select import FilledSheet

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
    warnings: list[str] = field(default_factory=list)


def review_due(meta: SourceMeta) -> dt.date | None:
    """`reviewed` plus `review_every` (or the default three years)."""
    reviewed = meta.reviewed_date
    if reviewed is None:
        return None
    amount, unit = (meta.review_every or f"{DEFAULT_REVIEW_YEARS} years").split()
    months = int(amount) * (12 if unit.startswith("year") else 1)
    year, month = divmod(reviewed.month - 1 + months, 12)
    year, month = reviewed.year + year, month + 1
    return dt.date(year, month, min(reviewed.day, calendar.monthrange(year, month)[1]))


def quoted_words(filled: FilledSheet) -> dict[str, int]:
    """Words printed from each copyrighted source (table cells and list items included)."""
    counts: dict[str, int] = {}
    for section in filled.sections:
        for group in section.groups:
            if group.citation and group.citation.source.license == "copyrighted":
                words = sum(len(re.findall(r"[\w’'-]+", text)) for text in group.texts)
                counts[group.citation.source.id] = counts.get(group.citation.source.id, 0) + words
    return counts


def check_variant(filled: FilledSheet, clinic: Clinic, today: dt.date, lock: LockChange | None) -> VariantCheck:
    blocks = [text for s in filled.sections for g in s.groups for text in g.texts]
    result = VariantCheck(
        filled.variant.key,
        reading(blocks),
        filled.sheet.reading_grade_target,
        [SourceReview(src, review_due(src)) for src in filled.sources],
        quoted_words(filled),
        lock,
    )
    if result.reading.flesch_kincaid > result.target:
        result.warnings.append(
            f"reading grade {result.reading.flesch_kincaid:.1f} (Flesch-Kincaid) is over the "
            f"target of {result.target:g}"
        )
    for review in result.reviews:
        if review.due is None:
            result.warnings.append(f"source {review.source.id} states no review date")
        elif review.overdue(today):
            result.warnings.append(f"source {review.source.id} was due for review on {review.due.isoformat()}")
    limit = clinic.quote_word_limit
    for source_id, words in result.quoted.items():
        if limit is not None and words > limit:
            result.warnings.append(f"quotes {words} words from {source_id}, over the clinic's limit of {limit}")
    if lock is not None:
        result.warnings.append(lock.warning)
    return result


def check_all(fills: list[FilledSheet], clinic: Clinic, today: dt.date, lock: Approved | None) -> list[VariantCheck]:
    diffs = differences(lock, fills)
    return [check_variant(f, clinic, today, diffs.get(f.variant.key)) for f in fills]


def assess(project: Project, today: dt.date, content: Content | None = None) -> list[VariantCheck]:
    """Every variant of every sheet, checked against the clinic's rules and the lock file."""
    content = content or load_content(project)
    return check_all(content.fill_all(), project.clinic, today, read_lock(project.sheets_dir))
