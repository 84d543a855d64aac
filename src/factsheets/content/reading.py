"""Reading a content file (sheet, source, clinic.yaml) safely, whatever bytes it holds.

Content files are written by tired people and, sometimes, by attackers: every way a file can
be wrong (too big, not text, a link out of its folder) becomes one located `Problem`, checked
before the text reaches a parser, and never echoes what a link points at.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from factsheets.errors import FactsheetsError, Problem, collect, display_path, raise_any

T = TypeVar("T")

# Our largest source is 12 kB and our sheets ~1 kB: 1 MB is ample, and keeps the worst (hostile) parse to
# seconds; a 50 MB sheet took a minute and 3 GB.
MAX_BYTES = 1_000_000

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ENCODING_FIX = (
    "save it as UTF-8 (in most editors: Save with Encoding > UTF-8), or move it out of this folder "
    "if it does not belong here."
)


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, if it is a small UTF-8 file that really lives in its own folder.

    Checked in order of cost: where a link points (no read), size (one stat), then the bytes.
    A UTF-8 byte order mark is dropped and line endings become '\\n', as editors save both.
    """
    _check_inside(path, path.parent)
    size = _regular_size(path)
    if size > max_bytes:
        raise FactsheetsError(_too_big(path, size, max_bytes))
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)  # the file may have grown since the stat
    if len(data) > max_bytes:
        raise FactsheetsError(_too_big(path, len(data), max_bytes))
    return _decode(path, data)


def load_by_id(
    paths: Iterable[Path], load: Callable[[Path], T], id_of: Callable[[T], str], clash: Callable[[T, T], Problem]
) -> dict[str, T]:
    """Every file loaded, by id; all broken files and every id used twice (`clash(second, first)`) reported at once."""
    loaded, problems = collect(paths, load)
    by_id: dict[str, T] = {}
    for item in loaded:
        if id_of(item) in by_id:
            problems.append(clash(item, by_id[id_of(item)]))
        by_id[id_of(item)] = item
    raise_any(problems)
    return by_id


def first_holding(folders: Sequence[Path], wanted: str) -> Path:
    """The first of `folders` (most local first) holding `wanted`, else the first: where a new one would go."""
    return next((folder for folder in folders if (folder / wanted).exists()), folders[0])


def content_files(directory: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files in `directory` with one of `suffixes` in any case, so 'bone.YAML' is checked, not skipped.

    Hidden files are left out: editors keep their backups and lock links (.#bone.yaml) there.
    """
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in suffixes and not p.name.startswith("."))


def _check_inside(path: Path, folder: Path) -> None:
    """Refuse a file that resolves outside `folder`, naming the link only: its target may be a secret."""
    try:
        if path.resolve().is_relative_to(folder.resolve()):
            return
    except (OSError, RuntimeError):  # a loop of links (Python < 3.13 raises RuntimeError)
        raise FactsheetsError(
            Problem(
                f"{display_path(path)} is a link that leads back to itself",
                "delete the link, or point it at a real file.",
            )
        ) from None
    raise FactsheetsError(
        Problem(
            f"{display_path(path)} is a link to a file outside {folder.name}/; factsheets does not follow such links",
            f"copy the file into {folder.name}/ instead of linking to it.",
        )
    )


def _regular_size(path: Path) -> int:
    """Size of a regular file; directories, pipes and devices are refused before they can block a read."""
    try:
        info = path.stat()
    except OSError as err:
        raise FactsheetsError(
            Problem(f"cannot read the file ({err.strerror})", "check that it exists and that you may read it.", path)
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise FactsheetsError(Problem("not a regular file", "move it out of this folder.", path))
    return info.st_size


def _too_big(path: Path, size: int, limit: int) -> Problem:
    return Problem(
        f"file is too big ({size:,} bytes; the limit is {limit:,} bytes)",
        "check that this is the right file; a sheet or source is a few kilobytes.",
        path,
    )


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text with '\\n' line endings, or a problem saying why the bytes are not that."""
    if data.startswith(_UTF16_BOMS) or _looks_utf16(data):
        raise FactsheetsError(Problem("file is not UTF-8 text (it is UTF-16)", _ENCODING_FIX, path))
    if b"\0" in data:
        line, column = _position(data, data.index(b"\0"))
        raise FactsheetsError(
            Problem(
                "file is not UTF-8 text (it holds a NUL byte, so it is probably binary)",
                _ENCODING_FIX,
                path,
                line,
                column,
            )
        )
    try:
        text = data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position(data, err.start)
        byte = data[err.start]
        raise FactsheetsError(
            Problem(f"file is not UTF-8 text (byte 0x{byte:02X} is not valid UTF-8)", _ENCODING_FIX, path, line, column)
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte order mark: mostly-ASCII text has a NUL in every other byte."""
    head = data[:200]
    fewer, more = sorted((head[0::2].count(0), head[1::2].count(0)))
    return len(head) >= 4 and fewer == 0 and more * 4 > len(head)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
