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


def packet_sheet_ids(corpus: Corpus, sheet_ids: set[str] | list[str], cancer_type: str | None) -> list[str]:
    """The sheets for one type, in reading order: overview, its sites of spread, questions."""
    site_sheets = [SITE_SHEETS[s] for s in sites(corpus, cancer_type) if s in SITE_SHEETS] if cancer_type else []
    return [s for s in dict.fromkeys([*OVERVIEW, *site_sheets, *CLOSING]) if s in sheet_ids]


def plan_packets(corpus: Corpus, sheet_ids: set[str], entries: dict[str, dict]) -> list[Packet]:
    """A packet per type, using each sheet's type variant where it has one, else its general sheet.

    `entries` are the manifest entries of PDFs that exist; a project sheet without one is `missing`.
    """
    packets = []
    for ctype in CANCER_TYPES:
        members, missing = [], []
        for sheet_id in packet_sheet_ids(corpus, sheet_ids, ctype):
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


def merge(parts: list[tuple[str, bytes]], title: str) -> bytes:
    """One PDF from (bookmark title, PDF) parts, a bookmark per part.

    pikepdf (qpdf) copies pages without re-parsing every object in Python: 13 packets take
    about 0.1 s where pypdf took 2.8 s, which had made packets most of a full build.
    """
    merged = pikepdf.Pdf.new()
    sources = []
    with merged.open_outline() as outline:
        for part_title, pdf in parts:
            source = pikepdf.Pdf.open(io.BytesIO(pdf))
            sources.append(source)
            outline.root.append(pikepdf.OutlineItem(part_title, len(merged.pages)))
            merged.pages.extend(source.pages)
    merged.docinfo["/Title"] = title
    merged.docinfo["/Creator"] = "factsheets"
    buffer = io.BytesIO()
    merged.save(buffer, deterministic_id=True)
    for source in sources:
        source.close()
    return buffer.getvalue()


def write_packet(out_dir: Path, packet: Packet) -> bytes:
    """Merge a packet's member PDFs from out/ and write it; returns the PDF written."""
    label = CANCER_TYPES[packet.cancer_type].label.lower()
    pdf = merge([(title, (out_dir / path).read_bytes()) for title, path in packet.members], f"Handouts for {label} cancer")
    write_atomic(out_dir / packet.path, pdf)
    return pdf
