"""QR codes made locally, as inline SVG sized for print.

Error correction M survives photocopies and a creased corner; the 4-module quiet zone is part
of the SVG (white), and the code itself is drawn at least `min_code_cm` wide so phone cameras
read it from arm's length.
"""

from __future__ import annotations

import re
from html import escape

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathImage

QUIET_ZONE = 4


def qr_svg(url: str, label: str, min_code_cm: float = 2.2) -> str:
    """An `<svg>` element encoding exactly `url`, with `label` as its accessible title."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE,
                         image_factory=SvgPathImage)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    modules = code.modules_count
    total_cm = min_code_cm * (modules + 2 * QUIET_ZONE) / modules
    side = modules + 2 * QUIET_ZONE
    path = re.search(r"<path [^>]*/>", svg)
    assert path is not None, "qrcode's SVG layout changed"
    drawing = re.sub(r'\s+id="[^"]*"', "", path.group(0))  # several codes share a page: no duplicate ids
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" width="{total_cm:.2f}cm" '
        f'height="{total_cm:.2f}cm" viewBox="0 0 {side} {side}"><title>{escape(label)}</title>'
        f'<rect width="{side}" height="{side}" fill="#fff"/>{drawing}</svg>'
    )
