"""The locked install: every machine gets the same packages, the ones the lock names, and no others.

`scripts/setup.sh` installs `requirements/test.txt` (this suite's set) or `requirements/runtime.txt`
(`./dev build`, a service) with hash checking; `scripts/lock.sh` refreshes both on purpose.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from helpers.project import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def _lock(name: str) -> dict[str, str]:
    """A lock file's pins, by canonical name; each pin must carry at least one hash."""
    lines = (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    pins: dict[str, str] = {}
    for number, line in enumerate(lines):
        if match := PIN.match(line):
            assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{name}.txt:{number + 1} has no hash"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_virtualenv_holds_exactly_the_test_lock() -> None:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    installed = dict(line.split("==") for line in frozen if "==" in line)
    assert {canonicalize_name(k): v for k, v in installed.items()} == _lock("test")


def test_the_test_set_runs_the_runtime_set_at_the_same_versions() -> None:
    runtime, test = _lock("runtime"), _lock("test")
    assert {name: test.get(name) for name in runtime} == runtime


def test_the_runtime_set_carries_no_test_or_lint_tool() -> None:
    tools = {canonicalize_name(Requirement(r).name) for r in _project()["optional-dependencies"]["test"]}
    assert tools <= set(_lock("test"))
    assert not tools & set(_lock("runtime"))


def test_every_locked_version_is_within_the_ranges_pyproject_declares() -> None:
    """pyproject.toml keeps ranges for people who pip install the package: the lock must satisfy them."""
    project = _project()
    test = _lock("test")
    for line in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert requirement.specifier.contains(test[name], prereleases=True), f"{name} {test[name]} not in {line!r}"
