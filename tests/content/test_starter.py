"""A clinic's content project: `factsheets new`, factsheets.yaml, and shipped and local content in layers.

Layering is tested through `load_content` and the CLI on the checkout's shipped defaults; that a
wheel carries the same defaults is tests/test_wheel.py's job.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.pdfs import text_of
from helpers.project import ROOT

from factsheets.content.starter import PROJECT_FILE, new_project
from factsheets.errors import FactsheetsError
from factsheets.project import Project, load_content

SHIPPED_SHEETS = sorted(p.stem for p in (ROOT / "sheets").glob("*.yaml"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    new_project(tmp_path / "riverside")
    return tmp_path / "riverside"


def test_new_writes_a_project_that_loads_every_shipped_sheet_and_source(project: Path) -> None:
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == [
        "README.md",
        "clinic",
        "clinic/clinic.yaml",
        PROJECT_FILE,
        "sheets",
        "sources",
    ]
    content = load_content(Project(project))
    assert sorted(content.sheets) == SHIPPED_SHEETS
    assert sorted(content.corpus.documents) == sorted(p.stem for p in (ROOT / "sources").glob("*.md"))
    assert content.lock is not None  # the shipped approval of the shipped set
    assert content.replaced == ()
    assert Project(project).clinic.paper == "letter"


def test_new_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("new", str(tmp_path))
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert "is not an empty folder; nothing was written." in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_local_sheet_with_a_shipped_id_replaces_it_and_check_says_so(project: Path) -> None:
    bone = (ROOT / "sheets" / "bone.yaml").read_text(encoding="utf-8")
    (project / "sheets" / "bone.yaml").write_text(bone.replace("title: ", "title: Riverside — ", 1), encoding="utf-8")
    shutil.copy(ROOT / "sheets" / "questions.yaml", project / "sheets" / "our-questions.yaml")
    (project / "sheets" / "our-questions.yaml").write_text(
        (project / "sheets" / "our-questions.yaml")
        .read_text(encoding="utf-8")
        .replace("id: questions", "id: our-questions"),
        encoding="utf-8",
    )
    content = load_content(Project(project))
    assert content.sheets["bone"].title.startswith("Riverside — ")
    assert sorted(content.sheets) == sorted([*SHIPPED_SHEETS, "our-questions"])
    assert content.replaced == ("sheet 'bone' here replaces the shipped one",)
    result = cli("check", cwd=project)
    assert "note: sheet 'bone' here replaces the shipped one" in result.out


def test_shipped_false_prints_only_the_folders_own_content(project: Path) -> None:
    (project / PROJECT_FILE).write_text("shipped: false\n", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="no source documents"):
        load_content(Project(project))


def test_a_misspelled_setting_is_refused_at_its_line(project: Path) -> None:
    (project / PROJECT_FILE).write_text("# mine\nshiped: false\n", encoding="utf-8")
    result = cli("list", cwd=project)
    assert result.code == 1
    assert "factsheets.yaml:2" in result.err
    assert "Traceback" not in result.err


def test_a_folder_with_only_sheets_and_sources_prints_with_the_shipped_look(tmp_path: Path) -> None:
    """The issue's example: no templates/, styles/ or assets/ of its own, and no factsheets.yaml."""
    for name in ("sheets", "sources"):
        shutil.copytree(ROOT / name, tmp_path / name)
    result = cli("render", "bone", "-o", str(tmp_path / "bone.pdf"), cwd=tmp_path)
    assert result.code == 0, result.err
    assert "When cancer spreads to the bone" in text_of((tmp_path / "bone.pdf").read_bytes())


def test_shared_files_layer_one_at_a_time(project: Path) -> None:
    """A clinic adding its own code map keeps the shipped glossary and When to call box."""
    (project / "sheets" / "common").mkdir()
    shutil.copy(ROOT / "sheets" / "common" / "icd10-cm.yaml", project / "sheets" / "common")
    content = load_content(Project(project))
    assert content.common.when_to_call is not None
    assert content.common.glossary.term("metastasis") is not None
    assert content.codes_from == project / "sheets"


def test_a_clinic_style_sheet_finds_the_shipped_fonts(project: Path) -> None:
    """The shipped sheet.css copied into clinic/styles/ names the fonts as ../assets/fonts/...: found below."""
    (project / "clinic" / "styles").mkdir()
    css = (ROOT / "styles" / "sheet.css").read_text(encoding="utf-8")
    assert "../assets/fonts/" in css
    (project / "clinic" / "styles" / "sheet.css").write_text(css, encoding="utf-8")
    result = cli("render", "questions", "-o", str(project / "q.pdf"), cwd=project)
    assert result.code == 0, result.err
    assert "Questions" in text_of((project / "q.pdf").read_bytes())
