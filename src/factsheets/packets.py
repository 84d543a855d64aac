"""Packets: several sheets as one tagged PDF, bookmarked by sheet (joined by `merging.merge`).

The build writes one per cancer type (out/packets/), and `render_packet` makes one for one
patient. Which sheets go in is `handouts.choose`'s answer: for a type alone, its common sites
come from the corpus itself (NCI's "Common Sites Where Cancer Spreads" table), so a packet
changes when that table does, not when someone edits a list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factsheets.cancer_types import CANCER_TYPES, CancerType
from factsheets.corpus import Corpus
from factsheets.handouts import Choice, choose
from factsheets.manifest import SheetEntry
from factsheets.options import RenderOptions
from factsheets.output import write_atomic
from factsheets.project import Content
from factsheets.variant import Variant

if TYPE_CHECKING:
    from factsheets.render import Renderer


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


def packet_title(ctype: CancerType | None) -> str:
    """The title a packet's PDF shows: "Handouts for ovarian cancer"."""
    return f"Handouts for {ctype.name}" if ctype else "Patient handouts"


def render_packet(content: Content, renderer: Renderer, choice: Choice, options: RenderOptions) -> bytes:
    """One patient's packet: each chosen sheet for their type, rendered and merged, bookmarked by sheet.

    One sheet is returned as rendered, not merged: its own title, and the very bytes a record hashes.
    """
    fills = [content.fill(Variant(sheet_id, choice.cancer_type)) for sheet_id in choice.sheet_ids]
    parts = [(f.sheet.title, renderer.render(f, options).pdf) for f in fills]
    if len(parts) == 1:
        return parts[0][1]
    from factsheets.merging import merge  # pikepdf loads only when PDFs are joined

    return merge(parts, packet_title(choice.cancer_type))


def write_packet(out_dir: Path, packet: Packet) -> bytes:
    """Merge a packet's member PDFs from out/ and write it; returns the PDF written."""
    from factsheets.merging import merge  # pikepdf loads only when PDFs are joined

    pdf = merge(
        [(title, (out_dir / path).read_bytes()) for title, path in packet.members],
        packet_title(CANCER_TYPES[packet.cancer_type]),
    )
    write_atomic(out_dir / packet.path, pdf)
    return pdf
