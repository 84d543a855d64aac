"""One patient's packet as a PDF: each sentence printed once, nothing of another cancer type (issue 24, item 4).

Read from the real PDF, sheet by sheet, each sheet's own text as its tags hold it (helpers.packets):
the boxes every sheet prints by design (Words to know, When to call, sources, footer) are not its
own text and may repeat. Every type's packet is read in tests/build (the build's packets).
"""

from __future__ import annotations

from pathlib import Path

from helpers.cli import cli
from helpers.packets import other_types_text, own_blocks, printed_twice
from helpers.pdfs import reader

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.patient.choice import choose_for, one_sheet
from factsheets.patient.packet import packet_fills, render_packet
from factsheets.project import Content
from factsheets.render.edition import content_version, edition_id
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.repeats import see_also
from factsheets.selection.variant import Variant


def test_the_breast_packet_prints_each_sentence_once_and_no_other_types_text(tmp_path: Path) -> None:
    """`factsheets packet --type breast`: it printed "Treatment can ease your symptoms..." three times."""
    out = tmp_path / "breast.pdf"
    result = cli("packet", "--type", "breast", "-o", str(out))
    assert result.code == 0, result.err
    pdf = out.read_bytes()
    assert printed_twice(pdf) == []
    assert other_types_text(pdf, CANCER_TYPES["breast"], list(CANCER_TYPES.values())) == []
    assert len(reader(pdf).pages) == 8  # every sheet still on its one page


def test_a_sheet_printed_twice_leaves_out_everything_the_second_time_and_says_where_it_is(
    content: Content, renderer: Renderer
) -> None:
    """The reading is not blind: the same sheet twice is every sentence twice, unless the packet leaves them out."""
    from factsheets.render.merging import merge

    choice = choose_for(content, None, [], [], ["brain"]).as_listed(["brain", "brain"])
    packet = render_packet(content, renderer, choice, RenderOptions())
    brain = content.fill(Variant("brain"))
    alone = renderer.render(brain, RenderOptions()).pdf
    doubled = merge([("Brain", alone), ("Brain", alone)], "Twice")
    whole = {text for text, _ in printed_twice(doubled)}
    assert whole
    assert printed_twice(packet) == []
    second = [b for b in own_blocks(packet) if b.sheet == 1]
    title = content.sheets["brain"].title
    assert {b.text for b in second} == {see_also([title])}  # each section: its heading and where its text is
    assert len(second) == len(brain.sections)
    assert len(reader(packet).pages) == 2


def test_a_shortened_sheet_names_its_own_edition_and_changes_nothing_the_sheet_alone_prints(
    content: Content, renderer: Renderer
) -> None:
    """No cache keyed by variant mixes the two: after a packet, the sheet alone is the same bytes, and the
    packet's shortened page carries its own content version, so its edition code names the text it bears."""
    options = RenderOptions()
    brain = content.fill(Variant("brain"))
    before = renderer.render(brain, options).pdf
    packet = render_packet(
        content, renderer, choose_for(content, None, [], [], ["brain"]).as_listed(["brain"] * 2), options
    )
    after = render_packet(content, renderer, one_sheet(content, "brain", None), options)  # GET /handout.pdf's way
    assert after == before == renderer.render(content.fill(Variant("brain")), options).pdf
    first, second = (page.extract_text() for page in reader(packet).pages)
    assert f"Content version {content_version(brain)}" in first
    assert f"Content version {content_version(brain)}" not in second
    shortened = packet_fills(content, ["brain", "brain"], None)[1][1]
    assert f"Content version {content_version(shortened)}" in second
    assert edition_id(shortened) != edition_id(brain)
