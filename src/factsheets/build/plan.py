"""What each PDF depends on: every variant with the hash of its inputs (sheet, sources, look, options).

The build compares these hashes with the manifest's to rebuild only what changed; `check`'s fit
cache (quality.fit) is keyed by the same hashes, so it imports this module, not the build's run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from factsheets import __version__
from factsheets.content.code_map import CODES_FILE
from factsheets.content.shared import Glossary
from factsheets.content.sheets import Sheet
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.selection.variant import Variant


@dataclass(frozen=True)
class Job:
    """One PDF to make: a variant, and the hash of everything its PDF depends on."""

    variant: Variant
    input_hash: str

    @property
    def name(self) -> str:
        return self.variant.key

    @property
    def path(self) -> str:
        return self.variant.path


def plan(content: Content, look: hashlib._Hash, files: FileHashes) -> list[Job]:
    """Every variant with the hash of everything its PDF depends on (`look`: what all share)."""
    jobs = []
    for variant in content.variants():
        sheet = content.sheet(variant.sheet_id)
        h = look.copy()
        h.update(files(sheet.path).encode() if sheet.path else b"")
        for source_id in _cited_source_ids(sheet, content.common.glossary):
            h.update(f"{source_id}={files(content.corpus[source_id].path)}".encode())
        jobs.append(Job(variant, h.hexdigest()[:16]))
    return jobs


def look_hash(project: Project, options: RenderOptions, files: FileHashes) -> hashlib._Hash:
    """What every sheet shares: version, options, templates, styles, assets, clinic folder, the approval."""
    shared = hashlib.sha256(f"{__version__}|{options.paper}|{options.large_print}".encode())
    for path in _look_files(project):
        shown = _shown(path, project)
        shared.update(f"{shown}={files(path)}\n".encode())
    return shared


def _shown(path: Path, project: Project) -> str:
    """A look file's name in the hash: where it lives in the project, or in the shipped defaults, never
    the install path (a wheel in another folder looks the same)."""
    for base, label in ((project.root, ""), (project.shipped, "shipped/")):
        if path.is_relative_to(base):
            return f"{label}{path.relative_to(base)}"
    return str(path)


def _look_files(project: Project) -> list[Path]:
    """The files every PDF depends on; not the diagnosis-code map, which chooses sheets and prints nothing."""
    found = [
        p
        for folder in project.look_dirs
        if folder.is_dir()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != CODES_FILE
    ]
    return found + ([project.lock_file] if project.lock_file.is_file() else [])


def _cited_source_ids(sheet: Sheet, glossary: Glossary) -> list[str]:
    """The sources a sheet quotes: its passages', and its Words to know definitions'."""
    passages = sheet.passages  # its sections' and its urgent signs'
    definitions = [t.definition for name in sheet.words_to_know if (t := glossary.term(name)) is not None]
    return sorted({p.source for p in passages + definitions if p.source})


class FileHashes:
    """sha256 of each file, read once per build."""

    def __init__(self) -> None:
        self._seen: dict[Path, str] = {}

    def __call__(self, path: Path) -> str:
        if path not in self._seen:
            self._seen[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._seen[path]
