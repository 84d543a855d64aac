"""Reading rendered PDFs the way a person would: text, page count, QR codes from pixels, type size."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf
import pypdfium2 as pdfium
import zxingcpp


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """All text, whitespace folded (line breaks in the PDF are layout, not content)."""
    return " ".join(" ".join(page.extract_text() for page in reader(pdf).pages).split())


@dataclass(frozen=True)
class FoundQR:
    text: str
    width_cm: float


def qr_codes(pdf: bytes, dpi: int = 150) -> list[FoundQR]:
    """QR codes decoded from the rasterised pages, with their printed width."""
    found = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=dpi / 72).to_pil()
        for code in zxingcpp.read_barcodes(image):
            p = code.position
            width_px = ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5
            found.append(FoundQR(code.text, width_px / dpi * 2.54))
    return found


def font_sizes_of(pdf: bytes, passage: str) -> set[float]:
    """Type sizes, in points, of the runs of text on the page that belong to `passage`."""
    sizes: set[float] = set()
    folded = " ".join(passage.split())

    def visit(text: str, cm: list, tm: list, font_dict: object, font_size: float) -> None:
        run = " ".join(text.split())
        if len(run) >= 12 and run in folded:
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.add(round(font_size * scale, 1))

    for page in reader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in reader(pdf).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names
