"""The batch build: every variant at stable paths, a matching manifest, and rebuilds of only what changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest
from helpers.cli import CLI_COMMAND, cli, run_cli
from helpers.disks import make_read_only, tmpfs
from helpers.packets import other_types_text, printed_twice
from helpers.pdfs import reader, ua_problems
from helpers.project import OVERFLOW_SHEET, scratch_copy, variant_keys

from factsheets.build.run import build
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.files import umask
from factsheets.patient.choice import choose
from factsheets.patient.packet import packet_fills
from factsheets.project import Project, load_content
from factsheets.selection.repeats import repeats, same


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full parallel build shared by the tests that only read it."""
    root = scratch_copy(tmp_path_factory.mktemp("project"))
    report = build(Project(root), jobs=2)
    assert not report.failed
    assert sorted(report.built) == sorted(variant_keys(root / "sheets"))  # every variant of every sheet
    return root


def _manifest(root: Path) -> list[dict]:
    return json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))["sheets"]


def test_full_build_writes_every_variant_listed_with_matching_checksums(built: Path) -> None:
    content = load_content(Project(built))
    expected = {v.path for v in content.variants()}
    on_disk = {
        p.relative_to(built / "out").as_posix() for p in (built / "out").glob("*/*.pdf") if p.parent.name != "packets"
    }
    entries = _manifest(built)
    assert on_disk == expected == {e["path"] for e in entries}
    for entry in entries:
        pdf = (built / "out" / entry["path"]).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == entry["sha256"]
        assert len(reader(pdf).pages) == entry["pages"] == 1
        assert entry["sources"]
        assert all(s["url"].startswith("https://") for s in entry["sources"])
        assert 11 <= entry["body_pt"] <= 13
        assert len(entry["input_hash"]) == 16
    assert {"general/bone.pdf", "breast/where-it-spreads.pdf", "prostate/tests-for-metastasis.pdf"} <= on_disk


def test_every_file_in_out_gets_the_mode_the_umask_gives(built: Path) -> None:
    """nginx or the service's user reads out/ (README: running it for a clinic): no 0600 files."""
    files = [p for p in (built / "out").rglob("*") if p.is_file()]
    assert len(files) > len(variant_keys(built / "sheets"))
    assert {p.relative_to(built).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files} == {
        p.relative_to(built).as_posix(): 0o666 & ~umask() for p in files
    }


def test_second_build_rebuilds_nothing(built: Path) -> None:
    out = built / "out"
    written = {p: p.stat().st_mtime_ns for p in (out / "index.html", out / "manifest.json")}
    report = build(Project(built), jobs=2)
    assert report.built == []
    assert sorted(report.unchanged) == sorted(variant_keys(built / "sheets"))
    assert report.packets == []  # what a packet's shortened sheets print is the same: no packet is made again
    assert not report.failed
    assert {p: p.stat().st_mtime_ns for p in written} == written  # nothing changed: nothing rewritten
    (out / "index.html").unlink()
    thumb = next((out / "thumbs").glob("*.png"))
    thumb.unlink()
    build(Project(built), jobs=2)
    assert (out / "index.html").is_file()  # what is missing is made again
    assert thumb.is_file()


def test_editing_one_source_rebuilds_exactly_the_sheets_that_cite_it(built: Path) -> None:
    source = built / "sources" / "acs-when-cancer-spreads.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    content = load_content(Project(built))
    citing = {
        v.key
        for v in content.variants()
        if any(
            p.source == "acs-when-cancer-spreads" for sec in content.sheet(v.sheet_id).sections for p in sec.passages
        )
    }
    report = build(Project(built), jobs=1)
    assert sorted(report.built) == sorted(citing) == ["liver/general", "questions/general"]


def test_a_damaged_pdf_is_rebuilt(built: Path) -> None:
    (built / "out" / "general" / "liver.pdf").write_bytes(b"%PDF-1.7 truncated")
    report = build(Project(built), jobs=1)
    assert report.built == ["liver/general"]


def test_removed_sheet_pdf_is_cleaned_out(built: Path) -> None:
    stale = built / "out" / "general" / "removed-sheet.pdf"
    stale.write_bytes(b"%PDF old")
    (built / "out" / "general" / ".bone.pdf.abc.part").write_bytes(b"half")
    report = build(Project(built), jobs=1)
    assert report.removed == ["general/removed-sheet.pdf"]
    assert not stale.exists()
    assert not list((built / "out").glob("**/*.part"))


def test_failing_sheet_leaves_the_rest_built_and_exits_1(scratch: Path) -> None:
    shipped = len(variant_keys(scratch / "sheets"))
    (scratch / "sheets" / "too-long.yaml").write_text(OVERFLOW_SHEET, encoding="utf-8")
    result = cli("build", "--jobs", "2", cwd=scratch)
    assert result.code == 1
    assert "FAILED too-long/general: " in result.err
    assert "does not fit on one page even at 11 pt: the page runs out in section " in result.err
    assert f"Built {shipped}, unchanged 0, failed 1" in result.out
    assert not (scratch / "out" / "general" / "too-long.pdf").exists()
    assert (scratch / "out" / "general" / "bone.pdf").exists()
    assert "too-long" not in (scratch / "out" / "manifest.json").read_text(encoding="utf-8")
    assert len(list(scratch.glob("out/packets/*.pdf"))) == len(CANCER_TYPES)  # too-long belongs to no packet


def test_packet_missing_a_failed_sheet_is_not_made(scratch: Path) -> None:
    (scratch / "sheets" / "brain.yaml").write_text(OVERFLOW_SHEET.replace("too-long", "brain"), encoding="utf-8")
    result = cli("build", "--jobs", "2", cwd=scratch)
    assert result.code == 1
    assert "FAILED packets/breast.pdf: not made: sheet(s) brain failed" in result.err
    assert not (scratch / "out" / "packets" / "breast.pdf").exists()  # breast cancer spreads to the brain
    assert (scratch / "out" / "packets" / "colon.pdf").exists()  # colon's packet has no brain sheet
    assert not list(scratch.glob("out/**/*.part"))


def test_broken_sheet_stops_the_build_before_anything_is_written(scratch: Path) -> None:
    (scratch / "sheets" / "bad.yaml").write_text("id: bad\ntitle: [\n", encoding="utf-8")
    result = cli("build", cwd=scratch)
    assert result.code == 1
    assert result.err.startswith("error: sheets/bad.yaml:")
    assert not (scratch / "out").exists()


def test_plain_progress_lines_when_not_a_terminal(scratch: Path) -> None:
    result = cli("build", "--jobs", "1", cwd=scratch)
    assert result.code == 0
    assert "built    bone/general" in result.out.splitlines()


def test_packets_hold_the_right_sheets_in_order_with_bookmarks(built: Path) -> None:
    for ctype, sites in [
        ("breast", ["bone", "brain", "liver", "lungs"]),
        ("colon", ["liver", "lungs", "peritoneum"]),
        ("prostate", ["bone", "liver", "lungs"]),  # and the adrenal gland, which has no sheet yet
    ]:
        packet = reader((built / "out" / "packets" / f"{ctype}.pdf").read_bytes())
        top = [item.title for item in packet.outline if not isinstance(item, list)]
        titles = {
            "bone": "When cancer spreads to the bone",
            "brain": "When cancer spreads to the brain",
            "liver": "When cancer spreads to the liver",
            "lungs": "When cancer spreads to the lungs",
            "peritoneum": "Fluid in the belly (ascites)",
        }
        assert top == [
            "What is metastatic cancer?",
            "How cancer spreads",
            "Where cancer spreads",
            *[titles[s] for s in sites],
            "Questions to ask your care team",
        ]
        assert len(packet.pages) == len(top)
        pdf = (built / "out" / "packets" / f"{ctype}.pdf").read_bytes()
        assert ua_problems(pdf, sheets=len(top)) == []  # one tagged document, not merged pages
        entry = _packet_entry(built, ctype)
        for n, path in enumerate(entry["sheets"]):  # each page as its sheet's own PDF, or shortened for the packet
            own = reader((built / "out" / path).read_bytes()).pages[0].extract_text()
            if path in entry["shortened"]:  # its page names the version it prints, not its own PDF's
                assert packet.pages[n].extract_text() != own
                assert f"Content version {entry['shortened'][path]}" in packet.pages[n].extract_text()
                assert f"Content version {entry['shortened'][path]}" not in own
            else:
                assert packet.pages[n].extract_text() == own
        where = packet.pages[2].extract_text()
        assert f"For people with {CANCER_TYPES[ctype].name}" in where


def test_every_packet_prints_each_sentence_of_its_sheets_once(built: Path) -> None:
    """Issue 24: the breast packet printed "Treatment can ease your symptoms..." three times. Read from each
    packet's PDF, each sheet's own text (the boxes every sheet prints by design are not: see helpers.packets)."""
    twice = {t: printed_twice((built / "out" / "packets" / f"{t}.pdf").read_bytes()) for t in CANCER_TYPES}
    assert {t: found for t, found in twice.items() if found} == {}


def test_no_packet_prints_another_cancer_types_text(built: Path) -> None:
    """The lung packet printed "Breast cancer tends to spread to the bones...": no sentence of a typed packet's
    sheets is about another type (helpers.packets.other_types_text). This one holds by the sheets' content
    (site sheets' cancer-type variants), not by the packet step."""
    types = list(CANCER_TYPES.values())
    found = {
        t.key: other_types_text((built / "out" / "packets" / f"{t.key}.pdf").read_bytes(), t, types) for t in types
    }
    assert {t: texts for t, texts in found.items() if texts} == {}


def test_what_a_packet_leaves_out_is_what_its_sheets_repeat_when_each_prints_alone(built: Path) -> None:
    """The packets' sheets' own PDFs, merged as they are, repeat exactly what the packet leaves out, and a
    packet shortens a sheet exactly when there is something to leave out (the reading above is not blind)."""
    from factsheets.render.merging import merge

    content = load_content(Project(built))
    for ctype in CANCER_TYPES.values():
        entry = _packet_entry(built, ctype.key)
        merged = merge(
            [(path, (built / "out" / path).read_bytes()) for path in entry["sheets"]], "As each prints alone"
        )
        seen = {same(text) for text, _ in printed_twice(merged)}
        sheet_ids = choose(content.corpus, content.sheets, ctype, None).sheet_ids
        members = packet_fills(content, sheet_ids, ctype)
        assert seen == {same(r.text) for r in repeats([alone for alone, _ in members])}, ctype.key
        assert sorted(entry["shortened"]) == sorted(a.variant.path for a, shown in members if shown is not a)


def _packets(root: Path) -> list[dict]:
    return json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))["packets"]


def _packet_entry(root: Path, ctype: str) -> dict:
    return next(p for p in _packets(root) if p["cancer_type"] == ctype)


def test_index_lists_every_sheet_and_packet_with_thumbnails(built: Path) -> None:
    html = (built / "out" / "index.html").read_text(encoding="utf-8")
    for entry in _manifest(built):
        assert f'href="{entry["path"]}"' in html
    manifest = json.loads((built / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["packets"]) == len(CANCER_TYPES)  # a packet per cancer type
    for packet in manifest["packets"]:
        assert f'href="{packet["path"]}"' in html
    thumbs = list((built / "out" / "thumbs").glob("*.png"))
    assert len(thumbs) == len(variant_keys(built / "sheets")) + len(CANCER_TYPES)
    assert all(t.read_bytes().startswith(b"\x89PNG") for t in thumbs)


def test_killed_build_leaves_out_consistent_and_the_next_build_finishes(scratch: Path) -> None:
    import signal
    import subprocess

    proc = subprocess.Popen(
        [*CLI_COMMAND, "build", "--jobs", "2"], cwd=scratch, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("built") and sum(1 for _ in (scratch / "out").glob("*/*.pdf")) >= 3:
            break
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: main process and workers
    proc.wait()
    for entry in _manifest(scratch):  # whatever the manifest lists is exactly what is on disk
        assert hashlib.sha256((scratch / "out" / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    report = build(Project(scratch), jobs=2)
    assert not report.failed
    assert sorted(report.built + report.unchanged) == sorted(variant_keys(scratch / "sheets"))
    assert report.built
    assert len(_manifest(scratch)) == len(variant_keys(scratch / "sheets"))
    assert not list(scratch.glob("out/**/*.part"))
    for pdf in (scratch / "out").glob("*/*.pdf"):
        assert len(reader(pdf.read_bytes()).pages) == (
            1
            if pdf.parent.name != "packets"
            else len(
                next(
                    p
                    for p in json.loads((scratch / "out" / "manifest.json").read_text())["packets"]
                    if p["path"] == f"packets/{pdf.name}"
                )["sheets"]
            )
        )


def test_editing_a_sheet_in_no_packet_rewrites_no_packet(built: Path) -> None:
    sheet = built / "sheets" / "tests-for-metastasis.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = build(Project(built), jobs=2)
    assert sorted(report.built) == [
        "tests-for-metastasis/colon",
        "tests-for-metastasis/general",
        "tests-for-metastasis/ovary",
        "tests-for-metastasis/prostate",
    ]
    assert report.packets == []
    assert len(_packets(built)) == len(CANCER_TYPES)


def test_editing_the_peritoneum_sheet_rewrites_the_packets_of_the_types_that_spread_there(built: Path) -> None:
    """NCI's table names the peritoneum for six types: their packets hold the sheet, and only they change."""
    sheet = built / "sheets" / "peritoneum.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("title: Fluid in the belly (ascites)", "title: Ascites"), encoding="utf-8")
    report = build(Project(built), jobs=2)
    assert report.built == ["peritoneum/general"]
    types = ["colon", "ovary", "pancreas", "rectal", "stomach", "uterus"]
    assert sorted(report.packets) == [f"packets/{t}.pdf" for t in types]
    for ctype in types:
        assert "general/peritoneum.pdf" in _packet_entry(built, ctype)["sheets"]
        packet = reader((built / "out" / "packets" / f"{ctype}.pdf").read_bytes())
        assert "Ascites" in [item.title for item in packet.outline if not isinstance(item, list)]


def test_an_earlier_sheet_that_now_prints_a_later_ones_sentence_rewrites_the_packets_not_the_later_sheet(
    built: Path,
) -> None:
    """What a packet's sheet leaves out depends on the sheets before it: the packet is keyed by it, the sheet's
    own PDF is not (it prints whole)."""
    from factsheets.selection.repeats import printed_units
    from factsheets.selection.variant import Variant

    content = load_content(Project(built))
    questions = built / "out" / "general" / "questions.pdf"
    before = questions.read_bytes()
    sentence = min(printed_units(content.fill(Variant("questions"))), key=len)
    first = built / "sheets" / "what-is-metastatic-cancer.yaml"
    text = first.read_text(encoding="utf-8")
    at = text.index("    passages:\n", text.index("sections:")) + len("    passages:\n")
    first.write_text(f"{text[:at]}      - clinic_text: {json.dumps(sentence)}\n{text[at:]}", encoding="utf-8")
    report = build(Project(built), jobs=2)
    assert not report.failed
    assert {name.split("/")[0] for name in report.built} == {"what-is-metastatic-cancer"}
    assert questions.read_bytes() == before  # the sheet alone is unchanged
    assert sorted(report.packets) == sorted(f"packets/{t}.pdf" for t in CANCER_TYPES)
    for ctype in CANCER_TYPES:
        assert "general/questions.pdf" in _packet_entry(built, ctype)["shortened"]
        assert printed_twice((built / "out" / "packets" / f"{ctype}.pdf").read_bytes()) == []


def test_a_second_build_in_the_same_folder_stops_with_a_clear_message(scratch: Path) -> None:
    import subprocess
    import time

    # Its output goes to files: warnings can fill a pipe nobody reads yet and stall the build.
    out_file, err_file = scratch / "first.out", scratch / "first.err"
    with out_file.open("w") as stdout, err_file.open("w") as stderr:
        first = subprocess.Popen(
            [*CLI_COMMAND, "build", "--jobs", "2", "--force"], cwd=scratch, stdout=stdout, stderr=stderr
        )
    try:
        lock, deadline = scratch / "out" / ".build.lock", time.monotonic() + 120
        while not (lock.exists() and lock.read_text() == str(first.pid)) and first.poll() is None:
            assert time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.05)
        second = run_cli("build", "--jobs", "1", cwd=scratch)  # a real second process, as in a second terminal
        first.wait(timeout=300)
    finally:
        first.kill()
    out, err = out_file.read_text(), err_file.read_text()
    assert second.code == 1
    assert "Traceback" not in second.err
    assert (
        f"error: another build is running in this folder (pid {first.pid}) Fix: wait for it to finish or stop "
        "it, then run again." in second.err
    )
    assert first.returncode == 0, err
    assert f"Built {len(variant_keys(scratch / 'sheets'))}, unchanged 0, failed 0" in out
    assert len(_manifest(scratch)) == len(variant_keys(scratch / "sheets"))


def test_the_lock_is_released_after_a_failed_build(scratch: Path) -> None:
    from factsheets.build.run import build_lock

    with pytest.raises(RuntimeError), build_lock(scratch / "out"):
        raise RuntimeError("boom")
    with build_lock(scratch / "out"):  # would raise 'another build is running' if it were still held
        pass


def test_read_only_out_stops_the_build_with_a_plain_error_and_changes_nothing(scratch: Path) -> None:
    from factsheets.errors import FactsheetsError

    with tmpfs(scratch / "out") as out:
        (out / "general").mkdir()
        (out / "general" / "bone.pdf").write_bytes(b"%PDF last week's")
        (out / "general" / ".bone.pdf.x.part").write_bytes(b"half")
        make_read_only(out)
        with pytest.raises(FactsheetsError) as err:
            build(Project(scratch), jobs=2)
        assert str(err.value).endswith(
            ".build.lock: the disk is read-only; nothing was written. Fix: write to a "
            "folder on a writable disk, or make this one writable."
        )
        assert sorted(p.name for p in out.rglob("*")) == [".bone.pdf.x.part", "bone.pdf", "general"]


def test_full_disk_stops_the_build_with_a_plain_error_and_no_half_files(scratch: Path) -> None:
    from factsheets.errors import FactsheetsError

    with tmpfs(scratch / "out", size="96k") as out:
        with pytest.raises(
            FactsheetsError, match=re.escape("the disk is full; nothing was written. Fix: free some space")
        ):
            build(Project(scratch), jobs=2)
        assert not list(out.rglob("*.part"))
        manifest = (
            json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            if (out / "manifest.json").exists()
            else {"sheets": []}
        )
        for entry in manifest["sheets"]:  # whatever the manifest lists is whole, on disk
            assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


def test_editing_the_shared_glossary_or_call_to_action_rebuilds_every_pdf(scratch: Path) -> None:
    """sheets/common/ is part of every PDF's inputs (and a definition's source of its sheet's)."""
    from factsheets.build.plan import FileHashes, look_hash, plan
    from factsheets.render.options import RenderOptions

    def hashes() -> dict[str, str]:
        project = Project(scratch)
        files = FileHashes()
        return {
            j.name: j.input_hash for j in plan(load_content(project), look_hash(project, RenderOptions(), files), files)
        }

    before = hashes()
    call = scratch / "sheets" / "common" / "when-to-call.yaml"
    call.write_text(call.read_text(encoding="utf-8").replace("Call 911", "Call 999"), encoding="utf-8")
    after = hashes()
    assert set(before) == set(after)
    assert all(before[name] != after[name] for name in before)
