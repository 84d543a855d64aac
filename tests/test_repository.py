"""The checkout itself: what git keeps out of it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from helpers.project import ROOT


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_what_pip_install_leaves_behind_is_ignored_and_the_build_code_is_not() -> None:
    """`pip install .` leaves build/ (and src/*.egg-info) at the top; src/factsheets/build/ and tests/build/ are code."""
    paths = ["build/lib/factsheets/__init__.py", "build/bdist.linux-x86_64/x", "src/factsheets.egg-info/PKG-INFO",
             "src/factsheets/build/plan.py", "tests/build/test_build.py"]  # fmt: skip
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT, input="\n".join(paths), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.stdout.split() == paths[:3]
