"""The lock file: who approved what, and when; a sheet prints its approval only while its text is unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from helpers.cli import CliResult, cli
from helpers.pdfs import text_of
from helpers.project import DATA, ROOT, scratch_copy, sheet_types, variant_keys
from helpers.recapture import APPROVED, CARE, FIRST, revised, with_inserted_sentence

from factsheets.content.clinic import Clinic
from factsheets.content.periods import between
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project, load_content
from factsheets.quality.checks import SourceReview, approval_expired, check_all, review_due
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.approval import LOCK_FILE, Approval, Lock, differences, read_lock, save_lock
from factsheets.selection.variant import Variant


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project, locked by a named committee."""
    root = scratch_copy(tmp_path_factory.mktemp("approved"))
    result = cli("lock", "--approved-by", "  Patient Education   Committee ", cwd=root)
    assert result.code == 0, result.err
    assert f"{len(variant_keys(root / 'sheets'))} sheet variants approved by" in result.out
    return root


def test_lock_approved_by_round_trips(approved: Path) -> None:
    lock = read_lock(approved / "sheets")
    assert lock is not None
    committee = Approval(by="Patient Education Committee", on=dt.date.today())  # spaces folded
    assert lock.approvals == dict.fromkeys(lock.variants, committee)  # each variant its own, all alike here
    content = load_content(Project(approved))
    assert content.lock == lock
    assert all(lock.approves(f) for f in content.fill_all())
    report = cli("report", cwd=approved)
    today = dt.date.today().isoformat()
    every = len(variant_keys(approved / "sheets"))
    said = f"Approved as they print: {every} of {every} variants ({every} by Patient Education Committee on"
    assert f"{said} {today})." in " ".join(report.out.split())  # wrapped at 80 columns


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
    approval = Approval(by="Committee", on=dt.date(2024, 2, 29))
    clinic = Clinic(approval_valid_for="2 years")
    assert approval_expired(approval, clinic, dt.date(2026, 2, 28)) is None
    warning = approval_expired(approval, clinic, dt.date(2026, 3, 1))
    assert warning is not None
    assert "approved on 2024-02-29 by Committee; the approval ran out on 2026-02-28" in warning
    assert approval_expired(approval, Clinic(), dt.date(2099, 1, 1)) is None  # no period set: never
    assert approval_expired(None, clinic, dt.date(2099, 1, 1)) is None  # never approved: nothing to run out


def test_a_lock_file_in_the_first_format_still_reads(tmp_path: Path) -> None:
    row = {"source": "nci-metastatic-cancer", "section": "S", "sha256": "0" * 64, "text": "T"}
    (tmp_path / LOCK_FILE).write_text(json.dumps({"bone/general": [row]}), encoding="utf-8")
    lock = read_lock(tmp_path)
    assert lock is not None
    assert lock.approvals == {}
    assert lock.variants["bone/general"][0].text == "T"


def test_a_lock_file_with_one_approval_for_all_reads_as_each_variants_own(tmp_path: Path) -> None:
    """Before approvals were per variant, one top-level approver and date covered every variant listed."""
    row = {"source": "sheet", "section": "title", "sha256": "0" * 64, "text": "T"}
    data = {"approved_by": "Committee", "approved_on": "2025-01-02", "variants": {"bone/general": [row]}}
    data["variants"]["brain/general"] = [row]
    data["voided"] = {"brain/general": "a new capture was accepted"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(data), encoding="utf-8")
    lock = read_lock(tmp_path)
    assert lock is not None
    was = Approval(by="Committee", on=dt.date(2025, 1, 2))
    assert lock.approvals == {"bone/general": was, "brain/general": was}  # a voided one keeps its record
    assert lock.voided == {"brain/general": "a new capture was accepted"}


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
    assert cli("lock", cwd=root).code == 2  # a usage error: who approves, or --refresh
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
    assert lock.approvals == {}
    assert len(lock.variants) == len(variant_keys())


# --- Sentences picked by position: the lock keeps each one, so a move is an error -----------------


def test_the_shipped_lock_records_every_sentence_picked_by_position_and_approves_todays_sheets(
    content: Content,
) -> None:
    lock = read_lock(ROOT / "sheets")
    assert lock is not None
    assert all(lock.approves(f) and not lock.shifted(f) for f in content.fill_all())  # today's sheets print the same
    opening = "Metastasis (Metastatic Cancer)"  # Cleveland Clinic's opening paragraph's section
    (row,) = [
        r
        for r in lock.variants["what-is-metastatic-cancer/general"]
        if r.positions and r.source == CARE and r.section == opening
    ]
    assert (row.block, row.positions) == ("paragraph 1", dict(zip((2, 3), APPROVED, strict=True)))


def test_a_source_change_that_moves_a_position_is_an_error_naming_old_and_new_sentence(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    with_inserted_sentence(root / "sources")
    with pytest.raises(FactsheetsError) as raised:
        load_content(Project(root)).fill(Variant("what-is-metastatic-cancer"))
    first, second = raised.value.problems
    assert (first.file, first.line, first.column) == (root / "sheets" / "what-is-metastatic-cancer.yaml", 33, 21)
    assert first.message == (
        f"sentences: sentence 2 of {CARE} > Metastasis (Metastatic Cancer), paragraph 1 is now "
        f'"{FIRST}", not the approved "{APPROVED[0]}" (sheet \'what-is-metastatic-cancer\')'
    )
    assert first.fix.startswith("the approved sentence is now sentence 3: write that here instead; or, if the new")
    assert (second.line, second.column) == (33, 24)
    result = cli("check", cwd=root)  # check (and build, show, render) stops there: never a silent swap
    assert result.code == 1
    assert "error: sheets/what-is-metastatic-cancer.yaml:33:21: sentences: sentence 2 of" in result.err


def test_a_sentence_edited_in_place_is_a_change_to_review_not_a_shift(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    revised(root / "sources", "manageable, but not curable.", "treatable, but not curable.", source=CARE)
    content = load_content(Project(root))
    filled = content.fill(Variant("what-is-metastatic-cancer"))  # no error: the same sentence, its wording edited
    assert content.lock is not None
    assert not content.lock.approves(filled)
    change = differences(content.lock, [filled])["what-is-metastatic-cancer/general"]
    assert change.diff == (
        "What treatment can do [clevelandclinic-metastasis > Metastasis (Metastatic Cancer)]",
        f"  changed: {APPROVED[0]}",
        f"      now: {APPROVED[0].replace('manageable', 'treatable')}",
    )


def test_a_lock_file_without_positions_still_reads_and_approves(content: Content, tmp_path: Path) -> None:
    """An older lock file has no recorded sentences: it approves as before, and a refresh adds them."""
    data = json.loads((ROOT / "sheets" / LOCK_FILE).read_text(encoding="utf-8"))
    data |= {"approved_by": "Committee", "approved_on": "2025-01-02"}
    for rows in data["variants"].values():
        for row in rows:
            row.pop("block", None)
            row.pop("positions", None)
    root = scratch_copy(tmp_path / "project")
    (root / "sheets" / LOCK_FILE).write_text(json.dumps(data), encoding="utf-8")
    old = read_lock(root / "sheets")
    assert old is not None
    assert all(old.approves(f) for f in content.fill_all())

    result = cli("lock", "--refresh", cwd=root)
    assert result.code == 0, result.err
    assert f"{len(variant_keys())} approved sheet variants re-recorded" in result.out
    refreshed = read_lock(root / "sheets")
    assert refreshed is not None
    kept = dict.fromkeys(data["variants"], Approval(by="Committee", on=dt.date(2025, 1, 2)))
    assert refreshed.approvals == kept  # the one approval, now each variant's own
    assert refreshed == read_lock(ROOT / "sheets").model_copy(update={"approvals": kept})  # type: ignore[union-attr]
    assert '"approved_by"' not in (root / "sheets" / LOCK_FILE).read_text(encoding="utf-8")  # this version's format


def test_refresh_approves_nothing_new(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    with_inserted_sentence(root / "sources")
    before = read_lock(root / "sheets")
    result = cli("lock", "--refresh", cwd=root)
    assert result.code == 0, result.err
    assert "Left as they were (not approved as they print now): what-is-metastatic-cancer/general." in result.err
    after = read_lock(root / "sheets")
    assert before is not None
    assert after is not None
    assert after.variants["what-is-metastatic-cancer/general"] == before.variants["what-is-metastatic-cancer/general"]
    assert cli("check", cwd=root).code == 1  # the moved positions are still an error


@pytest.mark.parametrize("args", [(), ("--approved-by", "Committee", "--refresh")], ids=["neither", "both"])
def test_lock_needs_either_a_name_or_refresh(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = cli("lock", *args, cwd=tmp_path)
    assert result.code == 2
    assert "Invalid value for '--approved-by' or '--refresh': give one, not both." in result.err


def test_refresh_without_a_lock_file_says_how_to_approve(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    (root / "sheets" / LOCK_FILE).unlink()
    result = cli("lock", "--refresh", cwd=root)
    assert result.code == 1
    assert "there is no lock file to refresh" in result.err


# --- Approving sheet by sheet: each variant keeps its own approver and date ------------------------

EARLIER = Approval(by="Committee", on=dt.date(2025, 1, 2))
RECAPTURED = "a new capture of nci-metastatic-cancer was accepted"


def _approved_earlier(root: Path) -> Path:
    """`root`'s lock as an older version wrote it: one approver and date for every variant, but
    questions/general never approved, and treatment's approval voided by a re-capture."""
    path = root / "sheets" / LOCK_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["variants"]["questions/general"]
    data |= {"approved_by": EARLIER.by, "approved_on": "2025-01-02", "voided": {"treatment/general": RECAPTURED}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def bone_locked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    """An earlier approval of every sheet, then `lock bone` by a tumour board."""
    root = _approved_earlier(scratch_copy(tmp_path_factory.mktemp("bone")))
    return root, cli("lock", "bone", "--approved-by", "Tumour Board", cwd=root)


BONE = ("bone/general", "bone/breast", "bone/prostate")  # the bone sheet and its cancer-type variants


def test_lock_bone_approves_bone_alone(bone_locked: tuple[Path, CliResult]) -> None:
    root, result = bone_locked
    assert result.code == 0, result.err
    today = dt.date.today()
    assert [key for key in variant_keys() if key.startswith("bone/")] == list(BONE)
    assert result.out == (
        f"Wrote sheets/{LOCK_FILE}: 3 sheet variants approved by Tumour Board on {today.isoformat()} "
        "(bone; the other sheets' approvals are as they were).\n"
    )
    lock = read_lock(root / "sheets")
    assert lock is not None
    assert [lock.approvals.pop(key) for key in BONE] == [Approval(by="Tumour Board", on=today)] * 3
    assert set(lock.approvals.values()) == {EARLIER}  # every other variant keeps its own
    assert "questions/general" not in lock.approvals | lock.variants  # still unapproved
    assert lock.voided == {"treatment/general": RECAPTURED}  # still voided
    content = load_content(Project(root))
    dates = {f.variant.key: f.approved_on for f in content.fill_all()}
    assert (dates["bone/general"], dates["brain/general"]) == (today, EARLIER.on)
    assert dates["questions/general"] is dates["treatment/general"] is None


def test_each_sheet_prints_its_own_approval_month(bone_locked: tuple[Path, CliResult]) -> None:
    project = Project(bone_locked[0], DATA / "no-clinic")
    content, renderer = load_content(project), Renderer(project)
    bone, brain = (renderer.html(content.fill(Variant(s)), RenderOptions()) for s in ("bone", "brain"))
    assert f"Approved {dt.date.today().strftime('%Y-%m')}" in bone
    assert "Approved 2025-01" in brain


def test_lock_names_the_sources_past_their_review_date_and_approves_all_the_same(
    bone_locked: tuple[Path, CliResult],
) -> None:
    heading, cancer_net, pain, cleveland, last = bone_locked[1].err.splitlines()
    assert heading == "warning: 3 sources behind bone are past their review date:"
    overdue = r", (\d+ years?)?( ?\d+ months?)? overdue$"  # how long, as of today
    assert re.fullmatch(r"  cancernet-metastasis: reviewed 2019-03, due again on 2022-03-01" + overdue, cancer_net)
    assert re.fullmatch(r"  nci-pain: reviewed 2024-06-17, due again on 2024-09-17" + overdue, pain)
    assert re.fullmatch(
        r"  clevelandclinic-metastasis: reviewed 2021-12-20, due again on 2024-12-20" + overdue, cleveland
    )
    assert last.startswith("  Approving all the same: check each against the live page")


def test_report_shows_each_variants_approval(bone_locked: tuple[Path, CliResult]) -> None:
    root = bone_locked[0]
    result = cli("report", "--format", "json", cwd=root)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    approvals = {v["name"]: (v["lock"], v["approved_by"], v["approved_on"]) for v in data["variants"]}
    assert approvals["bone/general"] == ("ok", "Tumour Board", dt.date.today().isoformat())
    assert approvals["brain/general"] == ("ok", "Committee", "2025-01-02")
    assert approvals["questions/general"] == ("not approved", None, None)
    assert approvals["treatment/general"] == ("not approved", "Committee", "2025-01-02")  # voided: the record stays
    every = len(variant_keys())  # all approved as they print but questions (never) and treatment (voided)
    assert data["approval"] == (
        f"Approved as they print: {every - 2} of {every} variants (3 by Tumour Board on "
        f"{dt.date.today().isoformat()}; {every - 5} by Committee on 2025-01-02)."
    )
    table = cli("report", cwd=root).out.splitlines()
    bone = table[table.index("bone/general") + 1 :]
    assert f"approval  approved on {dt.date.today().isoformat()} by Tumour Board" in [line.strip() for line in bone[:8]]


def test_lock_a_sheet_approves_all_its_variants_and_lifts_their_voiding(tmp_path: Path) -> None:
    root = _approved_earlier(scratch_copy(tmp_path))
    lock = read_lock(root / "sheets")
    assert lock is not None
    save_lock(root / "sheets", lock.voiding(["tests-for-metastasis/colon"], RECAPTURED))
    result = cli("lock", "tests-for-metastasis", "--approved-by", "Tumour Board", cwd=root)
    assert result.code == 0, result.err
    assert "4 sheet variants approved by Tumour Board" in result.out
    after = read_lock(root / "sheets")
    assert after is not None
    board = {k for k, a in after.approvals.items() if a.by == "Tumour Board"}
    assert board == {f"tests-for-metastasis/{t}" for t in ("general", "colon", "ovary", "prostate")}
    assert after.voided == {"treatment/general": RECAPTURED}  # the colon variant's voiding lifted, no other


@pytest.mark.parametrize(
    ("names", "near"), [(("boen", "bone"), " Did you mean 'bone'?"), (("xyz",), "")], ids=["near", "far"]
)
def test_an_unknown_sheet_is_a_plain_error_listing_the_sheets(
    tmp_path: Path, names: tuple[str, ...], near: str
) -> None:
    root = scratch_copy(tmp_path)
    before = (root / "sheets" / LOCK_FILE).read_bytes()
    result = cli("lock", *names, "--approved-by", "Tumour Board", cwd=root)
    assert result.code == 1
    sheets = ", ".join(sorted(sheet_types()))  # every sheet, by name: sheets are added often
    assert result.err == f"error: unknown sheet '{names[0]}' Fix: use one of: {sheets}.{near}\n"
    assert "Traceback" not in result.err
    assert (root / "sheets" / LOCK_FILE).read_bytes() == before  # nothing approved


def test_lock_every_sheet_starts_a_fresh_lock_file(bone_locked: tuple[Path, CliResult], tmp_path: Path) -> None:
    """Without SHEET, every variant is approved now: earlier dates, voidings and sheets since removed go."""
    root = scratch_copy(tmp_path)
    (root / "sheets" / LOCK_FILE).write_bytes((bone_locked[0] / "sheets" / LOCK_FILE).read_bytes())
    assert cli("lock", "--approved-by", "Board", cwd=root).code == 0
    lock = read_lock(root / "sheets")
    assert lock is not None
    assert set(lock.approvals.values()) == {Approval(by="Board", on=dt.date.today())}
    assert (len(lock.approvals), lock.voided) == (len(variant_keys()), {})


def test_an_approval_runs_out_variant_by_variant(content: Content) -> None:
    fills = [content.fill(Variant("bone")), content.fill(Variant("brain"))]
    lock = Lock().approving(fills[:1], "Board", dt.date(2026, 5, 1)).approving(fills[1:], "Board", dt.date(2024, 5, 1))
    checks = check_all(fills, Clinic(approval_valid_for="1 year"), dt.date(2026, 6, 1), lock)
    expired = [[w for w in c.warnings if w.kind == "approval"] for c in checks]
    assert expired[0] == []
    ran_out = "approved on 2024-05-01 by Board; the approval ran out on 2025-05-01 (approval_valid_for: 1 year)"
    assert expired[1] == [f"{ran_out}: review and lock again"]


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        (dt.date(2026, 3, 30), dt.date(2026, 4, 11), "12 days"),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28), "28 days"),
        (dt.date(2022, 3, 1), dt.date(2026, 12, 6), "4 years 9 months"),
        (dt.date(2025, 12, 6), dt.date(2026, 12, 6), "1 year"),
        (dt.date(2026, 5, 6), dt.date(2026, 6, 6), "1 month"),
    ],
)
def test_how_overdue_is_said_as_a_person_says_it(start: dt.date, end: dt.date, said: str) -> None:
    assert between(start, end) == said


def test_a_source_stating_no_review_date_is_named_as_such(content: Content) -> None:
    msk = content.corpus["msk-metastatic-cancer-questions"].meta
    review = SourceReview(msk, review_due(msk))
    assert review.overdue(dt.date(2000, 1, 1))
    assert review.lateness(dt.date(2000, 1, 1)) == "msk-metastatic-cancer-questions: states no review date"
