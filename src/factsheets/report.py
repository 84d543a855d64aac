"""`factsheets report`: one table of every variant's checks, for the terminal and out/report.html."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factsheets.checks import VariantCheck
from factsheets.output import write_atomic
from factsheets.project import Project
from factsheets.templating import template_problems


def print_table(checks: list[VariantCheck], today: dt.date, console: Console) -> None:
    table = Table(title=f"Content checks, {today.isoformat()}", show_lines=False)
    for column in ("sheet/variant", "FK grade", "SMOG", "words", "sources (review)", "quoted", "lock", "warnings"):
        table.add_column(column)
    for c in checks:
        table.add_row(
            c.name,
            f"{c.reading.flesch_kincaid:.1f}",
            f"{c.reading.smog:.1f}",
            str(c.reading.words),
            ", ".join(f"{r.source.id} ({'overdue' if r.overdue(today) else 'ok'})" for r in c.reviews),
            ", ".join(f"{k}: {v}" for k, v in c.quoted.items()) or "-",
            _lock_status(c),
            str(len(c.warnings)),
        )
    console.print(table)


def _lock_status(check: VariantCheck) -> str:
    if check.lock is None:
        return "ok"
    return "changed" if check.lock.approved else "not approved"


def write_html(project: Project, checks: list[VariantCheck], today: dt.date) -> Path:
    """out/report.html, from the clinic's report.html if it has one; returns where it was written."""
    with template_problems():
        html = project.environment().get_template("report.html").render(checks=checks, today=today)
    path = project.out_dir / "report.html"
    write_atomic(path, html.encode())
    return path
