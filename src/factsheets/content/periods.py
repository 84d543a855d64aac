"""Periods such as '3 years' or '6 months': how long a source's review or a committee's approval lasts."""

from __future__ import annotations

import calendar
import datetime as dt

from factsheets.errors import counted

PATTERN = r"^\d+ (months?|years?)$"  # as sources' `review_every` and clinic.yaml's `approval_valid_for` write it


def after(start: dt.date, period: str) -> dt.date:
    """`start` plus `period` ('3 years', '6 months'): the same day, or the month's last when it has none."""
    amount, unit = period.split()
    months = int(amount) * (12 if unit.startswith("year") else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def between(start: dt.date, end: dt.date) -> str:
    """How long from `start` to `end` as a person says it: '12 days', '5 months', '2 years 1 month'."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months < 1:
        return counted((end - start).days, "day")
    years, months = divmod(months, 12)
    return " ".join(counted(n, unit) for n, unit in ((years, "year"), (months, "month")) if n)
