"""The lock file: who approved what, and when; a sheet prints its approval only while its text is unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.pdfs import text_of
from helpers.project import ROOT, scratch_copy

from factsheets.content.clinic import Clinic
from factsheets.errors import FactsheetsError
from factsheets.project import Project, load_content
from factsheets.quality.checks import approval_expired
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.approval import LOCK_FILE, Lock, read_lock
from factsheets.selection.variant import Variant


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project, locked by a named committee."""
    root = scratch_copy(tmp_path_factory.mktemp("approved"))
    result = cli("lock", "--approved-by", "  Patient Education   Committee ", cwd=root)
    assert result.code == 0, result.err
    assert "27 sheet variants approved by" in result.out
    return root


def test_lock_approved_by_round_trips(approved: Path) -> None:
    lock = read_lock(approved / "sheets")
    assert lock is not None
    assert lock.approved_by == "Patient Education Committee"  # spaces folded
    assert lock.approved_on == dt.date.today()
    content = load_content(Project(approved))
    assert content.lock == lock
    assert all(lock.approves(f) for f in content.fill_all())
    report = cli("report", cwd=approved)
    assert f"Approved by Patient Education Committee on {dt.date.today().isoformat()}." in report.out


def test_a_sheet_prints_its_approval_month_only_while_its_text_is_approved(approved: Path, tmp_path: Path) -> None:
    out = tmp_path / "bone.pdf"
    assert cli("render", "bone", "-o", str(out), cwd=approved).code == 0
    assert f"Approved {dt.date.today().strftime('%Y-%m')}" in text_of(out.read_bytes())
    edited = scratch_copy(tmp_path / "edited")
    (edited / "sheets" / LOCK_FILE).write_text((approved / "sheets" / LOCK_FILE).read_text(encoding="utf-8"))
    sheet = edited / "sheets" / "bone.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("title: When cancer spreads to the bone", "title: Bone"))
    content = load_content(Project(edited))
    assert content.fill(Variant("bone")).approved_on is None  # changed since: not approved
    assert content.fill(Variant("brain")).approved_on == dt.date.today()


def test_an_approval_runs_out_after_the_clinics_period() -> None:
    lock = Lock(approved_by="Committee", approved_on=dt.date(2024, 2, 29))
    clinic = Clinic(approval_valid_for="2 years")
    assert approval_expired(lock, clinic, dt.date(2026, 2, 28)) is None
    warning = approval_expired(lock, clinic, dt.date(2026, 3, 1))
    assert warning is not None
    assert "approved on 2024-02-29 by Committee; the approval ran out on 2026-02-28" in warning
    assert approval_expired(lock, Clinic(), dt.date(2099, 1, 1)) is None  # no period set: never


def test_a_lock_file_in_the_first_format_still_reads(tmp_path: Path) -> None:
    row = {"source": "nci-metastatic-cancer", "section": "S", "sha256": "0" * 64, "text": "T"}
    (tmp_path / LOCK_FILE).write_text(json.dumps({"bone/general": [row]}), encoding="utf-8")
    lock = read_lock(tmp_path)
    assert lock is not None
    assert lock.approved_by is None
    assert lock.variants["bone/general"][0].text == "T"


@pytest.mark.parametrize(
    "damage",
    ["{", '{"variants": {"bone/general": [{"text": 1}]}}', "[1, 2]", "[" * 100_000, '{"variants": ' * 100_000],
    ids=["unclosed", "wrong-shape", "a-list", "100000-deep-list", "100000-deep-object"],
)
def test_a_damaged_lock_file_is_a_plain_error(tmp_path: Path, damage: str) -> None:
    (tmp_path / LOCK_FILE).write_text(damage, encoding="utf-8")
    with pytest.raises(FactsheetsError) as raised:
        read_lock(tmp_path)
    (problem,) = raised.value.problems
    assert problem.file == tmp_path / LOCK_FILE
    assert "lock --approved-by NAME" in problem.fix


def test_lock_needs_a_name(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    assert cli("lock", cwd=root).code == 2  # a usage error: the option is required
    result = cli("lock", "--approved-by", " ", cwd=root)
    assert result.code == 1
    assert "--approved-by is empty" in result.err


def test_the_footer_drops_the_approval_once_the_clinics_period_has_run_out(approved: Path, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "clinic.yaml").write_text("approval_valid_for: 1 year\n", encoding="utf-8")
    project = Project(approved, clinic)
    filled = load_content(project).fill(Variant("bone"))
    assert filled.approved_on == dt.date.today()
    renderer = Renderer(project)
    month = dt.date.today().strftime("%Y-%m")
    assert f"Approved {month}" in renderer.html(filled, RenderOptions())
    later = RenderOptions(print_date=dt.date.today() + dt.timedelta(days=400))
    assert "Approved" not in renderer.html(filled, later)


def test_a_changed_word_label_or_heading_voids_the_approval(approved: Path, tmp_path: Path) -> None:
    edited = scratch_copy(tmp_path / "edited")
    (edited / "sheets" / LOCK_FILE).write_text((approved / "sheets" / LOCK_FILE).read_text(encoding="utf-8"))
    sheet = edited / "sheets" / "liver.yaml"
    text = sheet.read_text(encoding="utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("  - heading: "))
    sheet.write_text(text.replace(heading, heading + " now"), encoding="utf-8")
    content = load_content(Project(edited))
    assert content.fill(Variant("liver")).approved_on is None  # the same text under another heading
    assert content.fill(Variant("lungs")).approved_on == dt.date.today()


def test_the_shipped_lock_names_no_approver() -> None:
    """No clinic's committee has reviewed the shipped text: its footers claim no approval."""
    lock = read_lock(ROOT / "sheets")
    assert lock is not None
    assert (lock.approved_by, lock.approved_on) == (None, None)
    assert len(lock.variants) == 27
