"""`factsheets report`: every variant's checks, for the terminal, for scripts (JSON) and in out/report.html.

The meters are the sheet's own: its reading grade is computed on the prose its sections select,
its words are its sections' words, and PEMAT credits only its own content. The shared boxes every
sheet prints ("Words to know", "When to call") are graded apart and shown beside, never averaged
in (see quality.readability and quality.pemat).

The terminal layout is built to be read at 80 columns and when piped (rich then uses 80 columns,
or COLUMNS): a variant's id is never cut short, since it is what a content lead searches for.
Each variant gets a block of short labelled lines, the sources' review dates follow once (they
belong to the source, not the variant), and a table of six narrow columns comes last, so in a
terminal the overview is what stays on screen.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from factsheets.errors import counted
from factsheets.files import write_atomic
from factsheets.project import Project
from factsheets.quality.checks import SourceReview, VariantCheck
from factsheets.quality.pemat_form import ADEQUATE, FOR_A_PERSON, SCALES, PematScore
from factsheets.quality.readability import Reading
from factsheets.selection.approval import Approval, Lock
from factsheets.templating import template_problems

# No outer border, two spaces between columns: ids up to 35 characters and five short columns fit 80.
NARROW: dict[str, Any] = {
    "box": box.SIMPLE_HEAD,
    "show_edge": False,
    "pad_edge": False,
    "collapse_padding": True,
    "title_justify": "left",
    "caption_justify": "left",
}
OVERVIEW = ("sheet/variant", "FK", "words", "PEMAT U/A", "lock", "warnings")
_LOCK = OVERVIEW.index("lock")  # the one column that may wrap ("not approved")
_GAP = 2  # between columns: a space for the (blank) divider and one of padding


def print_report(checks: list[VariantCheck], today: dt.date, lock: Lock | None, console: Console) -> None:
    """The whole terminal report: each variant, the sources, the overview table, the approval.

    Captured and written line by line without the spaces rich pads table cells to their column's
    width with, so that a report saved to a file or pasted into a message carries none.
    """
    with console.capture() as captured:
        _print_sections(checks, today, lock, console)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _print_sections(checks: list[VariantCheck], today: dt.date, lock: Lock | None, console: Console) -> None:
    console.print(Text(f"Content checks, {today.isoformat()}: {len(checks)} sheet variants", style="bold"))
    console.print()
    for check in checks:
        print_variant(check, console)
    print_sources(checks, today, console)
    console.print()
    print_table(checks, today, console)
    console.print()
    console.print(approval(checks, lock))


def print_variant(check: VariantCheck, console: Console) -> None:
    """One variant's block: its id on a line of its own (whole at any width), then labelled detail."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")  # a source id longer than the line breaks rather than being cut short
    for label, lines in detail(check).items():
        for n, line in enumerate(lines):
            grid.add_row(label if n == 0 else "", line)
    console.print(Text(check.name, style="bold"), overflow="fold")
    console.print(Padding(grid, (0, 0, 1, 2), expand=False))


def detail(check: VariantCheck) -> dict[str, list[str]]:
    """A variant's detail lines under their labels, each line short enough for 80 columns as a rule."""
    r = check.reading
    reading = [f"own prose: FK {grade_cell(check)} (target {check.target:g}), SMOG {r.smog:.1f}, {r.words} words"]
    if r.table_rows or r.short_items:
        reading.append(f"not graded: {not_prose(check)}; {r.total_words} own words in all")
    if check.shared is not None:
        reading.append(f"shared boxes, apart: {shared_cell(check.shared)}")
    return {
        "reading": reading,
        "PEMAT": pemat_lines(check.pemat),
        "sources": [source_line(check, review) for review in check.reviews],
        "approval": [approval_line(check)],
        "warnings": [str(w) for w in check.warnings] or ["none"],
    }


def print_sources(checks: list[VariantCheck], today: dt.date, console: Console) -> None:
    """Each source once, soonest due first: a review is done per source, whichever variants use it."""
    table = Table(title="Sources", **NARROW)
    table.add_column("source", no_wrap=True, overflow="fold")
    table.add_column("review due")
    table.add_column("status", no_wrap=True)
    table.add_column("variants", justify="right")
    for review, used_by in sorted(_sources(checks).values(), key=lambda pair: _due_order(pair[0])):
        table.add_row(
            review.source.id,
            review.due.isoformat() if review.due else "no date",
            Text("overdue", style="red") if review.overdue(today) else "ok",
            str(used_by),
        )
    console.print(table)


def print_table(checks: list[VariantCheck], today: dt.date, console: Console) -> None:
    """The overview: one row per variant in six narrow columns, the id never cut short.

    The id comes first, whole on its line: up to 35 characters fit beside the figures at 80 columns.
    When one is too long for that, the id column goes last instead, where it folds onto a second
    line, rather than the figures being squeezed out (rich would otherwise cut them to "…").
    """
    rows = [overview_row(c) for c in checks]
    names_last = narrowest(rows) > console.options.max_width
    table = Table(
        title=f"Overview, {today.isoformat()}",
        caption=(
            "FK: reading grade of the sheet's own prose (the shared boxes graded apart, above), '!' over its "
            "target. words: its sections' words. PEMAT U/A: understandability / actionability on the items a "
            f"machine can rate, credited from the sheet's own content only, '!' under {ADEQUATE:g}%. Details above; "
            "every PEMAT item and reason in out/report.html."
        ),
        **NARROW,
    )
    order = [*range(1, len(OVERVIEW)), 0] if names_last else list(range(len(OVERVIEW)))
    for i in order:
        table.add_column(
            OVERVIEW[i],
            justify="left" if i in (0, 3, _LOCK) else "right",
            no_wrap=i != _LOCK and not (i == 0 and names_last),
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(row[i] for i in order))
    console.print(table)


def overview_row(check: VariantCheck) -> tuple[str, ...]:
    """A variant's cells in the overview, in `OVERVIEW`'s order."""
    return (
        check.name,
        grade_cell(check),
        str(check.reading.total_words),
        pemat_cell(check.pemat),
        lock_status(check),
        str(len(check.warnings)),
    )


def narrowest(rows: list[tuple[str, ...]]) -> int:
    """The width the overview needs with the id first: every cell on one line but the lock's."""
    widths = [
        max(len(word) for cell in cells for word in cell.split()) if i == _LOCK else max(map(len, cells))
        for i, cells in enumerate(zip(OVERVIEW, *rows, strict=True))
    ]
    return sum(widths) + _GAP * (len(widths) - 1)


def report_data(checks: list[VariantCheck], today: dt.date, lock: Lock | None) -> dict[str, Any]:
    """The report for scripts (`factsheets report --format json`): plain JSON values, keys stable.

    - `date`: the date reviews were checked against (YYYY-MM-DD).
    - `approval`: the sentence the terminal report ends with (how many variants are approved as
      they print, by whom and when).
    - `variants`, in build order, each:
      - `name` ("where-it-spreads/breast"), `sheet` ("where-it-spreads"), `variant` ("breast", or "general");
      - `reading`, of the sheet's own prose (its sections; not the shared boxes): `flesch_kincaid`,
        `smog` (unrounded), `target` (the sheet's Flesch-Kincaid target), `words` (of the prose),
        `words_per_sentence`, `long_word_share` (0-1), `table_rows`, `short_items` (left out of
        the grades), `total_words` (the sheet's own words: prose, rows and short items);
      - `shared_boxes`: the same grades and counts of what the shared "Words to know" and "When
        to call" boxes print, graded apart (null if not computed);
      - `pemat`: `understandability` and `actionability`, each `percent` (0-100, null when a machine
        could rate no item), `rated` (items rated), `missed` (item numbers disagreed), credited
        from the sheet's own content only;
      - `sources`: each `id`, `reviewed` (as the source states it: "2025-03" or "2025-03-01", or
        null), `due` (YYYY-MM-DD, null when no review date is stated), `overdue` (true also when
        there is no date);
      - `quoted`: id of a source whose licence limits quoting -> words printed from it;
      - `lock`: "ok", "changed" or "not approved";
      - `approved_by`, `approved_on` (YYYY-MM-DD): the variant's own approval in the lock file (null
        when it has none); it holds only while `lock` is "ok";
      - `warnings`: the warnings as sentences (as `check` prints them).

    Nothing about a patient is in the checks, so nothing personal is written.
    """
    return {
        "date": today.isoformat(),
        "approval": approval(checks, lock),
        "variants": [_variant_data(c, today) for c in checks],
    }


def _variant_data(check: VariantCheck, today: dt.date) -> dict[str, Any]:
    sheet, _, variant = check.name.partition("/")
    return {
        "name": check.name,
        "sheet": sheet,
        "variant": variant,
        "reading": {**_reading_data(check.reading), "target": check.target},
        "shared_boxes": _reading_data(check.shared) if check.shared is not None else None,
        "pemat": {
            scale: {
                "percent": check.pemat.percent(scale),
                "rated": len(check.pemat.rated(scale)),
                "missed": check.pemat.missed(scale),
            }
            for scale in SCALES
        },
        "sources": [_source_data(review, today) for review in check.reviews],
        "quoted": dict(check.quoted),
        "lock": lock_status(check),
        "approved_by": check.approval.by if check.approval else None,
        "approved_on": check.approval.on.isoformat() if check.approval else None,
        "warnings": [str(w) for w in check.warnings],  # the sentences alone
    }


def _reading_data(r: Reading) -> dict[str, Any]:
    return {
        "flesch_kincaid": r.flesch_kincaid,
        "smog": r.smog,
        "words": r.words,
        "words_per_sentence": r.words_per_sentence,
        "long_word_share": r.long_word_share,
        "table_rows": r.table_rows,
        "short_items": r.short_items,
        "total_words": r.total_words,
    }


def _source_data(review: SourceReview, today: dt.date) -> dict[str, Any]:
    return {
        "id": review.source.id,
        "reviewed": review.source.reviewed,
        "due": review.due.isoformat() if review.due else None,
        "overdue": review.overdue(today),
    }


def approval(checks: list[VariantCheck], lock: Lock | None) -> str:
    """How many variants print what was approved, by whom and when, in one line for the report."""
    if lock is None:
        return "Not approved: there is no lock file (run 'factsheets lock --approved-by NAME')."
    if not any(c.approval for c in checks):
        return (
            "The lock file records the text but names no approver (as shipped, or from before approvals were "
            "named): approve a sheet with 'factsheets lock SHEET --approved-by NAME', or every sheet without SHEET."
        )
    held = Counter((a.on, a.by or "an unnamed approver") for a in _holding(checks))
    by = "; ".join(f"{n} by {who} on {on.isoformat()}" for (on, who), n in sorted(held.items(), reverse=True))
    approved = f"Approved as they print: {sum(held.values())} of {counted(len(checks), 'variant')}"
    return f"{approved} ({by})." if by else f"{approved}; each variant's approval and what changed is above."


def approval_line(check: VariantCheck) -> str:
    """A variant's own approval, and whether it still holds: 'approved on 2026-06-01 by Committee'."""
    said = str(check.approval) if check.approval else "not approved (no approver named)"
    if check.lock is None:
        return said
    if check.lock.voided:
        return f"{said}; voided: {check.lock.voided}"
    return f"{said}; the printed text has changed since" if check.lock.approved else "not approved"


def _holding(checks: list[VariantCheck]) -> list[Approval]:
    """The approvals that hold: of the variants that print exactly what was approved."""
    return [c.approval for c in checks if c.approval is not None and c.lock is None]


def not_prose(check: VariantCheck) -> str:
    """What the reading grades leave out: table rows and short list items ('8 rows, 2 short items', or '-')."""
    parts = [
        counted(n, word)
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


def grade_cell(check: VariantCheck) -> str:
    """The Flesch-Kincaid grade of the sheet's own prose, flagged '!' over the sheet's target: '8.4!'."""
    grade = check.reading.flesch_kincaid
    return f"{grade:.1f}" + ("!" if grade > check.target else "")


def shared_cell(shared: Reading) -> str:
    """The shared boxes' grades and words, never flagged: they are not the sheet's ('FK 5.8, SMOG 8.1, 49 words')."""
    return f"FK {shared.flesch_kincaid:.1f}, SMOG {shared.smog:.1f}, {shared.words} words"


def pemat_lines(score: PematScore) -> list[str]:
    """Each scale with how many items a machine rated and which it did not meet, '!' under 70%."""
    lines = []
    for scale in SCALES:
        missed = score.missed(scale)
        flag = "!" if score.under(scale) else ""
        rated = len(score.rated(scale))
        lines.append(
            f"{scale} {percent(score.percent(scale))}{flag} of {counted(rated, 'item')}"
            + (f" (not met: {', '.join(map(str, missed))})" if missed else "")
        )
    return lines


def source_line(check: VariantCheck, review: SourceReview) -> str:
    """A source the variant prints from: the words quoted from it when its licence limits quoting, else its licence."""
    source = review.source
    if not source.licence.limits_quotes:
        return f"{source.id}: {source.licence.label}"
    return f"{source.id}: {check.quoted.get(source.id, 0)} words quoted"


def _sources(checks: list[VariantCheck]) -> dict[str, tuple[SourceReview, int]]:
    """Each source once, with how many variants use it."""
    found: dict[str, tuple[SourceReview, int]] = {}
    for check in checks:
        for review in check.reviews:
            found[review.source.id] = (review, found.get(review.source.id, (review, 0))[1] + 1)
    return found


def _due_order(review: SourceReview) -> tuple[bool, dt.date, str]:
    """No date first (it counts as overdue), then the soonest due."""
    return (review.due is not None, review.due or dt.date.min, review.source.id)


def lock_status(check: VariantCheck) -> str:
    """How the variant's printed text stands against the lock file: "ok", "changed" or "not approved"."""
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
                approval=approval(checks, lock),
                for_a_person=FOR_A_PERSON,  # the same for every variant: listed once
                adequate=f"{ADEQUATE:g}",
            )
        )
    path = project.out_dir / "report.html"
    write_atomic(path, html.encode())
    return path
