"""The edition of a handout: which sheet, variant, language and content version a page prints.

Staff record what they handed out by scanning a small DataMatrix in the page's footer, as on
CDC's vaccine information statements; the web API puts the same `edition_id` in its FHIR
record. It names the content, never the patient: a personalised page carries the same code as
a blank one. A DataMatrix, small and labelled for staff, is unlike the patients' QR codes.

zxing-cpp draws it (through libzint). What makes a code scan from a photocopy is the size of
one module, not of the code. A copy of a copy (the page scanned at 150 dpi, skewed, blurred and
thresholded to black and white, then all of that again) loses modules of 0.5 to 0.6 mm: libdmtx
read the old square codes off 1 sheet of 36 so copied. Modules of 0.8 mm read with both test
readers, zxing-cpp and libdmtx, through a copier lighter or darker than the test's. The code
stands in the bottom margin beside the footer's text, at most `ROOM_MM` high with its 2-module
white quiet zone, so it is the shortest ECC200 symbol that holds the identifier: a rectangle 16
modules high (16 x 36 for "factsheets:bone/general@…;lang=en", 16 x 48 for the longest ids), 1.6 cm
high and 3.2 or 4.2 cm wide at 0.8 mm, where the square that holds it (24 to 32 modules) would
need 2.2 to 2.9 cm. Its modules are as large as the room allows, from 1 mm down to the floor of
0.8 mm. Never DMRE, the rectangles zint picks unasked: libdmtx cannot read them.
"""

from __future__ import annotations

import hashlib
import re
from html import escape

import zxingcpp

from factsheets import __version__
from factsheets.errors import FactsheetsError, Problem
from factsheets.selection.select import FilledSheet

LANGUAGE = "en"  # the language every sheet is written in: the page's <html lang> and the edition's
SCHEME = "factsheets"
MODULE_MM = 0.8  # the floor: read off a copy of a copy
MODULE_SIZES_MM = (1.0, 0.9, MODULE_MM)  # tried in turn: the largest that fits the room
QUIET_ZONE = 2  # modules of white on every side; DataMatrix needs 1
ROOM_MM = 16.0  # the bottom margin (1.9 cm) less the footer's 0.25 cm off the paper's edge, and 0.5 mm
RECTANGLES = range(25, 31)  # zint's versions for ECC200's rectangles, 8 x 18 to 16 x 48 (31 on: DMRE)


def content_version(filled: FilledSheet) -> str:
    """Short hash of what a sheet says and where it came from (not of who it is for)."""
    h = hashlib.sha256(f"{__version__}\n{filled.sheet.id}\n{filled.variant.type_key}\n{filled.sheet.title}".encode())
    parts = [(section.heading, section.groups) for section in filled.sections]
    parts += [("urgent", filled.urgent)] if filled.urgent else []  # a sheet without urgent signs keeps its version
    for heading, groups in parts:
        h.update(heading.encode())
        for group in groups:
            h.update(repr((group.texts, group.citation and (group.citation.source.id, group.citation.line))).encode())
    return h.hexdigest()[:8]


def edition_id(filled: FilledSheet) -> str:
    """`factsheets:bone/general@566e9ce1;lang=en`: variant key, content version, language.

    Pure and cheap (a hash of what the sheet says), so the web API can name the same edition.
    """
    return f"{SCHEME}:{filled.variant.key}@{content_version(filled)};lang={LANGUAGE}"


def edition_svg(text: str) -> str:
    """An `<svg>` DataMatrix encoding exactly `text`, titled for screen readers, sized in cm for print."""
    code = _symbol(text)
    svg = code.to_svg(add_quiet_zones=False)
    size = re.search(r'<svg width="(\d+)" height="(\d+)"', svg)
    path = re.search(r"<path [^>]*/>", svg)
    assert size is not None, "zint's SVG layout changed"
    assert path is not None, "zint's SVG layout changed"
    width, height = int(size.group(1)) + 2 * QUIET_ZONE, int(size.group(2)) + 2 * QUIET_ZONE
    module_mm = _module_mm(height)
    drawing = re.sub(r'\s+id="[^"]*"', "", path.group(0))  # several codes share a packet: no duplicate ids
    label = escape(f"Edition code for staff: {text}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="edition-code" role="img" '
        f'width="{width * module_mm / 10:.3f}cm" height="{height * module_mm / 10:.3f}cm" '
        f'viewBox="{-QUIET_ZONE} {-QUIET_ZONE} {width} {height}"><title>{label}</title>'
        f'<rect x="{-QUIET_ZONE}" y="{-QUIET_ZONE}" width="{width}" height="{height}" fill="#fff"/>'
        f'<g fill="#000">{drawing}</g></svg>'
    )


def _symbol(text: str) -> zxingcpp.Barcode:
    """The shortest ECC200 symbol (square or standard rectangle) that holds `text` and fits the room at the
    floor's module size, the narrower of two equally short; the height is what the footer lacks."""
    fitting = [code for code in _symbols(text) if _fits(code)]
    if fitting:
        return min(fitting, key=_shape)
    raise FactsheetsError(
        Problem(
            f"the edition code for '{text}' would be taller than the {ROOM_MM / 10:g} cm the footer has for it",
            "shorten the sheet's id: one of up to 24 characters fits with any cancer type.",
        )
    )


def _symbols(text: str) -> list[zxingcpp.Barcode]:
    """The square symbol for `text`, and every standard rectangle that holds it."""
    found = [zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)]
    for version in RECTANGLES:
        try:
            found.append(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, version=version))
        except ValueError:  # too much for this size
            continue
    return found


def _shape(code: zxingcpp.Barcode) -> tuple[int, int]:
    """(rows, columns) of a symbol, without its quiet zone."""
    rows, columns = code.to_image(add_quiet_zones=False).shape[:2]
    return int(rows), int(columns)


def _fits(code: zxingcpp.Barcode) -> bool:
    """Whether `code` at the floor's module size, quiet zone included, is no taller than the room."""
    rows, _ = _shape(code)
    return (rows + 2 * QUIET_ZONE) * MODULE_MM <= ROOM_MM + 1e-9


def _module_mm(height: int) -> float:
    """The largest module size in `MODULE_SIZES_MM` at which a code `height` modules high fits the room."""
    return next(mm for mm in MODULE_SIZES_MM if height * mm <= ROOM_MM + 1e-9)
