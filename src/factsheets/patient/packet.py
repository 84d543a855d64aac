"""One patient's packet: each chosen sheet rendered for their type, as one tagged, bookmarked PDF.

The CLI's `packet`, the form, the API and the Infobutton endpoint all make theirs here; the
build's packets per cancer type (build.packets) use the same sheets (`packet_fills`) and join the
PDFs in out/ for the sheets a packet prints as they are.

A packet prints each sentence once: a later sheet leaves out what an earlier one prints, or
refers back to it (selection.repeats). One sheet alone is never shortened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from factsheets.content.cancer_types import CancerType
from factsheets.patient.choice import Choice
from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.selection.repeats import without_repeats
from factsheets.selection.select import FilledSheet
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from factsheets.render.renderer import Renderer

T = TypeVar("T")  # what a member renders to: a PDF, or a copy stamped but not yet written


def packet_title(ctype: CancerType | None) -> str:
    """The title a packet's PDF shows: "Handouts for ovarian cancer"."""
    return f"Handouts for {ctype.name}" if ctype else "Patient handouts"


def packet_fills(
    content: Content,
    sheet_ids: Iterable[str],
    ctype: CancerType | None,
    fill: Callable[[Variant], FilledSheet] | None = None,
) -> list[tuple[FilledSheet, FilledSheet]]:
    """Each sheet of a packet as it prints alone and as the packet prints it, in reading order.

    The second leaves out the sentences an earlier sheet prints (`without_repeats`); it is the
    first itself when it repeats nothing. `fill`: how a variant is filled (the build looks its
    fills up), `content.fill` by default.
    """
    alone = [(fill or content.fill)(Variant(sheet_id, ctype)) for sheet_id in sheet_ids]
    return list(zip(alone, without_repeats(alone, content.common.glossary), strict=True))


def render_member(render: Callable[[FilledSheet], T], alone: FilledSheet, in_packet: FilledSheet) -> T:
    """A packet's sheet as the packet prints it (`render` it); as it prints alone should that ever not fit its page.

    Leaving out whole sentences leaves less to lay out, but a note referring back takes a line,
    and a cut paragraph a paragraph's spacing: rather than refuse the patient's packet, a sheet
    that would no longer fit prints whole, repeats and all.
    """
    from factsheets.render.renderer import DoesNotFit  # loaded with the renderer that renders

    if in_packet is alone:
        return render(alone)
    try:
        return render(in_packet)
    except DoesNotFit:
        return render(alone)


def render_packet(content: Content, renderer: Renderer, choice: Choice, options: RenderOptions) -> bytes:
    """One patient's packet: each chosen sheet for their type, without repeats, rendered and joined, bookmarked by sheet.

    The first bookmark says what was chosen and why (`Choice.summary`), as the form, the API and
    the CLI say it. One sheet is returned as rendered, not merged: its own title, and the very
    bytes a record hashes. Stamped sheets (a web worker's) are joined in one pass (`Renderer.joined`).
    """
    members = packet_fills(content, choice.sheet_ids, choice.cancer_type)
    with renderer.one_patient():  # the personal box laid out once for all the sheets
        parts = [render_member(lambda f: renderer.made(f, options), alone, shown) for alone, shown in members]
    if len(parts) == 1:
        return renderer.finished(parts[0]).pdf
    return renderer.joined(parts, packet_title(choice.cancer_type), choice.summary)
