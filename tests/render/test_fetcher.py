"""Rendering reads only the project's files: stray files and the network are refused, loudly."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers.project import ROOT

from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.render.fetcher import ProjectFetcher, ResourceRefused
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant


def _clinic_with_template(tmp_path: Path, extra: str) -> Path:
    """A clinic whose notes.html override sneaks in `extra` markup."""
    parts = tmp_path / "clinic" / "templates" / "parts"
    parts.mkdir(parents=True)
    (parts / "notes.html").write_text(f"<section class='notes'><h2>Notes</h2>{extra}</section>", encoding="utf-8")
    return tmp_path / "clinic"


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ('<link rel="attachment" href="file:///etc/hostname">', "outside the project"),
        ('<img src="https://example.org/tracker.png" alt="">', "network access is not allowed"),
        ('<img src="file:///nonexistent/pic.png" alt="">', "outside the project"),
    ],
)
def test_stray_resources_stop_the_render(tmp_path: Path, content: Content, markup: str, reason: str) -> None:
    renderer = Renderer(Project(ROOT, _clinic_with_template(tmp_path, markup)))
    filled = content.fill(Variant("liver"))
    with pytest.raises(FactsheetsError, match=reason):
        renderer.render(filled, RenderOptions())


def test_allowed_file_is_served_and_missing_one_refused(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("p{}", encoding="utf-8")
    fetcher = ProjectFetcher([tmp_path])
    response = fetcher.fetch((tmp_path / "a.css").as_uri())
    assert response.read() == b"p{}"
    assert response.content_type == "text/css"
    with pytest.raises(ResourceRefused, match="file not found"):
        fetcher.fetch((tmp_path / "b.css").as_uri())
    with pytest.raises(ResourceRefused, match="outside"):
        fetcher.fetch((tmp_path / ".." / "x.css").as_uri())


def test_a_clinic_style_sheet_importing_itself_is_refused_in_time(tmp_path: Path) -> None:
    clinic = _clinic_with_template(tmp_path, "")
    (clinic / "styles").mkdir()
    sheet = (ROOT / "styles" / "sheet.css").read_text(encoding="utf-8")
    (clinic / "styles" / "sheet.css").write_text(f'@import url("sheet.css");\n{sheet}', encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(
        FactsheetsError,
        match=r"style sheet sheet\.css @imports itself\).* Fix: remove the @import that closes the circle\.",
    ):
        Renderer(Project(ROOT, clinic))
    assert time.monotonic() - started < 10  # was 25 s, then a traceback


def test_style_sheets_importing_one_another_in_a_circle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("@import 'b.css'; p {}", encoding="utf-8")
    (tmp_path / "b.css").write_text("@import /* again */ url(./c.css) print;", encoding="utf-8")
    (tmp_path / "c.css").write_text("@\\69mport url('%61.css');", encoding="utf-8")  # a.css, escaped twice over
    with pytest.raises(ResourceRefused, match=r"in a circle: a\.css → b\.css → c\.css → a\.css"):
        ProjectFetcher([tmp_path]).fetch((tmp_path / "a.css").as_uri())


def test_an_import_tree_too_large_is_refused_and_a_plain_one_served(tmp_path: Path) -> None:
    for n in range(8):  # each sheet imports the next twice: 2**8 imports, with no circle
        (tmp_path / f"{n}.css").write_text(f"@import '{n + 1}.css'; @import '{n + 1}.css';", encoding="utf-8")
    (tmp_path / "8.css").write_text("p { color: red }", encoding="utf-8")
    fetcher = ProjectFetcher([tmp_path])
    with pytest.raises(ResourceRefused, match=r"style sheet 0\.css @imports more than 50 sheets"):
        fetcher.fetch((tmp_path / "0.css").as_uri())
    assert fetcher.fetch((tmp_path / "6.css").as_uri()).read() == b"@import '7.css'; @import '7.css';"


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">{}</svg>'
)


@pytest.mark.parametrize(
    ("inside", "reference"),
    [
        ('<image href="http://127.0.0.1:9/pixel.png" width="9" height="9"/>', "http://127.0.0.1:9/pixel.png"),
        ('<image xlink:href="file:///etc/hostname" width="9" height="9"/>', "file:///etc/hostname"),
        ('<style>@import url("http://127.0.0.1:9/a.css");</style><circle r="4"/>', "@import"),
        ('<rect width="9" height="9" style="fill: url(\'other.svg#g\')"/>', "other.svg#g"),
    ],
)
def test_an_svg_image_referring_outside_itself_stops_the_render(
    tmp_path: Path, content: Content, inside: str, reference: str
) -> None:
    picture = tmp_path / "clinic" / "picture.svg"
    clinic = _clinic_with_template(tmp_path, f'<img src="{picture.as_uri()}" alt="">')
    picture.write_text(SVG.format(inside), encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        Renderer(Project(ROOT, clinic)).render(content.fill(Variant("liver")), RenderOptions())
    assert f"SVG image picture.svg refers to something outside itself ({reference})" in str(err.value)


def test_svgs_referring_only_to_themselves_are_served(tmp_path: Path) -> None:
    inside = (
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>'
        '<circle id="c" r="4" fill="url(#g)" style="stroke: url(#g)"/><use href="#c"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
    )
    (tmp_path / "ok.svg").write_text(SVG.format(inside), encoding="utf-8")
    fetcher = ProjectFetcher([tmp_path])
    assert fetcher.fetch((tmp_path / "ok.svg").as_uri()).content_type == "image/svg+xml"
    hidden = "data:image/svg+xml," + quote(SVG.format('<image href="https://example.org/x.png"/>'))
    with pytest.raises(ResourceRefused, match=r"SVG image a data: URL refers to something outside itself"):
        fetcher.fetch(hidden)
