"""Every PDF a patient receives is tagged for a screen reader: checked by `pdfua` and our own walker."""

from __future__ import annotations

import io

import pikepdf
import pytest
from helpers.pdfs import ua_problems

from factsheets.project import Content
from factsheets.render.merging import merge
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.render.tagging import finish_tags
from factsheets.selection.variant import Variant


@pytest.mark.parametrize(
    "options",
    [RenderOptions(), RenderOptions(paper="a4"), RenderOptions(large_print=True)],
    ids=["letter", "a4", "large-print"],
)
def test_a_single_sheet_passes_the_checkpoints(renderer: Renderer, content: Content, options: RenderOptions) -> None:
    filled = content.fill(Variant("bone"))  # a data table, a list, two QR figures
    assert ua_problems(renderer.render(filled, options).pdf) == []


def test_merged_sheets_keep_their_tags_and_a_bookmark_each(renderer: Renderer, content: Content) -> None:
    sheets = [
        content.fill(Variant.of(s, t))
        for s, t in [("what-is-metastatic-cancer", None), ("where-it-spreads", "lung"), ("questions", None)]
    ]
    pdf = merge([(s.sheet.title, renderer.render(s, RenderOptions()).pdf) for s in sheets], "Handouts for lung cancer")
    assert ua_problems(pdf, sheets=3) == []  # every page's marked content reachable from one root, language, XMP
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 3
        assert str(doc.docinfo["/Title"]) == "Handouts for lung cancer"
        assert [item.title for item in doc.open_outline().root] == [s.sheet.title for s in sheets]
        with doc.open_metadata() as xmp:
            assert xmp["dc:title"] == "Handouts for lung cancer"
            assert xmp["pdfuaid:part"] == "1"
        keys = [int(k) for k in doc.Root.StructTreeRoot.ParentTree.Nums[0::2]]
        assert keys == sorted(set(keys))
        assert int(doc.Root.StructTreeRoot.ParentTreeNextKey) == keys[-1] + 1


def test_a_patients_packet_says_first_what_was_chosen_and_why(renderer: Renderer, content: Content) -> None:
    """Its first bookmark (on page 1) and its subject: staff opening the PDF see why these sheets (issue 22)."""
    sheets = [content.fill(Variant(s)) for s in ("bone", "questions")]
    summary = "2 sheets: as listed (no cancer type, sites or codes given)"
    pdf = merge([(s.sheet.title, renderer.render(s, RenderOptions()).pdf) for s in sheets], "Patient handouts", summary)
    assert ua_problems(pdf, sheets=2, summary=True) == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        outline = doc.open_outline().root
        assert [item.title for item in outline] == [summary, *(s.sheet.title for s in sheets)]
        assert pikepdf.Page(outline[0].destination[0]).index == 0
        assert str(doc.docinfo["/Subject"]) == summary
        with doc.open_metadata() as xmp:
            assert xmp["dc:description"] == summary


def test_header_cells_get_the_scope_their_place_in_the_table_gives(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("where-it-spreads"))  # a header row, a header per row
    pdf = renderer.render(filled, RenderOptions()).pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        scopes = [str(e.A.Scope) for e in _all(doc.Root.StructTreeRoot) if str(e.S) == "/TH"]
    assert scopes[:2] == ["/Column", "/Column"]
    assert set(scopes[2:]) == {"/Row"}
    rows = sum(1 for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row")
    assert len(scopes) == 2 + rows


def test_a_pdf_without_header_cells_is_left_byte_for_byte() -> None:
    from weasyprint import HTML

    pdf = HTML(string='<html lang="en"><title>T</title><h1>No table</h1><p>Text</p></html>').write_pdf(
        pdf_variant="pdf/ua-1"
    )
    assert finish_tags(pdf) == pdf


def _all(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = node.get("/K")
    found = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += [kid, *_all(kid)]
    return found
