"""Writing files so that a reader never sees half of one: temporary file, fsync, rename.

A full disk, a read-only disk or a folder without write permission is something a content
lead can meet and fix, so those become plain problems naming the file, never tracebacks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from factsheets.errors import FactsheetsError, Problem

_DISK_PROBLEMS = {  # errno -> (what happened, what to do)
    errno.ENOSPC: ("the disk is full", "free some space and run again."),
    errno.EDQUOT: ("your disk quota is used up", "free some space (or ask for a larger quota) and run again."),
    errno.EROFS: ("the disk is read-only", "write to a folder on a writable disk, or make this one writable."),
    errno.EACCES: ("permission denied", "make the folder writable for this user, or work in a folder you own."),
    errno.EPERM: ("permission denied", "make the folder writable for this user, or work in a folder you own."),
    errno.ENOTDIR: ("part of this path is a file, not a folder", "move that file out of the way and run again."),
    errno.EEXIST: ("a file is in the way of this folder", "move that file out of the way and run again."),
}


def disk_error(path: Path, err: OSError) -> FactsheetsError:
    """A plain problem for a failed write to `path`; unknown errors keep the system's own words."""
    what, fix = _DISK_PROBLEMS.get(
        err.errno or 0, (err.strerror or str(err), ("check the disk and the folder, then run again."))
    )
    return FactsheetsError(Problem(f"{what}; nothing was written.", fix, file=path))


def make_folder(folder: Path) -> None:
    """mkdir -p, with disk problems in plain words."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise disk_error(folder, err) from None


def remove(path: Path) -> None:
    """Delete `path` if it exists, with disk problems in plain words."""
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        raise disk_error(path, err) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step; on any failure the old file (or none) remains."""
    if path.is_dir():
        fix = "give a file name ending in .pdf" if path.suffix in ("", ".pdf") else "move that folder out of the way"
        raise FactsheetsError(Problem("is a folder, not a file; nothing was written.", f"{fix}.", file=path))
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:
        raise disk_error(path, err) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(err, OSError):
            raise disk_error(path, err) from None
        raise
