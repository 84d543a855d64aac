"""Build the whole handout set into out/: every sheet x variant, one PDF each, plus a manifest.

Reads everything first (a broken sheet stops the build before anything is written), then
renders each variant; one failing variant does not stop the others. Every PDF is written
atomically, and PDFs of sheets that no longer exist are removed.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from factsheets import __version__
from factsheets.clinic import load_clinic
from factsheets.errors import FactsheetsError
from factsheets.output import write_atomic
from factsheets.project import Project, load_content
from factsheets.render import Renderer, RenderOptions
from factsheets.select import FilledSheet


@dataclass
class BuildReport:
    built: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sheet/variant, message)
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def pdf_path(out_dir: Path, filled: FilledSheet) -> Path:
    """Stable, readable paths: out/general/bone.pdf, out/breast/where-it-spreads.pdf."""
    return out_dir / filled.variant / f"{filled.sheet.id}.pdf"


def build(project: Project, clinic_dir: Path | None = None, options: RenderOptions | None = None) -> BuildReport:
    started = time.perf_counter()
    content = load_content(project)
    fills = content.fill_all()
    renderer = Renderer(project, load_clinic(clinic_dir if clinic_dir is not None else project.root / "clinic"))
    options = options or RenderOptions()
    report = BuildReport()
    manifest = []
    for filled in fills:
        path = pdf_path(project.out_dir, filled)
        try:
            result = renderer.render(filled, options)
        except FactsheetsError as err:
            report.failed.append((f"{filled.sheet.id}/{filled.variant}", str(err)))
            path.unlink(missing_ok=True)  # never leave an out-of-date PDF standing in for a failed one
            continue
        write_atomic(path, result.pdf)
        report.built.append(path)
        manifest.append({
            "sheet": filled.sheet.id, "variant": filled.variant, "title": filled.sheet.title,
            "path": path.relative_to(project.out_dir).as_posix(), "pages": result.pages,
            "body_pt": result.body_pt, "content_version": result.content_version,
            "sha256": hashlib.sha256(result.pdf).hexdigest(),
            "sources": [{"id": s.id, "url": s.url, "reviewed": s.reviewed} for s in filled.sources],
        })
    expected = {pdf_path(project.out_dir, f) for f in fills}
    for stale in sorted(project.out_dir.glob("*/*.pdf")):
        if stale not in expected and stale.parent.name != "packets":
            stale.unlink()
            report.removed.append(stale)
    write_atomic(project.out_dir / "manifest.json",
                 json.dumps({"factsheets": __version__, "sheets": manifest}, indent=2).encode())
    report.seconds = time.perf_counter() - started
    return report
