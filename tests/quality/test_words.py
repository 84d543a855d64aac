"""A words_to_know term that the sheet never uses is a warning at its line, never silently dropped."""

from __future__ import annotations

from pathlib import Path

from helpers.cli import cli
from helpers.project import BRAIN_SIGNS_PASSAGES

from factsheets.project import Project, load_content
from factsheets.quality.words import unused_words

# Brain signs use "metastasized"... but not "ascites" nor "prognosis": those two are listed for nothing.
SHEET = (
    "id: signs\ntitle: Signs to watch for\nwords_to_know:\n  - ascites\n  - prognosis\n"
    "sections:\n  - heading: Signs\n" + BRAIN_SIGNS_PASSAGES
)


def test_a_listed_word_no_variant_uses_is_named_at_its_line(scratch: Path) -> None:
    (scratch / "sheets" / "signs.yaml").write_text(SHEET, encoding="utf-8")
    content = load_content(Project(scratch))
    assert content.fill_all()  # the sheet itself is fine: it fills, with no Words to know box
    found = [(p.file.name if p.file else None, p.line, p.message) for p in unused_words(content)]
    assert found == [
        ("signs.yaml", 4, "sheet 'signs' lists 'ascites' in words_to_know but never uses it, so its definition is not printed"),
        ("signs.yaml", 5, "sheet 'signs' lists 'prognosis' in words_to_know but never uses it, so its definition is not printed"),
    ]  # fmt: skip


def test_the_shipped_sheets_use_every_word_they_list() -> None:
    from helpers.project import ROOT

    assert unused_words(load_content(Project(ROOT))) == []


def test_check_warns_at_the_line_and_strict_fails(scratch: Path) -> None:
    for sheet in (scratch / "sheets").glob("*.yaml"):
        if sheet.stem != "liver":
            sheet.unlink()
    (scratch / "sheets" / "signs.yaml").write_text(SHEET, encoding="utf-8")
    result = cli("check", cwd=scratch)
    assert result.code == 0, result.err
    assert (
        "warning: sheets/signs.yaml:4: sheet 'signs' lists 'ascites' in words_to_know but never uses it, so its "
        "definition is not printed Fix: remove it from words_to_know, or use the word in the sheet's text."
    ) in result.err.splitlines()
    strict = cli("check", "--strict", cwd=scratch)
    assert strict.code == 1
    assert "error: sheets/signs.yaml:5: sheet 'signs' lists 'prognosis' in words_to_know" in strict.err
