"""Shared fixtures: the real project, a scratch copy of it, and a way to run the CLI for real."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from factsheets.project import Content, Project, load_content

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
PROJECT_DIRS = ("sources", "sheets", "templates", "styles", "assets")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path = ROOT) -> CliResult:
    """Run `factsheets` in a real subprocess: exit codes and stderr exactly as a user sees them."""
    proc = subprocess.run(
        [sys.executable, "-c", "from factsheets.cli import main; main()", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, *args: str, output: int | None = subprocess.PIPE) -> tuple[str, subprocess.Popen]:
    """A real `factsheets serve` on a free loopback port, once it answers: (base URL, process)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", "from factsheets.cli import main; main()", "serve", "--port",
                                str(port), *args], cwd=root, stdout=output, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return url, process


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(Project(ROOT))


def scratch_copy(target: Path) -> Path:
    """Copy the project's inputs into `target` (for module-scoped copies)."""
    for name in PROJECT_DIRS:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name)
    return target


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the project's inputs that a test may break."""
    return scratch_copy(tmp_path)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_weasyprint_warnings():
    """A CSS error or a missing asset shows up only as a WeasyPrint warning: fail on any."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert not handler.records, [r.getMessage() for r in handler.records]


@pytest.fixture(scope="session")
def renderer():
    from factsheets.clinic import load_clinic
    from factsheets.render import Renderer

    return Renderer(Project(ROOT), load_clinic(None))
