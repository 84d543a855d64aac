"""What WeasyPrint's PDF/UA tagger leaves out, added after it writes: header cells' /Scope.

WeasyPrint tags `<th>` as /TH but without the /Scope attribute (Matterhorn 15-003), although
the HTML says it. In our tables a header in THead heads a column and a header in a body row
heads its row, so the scope follows from where the cell sits in the tag tree.
"""

from __future__ import annotations

import io

import pikepdf


def finish_tags(pdf: bytes) -> bytes:
    """The PDF with /Scope on every /TH (Column in THead, Row elsewhere); otherwise unchanged."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        tree = document.Root.get("/StructTreeRoot")
        if tree is None or not _scope_headers(tree.get("/K")):
            return pdf
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
        return out.getvalue()


def _scope_headers(kids: object, row_group: str = "") -> int:
    """Walk the structure tree; return how many header cells were given a scope."""
    if isinstance(kids, pikepdf.Array):
        return sum(_scope_headers(kid, row_group) for kid in kids)
    if not isinstance(kids, pikepdf.Dictionary) or "/S" not in kids:
        return 0
    kind = str(kids.S)
    changed = 0
    if kind == "/TH":
        attributes = kids.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            attributes = kids.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
        attributes.Scope = pikepdf.Name.Column if row_group == "/THead" else pikepdf.Name.Row
        changed = 1
    group = kind if kind in ("/THead", "/TBody", "/TFoot") else row_group
    return changed + _scope_headers(kids.get("/K"), group)
