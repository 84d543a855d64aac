"""Clinic branding: settings, logo and one-file template overrides; bad settings are plain errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest

from factsheets.clinic import Clinic, load_clinic
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.render import Renderer, RenderOptions
from factsheets.select import select

from conftest import DATA, ROOT
from pdf_tools import reader, text_of


def test_no_clinic_folder_means_neutral_defaults(tmp_path: Path) -> None:
    assert load_clinic(tmp_path / "absent") == Clinic()
    assert Clinic().name == "" and Clinic().paper == "letter"


def test_branding_and_override_reach_the_page(content: Content) -> None:
    clinic = load_clinic(DATA / "clinic")
    renderer = Renderer(Project(ROOT), clinic)
    filled = select(content.sheet("brain"), content.corpus, None)
    result = renderer.render(filled, RenderOptions())
    text = text_of(result.pdf)
    assert "Riverside Cancer Centre" in text and "555-0142" in text
    assert "Notes from your Riverside nurse" in text  # the clinic's notes.html, the rest from the project
    assert "Where this information comes from" in text
    doc = reader(result.pdf)
    assert doc.metadata.author == "Riverside Cancer Centre"
    assert round(float(doc.pages[0].mediabox.height)) == 842  # the clinic's default paper: A4
    image = pypdfium2.PdfDocument(result.pdf)[0].render(scale=1).to_pil().convert("RGB")
    accent = image.getcolors(maxcolors=1 << 20)
    accent = sum(count for count, colour in accent if colour == (0x5A, 0x1E, 0x6E))
    assert accent > 5000  # the title band is in the clinic's colour


def test_missing_logo_is_named(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("name: X\nlogo: missing.png\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    assert "clinic.yaml:2: logo file not found" in str(err.value) and "missing.png" in str(err.value)


def test_logo_outside_the_clinic_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("logo: ../../../etc/hostname\n", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="logo must be a file inside the clinic folder"):
        load_clinic(tmp_path)


def test_bad_colour_and_unknown_key_are_located(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("name: X\naccent_colour: red\naccent_color: red\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    lines = sorted(line.split("clinic.yaml:")[1] for line in str(err.value).splitlines())
    assert lines[0] == ("2: unknown key 'accent_colour' Fix: check the spelling; allowed keys "
                        "here: name, phone, logo, accent_color, paper, quote_word_limit.")
    assert lines[1].startswith("3: accent_color: String should match pattern")
    assert lines[1].endswith("Fix: write a colour as #rrggbb, e.g. #1d3f6e.")


def test_clinic_folder_option_on_the_command_line(tmp_path: Path) -> None:
    from conftest import run_cli

    shutil.copytree(DATA / "clinic", tmp_path / "clinic")
    out = tmp_path / "x.pdf"
    result = run_cli("render", "lungs", "--clinic", str(tmp_path / "clinic"), "-o", str(out))
    assert result.code == 0, result.err
    assert "Riverside Cancer Centre" in text_of(out.read_bytes())
