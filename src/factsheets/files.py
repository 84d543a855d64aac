"""Writing files so that a reader never sees half of one: temporary file, fsync, rename.

A full disk, a read-only disk or a folder without write permission is something a content
lead can meet and fix, so those become plain problems naming the file, never tracebacks.
Files get the mode the umask gives any new file (0644 under umask 022), so a service's user can
read what a content lead wrote; and only a regular file (or nothing) is ever replaced: the
rename would otherwise put a PDF where a device, a pipe or a socket was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
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
    _refuse_non_file(path)
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:
        raise disk_error(path, err) from None
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600, whatever the umask
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


def umask() -> int:
    """The process's umask, read without setting it (os.umask sets it, racing other threads)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc (not Linux): the classic two-step
    os.umask(mask)
    return mask


def _refuse_non_file(path: Path) -> None:
    """Refuse a target that exists and is not a regular file (followed through symbolic links)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # nothing there (or unreadable): creating the file reports any real problem
    if stat.S_ISDIR(mode):
        fix = "give a file name ending in .pdf" if path.suffix in ("", ".pdf") else "move that folder out of the way"
        raise FactsheetsError(Problem("is a folder, not a file; nothing was written.", f"{fix}.", file=path))
    if not stat.S_ISREG(mode):
        raise FactsheetsError(
            Problem(
                "is not a regular file (a device, pipe or socket); nothing was written.",
                "give the path of a file to create or replace.",
                file=path,
            )
        )
