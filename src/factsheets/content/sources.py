"""The source documents: Markdown with front matter, split into sections and blocks.

A block (paragraph, list item or table row) is the smallest thing a sheet can select, and it
keeps the line it came from, so every sentence on paper can be traced back to its source file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from factsheets.content.cancer_types import KNOWN_TYPES
from factsheets.content.licences import EXAMPLES as LICENCES
from factsheets.content.licences import Licence, licence_problem
from factsheets.content.periods import PATTERN as PERIOD
from factsheets.content.reading import content_files, load_by_id, read_text
from factsheets.content.yamlfile import parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem

BlockKind = Literal["paragraph", "item", "row"]
PATH_SEPARATOR = " > "


def _date_to_text(value: object) -> object:
    """An unquoted YAML date arrives as a date: kept as the text it was written as."""
    return value.isoformat() if isinstance(value, dt.date) else value


class Captured(BaseModel):
    """Where and when the page was captured, and the checksum of the file imported (`factsheets import`
    writes it), so a source can be traced to the very bytes it came from and a re-capture compared."""

    model_config = ConfigDict(extra="forbid")

    where: str = Field(min_length=1)
    when: Annotated[str, BeforeValidator(_date_to_text)] = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    format: Literal["crawl-markdown", "saved-html"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    imported: Annotated[str, BeforeValidator(_date_to_text)] = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class SourceMeta(BaseModel):
    """Front matter of a source. `url` and `license` have no defaults: a page we cannot
    link to or whose reuse terms we do not know must not reach a patient."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://\S+$")
    license: str
    reviewed: str | None = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    review_every: str | None = Field(default=None, pattern=PERIOD)
    reviewed_as_printed: str | None = None
    restored_headings: list[str] = Field(default=[], description="Headings the text capture lost, put back.")
    credit: str | None = None
    author: str | None = None
    cancer_types: Annotated[list[str], KNOWN_TYPES] = []
    captured: Captured | None = None

    @field_validator("reviewed", mode="before")
    @classmethod
    def _reviewed_as_text(cls, value: object) -> object:
        return _date_to_text(value)

    @field_validator("license")
    @classmethod
    def _known_licence(cls, value: str) -> str:
        """Reuse terms decide the credit and the quote limit, so only licences factsheets can honour are accepted."""
        problem = licence_problem(value)
        if problem:
            raise PydanticCustomError("licence", problem, {"fix": f"write {LICENCES}."})
        return value

    @field_validator("reviewed")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        """'2025-13' has the right shape but no such month: refused here, not as a traceback in `check`."""
        try:
            _to_date(value)
        except ValueError as err:
            raise PydanticCustomError(
                "date",
                "'{value}' is not a real date ({reason})",
                {"value": value, "reason": str(err), "fix": "write the date as YYYY-MM-DD."},
            ) from None
        return value

    @property
    def reviewed_date(self) -> dt.date | None:
        """The review date; a month-only date ('2019-03') counts from the first of the month."""
        return _to_date(self.reviewed)

    @property
    def credit_line(self) -> str:
        return self.credit or self.publisher

    @property
    def licence(self) -> Licence:
        return Licence(self.license)


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or table row, with its plain text and source line."""

    kind: BlockKind
    text: str
    line: int
    position: int  # 1-based among blocks of the same kind in its section
    cells: tuple[str, ...] = ()  # table rows only
    ordered: bool = False  # list items of a numbered list


@dataclass
class Section:
    """The blocks under one heading (not those of its sub-headings)."""

    heading: str
    level: int
    path: tuple[str, ...]  # headings from the top section down to this one
    line: int
    blocks: list[Block] = field(default_factory=list)
    table_header: tuple[str, ...] = ()
    # Blocks so far per kind, so numbering a block is not a recount (a 160,000-row table took minutes).
    last_position: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def address(self) -> str:
        return PATH_SEPARATOR.join(self.path)

    def count(self, kind: BlockKind) -> int:
        return sum(1 for b in self.blocks if b.kind == kind)


@dataclass
class Document:
    """One source page. Its sections are read when first asked for: most commands use a few of the
    corpus's sources, and parsing every page's Markdown was most of the time a command took to start."""

    meta: SourceMeta
    path: Path
    text: str  # the Markdown body, for checks that passages are verbatim
    body_line: int = 0  # lines above the body (the front matter), so blocks know their line in the file

    @cached_property
    def sections(self) -> list[Section]:
        return _sections(self.text, self.body_line)

    @property
    def id(self) -> str:
        return self.meta.id

    def find_sections(self, address: str) -> list[Section]:
        """Sections whose heading path ends with `address` ('Parent > Child' or just 'Child')."""
        wanted = [_fold(p) for p in address.split(PATH_SEPARATOR.strip())]
        return [s for s in self.sections if [_fold(p) for p in s.path[-len(wanted) :]] == wanted]


@dataclass
class Corpus:
    """All source documents, by id."""

    documents: dict[str, Document]

    def __getitem__(self, source_id: str) -> Document:
        return self.documents[source_id]

    def __contains__(self, source_id: object) -> bool:
        return source_id in self.documents


def _to_date(text: str | None) -> dt.date | None:
    """'2019-03-14', or '2019-03' counted from the first of the month."""
    if text is None:
        return None
    return dt.date.fromisoformat(text if len(text) == 10 else text + "-01")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def load_corpus(directory: Path) -> Corpus:
    """Load every `*.md` in `directory`, reporting all broken files at once."""
    documents = load_by_id(content_files(directory, (".md",)), load_document, lambda doc: doc.id, _same_id)
    if not documents:
        raise FactsheetsError(Problem(f"no source documents (*.md) in {directory}", "add the corpus to sources/."))
    return Corpus(documents)


def _same_id(doc: Document, first: Document) -> Problem:
    return Problem(
        f"source id '{doc.id}' is also used by {first.path.name}", "give each source its own id.", doc.path, 2
    )


def load_document(path: Path) -> Document:
    """Parse one source file: validated front matter, then sections of blocks."""
    return parse_document(path, read_text(path))


def parse_document(path: Path, text: str) -> Document:
    """A source's text as the file at `path` would be read (an import checks what it would write)."""
    match = re.match(r"^---\n(.*?\n)---\n", text, re.DOTALL)
    if not match:
        raise FactsheetsError(
            Problem(
                "no front matter",
                "start the file with a '---' block holding id, title, publisher, url, license and reviewed.",
                path,
                1,
            )
        )
    meta_doc = parse_yaml(path, match.group(1), line_offset=1)
    meta = validate(meta_doc, SourceMeta, "front matter")
    body = text[match.end() :]
    body_offset = match.group(0).count("\n")
    return Document(meta, path, body, body_offset)


def _sections(body: str, line_offset: int) -> list[Section]:
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    sections: list[Section] = []
    stack: list[Section] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            heading = tokens[i + 1].content.strip()
            while stack and stack[-1].level >= level:
                stack.pop()
            path = (*tuple(s.heading for s in stack if s.level > 1), heading)
            section = Section(heading, level, path, _line(tok, line_offset))
            sections.append(section)
            stack.append(section)
            i += 3
            continue
        if not stack:
            i += 1
            continue
        i = _read_block(tokens, i, stack[-1], line_offset)
    return sections


def _read_block(tokens: list[Token], i: int, section: Section, line_offset: int) -> int:
    """Add the block starting at token `i` to `section`; return the index after it."""
    tok = tokens[i]
    if tok.type == "paragraph_open" and tok.level == 0:
        _add(section, "paragraph", _inline_text(tokens[i + 1]), _line(tok, line_offset))
        return i + 3
    if tok.type == "list_item_open":
        ordered = tok.info != "" or tok.markup in (".", ")")
        end = _closing(tokens, i)
        text = " ".join(_inline_text(t) for t in tokens[i:end] if t.type == "inline")
        _add(section, "item", text, _line(tok, line_offset), ordered=ordered)
        return end + 1
    if tok.type == "thead_open":
        end = _closing(tokens, i)
        section.table_header = tuple(_inline_text(t) for t in tokens[i:end] if t.type == "inline")
        return end + 1
    if tok.type == "tr_open":
        end = _closing(tokens, i)
        cells = tuple(_inline_text(t) for t in tokens[i:end] if t.type == "inline")
        _add(section, "row", " | ".join(cells), _line(tok, line_offset), cells=cells)
        return end + 1
    return i + 1


def _add(
    section: Section, kind: BlockKind, text: str, line: int, cells: tuple[str, ...] = (), ordered: bool = False
) -> None:
    position = section.last_position[kind] = section.last_position.get(kind, 0) + 1
    section.blocks.append(Block(kind, text, line, position, cells, ordered))


def _closing(tokens: list[Token], i: int) -> int:
    """Index of the token closing the one opened at `i`."""
    closing = tokens[i].type.replace("_open", "_close")
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type == tokens[i].type:
            depth += 1
        elif tokens[j].type == closing:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _inline_text(token: Token) -> str:
    """Plain text of an inline token: link text kept, markup dropped, line breaks as spaces."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _line(token: Token, offset: int) -> int:
    return (token.map[0] if token.map else 0) + 1 + offset
