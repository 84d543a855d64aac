"""`factsheets report`: one table of every variant's checks, for the terminal and out/report.html."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factsheets.checks import VariantCheck
from factsheets.lock import Lock
from factsheets.output import write_atomic
from factsheets.pemat import ADEQUATE, FOR_A_PERSON, SCALES, PematScore
from factsheets.project import Project
from factsheets.templating import template_problems


def print_table(checks: list[VariantCheck], today: dt.date, console: Console) -> None:
    table = Table(
        title=f"Content checks, {today.isoformat()}",
        caption=(
            "prose FK, SMOG: reading grades of the prose alone; not prose: table rows and short list items, left "
            f"out of them. PEMAT U/A: understandability / actionability on the items a machine can rate, '!' under "
            f"{ADEQUATE:g}% (items and reasons in out/report.html)"
        ),
        show_lines=False,
    )
    columns = ("sheet/variant", "prose FK", "SMOG", "prose words", "not prose", "PEMAT U/A", "sources (review)")
    for column in (*columns, "quoted", "lock", "warnings"):
        table.add_column(column)
    for c in checks:
        table.add_row(
            c.name,
            f"{c.reading.flesch_kincaid:.1f}",
            f"{c.reading.smog:.1f}",
            str(c.reading.words),
            not_prose(c),
            pemat_cell(c.pemat),
            ", ".join(f"{r.source.id} ({'overdue' if r.overdue(today) else 'ok'})" for r in c.reviews),
            ", ".join(f"{k}: {v}" for k, v in c.quoted.items()) or "-",
            _lock_status(c),
            str(len(c.warnings)),
        )
    console.print(table)


def approval(lock: Lock | None) -> str:
    """Who approved the sheets' text, and when, in one line for the report."""
    if lock is None:
        return "Not approved: there is no lock file (run 'factsheets lock --approved-by NAME')."
    if lock.approved_on is None:
        return (
            "The lock file records the text but names no approver (as shipped, or from before approvals were "
            "named): approve it with 'factsheets lock --approved-by NAME'."
        )
    return f"Approved by {lock.approved_by} on {lock.approved_on.isoformat()}."


def not_prose(check: VariantCheck) -> str:
    """What the reading grades leave out: table rows and short list items ('8 rows, 2 short items', or '-')."""
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((check.reading.table_rows, "row"), (check.reading.short_items, "short item"))
        if n
    ]
    return ", ".join(parts) or "-"


def percent(value: float | None) -> str:
    """A PEMAT score as printed: '86%', or '-' when a machine could rate no item."""
    return "-" if value is None else f"{value:.0f}%"


def pemat_cell(score: PematScore) -> str:
    """Understandability / actionability, each flagged '!' under 70%: '67%! / 100%'."""
    return " / ".join(percent(score.percent(scale)) + ("!" if score.under(scale) else "") for scale in SCALES)


def _lock_status(check: VariantCheck) -> str:
    if check.lock is None:
        return "ok"
    return "changed" if check.lock.approved else "not approved"


def write_html(project: Project, checks: list[VariantCheck], today: dt.date, lock: Lock | None) -> Path:
    """out/report.html, from the clinic's report.html if it has one; returns where it was written."""
    with template_problems():
        html = (
            project.environment()
            .get_template("report.html")
            .render(
                checks=checks,
                today=today,
                approval=approval(lock),
                for_a_person=FOR_A_PERSON,  # the same for every variant: listed once
                adequate=f"{ADEQUATE:g}",
            )
        )
    path = project.out_dir / "report.html"
    write_atomic(path, html.encode())
    return path
