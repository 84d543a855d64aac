"""Rendering reads only the project's files: stray files and the network are refused, loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT

from factsheets.errors import FactsheetsError
from factsheets.fetcher import ProjectFetcher, ResourceRefused
from factsheets.options import RenderOptions
from factsheets.project import Content, Project
from factsheets.render import Renderer
from factsheets.variant import Variant


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
