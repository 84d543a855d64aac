"""A clinic's own content project: its factsheets.yaml, and the few files `factsheets new` writes.

The shipped templates, styles, fonts, sheets and sources stay in the package, found in layers
(`project.py`): the folder holds only what the clinic adds or changes, so an upgrade of
factsheets never has to be merged into it. factsheets.yaml is what marks such a folder: without
it a folder's sheets/ and sources/ are the whole content, as in this repository.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from factsheets.content.yamlfile import parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem
from factsheets.files import make_folder, write_atomic

PROJECT_FILE = "factsheets.yaml"


class Settings(BaseModel):
    """factsheets.yaml: whether the shipped sheets and sources are part of this project."""

    model_config = ConfigDict(extra="forbid")

    shipped: bool = True


def read_settings(root: Path) -> Settings | None:
    """The folder's factsheets.yaml, or None when it has none (a complete project of its own)."""
    path = root / PROJECT_FILE
    if not path.is_file():
        return None
    doc = parse_yaml(path)
    return validate(doc, Settings, PROJECT_FILE) if doc.data is not None else Settings()


_PROJECT = """\
# A factsheets content project (made by `factsheets new`).
# Its sheets/ and sources/ add to the ones shipped with factsheets: a sheet or source with a
# shipped id replaces the shipped one (`factsheets check` lists each), and so does each file of
# sheets/common/ (the glossary, the When to call box, the code map). templates/ and styles/ here,
# or in clinic/, override the shipped files one at a time.
# Set to false to print only this folder's own sheets and sources.
shipped: true
"""

_CLINIC = """\
# Your clinic's settings: uncomment and fill in. Every sheet prints them (see the README of
# factsheets: "What a clinic folder may do"). Put the logo file in this folder.
# name: Riverside Cancer Centre        # up to 80 characters
# phone: 555-0142                      # the number in the When to call box
# logo: logo.png                       # PNG, JPEG or SVG inside this folder
# accent_color: "#1d3f6e"              # title band and headings: at least 4.5:1 against white
# approval_valid_for: 2 years          # how long a committee's approval lasts (factsheets lock)
# quote_word_limit: 1500               # most words one sheet may quote from a copyrighted source
paper: letter                          # letter or a4
# date_order: day-first                # how 03/04/2026 is read: month-first or day-first (default: by paper)
"""

_README = """\
# Patient handouts

This folder is a factsheets content project. It builds the full set of handouts shipped with
factsheets, printed for this clinic, plus whatever you add here.

    factsheets check     # validate everything, one line per sheet
    factsheets build     # every handout into out/ (out/index.html to browse and print)

- `clinic/clinic.yaml`: your clinic's name, phone, logo, colour and paper size.
- `sheets/`: your own sheets (YAML), or a sheet with a shipped id to replace it.
- `sources/`: your own source pages (Markdown with front matter), or a replacement by id.
- `clinic/templates/`, `clinic/styles/`: a template or style sheet to override, one file at a time.

Upgrading factsheets (`pipx upgrade factsheets`, or `pip install -U factsheets`) never touches
this folder; run `factsheets check` after an upgrade to see what changed.
"""


def new_project(folder: Path) -> list[Path]:
    """Write a content project into `folder` (new or empty); the files written, for the user to see."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FactsheetsError(
            Problem(
                "is not an empty folder; nothing was written.",
                "give a new folder's name (factsheets new makes it), or empty this one.",
                file=folder,
            )
        )
    written = {
        folder / PROJECT_FILE: _PROJECT,
        folder / "clinic" / "clinic.yaml": _CLINIC,
        folder / "README.md": _README,
    }
    for path, text in written.items():
        write_atomic(path, text.encode())
    for empty in ("sheets", "sources"):
        make_folder(folder / empty)
    return [*written, folder / "sheets", folder / "sources"]
