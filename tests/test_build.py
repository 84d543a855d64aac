"""The batch build: every variant into out/ at stable paths, a manifest that matches, stale PDFs gone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from factsheets.build import build
from factsheets.project import Project

from conftest import run_cli
from pdf_tools import reader


def test_build_writes_every_variant_and_a_matching_manifest(scratch: Path) -> None:
    stale = scratch / "out" / "general" / "removed-sheet.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF old")
    report = build(Project(scratch))
    assert not report.failed and len(report.built) == 27 and report.removed == [stale]
    manifest = json.loads((scratch / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sheets"]) == 27
    for entry in manifest["sheets"]:
        pdf = (scratch / "out" / entry["path"]).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == entry["sha256"]
        assert len(reader(pdf).pages) == entry["pages"] == 1
    paths = {e["path"] for e in manifest["sheets"]}
    assert {"general/bone.pdf", "breast/where-it-spreads.pdf", "prostate/tests-for-metastasis.pdf"} <= paths
    assert not list(scratch.glob("out/**/*.part"))


def test_failing_sheet_leaves_the_rest_built_and_exits_1(scratch: Path) -> None:
    from test_render import OVERFLOW_SHEET

    (scratch / "sheets" / "too-long.yaml").write_text(OVERFLOW_SHEET, encoding="utf-8")
    result = run_cli("build", cwd=scratch)
    assert result.code == 1
    assert "FAILED too-long/general: " in result.err and "does not fit on 1 page(s)" in result.err
    assert "Built 27, failed 1" in result.out
    assert not (scratch / "out" / "general" / "too-long.pdf").exists()
    assert (scratch / "out" / "general" / "bone.pdf").exists()
