"""out/manifest.json: what the last build made, one entry per sheet PDF and per packet.

The build reads it to skip unchanged variants, packets read it to find their members, and the
index lists it; scripts and clinics' own tools read it too, so its shape is a model here, not
dicts read by key. A manifest that is missing, damaged or of another shape is treated as empty:
everything is rebuilt, which is always safe.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from factsheets import __version__
from factsheets.cache import read_json
from factsheets.files import write_atomic

MANIFEST = "manifest.json"


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str  # relative to out/
    title: str
    pages: int
    input_hash: str  # of everything the file depends on: unchanged means it need not be made again
    sha256: str

    @property
    def thumb(self) -> str:
        """Where the index's thumbnail of its first page lives: general/bone.pdf -> thumbs/general--bone.png."""
        return "thumbs/" + self.path.replace("/", "--").removesuffix(".pdf") + ".png"


class SourceRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    url: str
    reviewed: str | None


class SheetEntry(_Entry):
    """One sheet variant's PDF."""

    sheet: str
    variant: str  # the cancer type's key, or "general"
    body_pt: float
    renders: int  # layouts the fit step needed
    content_version: str
    bytes: int
    sources: list[SourceRef]


class PacketEntry(_Entry):
    """One cancer type's packet: its member sheets' PDFs joined."""

    cancer_type: str
    sheets: list[str]  # member paths, in order
    # Members that leave out what an earlier sheet prints (selection.repeats): path -> the content
    # version their page prints, which is not their own PDF's (the edition code on that page names it).
    shortened: dict[str, str] = {}


class Manifest(BaseModel):
    factsheets: str = __version__
    sheets: list[SheetEntry] = []
    packets: list[PacketEntry] = []

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """Last build's manifest; an empty one when there is none or it cannot be trusted."""
        data = read_json(out_dir / MANIFEST)
        try:
            return cls.model_validate(data) if data is not None else cls()
        except ValidationError:
            return cls()

    def save(self, out_dir: Path) -> None:
        write_atomic(out_dir / MANIFEST, self.model_dump_json(indent=2).encode())

    def sheets_by_path(self) -> dict[str, SheetEntry]:
        return {entry.path: entry for entry in self.sheets}

    def packets_by_path(self) -> dict[str, PacketEntry]:
        return {entry.path: entry for entry in self.packets}
