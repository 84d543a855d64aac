"""YAML parsing: hostile shapes (alias bombs, deep nesting, tags, odd values) are refused fast, at their line."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest
import yaml

from factsheets.content import yamlfile
from factsheets.content.sheets import Sheet
from factsheets.content.yamlfile import MAX_DEPTH, MAX_PROBLEMS, parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem

LOADERS = {"libyaml": getattr(yaml, "CSafeLoader", None), "pure-Python": yaml.SafeLoader}


@pytest.fixture(params=list(LOADERS))
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shape check's parser as PyYAML is built with libyaml, then as it is without."""
    chosen = LOADERS[request.param]
    if chosen is None:
        pytest.skip("this PyYAML was built without libyaml")
    monkeypatch.setattr(yamlfile, "_LOADER", chosen)


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "sheet.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        validate(parse_yaml(path), Sheet, "a sheet")
    return err.value.problems


def _alias_bomb(levels: int) -> str:
    """'Billion laughs': each line holds ten aliases of the one above, 10**levels strings in all."""
    lines = ["id: bomb", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_at_its_first_anchor(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, _alias_bomb(10))
    assert (problem.line, problem.column) == (2, 5)
    assert problem.message.startswith("YAML anchor '&a0': anchors, aliases and tags are not allowed")


def test_alias_without_anchor_is_refused(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "id: x\ntitle: *name\n")
    assert problem.line == 2
    assert problem.message.startswith("YAML alias '*name'")
    assert problem.fix == "write the value out in full here instead of '*name'."


@pytest.mark.parametrize("opening", ["[", "{", "{a: ", "- "])
@pytest.mark.usefixtures("loader")
def test_100000_levels_of_nesting_give_one_located_problem(tmp_path: Path, opening: str) -> None:
    """The composers recurse: this was a segfault, then a RecursionError (libyaml 0.2.6 stops at
    1,000 levels, before the events that show the depth, and the pure-Python composer took over).
    """
    (problem,) = _problems(tmp_path, "id: x\nsections:\n  " + opening * 100_000 + "\n")
    assert problem.message == f"nested more than {MAX_DEPTH} levels deep"
    assert problem.line == 3
    assert problem.fix.startswith("a sheet needs about 6 levels")


@pytest.mark.parametrize("opening", ["[", "{"])
@pytest.mark.usefixtures("loader")
def test_the_depth_is_decided_before_any_recursion(tmp_path: Path, opening: str) -> None:
    """Both parsers make events in loops over lists: 100,000 levels need only a few dozen frames."""
    path = tmp_path / "deep.yaml"
    path.write_text("x: " + opening * 100_000 + "\n", encoding="utf-8")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 60)  # the pure-Python composer fails at ~25 levels
    try:
        with pytest.raises(FactsheetsError, match=f"nested more than {MAX_DEPTH} levels deep"):
            parse_yaml(path)
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("loader")
def test_nesting_up_to_the_limit_is_fine(tmp_path: Path) -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is one level
    path = tmp_path / "x.yaml"
    path.write_text("x: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    parse_yaml(path)
    path.write_text("x: " + "[" * (depth + 1) + "]" * (depth + 1) + "\n", encoding="utf-8")
    with pytest.raises(FactsheetsError, match="nested more than"):
        parse_yaml(path)


@pytest.mark.parametrize("value", ["!!bool maybe", "!!timestamp soon", "!!python/object:os.system ls", "!!binary AAAA"])
def test_explicit_tags_are_refused(tmp_path: Path, value: str) -> None:
    """'!!bool maybe' used to be a KeyError traceback from inside PyYAML."""
    (problem,) = _problems(tmp_path, f"id: x\ntitle: {value}\n")
    assert problem.line == 2
    assert problem.column == 8
    assert problem.message.startswith(f"YAML tag '{value.split(maxsplit=1)[0]}'")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "'2025-02-30' is not a real date (day is out of range for month)"),
        ("1" * 5000, f"'{'1' * 40}...' is too large a number"),
        ("1" + ":59" * 3000, f"'1{':59' * 13}...' is too large a number"),
    ],
)
def test_values_python_cannot_build_are_located(tmp_path: Path, value: str, message: str) -> None:
    (problem,) = _problems(tmp_path, f"id: x\nreading_grade_target: {value}\n")
    assert (problem.message, problem.line, problem.column) == (message, 2, 23)


def test_control_character_is_located(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "id: x\ntitle: a\x1bb\n")
    assert (problem.message, problem.line, problem.column) == (
        "invisible character U+001B is not allowed in YAML",
        2,
        9,
    )


def test_a_flood_of_problems_is_cut_short(tmp_path: Path) -> None:
    """Each problem looks up its line from the top: 100,000 unknown keys used to take minutes."""
    problems = _problems(tmp_path, "id: x\n" + "".join(f"k{i}: v\n" for i in range(20_000)))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == f"... and {20_000 + 2 - MAX_PROBLEMS:,} more problems in this file"


def test_many_duplicate_keys_are_cut_short(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "id: x\n" + "".join(f"k{i % 2}: v\n" for i in range(1000)))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].message.startswith("key 'k0' appears twice")
    assert problems[0].line == 4


def test_front_matter_lines_count_from_the_file(tmp_path: Path) -> None:
    doc_path = tmp_path / "x.md"
    with pytest.raises(FactsheetsError) as err:
        parse_yaml(doc_path, "id: x\ntitle: *t\n", line_offset=1)
    assert err.value.problems[0].line == 3
