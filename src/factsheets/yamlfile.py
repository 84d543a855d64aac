"""YAML files whose every value remembers its line, so validation errors point into the file.

PyYAML's composed node tree keeps marks; pydantic's error `loc` is a path of keys and indexes.
Walking one with the other gives the line a content lead has to edit (the RenderCV approach).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from factsheets.errors import FactsheetsError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
# libyaml's loader when PyYAML was built with it (the PyPI wheels are): same results, ~10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """Parsed data plus the node tree it came from."""

    path: Path
    data: Any
    root: yaml.Node | None
    line_offset: int = 0

    def line_of(self, loc: Loc) -> int:
        """1-based line of the value at `loc`, or of its nearest existing parent."""
        node = self.root
        line = node.start_mark.line if node is not None else 0
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node, line = child
        return line + 1 + self.line_offset

    def problem(self, loc: Loc, message: str, fix: str) -> Problem:
        return Problem(message, fix, self.path, self.line_of(loc))


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
    """Parse YAML, turning syntax errors and duplicate keys into located problems."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError:
        err = _python_parser_error(text)
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        raise FactsheetsError(Problem(f"YAML syntax error: {_plain(err.problem)}", _YAML_FIX, path, line, column)) from None
    doc = YamlDocument(path, data, root, line_offset)
    duplicates = list(_duplicate_keys(root))
    if duplicates:
        raise FactsheetsError(
            [
                Problem(
                    f"key '{key.value}' appears twice in the same block; YAML would keep only the last one",
                    "merge the two, or rename one of them.",
                    path,
                    key.start_mark.line + 1 + line_offset,
                    key.start_mark.column + 1,
                )
                for key in duplicates
            ]
        )
    return doc


def _python_parser_error(text: str) -> yaml.MarkedYAMLError:
    """The pure-Python parser's account of a syntax error: its wording is the one we explain."""
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        return err
    raise AssertionError("libyaml and PyYAML disagree about this text")  # pragma: no cover


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


def _duplicate_keys(node: yaml.Node | None):
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
        raise FactsheetsError([_problem(doc, model, e) for e in err.errors()]) from None


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
