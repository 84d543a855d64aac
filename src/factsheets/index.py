"""out/index.html: every sheet and packet with a thumbnail of its first page, to browse and print."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2

from factsheets.cancer_types import CANCER_TYPES
from factsheets.output import write_atomic
from factsheets.templating import environment, template_problems


def thumb_path(pdf_rel: str) -> str:
    """Where a PDF's thumbnail lives, relative to out/: general/bone.pdf -> thumbs/general--bone.png."""
    return "thumbs/" + pdf_rel.replace("/", "--").removesuffix(".pdf") + ".png"


def thumbnail(pdf_path: Path, png_path: Path, width_px: int = 220) -> None:
    """A PNG of the first page; a thumbnail newer than its PDF is kept."""
    if png_path.exists() and png_path.stat().st_mtime >= pdf_path.stat().st_mtime:
        return
    document = pypdfium2.PdfDocument(pdf_path)
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    write_atomic(png_path, buffer.getvalue())


def write_index(out_dir: Path, template_dirs: list[Path], sheets: list[dict], packets: list[dict]) -> None:
    """Render templates/index.html over the manifest's entries, thumbnails alongside."""
    for item in [*sheets, *packets]:
        item["thumb"] = thumb_path(item["path"])
        thumbnail(out_dir / item["path"], out_dir / item["thumb"])  # a no-op when a worker made it
    env = environment(template_dirs)
    variants: dict[str, list[dict]] = {}
    for entry in sheets:
        variants.setdefault(entry["variant"], []).append(entry)
    with template_problems():
        html = env.get_template("index.html").render(variants=variants, packets=packets, types=CANCER_TYPES)
    write_atomic(out_dir / "index.html", html.encode())
