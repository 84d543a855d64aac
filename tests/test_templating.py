"""Clinic templates are content, not code: the sandbox refuses code, and links out of the folder are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import DATA, ROOT, text_of

from factsheets.errors import FactsheetsError
from factsheets.options import RenderOptions
from factsheets.project import Content, Project
from factsheets.render import Renderer
from factsheets.variant import Variant


def _clinic_with_notes(tmp_path: Path, notes: str) -> Path:
    clinic = tmp_path / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    (clinic / "templates" / "parts" / "notes.html").write_text(notes, encoding="utf-8")
    return clinic


def _render(content: Content, clinic: Path) -> bytes:
    renderer = Renderer(Project(ROOT, clinic))
    return renderer.render(content.fill(Variant("brain")), RenderOptions()).pdf


@pytest.mark.parametrize(
    "expression",
    [
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ clinic.folder.joinpath('/etc/hostname').read_text() }}",  # a Path's own methods read and write files
        "{{ sheet.path.read_text() }}",
        "{{ clinic.logo_path.parent.joinpath('pwned.txt').write_text(personal.patient) }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_a_clinic_template_cannot_run_code(tmp_path: Path, content: Content, expression: str) -> None:
    clinic = _clinic_with_notes(tmp_path, f"<p>{expression}</p>")
    with pytest.raises(FactsheetsError) as err:
        _render(content, clinic)
    message = str(err.value)
    assert "uid=" not in message, message
    assert "may not do" in message or "does not exist" in message, message


def test_a_link_out_of_the_template_folder_is_refused_without_reading_it(tmp_path: Path, content: Content) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("root:SECRET-HASH", encoding="utf-8")
    clinic = _clinic_with_notes(tmp_path, '{% include "parts/leak.html" %}')
    (clinic / "templates" / "parts" / "leak.html").symlink_to(secret)
    with pytest.raises(FactsheetsError, match="leads outside the template folders") as err:
        _render(content, clinic)
    assert "SECRET" not in str(err.value)


def test_a_missing_include_is_a_plain_error(tmp_path: Path, content: Content) -> None:
    clinic = _clinic_with_notes(tmp_path, '{% include "parts/gone.html" %}')
    with pytest.raises(FactsheetsError, match=r"template parts/gone.html not found"):
        _render(content, clinic)


def test_a_harmless_override_still_works(tmp_path: Path, content: Content) -> None:
    clinic = _clinic_with_notes(tmp_path, '<section class="notes"><h2>{{ clinic.name }} notes</h2></section>')
    assert "Riverside Cancer Centre notes" in text_of(_render(content, clinic))
