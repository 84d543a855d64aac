"""Packets: one PDF per cancer type with the sheets that type's patients need, bookmarked.

Which site sheets go in comes from the corpus itself (NCI's "Common Sites Where Cancer
Spreads" table), so a packet changes when that table does, not when someone edits a list.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from factsheets.cancer_types import CANCER_TYPES
from factsheets.corpus import Corpus
from factsheets.output import write_atomic

SITES_SOURCE = ("nci-metastatic-cancer", "Common Sites Where Cancer Spreads")
OVERVIEW = ("what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads")
SITE_SHEETS = {"bone": "bone", "brain": "brain", "liver": "liver", "lung": "lungs", "other lung": "lungs"}
CLOSING = ("questions",)


@dataclass(frozen=True)
class Packet:
    cancer_type: str
    members: tuple[tuple[str, str], ...]  # (title, path relative to out/)
    missing: tuple[str, ...] = ()  # sheets that belong in it but have no PDF (they failed)

    @property
    def path(self) -> str:
        return f"packets/{self.cancer_type}.pdf"


def sites(corpus: Corpus, cancer_type: str) -> list[str]:
    """Main sites of spread for a type, lower-case, from the NCI table."""
    (table,) = corpus[SITES_SOURCE[0]].find_sections(SITES_SOURCE[1])
    label = CANCER_TYPES[cancer_type].label
    row = next(b for b in table.blocks if b.cells[0] == label)
    return [site.strip().lower() for site in row.cells[1].split(",")]


def plan_packets(corpus: Corpus, sheet_ids: set[str], entries: dict[str, dict]) -> list[Packet]:
    """A packet per type, using each sheet's type variant where it has one, else its general sheet.

    `entries` are the manifest entries of PDFs that exist; a project sheet without one is `missing`.
    """
    packets = []
    for ctype in CANCER_TYPES:
        site_sheets = [SITE_SHEETS[s] for s in sites(corpus, ctype) if s in SITE_SHEETS]
        order = [s for s in dict.fromkeys([*OVERVIEW, *site_sheets, *CLOSING]) if s in sheet_ids]
        members, missing = [], []
        for sheet_id in order:
            entry = entries.get(f"{ctype}/{sheet_id}.pdf") or entries.get(f"general/{sheet_id}.pdf")
            if entry:
                members.append((entry["title"], entry["path"]))
            else:
                missing.append(sheet_id)
        packets.append(Packet(ctype, tuple(members), tuple(missing)))
    return packets


def packet_hash(packet: Packet, entries: dict[str, dict]) -> str:
    h = hashlib.sha256()
    for title, path in packet.members:
        h.update(f"{title}|{path}|{entries[path]['sha256']}\n".encode())
    return h.hexdigest()[:16]


def write_packet(out_dir: Path, packet: Packet) -> bytes:
    """Concatenate the member PDFs with one bookmark per sheet; returns the PDF written.

    pikepdf (qpdf) copies pages without re-parsing every object in Python: 13 packets take
    about 0.1 s where pypdf took 2.8 s, which had made packets most of a full build.
    """
    merged = pikepdf.Pdf.new()
    sources = []
    with merged.open_outline() as outline:
        for title, path in packet.members:
            source = pikepdf.Pdf.open(out_dir / path)
            sources.append(source)
            outline.root.append(pikepdf.OutlineItem(title, len(merged.pages)))
            merged.pages.extend(source.pages)
    merged.docinfo["/Title"] = f"Handouts for {CANCER_TYPES[packet.cancer_type].label.lower()} cancer"
    merged.docinfo["/Creator"] = "factsheets"
    buffer = io.BytesIO()
    merged.save(buffer, deterministic_id=True)
    for source in sources:
        source.close()
    pdf = buffer.getvalue()
    write_atomic(out_dir / packet.path, pdf)
    return pdf
