"""One patient's packet: each chosen sheet rendered for their type, as one tagged, bookmarked PDF.

The CLI's `packet`, the form, the API and the Infobutton endpoint all make theirs here; the
build's packets per cancer type (build.packets) are joined from the PDFs in out/ instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factsheets.content.cancer_types import CancerType
from factsheets.patient.choice import Choice
from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from factsheets.render.renderer import Renderer


def packet_title(ctype: CancerType | None) -> str:
    """The title a packet's PDF shows: "Handouts for ovarian cancer"."""
    return f"Handouts for {ctype.name}" if ctype else "Patient handouts"


def render_packet(content: Content, renderer: Renderer, choice: Choice, options: RenderOptions) -> bytes:
    """One patient's packet: each chosen sheet for their type, rendered and merged, bookmarked by sheet.

    One sheet is returned as rendered, not merged: its own title, and the very bytes a record hashes.
    """
    fills = [content.fill(Variant(sheet_id, choice.cancer_type)) for sheet_id in choice.sheet_ids]
    parts = [(f.sheet.title, renderer.render(f, options).pdf) for f in fills]
    if len(parts) == 1:
        return parts[0][1]
    from factsheets.render.merging import merge  # pikepdf loads only when PDFs are joined

    return merge(parts, packet_title(choice.cancer_type))
