"""QR codes made locally, as inline SVG sized for print.

What makes a code scan from a photocopy is the size of one module (one black square), not the
size of the code: a copy of a copy (the page scanned at 150 dpi, skewed, blurred and thresholded
to black and white, then all of that again) still resolves modules of 0.75 mm for zbar, so every
module is drawn `MODULE_MM` wide and the code grows with its URL (a long Cancer.Net address needs
37 modules, 2.8 cm). Smaller modules save room but not reliably: at 0.7 mm zbar missed a code on 7
of 104 twice-copied pages, at 0.76 mm on none. Error correction M survives a crease or a smudge.
The quiet zone drawn is 2 modules of white (it was 4, 3 mm of the sources panel's height): the
standard's 4 are made up by the white the page keeps around each code (sheet.css: `.qr-cell` and
the panel's heading), and the tests read every code off a copy of a copy.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from itertools import groupby

import qrcode
import qrcode.constants

QUIET_ZONE = 2  # modules of white drawn around the code; the page keeps more around it
MODULE_MM = 0.76  # at least 0.75 mm, with a little room for rounding


@lru_cache(maxsize=256)  # a process renders the same few dozen pages' codes again and again
def qr_svg(url: str, label: str) -> str:
    """An `<svg>` element encoding exactly `url`, with `label` as its accessible title."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    side = code.modules_count + 2 * QUIET_ZONE
    total_cm = side * MODULE_MM / 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" width="{total_cm:.2f}cm" '
        f'height="{total_cm:.2f}cm" viewBox="0 0 {side} {side}"><title>{escape(label)}</title>'
        f'<rect width="{side}" height="{side}" fill="#fff"/><path d="{_runs(code.modules)}"/></svg>'
    )


def _runs(modules: list[list[bool | None]]) -> str:
    """The dark modules as one path, a rectangle per run along a row: WeasyPrint parses SVG paths in
    Python when it writes the PDF, and a rectangle per module (qrcode's own SVG) was most of that."""
    parts = []
    for y, row in enumerate(modules, start=QUIET_ZONE):
        for dark, run in groupby(enumerate(row, start=QUIET_ZONE), key=lambda cell: bool(cell[1])):
            if dark:
                cells = list(run)
                parts.append(f"M{cells[0][0]},{y}h{len(cells)}v1h-{len(cells)}z")
    return "".join(parts)
