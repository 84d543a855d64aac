"""What the tests share: the project's paths, running the CLI (in process or for real), a real server,
scratch copies, disk conditions, and reading rendered PDFs the way a person would.

Plain functions and constants only; the fixtures are in conftest.py. Test modules import from here,
never from conftest.py or from each other.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import random
import shutil
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pdfua
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
import yaml
import zxingcpp
from PIL import Image, ImageChops, ImageFilter
from pylibdmtx import pylibdmtx
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
PROJECT_DIRS = ("sources", "sheets", "templates", "styles", "assets")
CLI_COMMAND = (sys.executable, "-c", "from factsheets.cli import main; main()")  # `factsheets`, as a real process


# --- Infobutton requests as the HL7 URL-based implementation guide writes them ---------------------

SNOMED, ICD10_WHO, ICD9CM, RXNORM, NDC, MESH = (
    "2.16.840.1.113883.6.96",
    "2.16.840.1.113883.6.3",
    "2.16.840.1.113883.6.103",
    "2.16.840.1.113883.6.88",
    "2.16.840.1.113883.6.69",
    "2.16.840.1.113883.6.177",
)

# The guide's appendix examples. Example 1: a problem-list infobutton for a 77-year-old man with bacterial
# pneumonia (MeSH), subtopic therapy.
GUIDE_EXAMPLE_1 = (
    "knowledgeRequestNotification.effectiveTime.v=20060706001023&holder.assignedEntity.n=Organizationusername"
    "&holder.assignedEntity.certificateText=organizationpassword&patientPerson.administrativeGenderCode.c=M"
    "&patientPerson.administrativeGenderCode.dn=Male&age.v.v=77&age.v.u=a&ageGroup.v.c=D000368"
    "&taskContext.c.c=PROBLISTREV&subTopic.v.c=Q000628&subTopic.v.cs=2.16.840.1.113883.6.177&subTopic.v.dn=therapy"
    "&mainSearchCriteria.v.c=D018410&mainSearchCriteria.v.cs=2.16.840.1.113883.6.177"
    "&mainSearchCriteria.v.dn=Bacterial+Pneumonia&mainSearchCriteria.v.ot=Pneumonia"
)
# Example 2: a nurse on the medication list, for an 8-year-old girl who reads Spanish (NDC code).
GUIDE_EXAMPLE_2 = (
    "knowledgeRequestNotification.effectiveTime.v=20060706001023&holder.assignedEntity.n=OrganizationUsername"
    "&holder.assignedEntity.certificateText=organizationpassword&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=8&age.v.u=a&taskContext.c.c=MEDLISTREV&performer=PROV&informationRecipient=PAT"
    "&performer.languageCode.c=en&informationRecipient.languageCode.c=es&performer.healthCareProvider.c.c=163W00000X"
    "&performer.healthCareProvider.c.dn=Registered+Nurse&mainSearchCriteria.v.c=49502-693-03"
    "&mainSearchCriteria.v.cs=2.16.840.1.113883.6.69"
    "&mainSearchCriteria.v.dn=Albuterol+sulfate+inhalation+solution+1.25+mg"
    "&mainSearchCriteria.v.ot=Albuterol+sulfate"
)
# Example 3.a: medication order entry, with an observation whose value is a code (SNOMED CT).
GUIDE_EXAMPLE_3A = (
    "knowledgeRequestNotification.effectiveTime.v=20120706001023&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=28&age.v.u=a&taskContext.c.c=MEDOE&performer=PROV&performer.healthCareProvider.c.c=163W00000X"
    "&mainSearchCriteria.v.c=38341003&mainSearchCriteria.v.cs=2.16.840.1.113883.6.96"
    "&mainSearchCriteria.v.dn=Hypertensive%20disorder&mainSearchCriteria.v.ot=Systemic+arterial+hypertension"
    "&observation.v.c=77386008&observation.v.cs=2.16.840.1.113883.6.96&subtopic.v.c=Q000628"
    "&subtopic.v.cs=2.16.840.1.113883.6.177&subtopic.v.dn=therapy"
)
# Example 3.b: an observation whose value is a physical quantity (renal function), in an ambulatory encounter.
GUIDE_EXAMPLE_3B = (
    "knowledgeRequestNotification.effectiveTime.v=20120706001023&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=67&age.v.u=a&taskContext.c.c=MEDOE&performer=PROV&performer.healthCareProvider.c.c=200000000X"
    "&encounter.c.c=AMB&mainSearchCriteria.v.c=197379&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&mainSearchCriteria.v.dn=Atenolol+100+mg+Oral+Tablet&mainSearchCriteria.v.ot=Atenolol"
    "&observation.v.c=102811001&observation.v.cs=2.16.840.1.113883.6.96&observation.v.v=65&observation.v.u=mL/min"
    "&subtopic.v.c=Q000008&subtopic.v.cs=2.16.840.1.113883.6.177&subtopic.v.dn=administration+and+dosage"
)
# Appl Clin Inform 2016, Table 1: "HL7 IB example request implemented as a URL" (a JSON answer, for a provider).
PAPER_TABLE_1 = (
    "searchType=HL7&representedOrganization.id.root=1.3.6.1.4.1.3768&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=67&age.v.u=a&mainSearchCriteria.v.c=749196&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&mainSearchCriteria.v.dn=Clopidogrel&performer=PROV&taskContext.c.c=MLREV&informationRecipient=PROV"
    "&knowledgeResponseType=application/json"
)

# name -> (request, its code system's OID, that system's name): each is refused as written, answered as ICD-10-CM
GUIDE_EXAMPLES = {
    "example 1 (MeSH)": (GUIDE_EXAMPLE_1, MESH, "MeSH"),
    "example 2 (NDC)": (GUIDE_EXAMPLE_2, NDC, "NDC"),
    "example 3.a (SNOMED CT)": (GUIDE_EXAMPLE_3A, SNOMED, "SNOMED CT"),
    "example 3.b (RxNorm)": (GUIDE_EXAMPLE_3B, RXNORM, "RxNorm"),
    "paper table 1 (RxNorm)": (PAPER_TABLE_1, RXNORM, "RxNorm"),
}


# --- The project's inputs -------------------------------------------------------------------------


def scratch_copy(target: Path) -> Path:
    """Copy the project's inputs into `target` (for module-scoped copies)."""
    for name in PROJECT_DIRS:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name)
    return target


def sheet_types(sheets_dir: Path = ROOT / "sheets") -> dict[str, list[str]]:
    """Each sheet's id and the cancer-type keys it has variants for, read straight from its YAML.

    Cheap enough for `parametrize` at collection time (no corpus, no selection); test_render checks
    that it agrees with `Content.variants()`.
    """
    from factsheets.cancer_types import CANCER_TYPES, find_cancer_type
    from factsheets.contentfile import content_files

    found = {}
    for path in content_files(sheets_dir, (".yaml", ".yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        listed = data.get("cancer_types") or []
        types = list(CANCER_TYPES) if listed == "all" else [find_cancer_type(t).key for t in listed]
        found[data["id"]] = types
    return found


def variant_keys(sheets_dir: Path = ROOT / "sheets") -> list[str]:
    """Every variant a full build makes, as keys ("bone/general", "where-it-spreads/breast"), in build order."""
    from factsheets.variant import GENERAL

    return [f"{sheet}/{t}" for sheet, types in sheet_types(sheets_dir).items() for t in [GENERAL, *types]]


def variant(key: str):  # -> factsheets.variant.Variant (imported late: collection stays cheap)
    """The variant a key names: "bone/general" or "where-it-spreads/breast"."""
    from factsheets.variant import GENERAL, Variant

    sheet_id, type_key = key.split("/")
    return Variant.of(sheet_id, None if type_key == GENERAL else type_key)


# The passages of a small fixture sheet: brain metastasis signs from Cleveland Clinic and NCI.
BRAIN_SIGNS_PASSAGES = """    passages:
      - source: clevelandclinic-metastasis
        section: What are the symptoms of metastatic cancer? > Brain metastasis
      - source: nci-metastatic-cancer
        section: Symptoms of Metastatic Cancer
        contains: [brain]
"""

# A sheet that cannot fit one page at any type size: for failed renders and failed builds.
OVERFLOW_SHEET = """id: too-long
title: A sheet with far too much on it
sections:
""" + "".join(
    f"""  - heading: Part {n}
    passages:
      - source: clevelandclinic-metastasis
        section: {section}
"""
    for n, section in enumerate(
        [
            "Imaging tests",
            "Tumor markers",
            "How do I take care of myself?",
            "What questions should I ask my doctor?",
            "A note from Cleveland Clinic",
            "Is metastatic cancer curable?",
            "What is the metastatic cancer survival rate?",
        ]
    )
)


# --- The command line -----------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def cli(*args: str, cwd: Path = ROOT) -> CliResult:
    """Run `factsheets` in this process with typer's CliRunner, in `cwd` (--root defaults to ".").

    The app itself turns library errors into "error: ..." lines and exit code 1, so the exit code,
    stdout and stderr are what a user sees. An exception the app lets escape is shown as a real
    process shows it: a traceback on stderr and exit code 1 (so "Traceback" not in err still means
    something). What the command does to the renderer's loggers (`render --patient` quiets them)
    is undone afterwards, so it cannot hide warnings from later tests.
    """
    from typer.testing import CliRunner

    from factsheets.cli import app
    from factsheets.privacy import RENDERER_LOGGERS

    levels = {name: logging.getLogger(name).level for name in RENDERER_LOGGERS}
    try:
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(app, list(args))
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, err)


def run_cli(*args: str, cwd: Path = ROOT) -> CliResult:
    """Run `factsheets` in a real subprocess: for what only a real process shows (its logging, signals)."""
    proc = subprocess.run([*CLI_COMMAND, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# --- A real server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, *args: str, output: int | None = subprocess.PIPE) -> tuple[str, subprocess.Popen]:
    """A real `factsheets serve` on a free loopback port, once it answers: (base URL, process)."""
    port = free_port()
    process = subprocess.Popen(
        [*CLI_COMMAND, "serve", "--port", str(port), *args],
        cwd=root,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return url, process


# --- Real disk conditions -------------------------------------------------------------------------
# chmod does not stop root, so a tiny tmpfs makes a really full or really read-only disk; mounting
# needs root (CAP_SYS_ADMIN), elsewhere the tests that use these skip and say why.


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "64k") -> Iterator[Path]:
    """A small RAM disk mounted at `where` for the test; unmounted (with what is on it) after."""
    where.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here, so no real full or read-only disk: {mount.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10, check=False)


def make_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True, timeout=10)


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
