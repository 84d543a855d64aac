"""Shared fixtures: the real project's content and renderer, a scratch copy of it, and no WeasyPrint warnings.

Plain helpers (paths, running the CLI, reading PDFs) are in tests/helpers/, a module per concern.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.project import DATA, ROOT, scratch_copy

from factsheets.project import Content, Project, load_content

if TYPE_CHECKING:
    from factsheets.render.renderer import Renderer


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(Project(ROOT))


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    """The shipped project's renderer, neutral: a clinic/ folder a developer keeps in ROOT is not used."""
    from factsheets.render.renderer import Renderer  # WeasyPrint: imported when first needed, not at collection

    return Renderer(Project(ROOT, DATA / "no-clinic"))


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
