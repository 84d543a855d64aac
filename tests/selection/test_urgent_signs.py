"""A sheet's own urgent signs (`urgent:`, issue 24 item 2): selected word for word like a section's passages,
approved by the lock, cited, and defined in Words to know like the rest of the sheet's own text.

The fixture project tests/data/urgent holds still whatever the shipped sheets do (its README).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.project import DATA

from factsheets.build.plan import _cited_source_ids
from factsheets.content.sheets import load_sheet, sheet_schema
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project, load_content
from factsheets.render.edition import content_version
from factsheets.selection.approval import passages
from factsheets.selection.select import URGENT, select
from factsheets.selection.variant import Variant

URGENT_DATA = DATA / "urgent"
SPINAL_CORD = (
    "If you have back pain with numb legs or trouble holding your urine, get care right away: the cancer may be "
    "pressing on your spinal cord."
)


@pytest.fixture(scope="module")
def fixture() -> Content:
    return load_content(Project(URGENT_DATA))


def test_urgent_signs_are_selected_word_for_word_and_cited(fixture: Content) -> None:
    filled = fixture.fill(Variant("urgent-spine"))
    assert [g.texts for g in filled.urgent] == [
        (SPINAL_CORD,),
        ("Sudden weakness in both legs.", "A fall, or a bone that may be broken."),
    ]
    assert [g.citation.source.id for g in filled.urgent if g.citation] == ["urgent-spine-pages", "urgent-signs"]
    assert filled.urgent[0].left_out == (
        ("Cancer in the spine can cause back pain.", "Most back pain is not an emergency."),
    )
    # The sentence moved out of its section: the section prints the rest of the paragraph, not it.
    assert all(SPINAL_CORD not in t for s in filled.sections for g in s.groups for t in g.texts)
    assert [s.id for s in filled.sources] == ["urgent-spine-pages", "urgent-signs"]  # the second only in urgent


def test_the_lock_approves_them_under_their_heading_before_the_emergency_line(fixture: Content) -> None:
    filled = fixture.fill(Variant("urgent-spine"))
    printed = [(heading, g.texts[0]) for heading, g in filled.printed()]
    headings = [heading for heading, _ in printed]
    call = filled.when_to_call
    assert call is not None
    first, last = headings.index(URGENT), len(headings) - 1 - headings[::-1].index(URGENT)
    assert printed[first - 1] == (call.heading, call.call_about[-1])
    assert printed[last + 1] == (call.heading, call.emergency)
    rows = [(r.heading, r.source, r.text) for r in passages(filled)]
    assert (URGENT, "urgent-spine-pages", SPINAL_CORD) in rows


def test_a_word_used_only_in_the_urgent_signs_is_defined(fixture: Content) -> None:
    filled = fixture.fill(Variant("urgent-spine"))
    assert [w.term for w in filled.words] == ["spinal cord"]  # no section says it


def test_the_content_version_covers_them_and_stays_for_a_sheet_without(fixture: Content, content: Content) -> None:
    sheet = fixture.sheets["urgent-spine"]
    with_signs = fixture.fill(Variant("urgent-spine"))
    without = select(sheet.model_copy(update={"urgent": []}), fixture.corpus, None, fixture.common)
    assert without.urgent == ()
    assert content_version(with_signs) != content_version(without)
    liver = content.fill(Variant("liver"))  # no urgent signs: its version (and edition code) as before them
    assert liver.urgent == ()
    assert content_version(liver) == content_version(replace(liver, urgent=()))


def test_the_build_rebuilds_when_a_source_only_the_urgent_signs_quote_changes(fixture: Content) -> None:
    sheet = fixture.sheets["urgent-spine"]
    assert _cited_source_ids(sheet, fixture.common.glossary) == ["urgent-signs", "urgent-spine-pages"]
    assert len(sheet.passages) == 4  # its two sections' passages, then its two urgent signs'
    assert sheet.passages[-2:] == sheet.urgent


def _copy(tmp_path: Path, urgent: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(URGENT_DATA, root)
    path = root / "sheets" / "urgent-spine.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("urgent:")] + urgent, encoding="utf-8")
    return path


def test_a_table_row_is_refused_at_its_passage(fixture: Content, tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        "urgent:\n  - source: urgent-spine-pages\n    section: What you may feel\n"
        "  - source: urgent-spine-pages\n    section: Where it comes from\n    rows: [Breast]\n",
    )
    with pytest.raises(FactsheetsError) as raised:
        select(load_sheet(path), fixture.corpus, None, fixture.common)
    (problem,) = raised.value.problems
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = max(n for n, line in enumerate(lines, start=1) if line.startswith("  - source:"))  # the second passage
    assert (problem.file, problem.line) == (path, rows)
    assert "urgent signs print as a list in the When to call box" in problem.message


def test_a_pick_that_matches_nothing_is_an_error_at_its_entry(fixture: Content, tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        'urgent:\n  - source: urgent-spine-pages\n    section: What you may feel\n    sentences: ["numb arms"]\n',
    )
    with pytest.raises(FactsheetsError) as raised:
        select(load_sheet(path), fixture.corpus, None, fixture.common)
    (problem,) = raised.value.problems
    assert problem.line == len(path.read_text(encoding="utf-8").splitlines())
    assert "no sentence of the selection contains 'numb arms'" in problem.message


def test_a_sheet_without_urgent_signs_prints_as_before(content: Content) -> None:
    filled = content.fill(Variant("liver"))
    assert filled.urgent == ()
    assert URGENT not in [heading for heading, _ in filled.printed()]


def test_the_schema_describes_the_field() -> None:
    schema = sheet_schema()
    assert schema["properties"]["urgent"]["items"] == {"$ref": "#/$defs/Passage"}
    assert "When to call" in schema["properties"]["urgent"]["description"]
    committed = json.loads((Path(__file__).parents[2] / "sheets" / "sheet.schema.json").read_text(encoding="utf-8"))
    assert committed["properties"]["urgent"] == schema["properties"]["urgent"]
