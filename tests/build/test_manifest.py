"""out/manifest.json as a model: what a build wrote, read back typed; anything untrustworthy reads as empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factsheets.build.manifest import MANIFEST, Manifest, PacketEntry, SheetEntry, SourceRef

ENTRY = SheetEntry(
    path="breast/bone.pdf",
    title="When cancer spreads to the bone",
    pages=1,
    input_hash="0123456789abcdef",
    sha256="f" * 64,
    sheet="bone",
    variant="breast",
    body_pt=12.5,
    renders=2,
    content_version="9cb96ddf",
    bytes=123456,
    sources=[SourceRef(id="nci-metastatic-cancer", url="https://www.cancer.gov/x", reviewed="2020-11-10")],
)
PACKET = PacketEntry(
    path="packets/breast.pdf",
    title="Breast cancer packet",
    pages=1,
    input_hash="fedcba9876543210",
    sha256="e" * 64,
    cancer_type="breast",
    sheets=["breast/bone.pdf"],
    shortened={"breast/bone.pdf": "1a2b3c4d"},  # left out repeats: the version its page prints
)


def test_a_saved_manifest_loads_back_equal_with_the_same_keys_as_before(tmp_path: Path) -> None:
    Manifest(sheets=[ENTRY], packets=[PACKET]).save(tmp_path)
    assert Manifest.load(tmp_path) == Manifest(sheets=[ENTRY], packets=[PACKET])
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert set(data) == {"factsheets", "sheets", "packets"}
    assert set(data["sheets"][0]) == {
        "sheet", "variant", "title", "path", "pages", "body_pt", "renders", "content_version", "input_hash",
        "sha256", "bytes", "sources",
    }  # fmt: skip
    assert set(data["packets"][0]) == {
        "path", "cancer_type", "input_hash", "title", "sheets", "shortened", "pages", "sha256",
    }  # fmt: skip


def test_entries_know_their_thumbnail() -> None:
    assert ENTRY.thumb == "thumbs/breast--bone.png"
    assert PACKET.thumb == "thumbs/packets--breast.png"


@pytest.mark.parametrize(
    "damage",
    [
        None,  # no manifest at all
        b"",
        b"{not json",
        b"[]",
        b'{"sheets": {"a": 1}}',
        b'{"sheets": [{"path": "general/bone.pdf"}]}',  # an entry missing its fields
        b"\xff\xfe\x00",
        b"[" * 100_000,  # nesting the JSON reader would recurse into
        b'{"sheets": ' + b"[" * 100_000,
        b'{"a": ' * 100_000,
    ],
)
def test_a_missing_or_damaged_manifest_reads_as_empty(tmp_path: Path, damage: bytes | None) -> None:
    """Empty means: rebuild everything, which is always safe."""
    if damage is not None:
        (tmp_path / MANIFEST).write_bytes(damage)
    assert Manifest.load(tmp_path) == Manifest()


def test_a_manifest_in_a_folder_that_cannot_be_read_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).mkdir()
    assert Manifest.load(tmp_path) == Manifest()
