"""Several finished, tagged sheet PDFs joined into one, tags and bookmarks kept (for packets).

Its own module so that pikepdf loads only when PDFs are joined: a build with nothing to rewrite
never needs it.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, Object


def merge(parts: list[tuple[str, bytes]], title: str, summary: str = "") -> bytes:
    """One tagged PDF from finished, tagged sheet PDFs: their pages, structure trees and bookmarks.

    `summary` (a patient's packet: what was chosen and why) is the first bookmark, on the first
    page, and the document's subject, so staff who open the PDF see it before the sheets.

    A plain page merge drops the structure tree, language and PDF/UA identification, so a
    screen reader gets nothing. Laying the sheets out again as one document keeps them, but
    costs a second layout of every member (13 packets: 3.4 s of a 6.6 s build). Here the
    trees are joined under one /Document instead: each sheet's pages keep their marked content,
    their keys in the parent tree are shifted past the sheets before them, and each sheet's
    bookmarks are kept under it. pikepdf (qpdf) maps every copied reference to the copied page.
    """
    out = pikepdf.Pdf.new()
    tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
    nums, offset = Array(), 0
    sources = [pikepdf.open(io.BytesIO(pdf)) for _, pdf in parts]
    try:
        with out.open_outline() as outline:
            for source in sources:
                offset = _append(out, source, document, nums, offset, outline.root)
        tree.K, tree.ParentTree, tree.ParentTreeNextKey = document, out.make_indirect(Dictionary(Nums=nums)), offset
        _catalog(out, sources[0], tree, title)
        summarize(out, summary)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


def _append(
    out: pikepdf.Pdf,
    source: pikepdf.Pdf,
    document: Dictionary,
    nums: Array,
    offset: int,
    outline: list[pikepdf.OutlineItem],
) -> int:
    """Copy one sheet's pages, tags and bookmarks; return the next free parent-tree key."""
    first = len(out.pages)
    out.pages.extend(source.pages)
    for page in out.pages[first:]:
        page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    source_nums = source.Root.StructTreeRoot.ParentTree.Nums
    for i in range(0, len(source_nums), 2):
        nums.append(int(source_nums[i]) + offset)
        nums.append(_foreign(out, source_nums[i + 1]))
    for element in _top_elements(source.Root.StructTreeRoot):
        copied = _foreign(out, element)
        copied.P = document
        document.K.append(copied)
    for item in source.open_outline().root:
        outline.append(_bookmark(item, first))
    return offset + max(int(key) for key in source_nums[0::2]) + 1


def _catalog(out: pikepdf.Pdf, first: pikepdf.Pdf, tree: Dictionary, title: str) -> None:
    """What PDF/UA asks of the document as a whole: language, tags, title shown, XMP identifier."""
    root = out.Root
    root.StructTreeRoot, root.Lang = tree, first.Root.Lang
    root.MarkInfo, root.ViewerPreferences = Dictionary(Marked=True), Dictionary(DisplayDocTitle=True)
    root.Metadata = out.copy_foreign(first.Root.Metadata)
    with out.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = title
    out.docinfo["/Title"], out.docinfo["/Creator"] = title, "factsheets"


def summarize(out: pikepdf.Pdf, summary: str) -> None:
    """A patient's packet's summary (what was chosen and why: their codes, maybe) as its first bookmark, on the
    first page, and its subject. Its own step: a stamped packet adds it to its copy (`overlay`), never to the
    holed packet a worker keeps."""
    if not summary:
        return
    with out.open_outline() as outline:
        outline.root.insert(0, pikepdf.OutlineItem(summary, 0))
    with out.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:description"] = summary
    out.docinfo["/Subject"] = summary


def _top_elements(tree: Object) -> list[Object]:
    """The elements under a sheet's /Document: they go under the merged /Document."""
    tops: list[Object] = []
    for element in kids(tree):
        tops += kids(element) if element.get("/S") == Name.Document else [element]
    return tops


def kids(node: Object) -> list[Object]:
    """A structure node's /K as a list: none, one, or an array of kids."""
    found = node.get("/K")
    return list(found) if isinstance(found, Array) else [] if found is None else [found]


def _foreign(out: pikepdf.Pdf, value: Object) -> Object:
    """`value` copied into `out`: an indirect object by qpdf, a direct array (a page's parent-tree entry)
    item by item."""
    if isinstance(value, Object) and value.is_indirect:
        return out.copy_foreign(value)
    return Array([_foreign(out, item) for item in value]) if isinstance(value, Array) else value


def _bookmark(item: pikepdf.OutlineItem, first: int) -> pikepdf.OutlineItem:
    destination = item.destination
    page = pikepdf.Page(destination[0]).index if isinstance(destination, Array) else 0
    copied = pikepdf.OutlineItem(item.title, first + page)
    copied.children.extend(_bookmark(child, first) for child in item.children)
    return copied
