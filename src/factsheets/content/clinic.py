"""Clinic branding (`clinic/clinic.yaml`): name, phone, logo, accent colour, default paper.

The clinic folder may also hold `templates/` and `styles/` that override the project's one file
at a time. Without a clinic folder, sheets are neutral: no name, no logo, a dark blue accent.

The logo is checked when the clinic is loaded, and a raster logo is shrunk to print size: it
prints 0.9 cm high, so a 100-megapixel photo embedded as is costs ~900 MB and seconds per page
for no visible gain, and an unreadable one would silently vanish from every handout. So would an
SVG logo that refers to anything outside itself (an image or style sheet on the network or in another
file): WeasyPrint is refused it and leaves the whole logo out, so such a logo is refused here.

The accent colour is checked too: it is the title band behind white text, the heading colour on
white paper and the background of small white numbers, so it must give white text at least 4.5:1
contrast (WCAG 2.x AA for normal text; the same ratio covers headings on white). A colour that
fails is refused at its line, with the nearest darker shade of it that passes.

`date_order` says how a date typed in numbers is read when it could be read both ways (03/04/2026:
March 4 in the US, 3 April almost everywhere else); its default follows the clinic's paper, letter
being the US's and A4 the rest of the world's. Every date prints with its month in words either way
(`render.personal`), so the patient never has to guess.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import math
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator
from pydantic_core import PydanticCustomError

from factsheets.content.periods import PATTERN as PERIOD
from factsheets.content.periods import after
from factsheets.content.yamlfile import YamlDocument, parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem

if TYPE_CHECKING:
    from PIL import Image

Paper = Literal["letter", "a4"]
PAPERS: tuple[Paper, ...] = ("letter", "a4")
DateOrder = Literal["month-first", "day-first"]

LOGO_MAX_BYTES = 10_000_000
SVG_MAX_BYTES = 1_000_000
LOGO_MAX_PIXELS = 40_000_000
LOGO_HEIGHT_PX = 300  # prints 0.9 cm high: ~110 px is 300 dpi; 300 px leaves room for sharper printers
LOGO_WIDTH_PX = 3000  # a very wide banner still prints at most ~9 cm wide
_SMALLER = "save a smaller copy: about 300 pixels high is plenty for a logo printed 0.9 cm high."
MIN_CONTRAST = 4.5  # WCAG 2.x AA, normal text: white on the accent, and the accent on white paper


class Clinic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="", max_length=80)
    phone: str = Field(default="", max_length=40)
    logo: str | None = Field(default=None, description="Image file inside the clinic folder.")
    accent_color: str = Field(default="#1d3f6e", pattern=r"^#[0-9a-fA-F]{6}$")
    paper: Paper = "letter"
    date_order: DateOrder | None = Field(
        default=None,
        description="How a date typed in numbers is read: month-first (03/04/2026 is March 4, as in the US) or "
        "day-first (3 April). Default: month-first on letter paper, day-first on A4.",
    )
    approval_valid_for: str | None = Field(
        default=None,
        pattern=PERIOD,
        description="How long the committee's approval lasts, e.g. '2 years'; after that, check warns.",
    )
    quote_word_limit: PositiveInt | None = Field(
        default=None,
        description="Most words a sheet may quote from one source whose licence limits quoting (a warning above).",
    )

    _folder: Path | None = None
    _logo_uri: str | None = None

    @field_validator("accent_color")
    @classmethod
    def _readable_accent(cls, value: str) -> str:
        """Runs after the #rrggbb pattern check: white text on the colour (and the colour on white) must read."""
        ratio = contrast_with_white(value)
        if ratio < MIN_CONTRAST:
            shade = darker_passing_shade(value)
            raise PydanticCustomError(
                "accent_contrast",
                "{color} gives white text {ratio}:1 contrast; it needs at least {needed}:1",
                {
                    "color": value,
                    "ratio": _shown(ratio),
                    "needed": f"{MIN_CONTRAST:g}",
                    "fix": f"use a darker shade such as {shade} (the same colour darkened: "
                    f"{_shown(contrast_with_white(shade))}:1).",
                },
            )
        return value

    def approval_until(self, approved_on: dt.date) -> dt.date | None:
        """The last day an approval given on `approved_on` holds; None when the clinic sets no period."""
        return after(approved_on, self.approval_valid_for) if self.approval_valid_for else None

    @property
    def dates(self) -> DateOrder:
        """How this clinic's staff write dates in numbers: as set, else the convention of the clinic's paper."""
        if self.date_order is not None:
            return self.date_order
        return "month-first" if self.paper == "letter" else "day-first"

    @property
    def folder(self) -> Path | None:
        return self._folder

    @property
    def logo_path(self) -> Path | None:
        return (self._folder / self.logo) if self._folder and self.logo else None

    @property
    def logo_uri(self) -> str | None:
        """What the page's <img> shows: a print-sized PNG as a data: URI, or the SVG file's file: URI."""
        return self._logo_uri

    def logo_image(self) -> tuple[str, bytes] | None:
        """The logo for a web page, as (MIME type, data); None without one.

        What the sheets print, under the same rules: a raster is the checked, print-sized copy (300 px
        high: sharp at the form's size); an SVG is read again from inside the clinic folder, and these
        very bytes are checked as the loaded file was, so a file swapped since is refused, not served.
        """
        uri, path = self._logo_uri, self.logo_path
        if uri is None or path is None or self._folder is None:
            return None
        if uri.startswith("data:"):
            head, data = uri.removeprefix("data:").split(",", 1)
            return head.removesuffix(";base64"), base64.b64decode(data)
        fix = "put the logo back as it was when the clinic was loaded, and reload."
        if not path.resolve().is_relative_to(self._folder) or not path.is_file():
            raise FactsheetsError(Problem(f"logo {path} is no longer a file inside the clinic folder", fix))
        with path.open("rb") as file:
            svg = file.read(SVG_MAX_BYTES + 1)
        try:
            _check_svg(path.name, len(svg), lambda: ET.fromstring(svg))
        except _LogoProblem as problem:
            raise FactsheetsError(Problem(problem.message, problem.fix, file=path)) from None
        return "image/svg+xml", svg


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _linear(channel: int) -> float:
    """An sRGB channel (0-255) as linear light, as WCAG 2.x defines it."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of '#rrggbb': 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(color: str) -> float:
    """WCAG 2.x contrast ratio of white against '#rrggbb': (1 + 0.05) / (L + 0.05), from 1 to 21."""
    return 1.05 / (relative_luminance(color) + 0.05)


def darker_passing_shade(color: str) -> str:
    """The lightest shade of `color` that white text reads on: all channels scaled toward black together.

    Scaling keeps the hue (and saturation), so a yellow stays a yellow, only darker. The steps are as
    small as 8-bit colour allows: the brightest channel goes down by one each step, the others in
    proportion; luminance only falls as it does, so the first shade that passes is the nearest.
    """
    rgb = _rgb(color)
    top = max(rgb)
    for level in range(top, -1, -1):
        shade = "#" + "".join(f"{round(c * level / top):02x}" for c in rgb)
        if contrast_with_white(shade) >= MIN_CONTRAST:
            return shade
    return "#000000"  # not reached: black gives 21:1


def _shown(ratio: float) -> str:
    """A ratio to two decimals, rounded down: a colour at 4.499:1 must not read as '4.50:1' and fail."""
    return f"{math.floor(ratio * 100) / 100:.2f}"


def load_clinic(folder: Path | None) -> Clinic:
    """Settings from `folder/clinic.yaml` (read once); a missing folder or file means neutral defaults."""
    if folder is None or not folder.exists():
        return Clinic()
    path = folder / "clinic.yaml"
    doc = parse_yaml(path) if path.exists() else None
    clinic = validate(doc, Clinic, "clinic.yaml") if doc is not None else Clinic()
    clinic._folder = folder.resolve()
    logo = clinic.logo_path
    if doc is not None and logo is not None:
        if not logo.resolve().is_relative_to(folder.resolve()):
            raise FactsheetsError(
                doc.problem(
                    ("logo",),
                    f"logo must be a file inside the clinic folder, not {logo}",
                    "copy the image into the clinic folder and name it there.",
                )
            )
        if not logo.is_file():
            raise FactsheetsError(
                doc.problem(
                    ("logo",), f"logo file not found: {logo}", "put the image in the clinic folder or fix the name."
                )
            )
        clinic._logo_uri = _checked_logo_uri(logo, doc)
    return clinic


class _LogoProblem(Exception):
    """What is wrong with the logo file; load_clinic adds where clinic.yaml names it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


def _checked_logo_uri(logo: Path, where: YamlDocument) -> str:
    """The logo's URI for the page, or a plain problem at the `logo:` line of clinic.yaml."""
    stat = logo.stat()
    try:
        return _logo_uri(logo.resolve(), stat.st_mtime_ns, stat.st_size)
    except _LogoProblem as problem:
        raise FactsheetsError(where.problem(("logo",), problem.message, problem.fix)) from None


@functools.lru_cache(maxsize=4)
def _logo_uri(logo: Path, _mtime_ns: int, size: int) -> str:
    """Checked (and for rasters, shrunk) once per process and version of the file."""
    if logo.suffix.lower() == ".svg":
        return _svg_uri(logo, size)
    if size > LOGO_MAX_BYTES:
        raise _LogoProblem(
            f"{logo.name} is {size / 1e6:.1f} MB; a logo may be at most {LOGO_MAX_BYTES / 1e6:.0f} MB", _SMALLER
        )
    mime, data = _print_sized(logo)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _svg_uri(logo: Path, size: int) -> str:
    """An SVG is drawn by WeasyPrint from the file itself: check it is a small, well-formed <svg>."""
    _check_svg(logo.name, size, lambda: ET.parse(logo).getroot())
    return logo.as_uri()


def _check_svg(name: str, size: int, parse: Callable[[], ET.Element]) -> None:
    """A small, well-formed <svg> that refers to nothing outside itself, or _LogoProblem saying what is wrong."""
    fix = "export the logo again as a plain SVG (or as a PNG)."
    if size > SVG_MAX_BYTES:
        raise _LogoProblem(
            f"{name} is {size / 1e6:.1f} MB; an SVG logo may be at most {SVG_MAX_BYTES / 1e6:.0f} MB", fix
        )
    try:
        root = parse()
    except (ET.ParseError, ValueError) as err:
        raise _LogoProblem(f"{name} is not a readable SVG file ({err})", fix) from None
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise _LogoProblem(f"{name} is not an SVG image (its outermost element is <{root.tag}>)", fix)
    outside = svg_reference(root)
    if outside is not None:
        raise _LogoProblem(
            f"{name} refers to something outside itself ({outside}); an SVG logo may refer only to its "
            "own parts (#id) and data: URLs",
            "embed the picture in the SVG (as a data: URL), or export the logo again as a plain SVG or a PNG.",
        )


def svg_reference(root: ET.Element) -> str | None:
    """The first thing an SVG refers to outside itself (a link, a url(...), an @import), or None.

    WeasyPrint would fetch it while drawing the SVG, and when that is refused it leaves the whole
    image out without a word: so an SVG may refer only to its own parts (#id) and data: URLs.
    """
    for element in root.iter():
        if isinstance(element.tag, str) and _local(element.tag) == "style":
            found = _css_reference(element.text or "")
            if found is not None:
                return found
        for name, value in element.attrib.items():
            if _local(name) in ("href", "src") and not _own(value):
                return value
            found = _css_reference(value) if "(" in value or "@" in value or "\\" in value else None
            if found is not None:  # url(...) in a style or presentation attribute: fill="url(#a)"
                return found
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _own(reference: str) -> bool:
    reference = reference.strip()
    return reference == "" or reference.startswith("#") or reference.lower().startswith("data:")


def _css_reference(css: str) -> str | None:
    import tinycss2  # type: ignore[import-untyped]  # WeasyPrint's CSS parser: it reads escapes as WeasyPrint does

    return _outside(tinycss2.parse_component_value_list(css))


def _outside(tokens: Iterable[Any]) -> str | None:
    """The first @import, or url() not of the SVG's own parts, among CSS tokens and the blocks in them."""
    for token in tokens:
        if token.type == "at-keyword" and token.lower_value == "import":
            return "@import"
        if token.type == "url" and not _own(token.value):
            return str(token.value)
        if token.type == "function" and token.lower_name == "url":
            strings = [t.value for t in token.arguments if t.type == "string"]
            if strings and not _own(strings[0]):
                return str(strings[0])
        found = _outside(getattr(token, "content", None) or getattr(token, "arguments", None) or [])
        if found is not None:
            return found
    return None


def _print_sized(logo: Path) -> tuple[str, bytes]:
    """The logo at most LOGO_HEIGHT_PX high, as (MIME type, data); the pixel count is checked from the header.

    A PNG, except that a JPEG stays a JPEG: a photo as PNG would be several times larger in every PDF.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow loads only for a clinic with a logo

    unreadable = "use a PNG, JPEG or SVG file that opens in an image viewer."
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower cap comes next
            with Image.open(logo) as opened:
                _check_pixels(logo, *opened.size)
                jpeg = opened.format == "JPEG"
                opened.draft("RGB", (LOGO_WIDTH_PX, LOGO_HEIGHT_PX))  # JPEG: decode at 1/2..1/8 scale
                ImageOps.exif_transpose(opened, in_place=True)  # the PNG carries no EXIF rotation
                image = opened.convert(_smooth_mode(opened))
                image.thumbnail((LOGO_WIDTH_PX, LOGO_HEIGHT_PX), Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                if jpeg:
                    image.save(buffer, format="JPEG", quality=90)
                    return "image/jpeg", buffer.getvalue()
                image.save(buffer, format="PNG", optimize=True)
                return "image/png", buffer.getvalue()
    except Image.DecompressionBombError:  # Pillow refuses to even open it (over ~179 megapixels)
        raise _LogoProblem(
            f"{logo.name} has over {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} megapixels; a logo "
            f"may have at most {LOGO_MAX_PIXELS // 1_000_000} megapixels",
            _SMALLER,
        ) from None
    except UnidentifiedImageError:
        raise _LogoProblem(
            f"{logo.name} is not an image Pillow can read (unknown or damaged image data)", unreadable
        ) from None
    except (OSError, ValueError, SyntaxError) as err:  # truncated or corrupt data found while decoding
        raise _LogoProblem(f"{logo.name} is not an image Pillow can read ({err})", unreadable) from None


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse a cut-short file: WeasyPrint tells Pillow to fill missing data with grey, process-wide."""
    from PIL import ImageFile

    before, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _check_pixels(logo: Path, width: int, height: int) -> None:
    if width * height > LOGO_MAX_PIXELS:
        raise _LogoProblem(
            f"{logo.name} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"a logo may have at most {LOGO_MAX_PIXELS // 1_000_000} megapixels",
            _SMALLER,
        )


def _smooth_mode(image: Image.Image) -> str:
    """A mode Pillow resizes smoothly (1-bit and palette images only resize pixel by pixel), kept small."""
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image.mode
    if image.mode == "1":
        return "L"
    return "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
