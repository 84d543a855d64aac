"""Markers for a copy's values (render/shapes.py): which values a marker can stand for, and that a copy's HTML
goes back to its marked HTML and forth exactly. Stamping with shapes is tested on real PDFs in test_stamping."""

from __future__ import annotations

import pytest

from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal, personal
from factsheets.render.shapes import MARKERS, _filled, marked, plain, unfilled


@pytest.mark.parametrize(
    "value",
    ["Ann Lee", "Dr Okafor, (555) 010-0100", "Zoë Ångström-Ñúñez", "محمد علی", "李小龙", "May 1, 2026"],
)
def test_a_plain_value_is_one_a_marker_can_stand_for(value: str) -> None:
    assert plain(Personal(value, value, value))


@pytest.mark.parametrize(
    "value",
    [
        *["Smith & Jones", "<b>Ann</b>", 'Ann "Nan" Lee', "O'Neil", " Ann", "Ann ", "Ann  Lee", "Ann\tLee"],
        *["Ann\u00a0Lee", "Ann\rLee", "Ann\x00", "\ue000patient\ue001", "Ann\ufdd0"],
    ],
)
def test_a_value_html_reads_apart_is_not_plain(value: str) -> None:
    """Escaped, folded or changed by the HTML parser (a carriage return, a NUL), or a marker itself: the copy's
    own HTML is parsed instead."""
    assert not plain(Personal(patient=value))


def test_every_value_the_form_accepts_without_special_characters_is_plain() -> None:
    """`personal.clean` folds spaces and refuses controls and private-use characters: what it lets through is
    plain unless it holds a character HTML escapes."""
    assert plain(personal("  Ann   Lee ", "2026-05-01", "Dr\u2009Okafor"))


def test_marked_options_keep_the_fields_given_and_nothing_of_their_values() -> None:
    options = RenderOptions(personal=Personal("Ann Lee", "", "Dr Okafor"))
    assert marked(options).personal == Personal(MARKERS["patient"], "", MARKERS["care_team"])


@pytest.mark.parametrize(
    "details",
    [
        Personal("Ann", "May 1, 2026", "Dr Ann Lee"),  # one value inside another
        Personal("Lee", "", "Lee"),  # the same value twice
        Personal("li", "", ""),  # a value that is also in the HTML's tags
    ],
)
def test_a_copys_html_goes_back_to_markers_and_forth_exactly(details: Personal) -> None:
    """Values put back to markers and markers filled in again give the copy's HTML, whatever the values share
    with each other or with the page: the edition is looked up by the marked HTML, then checked by this."""
    html = f"<ul><li>{details.patient}</li><li>Call {details.care_team} on {details.date}</li></ul>"
    assert _filled(unfilled(html, details), details, escaped=True) == html
