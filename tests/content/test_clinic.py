"""Clinic branding: settings, logo and one-file template overrides; bad settings are plain errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
from helpers.cli import cli
from helpers.pdfs import reader, text_of
from helpers.project import DATA, ROOT

from factsheets.content.clinic import MIN_CONTRAST, Clinic, contrast_with_white, darker_passing_shade, load_clinic
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant


def test_no_clinic_folder_means_neutral_defaults(tmp_path: Path) -> None:
    assert load_clinic(tmp_path / "absent") == Clinic()
    assert Clinic().name == ""
    assert Clinic().paper == "letter"


def test_branding_and_override_reach_the_page(content: Content) -> None:
    renderer = Renderer(Project(ROOT, DATA / "clinic"))
    filled = content.fill(Variant("brain"))
    result = renderer.render(filled, RenderOptions())
    text = text_of(result.pdf)
    assert "Riverside Cancer Centre" in text
    assert "555-0142" in text
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
    assert "clinic.yaml:2: logo file not found" in str(err.value)
    assert "missing.png" in str(err.value)


def test_logo_outside_the_clinic_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("logo: ../../../etc/hostname\n", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="logo must be a file inside the clinic folder"):
        load_clinic(tmp_path)


def test_bad_colour_and_unknown_key_are_located(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("name: X\naccent_colour: red\naccent_color: red\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    lines = sorted(line.split("clinic.yaml:")[1] for line in str(err.value).splitlines())
    assert lines[0] == (
        "2: unknown key 'accent_colour' Fix: check the spelling; allowed keys "
        "here: name, phone, logo, accent_color, paper, date_order, approval_valid_for, quote_word_limit."
    )
    assert lines[1].startswith("3: accent_color: String should match pattern")
    assert lines[1].endswith("Fix: write a colour as #rrggbb, e.g. #1d3f6e.")


def _pixels_of(pdf: bytes, rgb: tuple[int, int, int]) -> int:
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("RGB")
    return sum(count for count, colour in image.getcolors(maxcolors=1 << 20) if colour == rgb)


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the well-known lightest AA grey
    assert contrast_with_white("#777777") < MIN_CONTRAST
    assert contrast_with_white("#ffd200") == pytest.approx(1.45, abs=0.01)


def test_default_and_sample_accents_carry_white_text() -> None:
    assert contrast_with_white(Clinic().accent_color) >= MIN_CONTRAST  # #1d3f6e: 10.56:1
    assert contrast_with_white(load_clinic(DATA / "clinic").accent_color) >= MIN_CONTRAST


@pytest.mark.parametrize("colour", ["#ffd200", "#FFD200", "#777777", "#3399ff", "#ff0000", "#ffffff"])
def test_suggested_shade_is_the_nearest_darker_one_that_passes(colour: str) -> None:
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    assert contrast_with_white(colour) < MIN_CONTRAST
    shade = darker_passing_shade(colour)
    assert contrast_with_white(shade) >= MIN_CONTRAST
    level = int(shade[1 + 2 * rgb.index(max(rgb)) :][:2], 16)  # the brightest channel of the shade
    lighter = "#" + "".join(f"{round(c * (level + 1) / max(rgb)):02x}" for c in rgb)
    assert contrast_with_white(lighter) < MIN_CONTRAST  # one step lighter along the same line fails


def test_light_accent_is_refused_at_its_line_with_a_darker_shade() -> None:
    with pytest.raises(FactsheetsError) as err:
        load_clinic(DATA / "clinic-yellow")
    assert str(err.value).endswith(
        "clinic-yellow/clinic.yaml:5: accent_color: #ffd200 gives white text 1.45:1 contrast; it needs at least "
        "4.5:1 Fix: use a darker shade such as #8d7400 (the same colour darkened: 4.53:1)."
    )


def test_suggested_shade_is_accepted_and_prints_as_the_band(tmp_path: Path, content: Content) -> None:
    with pytest.raises(FactsheetsError) as err:
        load_clinic(DATA / "clinic-yellow")
    shade = str(err.value).split("such as ")[1].split()[0]
    yaml = (DATA / "clinic-yellow" / "clinic.yaml").read_text(encoding="utf-8").replace("#ffd200", shade)
    (tmp_path / "clinic.yaml").write_text(yaml, encoding="utf-8")
    clinic = load_clinic(tmp_path)
    assert clinic.accent_color == shade
    result = Renderer(Project(ROOT, tmp_path)).render(content.fill(Variant("brain")), RenderOptions())
    assert _pixels_of(result.pdf, tuple(int(shade[i : i + 2], 16) for i in (1, 3, 5))) > 5000  # the title band


def test_clinic_folder_option_on_the_command_line(tmp_path: Path) -> None:
    shutil.copytree(DATA / "clinic", tmp_path / "clinic")
    out = tmp_path / "x.pdf"
    result = cli("render", "lungs", "--clinic", str(tmp_path / "clinic"), "-o", str(out))
    assert result.code == 0, result.err
    assert "Riverside Cancer Centre" in text_of(out.read_bytes())


def _clinic_with_logo(folder: Path, name: str = "logo.png") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "clinic.yaml").write_text(f"name: X\nlogo: {name}\n", encoding="utf-8")
    return folder / name


def test_date_order_is_one_of_two_and_located_when_wrong(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("paper: a4\ndate_order: month-first\n", encoding="utf-8")
    assert load_clinic(tmp_path).dates == "month-first"  # set: the paper's convention does not apply
    (tmp_path / "clinic.yaml").write_text("paper: a4\n", encoding="utf-8")
    assert load_clinic(tmp_path).dates == "day-first"
    (tmp_path / "clinic.yaml").write_text("name: X\ndate_order: dd/mm/yyyy\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    assert "clinic.yaml:2: date_order: Input should be 'month-first' or 'day-first'" in str(err.value)


def test_the_logo_for_a_web_page_is_what_the_sheets_print(tmp_path: Path) -> None:
    import base64

    from PIL import Image

    assert load_clinic(None).logo_image() is None
    Image.new("RGB", (3000, 1000), (0x5A, 0x1E, 0x6E)).save(_clinic_with_logo(tmp_path / "png"))
    clinic = load_clinic(tmp_path / "png")
    assert clinic.logo_image() == ("image/png", base64.b64decode((clinic.logo_uri or "").split(",", 1)[1]))
    svg = load_clinic(DATA / "clinic").logo_image()
    assert svg == ("image/svg+xml", (DATA / "clinic" / "logo.svg").read_bytes())


def test_an_svg_logo_changed_after_loading_is_checked_again_not_served(tmp_path: Path) -> None:
    logo = _clinic_with_logo(tmp_path, "logo.svg")
    logo.write_text(_SVG.format('<circle r="4"/>'), encoding="utf-8")
    clinic = load_clinic(tmp_path)
    logo.write_text(_SVG.format('<image href="https://example.org/track.png"/>'), encoding="utf-8")
    with pytest.raises(FactsheetsError, match=r"logo.svg refers to something outside itself \(https://example.org"):
        clinic.logo_image()
    logo.unlink()
    logo.symlink_to("/etc/hostname")
    with pytest.raises(FactsheetsError, match="no longer a file inside the clinic folder"):
        clinic.logo_image()


def test_svg_logo_is_used_from_its_file() -> None:
    clinic = load_clinic(DATA / "clinic")
    assert clinic.logo_uri == (DATA / "clinic" / "logo.svg").resolve().as_uri()
    assert load_clinic(None).logo_uri is None


def test_large_logo_is_shrunk_to_print_size(tmp_path: Path) -> None:
    import base64
    import io

    from PIL import Image

    Image.new("RGB", (3000, 1000), (0x5A, 0x1E, 0x6E)).save(_clinic_with_logo(tmp_path))
    uri = load_clinic(tmp_path).logo_uri
    assert uri is not None
    assert uri.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as png:
        assert png.format == "PNG"
        assert png.size == (900, 300)  # 0.9 cm at ~850 dpi; aspect ratio kept


def test_100_megapixel_logo_is_refused_from_its_header(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("1", (10_000, 10_000), 1).save(_clinic_with_logo(tmp_path))  # ~30 KB on disk
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    assert str(err.value).endswith(
        "clinic.yaml:2: logo.png is 10000 x 10000 pixels (100 megapixels); a logo may have at most 40 megapixels "
        "Fix: save a smaller copy: about 300 pixels high is plenty for a logo printed 0.9 cm high."
    )


def test_logo_pillow_refuses_to_open_is_a_plain_error(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("1", (20_000, 10_000), 1).save(_clinic_with_logo(tmp_path))  # over Pillow's own bomb limit
    with pytest.raises(
        FactsheetsError, match=re.escape("clinic.yaml:2: logo.png has over 179 megapixels; a logo may have")
    ):
        load_clinic(tmp_path)


_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        (
            "logo.png",
            b"this is a text file\n",
            "logo.png is not an image Pillow can read (unknown or damaged image data)",
        ),
        ("logo.png", None, "logo.png is not an image Pillow can read (image file is truncated"),
        ("logo.png", b"\0" * 10_000_001, "logo.png is 10.0 MB; a logo may be at most 10 MB"),
        (
            "logo.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'>",
            "logo.svg is not a readable SVG file (",
        ),
        (
            "logo.svg",
            b"<html><body>logo</body></html>",
            "logo.svg is not an SVG image (its outermost element is <html>)",
        ),
        *(
            ("logo.svg", _SVG.format(inside).encode(), f"logo.svg refers to something outside itself ({reference})")
            for inside, reference in [
                ('<image href="http://127.0.0.1:9/x.png"/>', "http://127.0.0.1:9/x.png"),
                ('<image xlink:href="file:///etc/hostname"/>', "file:///etc/hostname"),
                ("<style>@import url(data:text/css,p{});</style>", "@import"),
                ("<style>circle { fill: url(https://example.org/p.svg#a) }</style>", "https://example.org/p.svg#a"),
            ]
        ),
    ],
)
def test_unusable_logo_is_a_plain_error_at_its_line(tmp_path: Path, name: str, data: bytes | None, words: str) -> None:
    import io

    from PIL import Image

    if data is None:  # a PNG cut short, as by an interrupted download
        buffer = io.BytesIO()
        Image.effect_noise((400, 400), 64).save(buffer, format="PNG")
        data = buffer.getvalue()[:-2000]
    _clinic_with_logo(tmp_path, name).write_bytes(data)
    with pytest.raises(FactsheetsError) as err:
        load_clinic(tmp_path)
    assert f"clinic.yaml:2: {words}" in str(err.value)


def test_svg_logo_referring_only_to_itself_is_used(tmp_path: Path) -> None:
    inside = '<defs><radialGradient id="g"/></defs><circle id="c" r="4" fill="url(#g)"/><use xlink:href="#c"/>'
    _clinic_with_logo(tmp_path, "logo.svg").write_text(_SVG.format(inside), encoding="utf-8")
    assert load_clinic(tmp_path).logo_uri == (tmp_path / "logo.svg").resolve().as_uri()


def test_jpeg_logo_stays_a_jpeg_and_is_shrunk(tmp_path: Path) -> None:
    import base64
    import io

    from PIL import Image

    Image.effect_noise((1200, 1600), 64).convert("RGB").save(_clinic_with_logo(tmp_path, "logo.jpg"), quality=95)
    uri = load_clinic(tmp_path).logo_uri
    assert uri is not None
    assert uri.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as jpeg:
        assert jpeg.format == "JPEG"
        assert jpeg.size == (225, 300)
