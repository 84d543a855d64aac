"""`check` and the lock: changed and voided variants named without --verbose, diffs sentence by sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import scratch_copy
from helpers.recapture import APPROVED, CARE, revised, with_inserted_sentence

from factsheets.content.sources import load_document
from factsheets.project import Project, load_content
from factsheets.selection.approval import read_lock, save_lock
from factsheets.selection.impact import impact, with_source

SHEETS = ("how-cancer-spreads", "what-is-metastatic-cancer")  # one variant each: a check takes seconds
EDITED = APPROVED[0].replace("manageable", "treatable")
LOCK_LINE = "warning: {} whose printed text is not what the lock file approved: "


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    """A copy of the project with two sheets, approved by a committee."""
    root = scratch_copy(tmp_path / "project")
    for sheet in (root / "sheets").glob("*.yaml"):
        if sheet.stem not in SHEETS:
            sheet.unlink()
    result = cli("lock", "--approved-by", "Test Committee", cwd=root)
    assert result.code == 0, result.err
    return root


def test_check_names_the_changed_variants_without_verbose_and_diffs_sentence_by_sentence(locked: Path) -> None:
    revised(locked / "sources", APPROVED[0], EDITED, source=CARE)
    revised(locked / "sources", "5. growing in this tissue until a tiny tumor forms", "5. growing until a tumor forms")

    result = cli("check", "--today", "2026-01-01", cwd=locked)
    assert result.code == 0, result.err
    lock_lines = [line for line in result.err.splitlines() if "lock file approved" in line]
    assert lock_lines == [
        LOCK_LINE.format("2 variants")
        + "how-cancer-spreads/general (changed since approval), what-is-metastatic-cancer/general (changed since approval)"
    ]

    verbose = cli("check", "--today", "2026-01-01", "--verbose", cwd=locked).err.splitlines()
    at = verbose.index("warning: what-is-metastatic-cancer/general: printed text differs from the approved lock file")
    diff = verbose[at + 1 : at + 4]
    assert diff == [
        "    What treatment can do [clevelandclinic-metastasis > Metastasis (Metastatic Cancer)]",
        f"      changed: {APPROVED[0]}",
        f"          now: {EDITED}",
    ]
    assert not any(APPROVED[1] in line for line in verbose)  # the unchanged sentence of that passage is not shown


def test_after_an_accepted_recapture_check_lists_exactly_the_voided_variants(locked: Path, tmp_path: Path) -> None:
    before = load_content(Project(locked))
    assert before.lock is not None
    capture = with_inserted_sentence(locked / "sources", into=tmp_path / "capture")
    found = impact(before, with_source(before, load_document(capture)))
    with_inserted_sentence(locked / "sources")  # accepted: written, and the lock marked
    save_lock(locked / "sheets", found.voiding(before.lock))

    result = cli("check", "--today", "2026-01-01", cwd=locked)
    assert result.code == 0, result.err  # voided: listed for review, no longer an error
    lock_lines = [line for line in result.err.splitlines() if "lock file approved" in line]
    assert lock_lines == [LOCK_LINE.format("1 variant") + "what-is-metastatic-cancer/general (approval voided)"]

    verbose = cli("check", "--today", "2026-01-01", "--verbose", cwd=locked).err
    assert (
        f"warning: what-is-metastatic-cancer/general: approval voided (a new capture of {CARE} was accepted): "
        "review what changed, then lock again\n"
    ) in verbose
    assert f"      removed: {APPROVED[1]}\n" in verbose

    assert cli("lock", "--approved-by", "Test Committee", cwd=locked).code == 0  # reviewed and approved again
    lock = read_lock(locked / "sheets")
    assert lock is not None
    assert lock.voided == {}
    assert "lock file approved" not in cli("check", "--today", "2026-01-01", cwd=locked).err
