"""Packets: several sheets as one tagged PDF, bookmarked by sheet (joined by `merging.merge`).

The build writes one per cancer type (out/packets/), and `render_packet` makes one for one
patient. Which sheets go in is `patient.choice.choose`'s answer: for a type alone, its common sites
come from the corpus itself (NCI's "Common Sites Where Cancer Spreads" table), so a packet
changes when that table does, not when someone edits a list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from factsheets.build.manifest import SheetEntry
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.sources import Corpus
from factsheets.files import write_atomic
from factsheets.patient.choice import choose
from factsheets.patient.packet import packet_title
from factsheets.selection.variant import Variant


@dataclass(frozen=True)
class Packet:
    cancer_type: str
    members: tuple[tuple[str, str], ...]  # (title, path relative to out/)
    missing: tuple[str, ...] = ()  # sheets that belong in it but have no PDF (they failed)

    @property
    def path(self) -> str:
        return f"packets/{self.cancer_type}.pdf"


def plan_packets(corpus: Corpus, sheet_ids: set[str], entries: dict[str, SheetEntry]) -> list[Packet]:
    """A packet per type, using each sheet's type variant where it has one, else its general sheet.

    `entries` are the manifest entries of PDFs that exist, by path; a sheet without one is `missing`.
    """
    packets = []
    for ctype in CANCER_TYPES.values():
        members, missing = [], []
        for sheet_id in choose(corpus, sheet_ids, ctype, None).sheet_ids:
            entry = entries.get(Variant(sheet_id, ctype).path) or entries.get(Variant(sheet_id).path)
            if entry:
                members.append((entry.title, entry.path))
            else:
                missing.append(sheet_id)
        packets.append(Packet(ctype.key, tuple(members), tuple(missing)))
    return packets


def packet_hash(packet: Packet, entries: dict[str, SheetEntry]) -> str:
    h = hashlib.sha256()
    for title, path in packet.members:
        h.update(f"{title}|{path}|{entries[path].sha256}\n".encode())
    return h.hexdigest()[:16]


def write_packet(out_dir: Path, packet: Packet) -> bytes:
    """Merge a packet's member PDFs from out/ and write it; returns the PDF written."""
    from factsheets.render.merging import merge  # pikepdf loads only when PDFs are joined

    pdf = merge(
        [(title, (out_dir / path).read_bytes()) for title, path in packet.members],
        packet_title(CANCER_TYPES[packet.cancer_type]),
    )
    write_atomic(out_dir / packet.path, pdf)
    return pdf
