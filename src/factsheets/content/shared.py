"""What every sheet shares, kept beside the sheets in `sheets/common/`: the glossary and the call to action.

- `glossary.yaml`: the terms the sheets use, each defined by a passage selected from a source
  that defines it ("The process by which cancer cells spread ... is called metastasis.") or by
  the clinic's own words, marked as such. A sheet lists the terms it defines in `words_to_know`;
  `check` warns when it uses a glossary term without defining it.
- `when-to-call.yaml`: the "When to call" block printed on every sheet: what to call the care
  team about and when to call emergency services, in the clinic's words. The shipped text is a
  neutral default; the lock covers it like any other text, so a change needs approval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import Field, PrivateAttr, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from factsheets.content.reading import first_holding
from factsheets.content.sheets import Passage, Strict
from factsheets.content.yamlfile import Loc, YamlDocument, parse_yaml, validate
from factsheets.errors import Problem, collect, raise_any

L = TypeVar("L", bound="Located")
FOLDER = "common"
GLOSSARY = "glossary.yaml"
WHEN_TO_CALL = "when-to-call.yaml"


class Located(Strict):
    """A content file's model that can point at its own lines."""

    _doc: YamlDocument | None = PrivateAttr(default=None)

    def problem(self, loc: Loc, message: str, fix: str, column: bool = False) -> Problem:
        return self._doc.problem(loc, message, fix, column) if self._doc else Problem(message, fix)


class Term(Strict):
    term: str = Field(min_length=2, description="The word as a sheet prints it, e.g. 'metastasis'.")
    forms: list[str] = Field(default=[], description="Other forms that count as using it, e.g. 'metastases'.")
    definition: Passage = Field(description="A selection that defines it, or clinic_text in the clinic's words.")

    def used_in(self, text: str) -> bool:
        """Whether `text` uses the term or one of its forms, as whole words in any case."""
        return any(re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) for w in [self.term, *self.forms])


class Glossary(Located):
    terms: list[Term] = Field(default=[])

    @field_validator("terms")
    @classmethod
    def _each_once(cls, terms: list[Term]) -> list[Term]:
        names = [t.term.casefold() for t in terms]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise PydanticCustomError(
                "twice",
                "defines {twice} more than once",
                {"twice": ", ".join(twice), "fix": "keep one definition of each term."},
            )
        return terms

    def term(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.term.casefold() == name.casefold()), None)


Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]  # printed: never blank


class WhenToCall(Located):
    heading: Line = Field(default="When to call")
    call_about: list[Line] = Field(min_length=1, description="What to call the care team about, one item each.")
    emergency: Line = Field(description="When to call emergency services instead (the number is local: 911 in the US).")


@dataclass(frozen=True)
class Common:
    glossary: Glossary = field(default_factory=Glossary)
    when_to_call: WhenToCall | None = None  # None: the project ships no call to action (a problem for check)


def load_common(sheets_dir: Path, *below: Path) -> Common:
    """The shared content files; a missing one is empty, a broken one a located problem.

    Each file comes from the first of `sheets_dir` and the folders `below` it (a content project's
    shipped sheets/) that has it: a clinic adding its own code map keeps the shipped glossary.
    """

    def first(name: str) -> Path:
        return first_holding((sheets_dir, *below), f"{FOLDER}/{name}") / FOLDER / name

    glossaries, problems = collect([first(GLOSSARY)], lambda p: _load(p, Glossary, "the glossary"))
    calls, more = collect([first(WHEN_TO_CALL)], lambda p: _load(p, WhenToCall, "the call to action"))
    raise_any(problems + more)
    return Common(glossaries[0] or Glossary(), calls[0])


def _load(path: Path, model: type[L], what: str) -> L | None:
    if not path.exists():
        return None
    doc = parse_yaml(path)
    loaded = validate(doc, model, what)
    loaded._doc = doc
    return loaded
