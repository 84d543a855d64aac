"""Packets: several sheets as one tagged PDF, bookmarked by sheet (joined by `merging.merge`).

The build writes one per cancer type (out/packets/), and `render_packet` makes one for one
patient. Which sheets go in is `patient.choice.choose`'s answer: for a type alone, its common sites
come from the corpus itself (NCI's "Common Sites Where Cancer Spreads" table), so a packet
changes when that table does, not when someone edits a list.

A packet prints each sentence once (selection.repeats), with the same sheets a patient's packet
gets (`patient.packet.packet_fills`). A sheet that repeats nothing prints in the packet as its
own PDF in out/ does, and is joined from there; one that leaves out repeats is rendered for the
packet (`render_shortened`, in the build's workers), never written to out/<type>/, and the
packet is keyed by the content version it prints, so an edit to an earlier sheet that changes
what a later one leaves out rewrites the packet, and nothing else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from factsheets.build.manifest import SheetEntry
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.errors import FactsheetsError, Problem
from factsheets.files import write_atomic
from factsheets.patient.choice import choose
from factsheets.patient.packet import packet_fills, packet_title, render_member
from factsheets.project import Content
from factsheets.render import workers
from factsheets.render.edition import content_version
from factsheets.render.options import RenderOptions
from factsheets.selection.select import FilledSheet
from factsheets.selection.variant import Variant


@dataclass(frozen=True)
class Shortened:
    """One packet's sheet that leaves out what an earlier sheet prints: rendered for the packet, by a worker."""

    cancer_type: str
    sheet_ids: tuple[str, ...]  # the packet's sheets, in order: what was printed before it
    index: int  # its place among them
    variant: str  # "liver/general": the variant it shortens
    version: str  # the content version it prints in the packet

    @property
    def key(self) -> str:
        """Its variant and printed version: packets whose earlier sheets leave the same out share one render."""
        return f"{self.variant}@{self.version}"


@dataclass(frozen=True)
class Member:
    """A sheet of a packet: its own PDF in out/, and how the packet prints it."""

    title: str
    path: str  # its variant's PDF, relative to out/
    shortened: Shortened | None = None  # None: printed as its own PDF, nothing left out


@dataclass(frozen=True)
class Packet:
    cancer_type: str
    members: tuple[Member, ...]
    missing: tuple[str, ...] = ()  # sheets that belong in it but have no PDF (they failed)

    @property
    def path(self) -> str:
        return f"packets/{self.cancer_type}.pdf"

    @property
    def shortened(self) -> list[Shortened]:
        return [m.shortened for m in self.members if m.shortened is not None]


def plan_packets(content: Content, entries: dict[str, SheetEntry]) -> list[Packet]:
    """A packet per type, using each sheet's type variant where it has one, else its general sheet.

    `entries` are the manifest entries of PDFs that exist, by path; a sheet without one is `missing`.
    The sheets are filled as the build filled them (`Content.fill_all`), then without repeats.
    """
    fills = {filled.variant.key: filled for filled in content.fill_all()}

    def fill(variant: Variant) -> FilledSheet:  # a sheet that does not vary by the type: its general sheet
        return fills.get(variant.key) or fills[Variant(variant.sheet_id).key]

    packets = []
    for ctype in CANCER_TYPES.values():
        sheet_ids = choose(content.corpus, content.sheets, ctype, None).sheet_ids
        members, missing = [], []
        for index, (alone, shown) in enumerate(packet_fills(content, sheet_ids, ctype, fill)):
            entry = entries.get(alone.variant.path)
            if entry is None:
                missing.append(alone.sheet.id)
                continue
            cut = None
            if shown is not alone:
                cut = Shortened(ctype.key, sheet_ids, index, alone.variant.key, content_version(shown))
            members.append(Member(entry.title, entry.path, cut))
        packets.append(Packet(ctype.key, tuple(members), tuple(missing)))
    return packets


def packet_hash(packet: Packet, entries: dict[str, SheetEntry]) -> str:
    """Of each member's own PDF and, for one shortened in the packet, its inputs and the version it prints."""
    h = hashlib.sha256()
    for member in packet.members:
        entry, cut = entries[member.path], member.shortened
        shortened = f"|{entry.input_hash}|{cut.version}" if cut else ""
        h.update(f"{member.title}|{member.path}|{entry.sha256}{shortened}\n".encode())
    return h.hexdigest()[:16]


def render_shortened(job: Shortened, options: RenderOptions) -> bytes:
    """In a warm worker (render.workers): one packet's shortened sheet, filled and cut again from its content.

    The content it reads must be what the packet was planned from: a version that differs is refused.
    """
    content = workers.content()
    alone, shown = packet_fills(content, job.sheet_ids, CANCER_TYPES[job.cancer_type])[job.index]
    if alone.variant.key != job.variant or content_version(shown) != job.version:
        raise FactsheetsError(Problem("its content changed while the build ran", "run the build again."))
    renderer = workers.renderer()
    return render_member(lambda filled: renderer.render(filled, options).pdf, alone, shown)


def write_packet(out_dir: Path, packet: Packet, shortened: dict[str, bytes]) -> bytes:
    """Merge a packet's sheets and write it; returns the PDF written.

    Each sheet is its PDF in out/, or, shortened in the packet, its render in `shortened` (by `Shortened.key`).
    """
    from factsheets.render.merging import merge  # pikepdf loads only when PDFs are joined

    parts = [
        (m.title, shortened[m.shortened.key] if m.shortened else (out_dir / m.path).read_bytes())
        for m in packet.members
    ]
    pdf = merge(parts, packet_title(CANCER_TYPES[packet.cancer_type]))
    write_atomic(out_dir / packet.path, pdf)
    return pdf
