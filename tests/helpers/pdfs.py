"""Reading rendered PDFs the way a person would: text, type size, fonts, QR and DataMatrix codes from
pixels (also photocopied), and the PDF/UA checkpoints a machine can decide."""

from __future__ import annotations

import io
import itertools
import random
from dataclasses import dataclass

import pdfua
import pikepdf
import pypdf
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageChops, ImageFilter
from pylibdmtx import pylibdmtx
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

# --- Reading rendered PDFs: text, page count, QR codes from pixels, type size, tags ---------------


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
    """QR codes decoded from the rasterised pages, with their printed width (QR only: not the edition code)."""
    found = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=dpi / 72).to_pil()
        for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            p = code.position
            width_px = ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5
            found.append(FoundQR(code.text, width_px / dpi * 2.54))
    return found


def font_sizes_of(pdf: bytes, passage: str) -> set[float]:
    """Type sizes, in points, of the runs of text on the page that belong to `passage`."""
    sizes: set[float] = set()
    folded = " ".join(passage.split())

    def visit(text: str, cm: list, tm: list, font_dict: object, font_size: float) -> None:  # noqa: ARG001  pypdf's visitor signature
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


def photocopy(image: Image.Image, seed: int = 1) -> Image.Image:
    """A page as a tired photocopier gives it back: grey, 1.5 degrees skewed, blurred, speckled."""
    grey = image.convert("L").rotate(1.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    blurred = grey.filter(ImageFilter.GaussianBlur(radius=1))
    width, height = blurred.size
    noise = Image.frombytes("L", blurred.size, random.Random(seed).randbytes(width * height))
    return ImageChops.add(blurred, noise.point(lambda v: v // 8), scale=1.0, offset=-16)  # +-16 of 255, evenly


def zbar_codes(pdf: bytes, dpi: int = 150) -> list[str]:
    """QR codes that zbar (Debian's decoder, not the one that drew them) reads from photocopied pages."""
    found = []
    for page in pdfium.PdfDocument(pdf):
        copy = photocopy(page.render(scale=dpi / 72).to_pil())
        found += [code.data.decode("utf-8") for code in pyzbar.decode(copy, symbols=[ZBarSymbol.QRCODE])]
    return found


def datamatrix_codes(pdf: bytes, dpi: int = 200, copied: bool = False) -> dict[str, list[str]]:
    """DataMatrix codes read from each rasterised page (or its `photocopy`) by two unrelated readers.

    {"zxing-cpp": [...], "libdmtx": [...]}, in page order. zxing-cpp (the library that draws the
    code, through libzint) reads the whole page, so a code anywhere shows; libdmtx reads the bottom
    3 cm, where the footer is and a scanner is aimed (on a whole page it takes seconds). 200 dpi:
    libdmtx does not reliably read 0.5 mm modules from a 150 dpi copy; zxing-cpp does.
    """
    found: dict[str, list[str]] = {"zxing-cpp": [], "libdmtx": []}
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=dpi / 72).to_pil()
        if copied:
            image = photocopy(image)
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
        found["zxing-cpp"] += [code.text for code in codes]
        width, height = image.size
        footer = image.crop((0, height - round(3 / 2.54 * dpi), width, height))
        found["libdmtx"] += [code.data.decode("utf-8") for code in pylibdmtx.decode(footer, timeout=5000, max_count=1)]
    return found


def ua_problems(pdf: bytes, sheets: int = 1) -> list[str]:
    """Matterhorn Protocol checkpoints a machine can decide, read from the PDF (not from our HTML).

    Also runs the independent `pdfua` checker. Returns what is wrong, in words; [] when clean.
    """
    problems = [f"pdfua {f.rule_id}: {f.message}" for f in pdfua.Validator().validate(io.BytesIO(pdf)).findings]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        problems += _catalog_problems(doc, root)
        reached: set[tuple[int, int]] = set()
        headings: list[int] = []
        for element in _elements(root.StructTreeRoot):
            problems += _element_problems(element, headings)
            reached |= _mcids_of(element)
        problems += [
            f"01-005: marked content {mcid} on page {page + 1} is not reachable from the structure tree"
            for page, mcid in sorted(_marked_content(doc) - reached)
        ]
        if headings and headings[0] != 1:
            problems.append(f"14-002: the first heading is H{headings[0]}, not H1")
        problems += [
            f"14-003: heading level skips from H{a} to H{b}" for a, b in itertools.pairwise(headings) if b > a + 1
        ]
        top = [item.title for item in doc.open_outline().root]
        if len(top) != sheets:
            problems.append(f"outline: {len(top)} top-level bookmarks for {sheets} sheet(s): {top}")
    return problems


def figure_alts(pdf: bytes) -> list[str]:
    """The alternative text of every Figure in the PDF's tag tree, in reading order."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [str(e.get("/Alt", "")) for e in _elements(doc.Root.StructTreeRoot) if str(e.S) == "/Figure"]


def _catalog_problems(doc: pikepdf.Pdf, root: pikepdf.Dictionary) -> list[str]:
    problems = []
    if not str(root.get("/Lang", "")):
        problems.append("11-006: no /Lang on the catalog")
    if not root.get("/MarkInfo", {}).get("/Marked"):
        problems.append("01-002: MarkInfo /Marked is not true")
    if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        problems.append("07-002: DisplayDocTitle is not true")
    with doc.open_metadata() as xmp:
        if xmp.get("pdfuaid:part") != "1":
            problems.append("06-002: XMP has no pdfuaid:part 1")
        if not xmp.get("dc:title"):
            problems.append("06-003: XMP has no dc:title")
    return problems


def _elements(node: object) -> list[pikepdf.Dictionary]:
    """Every structure element under `node`, in reading order."""
    found: list[pikepdf.Dictionary] = []
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found += _elements(kid)
    return found


def _element_problems(element: pikepdf.Dictionary, headings: list[int]) -> list[str]:
    kind = str(element.S)
    problems = []
    if kind == "/Figure" and not str(element.get("/Alt", "")):
        problems.append("13-004: a Figure has no alternative text")
    if kind == "/TH" and "/Scope" not in element.get("/A", {}):
        problems.append("15-003: a TH has no /Scope")
    if kind == "/Table" and not any(str(e.S) == "/TH" for e in _elements(element)):
        problems.append("09-004: a Table has no header cell (a layout table tagged as data?)")
    if kind in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6"):
        headings.append(int(kind[2]))
        if not _mcids_of(element) and not _elements(element):
            problems.append(f"14-001: an empty {kind[1:]}")
    return problems


def _mcids_of(element: pikepdf.Dictionary) -> set[tuple[int, int]]:
    """(page index, MCID) of the marked content an element holds directly."""
    page = element.get("/Pg")
    kids = element.get("/K")
    found = set()
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, int):
            found.add((_page_index(page), int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.add((_page_index(kid.get("/Pg", page)), int(kid.MCID)))
    return found


def _page_index(page: object) -> int:
    return pikepdf.Page(page).index if page is not None else -1


def _marked_content(doc: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page index, MCID) of every marked-content sequence the pages draw (artifacts excluded)."""
    found = set()
    for index, page in enumerate(doc.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and str(operands[0]) != "/Artifact":
                properties = operands[1]
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    found.add((index, int(properties.MCID)))
    return found
