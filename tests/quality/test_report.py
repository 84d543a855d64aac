"""`factsheets report` reads at 80 columns and piped (no variant id cut short), and `--format json` agrees with the checks."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import scratch_copy, variant_keys
from rich.console import Console

from factsheets.content.sources import SourceMeta
from factsheets.project import Project, load_content
from factsheets.quality.checks import SourceReview, VariantCheck, assess
from factsheets.quality.pemat_form import ITEMS, PematScore, Rating
from factsheets.quality.readability import Reading
from factsheets.quality.report import approval_line, print_report, report_data
from factsheets.selection.approval import Approval, Lock, LockChange

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch copy for the module's CLI runs: `report` writes out/report.html into it."""
    return scratch_copy(tmp_path_factory.mktemp("report"))


@pytest.fixture
def plain_80(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe with COLUMNS=80, and nothing in the environment that would make rich add colour codes."""
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def _ids(root: Path) -> list[str]:
    return [v.key for v in load_content(Project(root)).variants()]


def _assert_readable(out: str, ids: list[str], width: int = 80) -> None:
    """No line over `width` or ending in spaces, nothing cut to "…", each id a line of its own (its block),
    the overview's figures all there, and each id starting an overview row when the longest fits beside them."""
    lines = out.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, too_long
    assert all(line == line.rstrip() for line in lines)  # no padding left at the ends of lines
    assert "…" not in out
    assert any("FK  words  PEMAT U/A" in line and "warnings" in line for line in lines), out
    for key in ids:
        assert key in lines, f"{key}: no block headed by the whole id"
        if max(map(len, ids)) <= width - 45:  # the figures take 45 columns
            assert any(line.startswith(key + " ") for line in lines), f"{key}: no overview row"


@pytest.mark.usefixtures("plain_80")
def test_report_piped_at_80_columns_shows_every_variant_id_whole(project: Path) -> None:
    result = cli("report", "--today", TODAY.isoformat(), cwd=project)
    assert result.code == 0, result.err
    ids = _ids(project)
    assert sorted(ids) == sorted(variant_keys(project / "sheets"))
    _assert_readable(result.out, ids)
    assert "\x1b[" not in result.out  # piped: no colour codes
    assert result.out.rstrip().endswith("Wrote out/report.html")


def test_report_json_has_every_variant_and_agrees_with_the_checks(project: Path) -> None:
    result = cli("report", "--format", "json", "--today", TODAY.isoformat(), cwd=project)
    assert result.code == 0, result.err
    data = json.loads(result.out)  # all of stdout: nothing but the JSON
    assert "Wrote out/report.html" in result.err
    checks = {c.name: c for c in assess(Project(project), TODAY)}
    assert [v["name"] for v in data["variants"]] == _ids(project) == list(checks)
    assert data["date"] == "2026-06-01"
    assert data["approval"].startswith("The lock file records the text but names no approver")  # as shipped
    for variant in data["variants"]:
        check = checks[variant["name"]]
        assert f"{variant['sheet']}/{variant['variant']}" == check.name
        assert variant["reading"]["flesch_kincaid"] == check.reading.flesch_kincaid
        assert variant["reading"]["smog"] == check.reading.smog
        assert variant["reading"]["words"] == check.reading.words
        assert variant["reading"]["total_words"] == check.reading.total_words  # the sheet's own words
        assert check.shared is not None  # the shared boxes, graded apart
        assert variant["shared_boxes"]["flesch_kincaid"] == check.shared.flesch_kincaid
        assert variant["shared_boxes"]["words"] == check.shared.words
        assert variant["pemat"]["actionability"]["percent"] == check.pemat.actionability
        assert variant["pemat"]["understandability"]["percent"] == check.pemat.understandability
        assert variant["pemat"]["understandability"]["missed"] == check.pemat.missed("understandability")
        assert [s["id"] for s in variant["sources"]] == [r.source.id for r in check.reviews]
        assert [s["overdue"] for s in variant["sources"]] == [r.overdue(TODAY) for r in check.reviews]
        assert variant["quoted"] == check.quoted
        assert variant["lock"] == "ok"
        assert (variant["approved_by"], variant["approved_on"]) == (None, None)  # the shipped lock names no approver
        assert variant["warnings"] == check.warnings


def test_an_unknown_format_is_refused() -> None:
    result = cli("report", "--format", "xml")
    assert result.code == 2  # a usage error, like any option given a value it does not take
    assert "Invalid value for '--format'" in result.err
    assert "'xml' is not one of 'table'," in result.err


# --- The layout and the JSON on made-up checks: ids of any length, every lock status ---------------


def _source(source_id: str, reviewed: str | None) -> SourceMeta:
    return SourceMeta(
        id=source_id,
        title="A page",
        publisher="A publisher",
        url="https://example.org/page",
        license="copyrighted",
        reviewed=reviewed,
    )


def _check(name: str, lock: LockChange | None = None, due: dt.date | None = dt.date(2027, 1, 1)) -> VariantCheck:
    return VariantCheck(
        name=name,
        reading=Reading(8.46, 10.2, 150, 12.5, 0.12, table_rows=4, short_items=2, total_words=171),
        target=8,
        reviews=[SourceReview(_source("a-source", "2024-01" if due else None), due)],
        quoted={"a-source": 42},
        lock=lock,
        pemat=PematScore((Rating(ITEMS[8], "agree", "short"), Rating(ITEMS[11], "disagree", "no summary"))),
        warnings=["reading grade 8.5 (Flesch-Kincaid, on the sheet's own prose) is over the target of 8"],
        shared=Reading(5.84, 8.1, 49, 12.2, 0.06),
    )


@pytest.mark.parametrize("width", [80, 100, 200])
@pytest.mark.parametrize("length", [20, 35, 36, 60, 79])
def test_no_id_is_cut_short_whatever_its_length(width: int, length: int) -> None:
    name = "s" * (length - len("/general")) + "/general"
    checks = [_check(name, LockChange(approved=False)), _check("bone/general", LockChange(approved=True))]
    out = io.StringIO()
    print_report(checks, TODAY, None, Console(file=out, width=width))
    _assert_readable(out.getvalue(), [name, "bone/general"], width)


def test_each_block_shows_the_sheets_own_grade_and_words_and_the_shared_boxes_apart() -> None:
    out = io.StringIO()
    print_report([_check("bone/general")], TODAY, None, Console(file=out, width=80))
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert "reading   own prose: FK 8.5! (target 8), SMOG 10.2, 150 words" in lines
    assert "not graded: 4 rows, 2 short items; 171 own words in all" in lines
    assert "shared boxes, apart: FK 5.8, SMOG 8.1, 49 words" in lines  # never flagged: not the sheet's
    row = next(line for line in lines if line.startswith("bone/general "))
    assert row.split()[1:3] == ["8.5!", "171"]  # the overview: the own grade, the own words


def test_json_states_each_lock_status_and_a_missing_review_date() -> None:
    checks = [_check("a/general"), _check("b/general", LockChange(approved=True)), _check("c/general", None, None)]
    checks[2].lock = LockChange(approved=False)
    data = json.loads(json.dumps(report_data(checks, TODAY, None)))  # plain JSON values only
    assert [v["lock"] for v in data["variants"]] == ["ok", "changed", "not approved"]
    first = data["variants"][0]
    assert first["sources"] == [{"id": "a-source", "reviewed": "2024-01", "due": "2027-01-01", "overdue": False}]
    assert data["variants"][2]["sources"][0] == {"id": "a-source", "reviewed": None, "due": None, "overdue": True}
    assert first["pemat"]["understandability"] == {"percent": 50.0, "rated": 2, "missed": [11]}
    assert first["pemat"]["actionability"] == {"percent": None, "rated": 0, "missed": []}
    assert first["quoted"] == {"a-source": 42}
    assert first["reading"]["total_words"] == 171
    assert first["shared_boxes"]["flesch_kincaid"] == 5.84
    assert [(v["approved_by"], v["approved_on"]) for v in data["variants"]] == [(None, None)] * 3
    assert data["approval"].startswith("Not approved: there is no lock file")


def test_each_variant_shows_its_own_approval_and_whether_it_holds() -> None:
    """`lock SHEET` approves sheet by sheet: the report gives each variant's date and approver."""
    board, committee = Approval(by="Board", on=dt.date(2026, 5, 1)), Approval(by="Committee", on=dt.date(2025, 1, 2))
    checks = [
        _check("a/general"),
        _check("b/general"),
        _check("c/general", LockChange(approved=True)),
        _check("d/general", LockChange(approved=False, voided="a new capture of x was accepted")),
        _check("e/general", LockChange(approved=False)),
    ]
    for check, approval in zip(checks, (board, committee, committee, committee, None), strict=True):
        check.approval = approval
    assert [approval_line(c) for c in checks] == [
        "approved on 2026-05-01 by Board",
        "approved on 2025-01-02 by Committee",
        "approved on 2025-01-02 by Committee; the printed text has changed since",
        "approved on 2025-01-02 by Committee; voided: a new capture of x was accepted",
        "not approved",
    ]
    data = report_data(checks, TODAY, Lock())
    assert (
        data["approval"]
        == "Approved as they print: 2 of 5 variants (1 by Board on 2026-05-01; 1 by Committee on 2025-01-02)."
    )
    assert [v["approved_on"] for v in data["variants"]] == ["2026-05-01", *["2025-01-02"] * 3, None]
    out = io.StringIO()
    print_report(checks[:1], TODAY, Lock(), Console(file=out, width=80))
    assert "  approval  approved on 2026-05-01 by Board" in out.getvalue().splitlines()
