"""The project object: one owner of the folders, the clinic and the Jinja environment.

A clinic's template overrides must reach every page the project writes, not only the sheets:
the report, the index and the nurses' form all get their templates from `Project.environment`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import DATA, ROOT, scratch_copy, sheet_types
from jinja2.sandbox import SandboxedEnvironment

from factsheets.build.index import write_index
from factsheets.errors import FactsheetsError
from factsheets.project import SHIPPED, Project, load_content

REPORT_OVERRIDE = """<!DOCTYPE html>
<html lang="en"><head><title>Riverside review</title></head>
<body><main><h1>Riverside review board</h1><p>{{ checks | length }} variants checked.</p></main></body></html>
"""


def _clinic_with(tmp_path: Path, template: str, text: str) -> Path:
    """A copy of the test clinic with one template of its own."""
    clinic = tmp_path / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    (clinic / "templates" / template).parent.mkdir(parents=True, exist_ok=True)
    (clinic / "templates" / template).write_text(text, encoding="utf-8")
    return clinic


def test_folders_come_from_the_root_and_the_clinic_comes_first(tmp_path: Path) -> None:
    project = Project(tmp_path, tmp_path / "riverside")
    assert project.template_dirs == [
        tmp_path / "riverside" / "templates",
        tmp_path / "templates",
        SHIPPED / "templates",
    ]
    assert project.style_dirs[0] == tmp_path / "riverside" / "styles"
    assert Project(tmp_path).clinic_dir == tmp_path / "clinic"
    assert project.clinic_dir in project.look_dirs
    assert {project.sheets_dir, project.sources_dir} <= set(project.watched_dirs)
    elsewhere = Project(tmp_path / "root", tmp_path / "clinic-elsewhere")
    assert elsewhere.clinic_dir in elsewhere.watched_dirs  # --clinic outside the project is watched too


def test_the_clinic_is_loaded_once_per_project() -> None:
    project = Project(ROOT, DATA / "clinic")
    assert project.clinic is project.clinic
    assert project.clinic.name == "Riverside Cancer Centre"
    assert project.clinic.paper == "a4"
    assert Project(ROOT, ROOT / "no-such-clinic").clinic.name == ""  # no folder: neutral sheets


def test_a_broken_clinic_stops_whoever_asks_first(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("accent_color: blue\n", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="accent_color"):
        _ = Project(ROOT, tmp_path).clinic


def test_every_environment_is_sandboxed_and_looks_in_the_clinic_first(tmp_path: Path) -> None:
    clinic = _clinic_with(tmp_path, "index.html", "ours")
    environment = Project(ROOT, clinic).environment()
    assert isinstance(environment, SandboxedEnvironment)
    assert environment.get_template("index.html").render() == "ours"
    assert "<html" in environment.get_template("report.html").render(checks=[], today=dt.date(2026, 6, 1))


def test_a_clinic_override_of_the_report_template_takes_effect(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path / "project")
    clinic = _clinic_with(tmp_path, "report.html", REPORT_OVERRIDE)
    result = cli("report", "--clinic", str(clinic), "--today", "2026-06-01", cwd=root)
    assert result.code == 0, result.err
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "Riverside review board" in html
    assert f"{len(load_content(Project(root)).variants())} variants checked." in html


def test_a_clinic_override_of_the_index_template_takes_effect(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path / "project")
    clinic = _clinic_with(tmp_path, "index.html", "<p>Riverside handouts: {{ packets | length }} packets</p>")
    write_index(Project(root, clinic), [], [])
    assert (root / "out" / "index.html").read_text(encoding="utf-8") == "<p>Riverside handouts: 0 packets</p>"


def project_sheets() -> list[Path]:
    return sorted(Project(ROOT).sheets_dir.glob("*.yaml"))


def test_content_is_everything_a_build_reads() -> None:
    content = load_content(Project(ROOT))
    assert len(content.sheets) == len(list(project_sheets())) == len(sheet_types())
    assert {v.sheet_id for v in content.variants()} == set(content.sheets)
