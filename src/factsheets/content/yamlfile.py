"""YAML files whose every value remembers its line, so validation errors point into the file.

PyYAML's composed node tree keeps marks; pydantic's error `loc` is a path of keys and indexes.
Walking one with the other gives the line a content lead has to edit (the RenderCV approach).

Before any node is built, the event stream is scanned once for what could hang or crash the
parser: anchors and aliases (an 'alias bomb' expands exponentially), explicit tags, and deep
nesting (both composers recurse: libyaml's in C, where thousands of '[' end in a segfault, and
Python's into a RecursionError). Our files need none of them. Both parsers make their events in
loops over lists, so counting depth on the events is safe however deep the file goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from factsheets.content.reading import read_text
from factsheets.errors import FactsheetsError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E")
# libyaml's loader when PyYAML was built with it (the PyPI wheels are): same results, ~10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Our sheets nest 6 levels (sections > passages > items); 20 is generous and far from any recursion limit.
MAX_DEPTH = 20
# Problems reported per file: a file of 100,000 bad keys needs its first few fixed, not a wall of text.
MAX_PROBLEMS = 20
# Characters YAML refuses (control characters, U+FFFE/U+FFFF); found here so they get a line, not a traceback.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class YamlDocument:
    """Parsed data plus the node tree it came from."""

    path: Path
    data: Any
    root: yaml.Node | None
    line_offset: int = 0

    def line_of(self, loc: Loc) -> int:
        """1-based line of the value at `loc`, or of its nearest existing parent."""
        return self.position(loc)[0]

    def position(self, loc: Loc) -> tuple[int, int | None]:
        """1-based line of the value at `loc` (or its nearest existing parent), and its column
        when `loc` itself exists: several list entries can share a line (`rows: [Kidney, Lugn]`)."""
        node = self.root
        line = node.start_mark.line if node is not None else 0
        for part in loc:
            child = _child(node, part)
            if child is None:
                return line + 1 + self.line_offset, None
            node, line = child
        column = node.start_mark.column + 1 if node is not None else None
        return line + 1 + self.line_offset, column

    def problem(self, loc: Loc, message: str, fix: str, column: bool = False) -> Problem:
        """A problem at the line of `loc`; with `column`, at its column too (for one entry of a list)."""
        line, at = self.position(loc)
        return Problem(message, fix, self.path, line, at if column else None)


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node, int] | None:
    """The node under `part`, with the line to report (a key's own line for mappings)."""
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if key.value == part:
                return value, key.start_mark.line
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line
    return None


def parse_yaml(path: Path, text: str | None = None, line_offset: int = 0) -> YamlDocument:
    """Parse YAML, turning syntax errors, aliases, deep nesting and duplicate keys into located problems."""
    if text is None:
        text = read_text(path)
    _check_characters(path, text, line_offset)
    try:
        root, data = _parse(path, text, line_offset)
    except _BadValue as bad:
        mark = bad.node.start_mark
        raise FactsheetsError(
            Problem(bad.message, bad.fix, path, mark.line + 1 + line_offset, mark.column + 1)
        ) from None
    duplicates = list(_duplicate_keys(root))
    if duplicates:
        raise FactsheetsError(
            _capped(
                duplicates,
                lambda key: Problem(
                    f"key '{key.value}' appears twice in the same block; YAML would keep only the last one",
                    "merge the two, or rename one of them.",
                    path,
                    key.start_mark.line + 1 + line_offset,
                    key.start_mark.column + 1,
                ),
                path,
            )
        )
    return YamlDocument(path, data, root, line_offset)


def _check_characters(path: Path, text: str, line_offset: int) -> None:
    """Refuse a character the YAML reader would reject, at its own line (the reader gives no line)."""
    match = _NOT_YAML.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1 + line_offset
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise FactsheetsError(
            Problem(
                f"invisible character U+{ord(match.group()):04X} is not allowed in YAML",
                "delete it: retype the text around this spot.",
                path,
                line,
                column,
            )
        )


def _parse(path: Path, text: str, line_offset: int) -> tuple[yaml.Node | None, Any]:
    """The node tree and data from libyaml, or the syntax error as a located problem."""
    try:
        _check_shape(path, text, line_offset, _LOADER)
        return _compose_and_construct(text)
    except yaml.MarkedYAMLError as err:
        libyaml_err = err
    error = _python_parser_error(path, text, line_offset, libyaml_err)
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 + line_offset if mark else None
    column = mark.column + 1 if mark else None
    raise FactsheetsError(Problem(f"YAML syntax error: {_plain(error.problem)}", _YAML_FIX, path, line, column))


def _check_shape(path: Path, text: str, line_offset: int, loader: type[Any]) -> None:
    """One linear pass over parser events, so nothing is expanded and no composer's recursion is reached."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        refused = _refused(event, depth)
        if refused:
            line, column = (event.start_mark.line, event.start_mark.column) if event.start_mark else (0, 0)
            raise FactsheetsError(Problem(*refused, path, line + 1 + line_offset, column + 1))


def _refused(event: yaml.Event, depth: int) -> tuple[str, str] | None:
    """Message and fix if this event is something our files never need and an attacker could abuse.

    Anchors and aliases are refused outright (refusing all is simpler and safer than deciding
    how many are too many), and so are explicit tags ('!!bool x' fails inside PyYAML).
    """
    anchor, tag = getattr(event, "anchor", None), getattr(event, "tag", None)
    if isinstance(event, yaml.AliasEvent):
        return f"YAML alias '*{anchor}': {_NOT_HERE}", f"write the value out in full here instead of '*{anchor}'."
    if anchor is not None:
        return (
            f"YAML anchor '&{anchor}': {_NOT_HERE}",
            f"remove '&{anchor}' and write the value out in full wherever '*{anchor}' is used.",
        )
    if tag is not None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag '{shown}': {_NOT_HERE}", f"remove '{shown}' (put the value in quotes if it is text)."
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep", _DEPTH_FIX
    return None


_NOT_HERE = "anchors, aliases and tags are not allowed in sheets, sources or clinic.yaml"
_DEPTH_FIX = (
    "a sheet needs about 6 levels (sections, passages, items); look for an unclosed '[' or '{', "
    "or indentation that keeps growing."
)


class _BadValue(Exception):
    """A plain value the constructor cannot build ('2025-02-30', a 5,000-digit number), with its node for the line."""

    def __init__(self, node: yaml.Node, reason: str) -> None:
        value = str(node.value)
        shown = value if len(value) <= 40 else value[:40] + "..."
        if node.tag.endswith(":timestamp"):
            self.message, self.fix = f"'{shown}' is not a real date ({reason})", "write the date as YYYY-MM-DD."
        else:  # untagged, only an int fails: Python's reason is advice on sys.set_int_max_str_digits()
            self.message, self.fix = f"'{shown}' is too large a number", "write a smaller number, or put it in quotes."
        super().__init__(self.message)
        self.node = node


class _Loader(_LOADER):  # type: ignore[misc, valid-type]  # the base is picked at run time (libyaml's if built)
    """The fast loader, saying which node a constructor's ValueError (which has no line) came from.

    Huge integers are refused too: '1:59:59:...' is a legal base-60 number that Python cannot print.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except ValueError as err:
            raise _BadValue(node, str(err)) from None
        if isinstance(value, int) and value.bit_length() > 64:
            raise _BadValue(node, "too large")
        return value


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data built from it, from a single parse."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _capped(items: Sequence[E], to_problem: Callable[[E], Problem], path: Path) -> list[Problem]:
    """Problems for the first MAX_PROBLEMS items only (each may walk the node tree), and a count of the rest."""
    problems = [to_problem(item) for item in items[:MAX_PROBLEMS]]
    if len(items) > MAX_PROBLEMS:
        problems.append(
            Problem(
                f"... and {len(items) - MAX_PROBLEMS:,} more problems in this file",
                "fix the ones above, then check again.",
                path,
            )
        )
    return problems


def _python_parser_error(
    path: Path, text: str, line_offset: int, libyaml_err: yaml.MarkedYAMLError
) -> yaml.MarkedYAMLError:
    """The pure-Python parser's account of a syntax error: its wording is the one we explain.

    It also decides what libyaml may not have reached: libyaml 0.2.6 gives up at 1,000 levels
    while reading up to 1,024 characters ahead, so 100,000 '[' fail there before the events
    that show the depth. This parser has no such limit, and its events are checked, as
    libyaml's were, before its composer runs. Where the two disagree, libyaml's own words are
    better than a traceback.
    """
    try:
        _check_shape(path, text, line_offset, yaml.SafeLoader)
        yaml.load(text, Loader=yaml.SafeLoader)  # only composing or constructing can fail now
    except yaml.MarkedYAMLError as err:
        return err
    except ValueError:  # a bad date or number that libyaml's stricter parse never reached
        pass
    return libyaml_err


_YAML_FIX = (
    "check the indentation and quoting on this line and the one before it "
    "(text holding ': ' or starting with a quote, '[' or '*' needs quotes around it)."
)


def _plain(problem: str | None) -> str:
    """PyYAML's parser words, with a plain explanation in front of the common ones."""
    problem = problem or "could not be read"
    plain = {
        "expected <block end>": "the indentation does not line up with the lines above",
        "mapping values are not allowed here": "a ': ' inside a value that has no quotes",
        "found character '\\t'": "a tab character; use spaces to indent",
        "could not find expected ':'": "a line without 'key: value'",
    }
    for start, words in plain.items():
        if problem.startswith(start):
            return f"{words} ({problem})"
    return problem


def _duplicate_keys(node: yaml.Node | None) -> Iterator[yaml.Node]:
    """Keys repeated within one mapping (YAML silently keeps the last); recursion is bounded by MAX_DEPTH."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield key
            seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def validate(doc: YamlDocument, model: type[M], what: str) -> M:
    """Validate `doc.data` against `model`; every error becomes a located, plain problem."""
    if not isinstance(doc.data, dict):
        raise FactsheetsError(
            doc.problem((), f"{what} must be a YAML mapping of keys to values", "start the file with 'id: ...'.")
        )
    try:
        return model.model_validate(doc.data)
    except ValidationError as err:
        raise FactsheetsError(_capped(err.errors(), lambda e: _problem(doc, model, e), doc.path)) from None


def _problem(doc: YamlDocument, model: type[BaseModel], error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_fields_at(model, loc[:-1]))
        message, fix = f"unknown key '{loc[-1]}'", f"check the spelling; allowed keys here: {allowed}."
        loc_shown = loc[:-1]
    elif kind == "missing":
        message, fix = f"missing required key '{loc[-1]}'", f"add '{loc[-1]}: ...'."
        loc_shown = loc = loc[:-1]
    else:
        message = error["msg"].removeprefix("Value error, ")
        given = (error.get("ctx") or {}).get("fix")
        pattern = _PATTERN_FIXES.get(str(loc[-1])) if kind == "string_pattern_mismatch" and loc else None
        fix = given or pattern or _FIXES.get(kind, "correct the value.")
        loc_shown = loc
    where = _loc_text(loc_shown)
    return doc.problem(loc, f"{where}: {message}" if where else message, fix)


_PATTERN_FIXES = {
    "id": "use lower-case letters, digits and hyphens.",
    "accent_color": "write a colour as #rrggbb, e.g. #1d3f6e.",
    "url": "write the full address, starting with https://.",
    "reviewed": "write the date as YYYY-MM-DD, or YYYY-MM when the page gives only a month.",
    "review_every": "write e.g. '3 months' or '2 years'.",
    "approval_valid_for": "write e.g. '2 years' or '18 months'.",
    "type_heading": "put {type} where the cancer type goes, e.g. 'Where {type} cancer spreads'.",
}

_FIXES = {
    "literal_error": "use one of the values listed.",
    "string_pattern_mismatch": "write it in the form shown.",
    "too_short": "add at least one entry.",
    "list_type": "write a list, e.g. [1, 2].",
    "string_too_short": "write some text.",
}


def _loc_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model accepts at `loc`, for 'allowed keys' hints."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, str) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[part].annotation
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """list[X] -> X, X | None -> X: the model that sits inside a container."""
    while get_origin(annotation) is not None:
        args = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        annotation = models[0] if models else args[0]
    return annotation
