"""Sheet definitions: the shipped ones are valid, and each bad input gets its exact message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from factsheets.sheet import Sheet, load_sheets, sheet_schema

from conftest import DATA, ROOT, run_cli

BAD = DATA / "bad_sheets"


def test_shipped_sheets_cover_the_topics() -> None:
    sheets = load_sheets(ROOT / "sheets")
    assert len(sheets) >= 10
    for topic in ("what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads", "bone", "brain", "liver",
                  "lungs", "tests-for-metastasis", "treatment", "questions", "living-with"):
        assert topic in sheets
    assert sheets["where-it-spreads"].cancer_types == "all"


@pytest.mark.parametrize("case", sorted(p.stem for p in BAD.glob("*.yaml")))
def test_bad_sheet_gets_its_message(case: str, tmp_path: Path) -> None:
    """Bad inputs as data: each YAML file next to the exact lines `check` must print."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sheets").mkdir()
    shutil.copy(BAD / f"{case}.yaml", tmp_path / "sheets")
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.strip().splitlines() == (BAD / f"{case}.expected").read_text(encoding="utf-8").strip().splitlines()


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sheets").mkdir()
    for case in ("unknown-key", "yaml-syntax"):
        shutil.copy(BAD / f"{case}.yaml", tmp_path / "sheets")
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 1
    assert [line.split(":")[1].strip() for line in result.err.splitlines()] == ["sheets/unknown-key.yaml",
                                                                        "sheets/yaml-syntax.yaml"]


def test_schema_matches_the_models_and_is_committed(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run_cli("schema", "-o", str(out))
    assert result.code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema == sheet_schema()
    assert set(schema["properties"]) == set(Sheet.model_fields)
    assert schema["additionalProperties"] is False
    committed = json.loads((ROOT / "sheets" / "sheet.schema.json").read_text(encoding="utf-8"))
    assert committed == schema, "sheets/sheet.schema.json is stale: run 'factsheets schema'"
