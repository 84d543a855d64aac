"""Real disk conditions: a tiny tmpfs makes a really full or really read-only disk (needs root)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

# --- Real disk conditions -------------------------------------------------------------------------
# chmod does not stop root, so a tiny tmpfs makes a really full or really read-only disk; mounting
# needs root (CAP_SYS_ADMIN), elsewhere the tests that use these skip and say why.


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "64k") -> Iterator[Path]:
    """A small RAM disk mounted at `where` for the test; unmounted (with what is on it) after."""
    where.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here, so no real full or read-only disk: {mount.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10, check=False)


def make_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True, timeout=10)
