"""What a request may ask for (pydantic models: the OpenAPI description and field-by-field 400s), and `WebError`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationInfo, field_validator

from factsheets.content.cancer_types import CancerTypeChoice
from factsheets.content.clinic import Paper
from factsheets.content.sheets import SLUG
from factsheets.content.sites import SITES, SiteChoices
from factsheets.patient.diagnosis import MAX_CODES, CodeText
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LIMITS, Personal, clean

MAX_SHEETS = 12
SheetId = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
PERSONAL_FIELDS = ("patient", "date", "care_team")


class ChoiceRequest(BaseModel):
    """Which sheets: listed, or chosen from the cancer type, where it has spread and diagnosis codes."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[SheetId] | None = Field(
        default=None,
        max_length=MAX_SHEETS,
        description="Sheet ids to add to those the type, sites and codes bring (the form's ticks). With no type, "
        "sites or codes: the sheets to print, in printing order. Left out: the overview sheets and questions.",
    )
    cancer_type: CancerTypeChoice = Field(
        default=None, description="e.g. breast or Breast; empty, 'general' or null: not specified."
    )
    sites: SiteChoices = Field(
        default_factory=list,
        max_length=2 * len(SITES),
        description=f"Where it has spread, if known: {', '.join(SITES)}. Left out: the type's common sites.",
    )
    codes: list[CodeText] = Field(
        default_factory=list,
        max_length=MAX_CODES,
        description="ICD-10-CM codes, e.g. C50.911 (the type) and C79.51 (a site of spread).",
    )


class PrintRequest(ChoiceRequest):
    """Which sheets, and how to print them."""

    paper: Paper | None = Field(default=None, description="letter or a4; null or left out: the clinic's paper.")
    large_print: StrictBool = False

    def options(self) -> RenderOptions:
        return RenderOptions(paper=self.paper, large_print=self.large_print)


class HandoutRequest(PrintRequest):
    """What to print for one patient. Personal fields are optional and never stored."""

    patient: str = Field(
        default="", max_length=LIMITS["patient"], description="Printed on each sheet, on one line; never stored."
    )
    date: str = Field(
        default="",
        max_length=LIMITS["date"],
        description="2026-02-28 (best from a system), 28 Feb 2026, or in numbers in the clinic's order "
        "(03/04/2026: March 4 for a clinic on letter paper); printed with the month in words. An impossible "
        "date is refused.",
    )
    care_team: str = Field(
        default="",
        max_length=LIMITS["care_team"],
        description='"name, phone", printed on one line (two in large print).',
    )

    @field_validator(*PERSONAL_FIELDS, mode="before")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        """Spaces folded before the length is counted; the same words as the form and the CLI."""
        return clean(info.field_name or "", value) if isinstance(value, str) else value

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:  # no personal details in reprs or debug logs
        for name, value in super().__repr_args__():
            yield name, ("<redacted>" if name in PERSONAL_FIELDS and value else value)

    def options(self) -> RenderOptions:
        return replace(super().options(), personal=Personal(self.patient, self.date, self.care_team))


class WebError(Exception):
    """Every answer that is not a PDF: its status, a message for people, and the request field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
