"""Reading rendered PDFs the way a person would: text, type size, fonts, QR and DataMatrix codes from
pixels (also photocopied), and the PDF/UA checkpoints a machine can decide."""

from __future__ import annotations

import ctypes
import io
import itertools
import random
from dataclasses import dataclass

import pdfua
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
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


def line_after(pdf: bytes, label: str, page: int = 0, dpi: int = 300) -> float:
    """How long (cm) the grey line to write on that follows `label` (case as printed) is; 0 when there is none.

    Measured on the rasterised page: the row of grey pixels beside the label's last character, between its
    baseline and 4 mm below it (a line's rule sits at the foot of its row, the label on the same foot).
    """
    document = pdfium.PdfDocument(pdf)
    text = document[page].get_textpage()
    found = text.search(label, match_case=True, match_whole_word=True).get_next()
    if found is None:
        raise AssertionError(f"{label!r} is not on page {page + 1}")
    _, bottom, right, _ = text.get_charbox(found[0] + found[1] - 1)
    image = document[page].render(scale=dpi / 72).to_pil().convert("L")
    pixels, scale, height = image.load(), dpi / 72, document[page].get_height()
    x0, top = round(right * scale) + 4, round((height - bottom) * scale) - 2
    longest = 0
    for y in range(top, top + round(0.4 / 2.54 * dpi)):
        run = 0
        for x in range(x0, min(image.width, x0 + round(6 / 2.54 * dpi))):
            run = run + 1 if 100 <= pixels[x, y] <= 190 else 0  # the rule's grey (#888), not black type
            longest = max(longest, run)
    return longest / dpi * 2.54


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


# --- A copy of a copy (issue 24): what a clinic's photocopier does to a page, twice -------------------

COPIER_THRESHOLD = 128  # a copier prints black or white: mid-grey decides


def copies(image: Image.Image, generations: int = 2, seed: int = 1) -> Image.Image:
    """`image` photocopied `generations` times: each copy the tired photocopier's (`photocopy`: grey, skewed,
    blurred, speckled), thresholded to black and white as toner prints it, and the next copy made of that one."""
    for generation in range(generations):
        image = photocopy(image, seed + generation).point(lambda v: 255 if v >= COPIER_THRESHOLD else 0)
    return image


def copied_pages(pdf: bytes, generations: int = 2, dpi: int = 150, seed: int = 1) -> list[Image.Image]:
    """Each page rasterised at `dpi` (the first copier's scan) and copied `generations` times (`copies`)."""
    return [copies(page.render(scale=dpi / 72).to_pil(), generations, seed) for page in pdfium.PdfDocument(pdf)]


def zbar_after_copies(pdf: bytes, generations: int = 2, dpi: int = 150, seed: int = 1) -> list[str]:
    """QR codes that zbar reads off a copy of a copy (`copied_pages`), in page order."""
    return [
        code.data.decode("utf-8")
        for image in copied_pages(pdf, generations, dpi, seed)
        for code in pyzbar.decode(image, symbols=[ZBarSymbol.QRCODE])
    ]


def datamatrix_after_copies(pdf: bytes, generations: int = 2, dpi: int = 150, seed: int = 1) -> dict[str, list[str]]:
    """DataMatrix codes read off a copy of a copy (`copied_pages`) by zxing-cpp (the whole page) and libdmtx
    (the bottom 5 cm: the footer, moved up a little by two skewed copies), as `datamatrix_codes`."""
    found: dict[str, list[str]] = {"zxing-cpp": [], "libdmtx": []}
    for image in copied_pages(pdf, generations, dpi, seed):
        found["zxing-cpp"] += [c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)]
        footer = image.crop((0, image.height - round(5 / 2.54 * dpi), image.width, image.height))
        found["libdmtx"] += [c.data.decode("utf-8") for c in pylibdmtx.decode(footer, timeout=5000, max_count=1)]
    return found


@dataclass(frozen=True)
class PrintedChar:
    page: int  # 0 = the first
    char: str
    pt: float  # the type size it is drawn at, in points: the font size times the text's scale on the page


def printed_chars(pdf: bytes) -> list[PrintedChar]:
    """Every visible character of the PDF with the size it prints at (pdfium's text page: font size x matrix)."""
    found = []
    for index, page in enumerate(pdfium.PdfDocument(pdf)):
        text = page.get_textpage()
        matrix = pdfium_c.FS_MATRIX()
        for n in range(text.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(text, n))
            if not char.isprintable() or char.isspace():
                continue
            pdfium_c.FPDFText_GetMatrix(text, n, ctypes.byref(matrix))
            scale = (matrix.c**2 + matrix.d**2) ** 0.5  # the vertical scale: WeasyPrint draws in px (x 0.75)
            found.append(PrintedChar(index, char, round(pdfium_c.FPDFText_GetFontSize(text, n) * scale, 2)))
    return found


@dataclass(frozen=True)
class Tagged:
    """A structure element as a screen reader meets it: its kind (/H2, /L, ...), its text, its elements."""

    kind: str
    text: str
    kids: tuple[Tagged, ...]

    def find(self, kind: str, text: str = "") -> list[Tagged]:
        """Every element of `kind` under this one (itself included) whose text starts with `text`, in reading order."""
        mine = [self] if self.kind == kind and self.text.startswith(text) else []
        return mine + [found for kid in self.kids for found in kid.find(kind, text)]


def tag_tree(pdf: bytes) -> Tagged:
    """The PDF's structure tree with each element's text, read from the marked content its MCIDs name."""
    drawn: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdfium.PdfDocument(pdf)):
        text_page = page.get_textpage()
        for item in page.get_objects():
            if item.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            size = pdfium_c.FPDFTextObj_GetText(item.raw, text_page.raw, None, 0)
            buffer = (ctypes.c_ushort * size)()
            pdfium_c.FPDFTextObj_GetText(item.raw, text_page.raw, buffer, size)
            key = (index, pdfium_c.FPDFPageObj_GetMarkedContentID(item.raw))
            drawn[key] = drawn.get(key, "") + bytes(buffer).decode("utf-16-le").rstrip("\x00")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return _tagged(doc.Root.StructTreeRoot, drawn)


def _tagged(element: pikepdf.Dictionary, drawn: dict[tuple[int, int], str]) -> Tagged:
    page = element.get("/Pg")
    kids = element.get("/K")
    parts: list[str] = []
    found: list[Tagged] = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, int):
            parts.append(drawn.get((_page_index(page), int(kid)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            parts.append(drawn.get((_page_index(kid.get("/Pg", page)), int(kid.MCID)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            child = _tagged(kid, drawn)
            found.append(child)
            parts.append(child.text)
    return Tagged(str(element.get("/S", "/StructTreeRoot")), " ".join(" ".join(parts).split()), tuple(found))


def ua_problems(pdf: bytes, sheets: int = 1, summary: bool = False) -> list[str]:
    """Matterhorn Protocol checkpoints a machine can decide, read from the PDF (not from our HTML).

    Also runs the independent `pdfua` checker. Returns what is wrong, in words; [] when clean.
    One top-level bookmark per sheet, after the one saying what was chosen when `summary` (a patient's packet).
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
        if len(top) != sheets + summary:
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
