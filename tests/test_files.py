"""Atomic writes: a failed write leaves the old file, or nothing, and no temporary files.

Disk problems (full, read-only, no permission, a folder in the way) are plain errors naming the file.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.disks import make_read_only, tmpfs
from helpers.project import scratch_copy

from factsheets.errors import FactsheetsError
from factsheets.files import make_folder, remove, umask, write_atomic


def test_write_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.pdf"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.pdf"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]  # the wrong type on purpose
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


# Real disk conditions (helpers.tmpfs): chmod does not stop root, so a tiny tmpfs makes a really full
# or really read-only disk; mounting needs root (CAP_SYS_ADMIN), elsewhere these tests skip and say why.


def test_full_disk_is_a_plain_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        target = disk / "general" / "bone.pdf"
        write_atomic(target, b"old")
        with pytest.raises(FactsheetsError) as err:
            write_atomic(target, b"x" * 200_000)
        assert str(err.value).endswith(
            "bone.pdf: the disk is full; nothing was written. Fix: free some space and run again."
        )
        assert target.read_bytes() == b"old"
        assert [p.name for p in target.parent.iterdir()] == ["bone.pdf"]


def test_read_only_disk_is_a_plain_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        (disk / "general").mkdir()
        make_read_only(disk)
        for write in (
            lambda: write_atomic(disk / "general" / "bone.pdf", b"%PDF"),
            lambda: make_folder(disk / "packets"),
            lambda: remove(disk / "general"),
        ):
            with pytest.raises(FactsheetsError, match=re.escape("the disk is read-only; nothing was written. Fix: ")):
                write()
        assert [p.name for p in disk.iterdir()] == ["general"]
        assert not list((disk / "general").iterdir())


def test_permission_denied_is_a_plain_error() -> None:
    folder = Path(tempfile.mkdtemp(prefix="factsheets-ro-"))  # pytest's tmp_path is private to root
    try:
        folder.chmod(0o555)
        message = _as_unprivileged_user(lambda: write_atomic(folder / "bone.pdf", b"%PDF"))
        assert message.endswith(
            "bone.pdf: permission denied; nothing was written. Fix: make the folder writable "
            "for this user, or work in a folder you own."
        ), message
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _as_unprivileged_user(write: Callable[[], None]) -> str:
    """The error `write` raises; as root (whom permissions do not stop) in a forked child running as nobody."""
    if os.geteuid() != 0:
        with pytest.raises(FactsheetsError) as err:
            write()
        return str(err.value)
    read, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and never returns to pytest
        try:
            os.setgid(65534)
            os.setuid(65534)
            write()
            os.write(send, b"no error")
        except BaseException as err:  # noqa: BLE001 - anything at all goes back to the test
            os.write(send, f"{type(err).__name__}: {err}".encode())
        finally:
            os._exit(0)
    os.close(send)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read().decode()
    os.waitpid(pid, 0)
    assert report.startswith("FactsheetsError: "), report
    return report.removeprefix("FactsheetsError: ")


def test_a_folder_as_the_target_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "handouts").mkdir()
    with pytest.raises(FactsheetsError) as err:
        write_atomic(tmp_path / "handouts", b"%PDF")
    assert str(err.value).endswith(
        "handouts: is a folder, not a file; nothing was written. Fix: give a file name ending in .pdf."
    )
    assert list((tmp_path / "handouts").iterdir()) == []


def test_render_to_a_folder_says_so_without_a_traceback(tmp_path: Path) -> None:
    result = cli("render", "lungs", "-o", str(tmp_path))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.startswith("error: ")
    assert "is a folder, not a file; nothing was written." in result.err


def test_a_file_where_a_folder_should_be_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="out: a file is in the way of this folder; nothing was written"):
        write_atomic(tmp_path / "out" / "manifest.json", b"{}")
    with pytest.raises(FactsheetsError, match="general: part of this path is a file, not a folder; nothing was"):
        make_folder(tmp_path / "out" / "general")


# Modes: a service's user must be able to read what a content lead wrote (the README's systemd unit).


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_the_umask_gives(tmp_path: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        assert umask() == mask
        write_atomic(tmp_path / "new.pdf", b"%PDF")
        (tmp_path / "old.pdf").write_bytes(b"")
        (tmp_path / "old.pdf").chmod(0o600)  # a file the last version wrote: replaced with the right mode
        write_atomic(tmp_path / "old.pdf", b"%PDF")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.pdf").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "old.pdf").stat().st_mode) == mode


def test_the_approval_lock_and_a_rendered_pdf_are_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        root = scratch_copy(tmp_path / "project")
        assert cli("lock", "--approved-by", "Committee", cwd=root).code == 0
        assert cli("render", "bone", "-o", str(tmp_path / "bone.pdf"), cwd=root).code == 0
        assert cli("schema", "-o", str(tmp_path / "schema.json"), cwd=root).code == 0
    finally:
        os.umask(old)
    for written in (root / "sheets" / "approved.lock.json", tmp_path / "bone.pdf", tmp_path / "schema.json"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o644, written


# Only a regular file is replaced: the atomic rename would put a PDF where a device node was.


def _device(where: Path) -> Path:
    os.mknod(where, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the numbers of /dev/full; needs root
    return where


def _fifo(where: Path) -> Path:
    os.mkfifo(where)
    return where


def _socket(where: Path) -> Path:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(where))
    return where


@pytest.mark.parametrize("make", [_device, _fifo, _socket], ids=["device", "fifo", "socket"])
def test_a_target_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path: Path, make: Callable) -> None:
    if make is _device and os.geteuid() != 0:
        pytest.skip("mknod needs root")
    target = make(tmp_path / "target")
    kind = stat.S_IFMT(target.stat().st_mode)
    with pytest.raises(FactsheetsError) as err:
        write_atomic(target, b"%PDF")
    assert str(err.value).endswith(
        "target: is not a regular file (a device, pipe or socket); nothing was written. "
        "Fix: give the path of a file to create or replace."
    )
    assert stat.S_IFMT(target.stat().st_mode) == kind
    assert [p.name for p in tmp_path.iterdir()] == ["target"]


def test_a_link_to_a_device_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "null").symlink_to("/dev/null")
    with pytest.raises(FactsheetsError, match="is not a regular file"):
        write_atomic(tmp_path / "null", b"%PDF")
    assert (tmp_path / "null").is_symlink()


@pytest.mark.parametrize("command", [("render", "bone"), ("schema",)], ids=["render", "schema"])
def test_commands_refuse_a_device_or_a_folder_as_output_without_a_traceback(tmp_path: Path, command: tuple) -> None:
    fifo = _fifo(tmp_path / "fifo")
    for target, words in ((fifo, "is not a regular file"), (tmp_path, "is a folder, not a file")):
        result = cli(*command, "-o", str(target))
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        assert result.err.startswith("error: ")
        assert words in result.err
        assert "Wrote" not in result.out
    assert stat.S_ISFIFO(fifo.stat().st_mode)
