"""Packets: one PDF per cancer type with the sheets that type's patients need, bookmarked.

Which site sheets go in comes from the corpus itself (NCI's "Common Sites Where Cancer
Spreads" table), so a packet changes when that table does, not when someone edits a list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from factsheets.cancer_types import CANCER_TYPES
from factsheets.corpus import Corpus

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


def packet_title(cancer_type: str) -> str:
    """The title a packet's PDF shows: "Handouts for ovarian cancer"."""
    return f"Handouts for {CANCER_TYPES[cancer_type].name}"


def members_of(packet: Packet, entries: dict[str, dict]) -> list[tuple[str, str | None, float]]:
    """(sheet id, cancer type or None, body size) of each member, from its manifest entry.

    The packet is laid out again from the sheets rather than merged from their PDFs: a merge
    drops the structure tree, language and PDF/UA identification. The recorded size makes each
    page the same as the member's own PDF, in one layout.
    """
    members = []
    for _, path in packet.members:
        entry = entries[path]
        members.append((entry["sheet"], None if entry["variant"] == "general" else entry["variant"], entry["body_pt"]))
    return members
