"""Warm render state for one process: content loaded once, one Renderer kept (fonts, parsed CSS).

Used as a process-pool initializer by the batch build and the web server, and in-process for
small rebuilds. Keeping this state per process is what makes the 500th render as fast, and as
small, as the 5th.
"""

from __future__ import annotations

from pathlib import Path

from factsheets.clinic import load_clinic
from factsheets.project import Content, Project, load_content
from factsheets.render import Renderer

_STATE: dict[str, object] = {}


def init_worker(project: Project, clinic_dir: Path, key: object = None) -> None:
    """Load content and build a Renderer for this process (again only when `key` changes)."""
    if key is not None and _STATE.get("key") == key:
        return
    _STATE.update(project=project, content=load_content(project), key=key,
                  renderer=Renderer(project, load_clinic(clinic_dir)))


def set_content(content: Content) -> None:
    """Use freshly loaded content (sheets and sources may change between watch rebuilds)."""
    _STATE["content"] = content


def project() -> Project:
    return _STATE["project"]  # type: ignore[return-value]


def content() -> Content:
    return _STATE["content"]  # type: ignore[return-value]


def renderer() -> Renderer:
    return _STATE["renderer"]  # type: ignore[return-value]
