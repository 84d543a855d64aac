"""Sheet definitions (`sheets/*.yaml`, or `.yml`): which passages a handout takes from which sources.

Models forbid unknown keys so a typo is an error, never a silently ignored setting; the
loaded `Sheet` keeps its `YamlDocument` so later stages (selection) can point at lines too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from factsheets.content.cancer_types import CANCER_TYPES, KNOWN_TYPES
from factsheets.content.reading import content_files, load_by_id
from factsheets.content.yamlfile import Loc, YamlDocument, parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SentencePick = PositiveInt | Annotated[str, Field(min_length=3)]  # a sentence's position, or a phrase in it
SUFFIXES = (".yaml", ".yml")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Passage(Strict):
    """Either a selection from a source, or a short text of the clinic's own (`clinic_text`).

    A selection takes every block of `section` unless narrowed: `items` and `paragraphs` by
    1-based position, `rows` by a table row's first cell, `contains` by words, and
    `by_cancer_type` to the blocks that name the patient's cancer type; `only_types` prints it on
    those types' variants alone (a sign of spread to the bone, on the types that spread there).
    Within each paragraph or
    list item, `sentences` keeps and `drop_sentences` leaves out whole sentences, by position or
    by a phrase they contain: what prints is still the source's words, and the lock records what
    was left out. A cut can leave a sentence that points back ("These challenges vary...") without
    what it points to: `check` warns (quality.openings), and `reviewed_start` records a reviewer's
    reason why the passage reads right all the same.
    """

    source: str | None = Field(default=None, description="Source id, e.g. nci-metastatic-cancer.")
    section: str | None = Field(default=None, description="Heading, or 'Parent > Heading' when ambiguous.")
    items: list[PositiveInt] | None = Field(default=None, description="List items by position (1 = first).")
    paragraphs: list[PositiveInt] | None = Field(default=None, description="Paragraphs by position (1 = first).")
    rows: list[str] | None = Field(default=None, description="Table rows by their first cell.")
    contains: list[str] | None = Field(default=None, description="Keep blocks containing any of these words.")
    by_cancer_type: bool = Field(default=False, description="Keep blocks naming the patient's cancer type.")
    sentences: list[SentencePick] | None = Field(
        default=None,
        min_length=1,
        description="Keep only these sentences of each block: positions (1 = first) or phrases.",
    )
    drop_sentences: list[SentencePick] | None = Field(
        default=None,
        min_length=1,
        description="Leave out these sentences of each block: positions (1 = first) or phrases.",
    )
    in_general: bool = Field(default=True, description="false: print only on cancer-type variants.")
    only_types: Annotated[list[str] | None, KNOWN_TYPES] = Field(
        default=None,
        min_length=1,
        description="Print only on these cancer types' variants (and on the general sheet unless in_general is "
        "false): for text that names no type but holds for some, e.g. a sign of spread to the bone.",
    )
    clinic_text: str | None = Field(default=None, description="The clinic's own words; printed as such.")
    reviewed_start: str | None = Field(
        default=None,
        min_length=3,
        description="Why the passage reads right although it opens on a pronoun or connective ('These', "
        "'It is also') after a sentence of the source it does not print: a reviewer's reason, which clears "
        "check's warning.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Passage:
        selects = self.source is not None or self.section is not None
        if self.clinic_text is not None and selects:
            raise PydanticCustomError(
                "passage_kind",
                "a passage is either a selection or clinic text, not both",
                {"fix": "split it into two passages."},
            )
        if self.clinic_text is not None and self.reviewed_start is not None:
            raise PydanticCustomError(
                "passage_kind",
                "'reviewed_start' clears a warning about a selection's opening; the clinic's own words have none",
                {"fix": "remove 'reviewed_start'."},
            )
        if self.clinic_text is None and (self.source is None or self.section is None):
            raise PydanticCustomError(
                "passage_kind",
                "a selection needs both 'source' and 'section'",
                {"fix": "add the missing key, or write 'clinic_text: ...' for the clinic's own words."},
            )
        return self


class SheetSection(Strict):
    heading: str = Field(min_length=1, description="Heading printed above the passages.")
    type_heading: str | None = Field(
        default=None,
        pattern=r"\{type\}",
        description="Heading for a cancer-type variant; {type} becomes e.g. 'breast'.",
    )
    passages: list[Passage] = Field(min_length=1)
    write_in: bool = Field(default=False, description="Leave space to write an answer after each item.")


class Sheet(Strict):
    """One handout topic."""

    id: str = Field(pattern=SLUG, description="Must match the file name without .yaml.")
    title: str = Field(min_length=1, max_length=80)
    cancer_types: Annotated[Literal["all"] | list[str] | None, KNOWN_TYPES] = Field(
        default=None, description="Cancer types this sheet has variants for ('all' or a list)."
    )
    reading_grade_target: float = Field(default=8, ge=1, le=16)
    words_to_know: list[str] = Field(
        default=[], description="Glossary terms (sheets/common/glossary.yaml) defined in a 'Words to know' box."
    )

    @field_validator("words_to_know")
    @classmethod
    def _each_word_once(cls, words: list[str]) -> list[str]:
        folded = [w.casefold() for w in words]
        twice = sorted({w for w in folded if folded.count(w) > 1})
        if twice:
            raise PydanticCustomError(
                "twice", "lists {twice} more than once", {"twice": ", ".join(twice), "fix": "list each word once."}
            )
        return words

    sections: list[SheetSection] = Field(min_length=1)
    urgent: list[Passage] = Field(
        default=[],
        description="The sheet's own urgent signs, selected like a section's passages (sentences or list items, "
        "word for word): printed in the 'When to call' box under 'Get help right away', beside the shared "
        "line about calling 911, and graded as the sheet's own text.",
    )

    _doc: YamlDocument | None = PrivateAttr(default=None)

    @property
    def passages(self) -> list[Passage]:
        """Every passage the sheet selects: its sections', then its urgent signs'."""
        return [p for s in self.sections for p in s.passages] + self.urgent

    @property
    def variant_types(self) -> list[str]:
        """The cancer types with a variant of their own (empty for a general-only sheet)."""
        if self.cancer_types == "all":
            return list(CANCER_TYPES)
        return list(self.cancer_types or [])

    @property
    def path(self) -> Path | None:
        return self._doc.path if self._doc else None

    def problem(self, loc: Loc, message: str, fix: str, column: bool = False) -> Problem:
        """A problem pointing at the line of `loc` in this sheet's file (and its column, if asked)."""
        if self._doc is None:
            return Problem(f"sheet '{self.id}': {message}", fix)
        return self._doc.problem(loc, message, fix, column)


def load_sheet(path: Path) -> Sheet:
    doc = parse_yaml(path)
    sheet = validate(doc, Sheet, "a sheet")
    sheet._doc = doc
    if sheet.id != path.stem:
        raise FactsheetsError(
            doc.problem(
                ("id",),
                f"id '{sheet.id}' does not match the file name '{path.name}'",
                f"rename the file to {sheet.id}{path.suffix} or set 'id: {path.stem}'.",
            )
        )
    problems = _types_without_variants(sheet)
    if problems:
        raise FactsheetsError(problems)
    return sheet


def _types_without_variants(sheet: Sheet) -> list[Problem]:
    """An `only_types` entry naming a type the sheet has no variant for would never print: say so at the entry."""
    places: list[tuple[Loc, Passage]] = [
        (("sections", i, "passages", j), p) for i, s in enumerate(sheet.sections) for j, p in enumerate(s.passages)
    ]
    places += [(("urgent", j), p) for j, p in enumerate(sheet.urgent)]
    have = sheet.variant_types
    return [
        sheet.problem(
            (*loc, "only_types", k),
            f"only_types names '{key}', but the sheet has no {key} variant",
            f"add {key} to the sheet's cancer_types, or use one of: {', '.join(have) or '(none: add cancer_types)'}.",
            column=True,
        )
        for loc, passage in places
        for k, key in enumerate(passage.only_types or [])
        if key not in have
    ]


def load_sheets(directory: Path) -> dict[str, Sheet]:
    """Every sheet (`*.yaml` or `*.yml`) in `directory`, by id; all broken files are reported together."""
    return load_by_id(content_files(directory, SUFFIXES), load_sheet, lambda sheet: sheet.id, _same_id)


def _same_id(sheet: Sheet, first: Sheet) -> Problem:
    """bone.yaml and bone.yml: ids match file names, so only the suffix differs."""
    return sheet.problem(
        ("id",),
        f"sheet id '{sheet.id}' is also used by {(first.path or Path(sheet.id)).name}",
        "keep one of the two files and delete the other.",
    )


def sheet_schema() -> dict[str, Any]:
    """JSON Schema for sheet files, for editors' autocompletion and inline checks."""
    schema = Sheet.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "factsheets sheet definition"
    return schema
