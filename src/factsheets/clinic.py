"""Clinic branding (`clinic/clinic.yaml`): name, phone, logo, accent colour, default paper.

The clinic folder may also hold `templates/` and `styles/` that override the project's one file
at a time. Without a clinic folder, sheets are neutral: no name, no logo, a dark blue accent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from factsheets.errors import FactsheetsError
from factsheets.yamlfile import parse_yaml, validate

Paper = Literal["letter", "a4"]


class Clinic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="", max_length=80)
    phone: str = Field(default="", max_length=40)
    logo: str | None = Field(default=None, description="Image file inside the clinic folder.")
    accent_color: str = Field(default="#1d3f6e", pattern=r"^#[0-9a-fA-F]{6}$")
    paper: Paper = "letter"
    quote_word_limit: PositiveInt | None = Field(
        default=None, description="Most words a sheet may quote from one copyrighted source (a warning above)."
    )

    _folder: Path | None = None

    @property
    def folder(self) -> Path | None:
        return self._folder

    @property
    def logo_path(self) -> Path | None:
        return (self._folder / self.logo) if self._folder and self.logo else None


def load_clinic(folder: Path | None) -> Clinic:
    """Settings from `folder/clinic.yaml`; a missing folder means neutral defaults."""
    if folder is None or not folder.exists():
        return Clinic()
    path = folder / "clinic.yaml"
    if not path.exists():
        clinic = Clinic()
    else:
        clinic = validate(parse_yaml(path), Clinic, "clinic.yaml")
    clinic._folder = folder.resolve()
    logo = clinic.logo_path
    if logo is not None:
        where = parse_yaml(path)
        if not logo.resolve().is_relative_to(clinic._folder):
            raise FactsheetsError(where.problem(("logo",), f"logo must be a file inside the clinic folder, not {logo}",
                                                "copy the image into the clinic folder and name it there."))
        if not logo.is_file():
            raise FactsheetsError(where.problem(("logo",), f"logo file not found: {logo}",
                                                "put the image in the clinic folder or fix the name."))
    return clinic
