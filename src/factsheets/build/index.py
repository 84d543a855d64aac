"""out/index.html: every sheet and packet with a thumbnail of its first page, to browse and print."""

from __future__ import annotations

import io
from pathlib import Path

from factsheets.build.manifest import PacketEntry, SheetEntry
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.files import write_atomic
from factsheets.project import Project
from factsheets.templating import template_problems


def thumbnail(pdf_path: Path, png_path: Path, width_px: int = 220) -> None:
    """A PNG of the first page; a thumbnail newer than its PDF is kept."""
    if png_path.exists() and png_path.stat().st_mtime >= pdf_path.stat().st_mtime:
        return
    import pypdfium2  # only a build that made a PDF needs it

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    write_atomic(png_path, buffer.getvalue())


def write_index(project: Project, sheets: list[SheetEntry], packets: list[PacketEntry]) -> None:
    """Render index.html (the clinic's, else the project's) over the manifest's entries, thumbnails alongside."""
    out = project.out_dir
    for item in [*sheets, *packets]:
        thumbnail(out / item.path, out / item.thumb)  # a no-op when a worker made it
    variants: dict[str, list[SheetEntry]] = {}
    for entry in sheets:
        variants.setdefault(entry.variant, []).append(entry)
    with template_problems():
        html = (
            project.environment()
            .get_template("index.html")
            .render(variants=variants, packets=packets, types=CANCER_TYPES)
        )
    write_atomic(out / "index.html", html.encode())
