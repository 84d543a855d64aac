"""A sheet's own urgent signs print where people act (issue 24 item 2): in the When to call box, under their
own heading, beside the shared line about 911, tagged for a screen reader as a heading and a list in that box.
The fixture is tests/data/urgent (its README): two sources, the second quoted only by the urgent signs."""

from __future__ import annotations

import pytest
from helpers.pdfs import Tagged, font_sizes_of, qr_codes, tag_tree, text_of, ua_problems
from helpers.project import DATA

from factsheets.project import Content, Project, load_content
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.select import URGENT, FilledSheet
from factsheets.selection.variant import Variant

SPINAL_CORD = (
    "If you have back pain with numb legs or trouble holding your urine, get care right away: the cancer may be "
    "pressing on your spinal cord."
)
SIGNS = ["Sudden weakness in both legs.", "A fall, or a bone that may be broken."]
OPTIONS = [
    RenderOptions(),
    RenderOptions(paper="a4"),
    RenderOptions(large_print=True, personal=Personal("Ann Lee", "1 Dec 2026", "Dr Okafor, 555-0100")),
]


@pytest.fixture(scope="module")
def project() -> tuple[Renderer, Content]:
    found = Project(DATA / "urgent")
    return Renderer(found), load_content(found)


@pytest.fixture(scope="module")
def filled(project: tuple[Renderer, Content]) -> FilledSheet:
    return project[1].fill(Variant("urgent-spine"))


def _call_box(pdf: bytes) -> Tagged:
    (box,) = [s for s in tag_tree(pdf).find("/Sect") if s.find("/H2", "When to call")]
    return box


@pytest.mark.parametrize("options", OPTIONS, ids=["letter", "a4", "large-print"])
def test_the_signs_are_a_heading_and_a_list_in_the_call_box_before_the_911_line(
    project: tuple[Renderer, Content], filled: FilledSheet, options: RenderOptions
) -> None:
    renderer, _ = project
    pdf = renderer.render(filled, options).pdf
    assert ua_problems(pdf) == []
    box = _call_box(pdf)
    kinds = [kid.kind for kid in box.kids]
    assert kinds == ["/Div", "/P", "/L", "/Div", "/P"]  # heading and byline, call line, shared list, signs, 911
    heading, _, shared, signs, emergency = box.kids
    assert heading.find("/H2")[0].text == "When to call"
    assert shared.text.endswith("Questions about your care or this sheet.")
    (urgent_heading,) = signs.find("/H3")
    assert urgent_heading.text == URGENT
    (listed,) = signs.find("/L")
    items = [item.text for item in listed.find("/LI")]
    assert items == [f"• {SPINAL_CORD} 1", f"• {SIGNS[0]}", f"• {SIGNS[1]} 2"]  # each passage with its source number
    assert emergency.text.startswith("Call 911")
    headings = [h.kind for h in tag_tree(pdf).find("/H3")] + [h.kind for h in tag_tree(pdf).find("/H4")]
    assert headings == ["/H3"]  # the one H3, under the box's H2: no level skipped


def test_they_print_once_and_not_in_a_section(project: tuple[Renderer, Content], filled: FilledSheet) -> None:
    renderer, _ = project
    text = text_of(renderer.render(filled, RenderOptions()).pdf)
    assert text.count(SPINAL_CORD) == 1
    before, after = text.split(SPINAL_CORD)
    assert "Questions about your care or this sheet." in before.split(URGENT)[0]  # the shared list first
    assert after.lstrip("1 ").startswith(SIGNS[0])
    assert "Call 911" in after


def test_a_source_only_the_urgent_signs_quote_is_numbered_and_has_its_code(
    project: tuple[Renderer, Content], filled: FilledSheet
) -> None:
    renderer, _ = project
    pdf = renderer.render(filled, RenderOptions()).pdf
    assert sorted(code.text for code in qr_codes(pdf)) == [
        "https://example.org/urgent/signs",
        "https://example.org/urgent/spine",
    ]
    assert "2 Test Fixture Two" in text_of(pdf)


def test_they_print_at_body_size(project: tuple[Renderer, Content], filled: FilledSheet) -> None:
    renderer, _ = project
    result = renderer.render(filled, RenderOptions())
    assert font_sizes_of(result.pdf, f"{SPINAL_CORD} {' '.join(SIGNS)}") == {result.body_pt}
    assert result.body_pt >= 12


def test_a_packets_shortened_sheet_still_numbers_their_source(
    project: tuple[Renderer, Content], filled: FilledSheet
) -> None:
    """selection.repeats recounts a packet sheet's sources from its sections and Words to know: the renderer
    numbers the urgent signs' own source all the same (here: as if it had been left off)."""
    from dataclasses import replace

    renderer, _ = project
    shortened = replace(filled, sources=filled.sources[:1])
    html = renderer.html(shortened, RenderOptions())
    assert html.count('class="qr"') == 2
    assert 'title="Source 2">2</sup>' in html
