"""Results kept between runs: used when the file is sound and of this version and rules, else ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from factsheets import __version__
from factsheets.cache import FINITE, MAX_BYTES, MAX_DEPTH, ResultCache, read_json
from factsheets.quality.checks import CACHE, Graded, grade_cache
from factsheets.quality.readability import Reading

FLOATS = TypeAdapter(float, config=FINITE)
# Damage Python's JSON reader recursed on until a RecursionError; a file of '{' alone is damage too.
DEEP = ["[" * 100_000, "{" * 100_000, '{"a": ' * 100_000, "[" * 100_000 + "]" * 100_000]


def _cache(path: Path, rules: str = "rules 1") -> ResultCache[float]:
    return ResultCache(path, FLOATS, rules)


def test_a_saved_value_is_found_by_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "out" / "cache.json"
    first = _cache(path)
    assert first.get("a") is None
    first.put("a", 12.5)
    first.save()
    second = _cache(path)
    assert second.get("a") == 12.5
    assert first.computed == ["a"]
    assert second.computed == []


def test_a_damaged_foreign_or_misshapen_cache_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    sound = {"factsheets": __version__, "rules": "rules 1", "entries": {"a": 12.5, "b": "not a number", "c": "NaN"}}
    path.write_text(json.dumps(sound), encoding="utf-8")
    assert _cache(path).get("a") == 12.5
    assert _cache(path).get("b") is None  # a value of the wrong shape is a miss
    assert _cache(path).get("c") is None  # and so is NaN (or infinity): no grade to report
    assert _cache(path, rules="rules 2").get("a") is None  # other rules (a library or the code changed)
    path.write_text(json.dumps({**sound, "factsheets": "0.0.0"}), encoding="utf-8")
    assert _cache(path).get("a") is None  # another version
    nested = "[" * 100_000 + "]" * 100_000  # deeper than Python's JSON reader can go
    for damaged in ('{"factsheets": ', "[1, 2]", json.dumps({**sound, "entries": [12.5]}), "\xff\xfe", nested):
        path.write_text(damaged, encoding="utf-8")
        assert _cache(path).get("a") is None, damaged


def test_saving_keeps_only_what_this_run_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    first = _cache(path)
    first.put("old", 1.0)
    first.put("kept", 2.0)
    first.save()
    second = _cache(path)
    assert second.get("kept") == 2.0
    second.save()
    assert json.loads(path.read_text(encoding="utf-8"))["entries"] == {"kept": 2.0}
    before = path.stat().st_mtime_ns
    third = _cache(path)
    assert third.get("kept") == 2.0
    third.save()  # nothing changed: the file is not rewritten
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("damaged", DEEP, ids=["[", "{", '{"a": ', "[]"])
def test_a_check_cache_nested_100000_deep_is_ignored_and_rebuilt(tmp_path: Path, damaged: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / CACHE).write_text(damaged, encoding="utf-8")
    cache = grade_cache(out)
    assert cache.get("bone/general|0123") is None
    graded = Graded(Reading(6.5, 9.0, 180, 12.0, 0.12), {"nci-metastatic-cancer": 12})
    cache.put("bone/general|0123", graded)
    cache.save()
    assert grade_cache(out).get("bone/general|0123") == graded  # the file was written again, sound


def test_json_is_read_whatever_its_strings_hold_and_as_deep_as_ours_go(tmp_path: Path) -> None:
    """Brackets and escaped quotes inside strings are text: only real nesting counts."""
    path = tmp_path / "x.json"
    tricky = {"a": '[[[{{{ \\" \\\\" ' * 1000, "b\\": ["]]]"]}
    path.write_text(json.dumps(tricky), encoding="utf-8")
    assert read_json(path) == tricky
    nested: object = 1
    for _ in range(MAX_DEPTH):
        nested = [nested]
    path.write_text(json.dumps(nested), encoding="utf-8")
    assert read_json(path) == nested
    path.write_text(json.dumps([nested]), encoding="utf-8")
    assert read_json(path) is None


def test_json_that_cannot_be_ours_reads_as_none(tmp_path: Path) -> None:
    """A folder, a pipe (read without waiting for a writer), a huge file, a missing one: rebuild."""
    (tmp_path / "folder.json").mkdir()
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "huge.json").write_text(json.dumps(["x" * MAX_BYTES]), encoding="utf-8")
    for name in ("folder.json", "pipe.json", "huge.json", "missing.json"):
        assert read_json(tmp_path / name) is None, name
