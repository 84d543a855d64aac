"""A re-capture's impact, before anything changes: sentences, broken and shifted selections, voided approvals."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.project import ROOT, scratch_copy
from helpers.recapture import APPROVED, CARE, FIRST, INSERTED, NCI, revised, with_inserted_sentence

from factsheets.content.sources import load_document
from factsheets.project import Content, Project, load_content
from factsheets.selection.approval import Lock, read_lock, save_lock
from factsheets.selection.impact import impact, with_source
from factsheets.selection.variant import Variant


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with a hash of its bytes: what 'writes nothing' is checked against."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def test_one_inserted_sentence_reports_exactly_the_shifted_selection_and_writes_nothing(
    content: Content, tmp_path: Path
) -> None:
    root = scratch_copy(tmp_path / "project")
    capture = with_inserted_sentence(root / "sources", into=tmp_path / "capture")
    before = load_content(Project(root))
    files = _snapshot(tmp_path)

    found = impact(before, with_source(before, load_document(capture)))

    assert _snapshot(tmp_path) == files  # pure: not a byte written
    assert before.corpus[CARE].text == content.corpus[CARE].text  # and `before` is as it was
    assert found.sources == (CARE,)
    (one,) = found.variants
    assert one.variant == "what-is-metastatic-cancer/general"
    assert found.shifted == found.voided == ("what-is-metastatic-cancer/general",)
    assert found.broken == ()
    assert [(s.position, s.old, s.new) for s in one.shifts] == [(2, APPROVED[0], FIRST), (3, APPROVED[1], APPROVED[0])]
    assert {s.passage for s in one.shifts} == {f"{CARE} > Metastasis (Metastatic Cancer), paragraph 1"}
    assert [(s.problem.line, s.problem.column) for s in one.shifts] == [(33, 21), (33, 24)]  # each entry of [2, 3]
    assert [(c.kind, c.old or c.new) for c in one.changes] == [("added", FIRST), ("removed", APPROVED[1])]
    assert INSERTED not in found.text()  # sentence 1 is still left out: the insertion only moved positions
    text = found.text().splitlines()
    assert text[0].startswith(f"Replacing {CARE} affects 1 variant: ")
    assert "1 approval voided (what-is-metastatic-cancer/general)." in text[0]
    assert "  shifts: " in found.text()
    assert f"    was: {APPROVED[0]}" in text
    assert f"    now: {FIRST}" in text
    assert "  What treatment can do [clevelandclinic-metastasis > Metastasis (Metastatic Cancer)]" in text
    assert f"    removed: {APPROVED[1]}" in text


def test_the_same_capture_again_changes_nothing(content: Content) -> None:
    found = impact(content, with_source(content, load_document(ROOT / "sources" / f"{NCI}.md")))
    assert (found.sources, found.variants, found.voided) == ((), (), ())
    assert "changes nothing any sheet prints" in found.text()


def test_an_edited_sentence_is_changed_not_shifted_and_voids_every_variant_printing_it(
    content: Content, tmp_path: Path
) -> None:
    """NCI's table: a row edited changes every variant that prints it, and the impact names each."""
    old, new = (
        "| Lung | Adrenal gland, bone, brain, liver, other lung |",
        "| Lung | Adrenal gland, bone, brain, liver |",
    )
    capture = revised(ROOT / "sources", old, new, into=tmp_path)
    found = impact(content, with_source(content, load_document(capture)))
    assert set(found.voided) == {v.variant for v in found.variants}
    assert {"where-it-spreads/general", "where-it-spreads/lung"} <= set(found.voided)
    one = next(v for v in found.variants if v.variant == "where-it-spreads/lung")
    assert [(c.kind, c.old, c.new) for c in one.changes] == [
        ("changed", "Lung | Adrenal gland, bone, brain, liver, other lung", "Lung | Adrenal gland, bone, brain, liver")
    ]
    assert one.shifts == one.breaks == ()


def test_a_selection_the_capture_breaks_is_reported_at_its_entry(content: Content, tmp_path: Path) -> None:
    """A row the publisher removed: the sheet naming it would fail, so the impact says so before writing."""
    capture = revised(ROOT / "sources", "| Colon | Liver, lung, peritoneum |\n", "", into=tmp_path)
    found = impact(content, with_source(content, load_document(capture)))
    assert "where-it-spreads/general" in found.broken
    general = next(v for v in found.variants if v.variant == "where-it-spreads/general")
    (problem,) = general.breaks
    assert problem.message.startswith("rows: no row 'Colon'")
    assert problem.file == ROOT / "sheets" / "where-it-spreads.yaml"
    assert general.voids_approval
    assert "  breaks: " in found.text()


def test_accepting_voids_exactly_those_approvals_and_check_lists_them(tmp_path: Path) -> None:
    """What `factsheets import --accept` does after the impact: the source written, the lock marked."""
    root = scratch_copy(tmp_path / "project")
    before = load_content(Project(root))
    assert before.lock is not None
    found = impact(before, with_source(before, load_document(with_inserted_sentence(root / "sources", tmp_path))))
    with_inserted_sentence(root / "sources")  # accepted: the source is written
    save_lock(root / "sheets", found.voiding(before.lock))

    lock = read_lock(root / "sheets")
    assert lock is not None
    assert lock.voided == {"what-is-metastatic-cancer/general": f"a new capture of {CARE} was accepted"}
    assert lock.approvals == before.lock.approvals
    after = load_content(Project(root))
    filled = after.fill(
        Variant("what-is-metastatic-cancer")
    )  # voided: the moved positions are listed, no longer an error
    assert not lock.approves(filled)
    assert lock.shifted(filled) == []
    assert [f.variant.key for f in after.fill_all() if not lock.approves(f)] == ["what-is-metastatic-cancer/general"]


def test_a_voided_variant_stays_voided_even_if_its_text_comes_back(content: Content) -> None:
    assert content.lock is not None
    lock = content.lock.voiding(["brain/general", "no-such/general"], "a new capture of x was accepted")
    assert lock.voided == {"brain/general": "a new capture of x was accepted"}  # only variants it approved
    assert not lock.approves(content.fill(Variant("brain")))
    assert lock.approves(content.fill(Variant("bone")))
    assert Lock.model_validate(lock.model_dump(mode="json")) == lock
