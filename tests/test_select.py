"""Selection: what `show` prints is the sources' words, traced to the right place, per variant."""

from __future__ import annotations

import re

import pytest
from helpers import cli

from factsheets.cancer_types import CANCER_TYPES, find_cancer_type
from factsheets.errors import FactsheetsError
from factsheets.project import Content
from factsheets.variant import Variant


def _fold(text: str) -> str:
    return " ".join(text.split())


def test_every_shown_passage_is_verbatim_in_its_source(content: Content) -> None:
    """Parse `show`'s output for every variant; each passage must stand in the cited source file."""
    checked = 0
    for variant in content.variants():
        args = ["show", variant.sheet_id] + (["--cancer-type", variant.type_key] if variant.cancer_type else [])
        result = cli(*args)
        assert result.code == 0, result.err
        pending: list[str] = []
        for line in result.out.splitlines():
            cited = re.match(r"^    -- .*\((?P<source>[a-z0-9-]+)\.md line \d+\)$", line)
            if cited:
                body = _fold(content.corpus[cited["source"]].path.read_text(encoding="utf-8"))
                for text in pending:
                    cells = text.split(" | ")
                    assert all(_fold(c) in body for c in cells), f"{variant}: {text!r}"
                    checked += len(cells)
                pending = []
            elif line.startswith("    -- from your care team"):
                pending = []
            elif line.startswith("  "):
                pending.append(line.strip())
        assert not pending, f"{variant}: passages without a citation: {pending}"
    assert checked > 150


def test_breast_variant_says_where_breast_cancer_spreads(content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "breast"))
    text = filled.plain_text()
    assert "Breast | Bone, brain, liver, lung" in text
    assert "Breast cancer tends to spread to the bones, liver, lungs, chest wall, and brain" in text
    assert "Lung cancer tends to spread" not in text
    assert "Prostate |" not in text


def test_general_variant_has_the_whole_table(content: Content) -> None:
    filled = content.fill(Variant("where-it-spreads"))
    rows = [b for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row"]
    assert [r.cells[0] for r in rows] == [t.label for t in CANCER_TYPES.values()]


@pytest.mark.parametrize("ctype", list(CANCER_TYPES))
def test_every_type_gets_its_own_row_and_nothing_of_other_types(content: Content, ctype: str) -> None:
    filled = content.fill(Variant.of("where-it-spreads", ctype))
    rows = [b.cells[0] for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row"]
    assert rows == [CANCER_TYPES[ctype].label]
    for other in CANCER_TYPES.values():
        typed = [b.text for s in filled.sections[1:2] for g in s.groups for b in g.blocks if b.kind != "row"]
        if other.key != ctype and not CANCER_TYPES[ctype].named_in(" ".join(typed)):
            assert not any(other.named_in(t) for t in typed)


def test_tumor_marker_variant_keeps_only_its_marker(content: Content) -> None:
    text = content.fill(Variant.of("tests-for-metastasis", "prostate")).plain_text()
    assert "Prostate cancer: PSA (prostate-specific antigen)." in text
    assert "CA-125" not in text
    assert "CEA" not in text


def test_type_a_sheet_does_not_vary_by_gives_the_general_sheet(content: Content) -> None:
    filled = content.fill(Variant.of("bone", "breast"))
    assert filled.cancer_type is None
    assert filled.variant == Variant("bone")
    assert filled.variant.type_key == "general"


def test_unknown_cancer_type_lists_the_known_ones() -> None:
    with pytest.raises(FactsheetsError) as err:
        find_cancer_type("brest")
    assert str(err.value) == f"unknown cancer type 'brest' Fix: use one of: {', '.join(CANCER_TYPES)}."


def test_cli_unknown_sheet_and_type_exit_1_without_traceback() -> None:
    result = cli("show", "where-it-spread")
    assert result.code == 1
    assert result.err.startswith("error: unknown sheet 'where-it-spread' Fix: use one of: ")
    result = cli("show", "where-it-spreads", "--cancer-type", "brest")
    assert result.code == 1
    assert "unknown cancer type 'brest'" in result.err
    assert "Traceback" not in result.err


def test_citations_point_at_the_source_line(content: Content) -> None:
    filled = content.fill(Variant("bone"))
    for section in filled.sections:
        for group in section.groups:
            assert group.citation is not None
            lines = (
                group.citation.source
                and content.corpus[group.citation.source.id].path.read_text(encoding="utf-8").splitlines()
            )
            assert _fold(group.blocks[0].text.split(" | ")[0])[:20] in _fold(lines[group.citation.line - 1])
