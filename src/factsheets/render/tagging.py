"""What WeasyPrint's PDF/UA tagger leaves out, added after it writes: header cells' /Scope, and
margin-box text marked as what it is, a page's running header.

WeasyPrint tags `<th>` as /TH but without the /Scope attribute (Matterhorn 15-003), although
the HTML says it. In our tables a header in THead heads a column and a header in a body row
heads its row, so the scope follows from where the cell sits in the tag tree.

Text in a page margin box (large print's page 2 heading: the sheet's title and the patient's
name, `@top-left` in sheet.css) is drawn as marked content with an MCID that no structure element
holds (Matterhorn 01-005: content neither tagged nor an artifact). It repeats what page 1 says
in tagged text, so it is a pagination artifact, as PDF/UA asks of running headers: its marked
content becomes `/Artifact <</Type /Pagination /Subtype /Header>>`.
"""

from __future__ import annotations

import io

import pikepdf


def finish_tags(pdf: bytes, margins: bool = True) -> bytes:
    """The PDF with /Scope on every /TH (Column in THead, Row elsewhere) and margin-box text as an artifact;
    otherwise unchanged (byte for byte when there is nothing to add). `margins`: whether its pages may
    have margin boxes (a stamped copy's pieces have none: reading their drawing for them is skipped)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        tree = document.Root.get("/StructTreeRoot")
        if not isinstance(tree, pikepdf.Dictionary):
            return pdf
        changed = _scope_headers(tree.get("/K"))
        if margins:
            changed += _running_headers_as_artifacts(document, tree)
        if not changed:
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


def _running_headers_as_artifacts(document: pikepdf.Pdf, tree: pikepdf.Dictionary) -> int:
    """Mark each page's marked content that no structure element reachable from the root holds as a running
    header (WeasyPrint gives margin-box text an element of its own, /NonStruct, that it never attaches);
    return how many were marked."""
    held = _reachable_mcids(document, tree)
    changed = 0
    for index, page in enumerate(document.pages):
        operations = pikepdf.parse_content_stream(page)
        orphans = 0
        for at, instruction in enumerate(operations):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue  # an inline image
            operands, operator = instruction.operands, instruction.operator
            if str(operator) != "BDC" or len(operands) != 2 or str(operands[0]) == "/Artifact":
                continue
            properties = operands[1]
            if not isinstance(properties, pikepdf.Dictionary) or "/MCID" not in properties:
                continue
            if (index, int(properties.MCID)) not in held:
                header = pikepdf.Dictionary(Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name.Header)
                operations[at] = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, header], operator)
                orphans += 1
        if orphans:
            page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(operations))
            changed += orphans
    return changed


def _reachable_mcids(document: pikepdf.Pdf, tree: pikepdf.Dictionary) -> set[tuple[int, int]]:
    """(page index, MCID) of the marked content held by the structure elements reachable from the root."""
    index_of = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    found: set[tuple[int, int]] = set()
    stack: list[tuple[object, tuple[int, int] | None]] = [(tree.get("/K"), None)]
    while stack:
        node, page = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack += [(kid, page) for kid in node]
        elif isinstance(node, pikepdf.Dictionary):
            here = node.Pg.objgen if "/Pg" in node else page
            if node.get("/Type") == "/MCR" and "/MCID" in node and here in index_of:
                found.add((index_of[here], int(node.MCID)))
            elif "/S" in node:
                stack.append((node.get("/K"), here))
        elif isinstance(node, int) and page in index_of:
            found.add((index_of[page], int(node)))
    return found
