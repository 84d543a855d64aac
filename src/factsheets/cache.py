"""Results kept in out/ between runs, each under the hash of everything it was computed from.

`check` lays out every variant on two papers and grades the reading level of each; both take
seconds and both give the same answer for the same input. A `ResultCache` keeps those answers
in one JSON file beside the manifest, so an unchanged variant costs a lookup.

Nothing in a cache is trusted: a file that is missing, damaged, written by another version of
factsheets or under other `rules` (what else the values depend on: a library's version, the
code that computes them) is ignored, and a value of the wrong shape is a miss. Entries not
asked for in a run are dropped when it saves, so the file holds what the content needs now.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError

from factsheets import __version__
from factsheets.files import write_atomic

T = TypeVar("T")
FINITE = ConfigDict(allow_inf_nan=False)  # for a cache's TypeAdapter: NaN and infinity are damage, not values
# Our files in out/ nest 5 levels (the manifest's sources) and are kilobytes (the manifest ~1 kB a variant).
MAX_DEPTH = 20
MAX_BYTES = 10_000_000
_BRACKET = re.compile(r"[\[\]{}]")


class ResultCache(Generic[T]):
    """One JSON file of values of type `T` by key; `save` writes it back when a run changed it."""

    def __init__(self, path: Path, shape: TypeAdapter[T], rules: str = "") -> None:
        """`shape` checks each value read back; give it `FINITE` (as config, or a dataclass's `__pydantic_config__`)."""
        self.path, self.shape = path, shape
        self.stamp = {"factsheets": __version__, "rules": rules}
        self._saved = self._read()
        self._now: dict[str, object] = {}
        self.computed: list[str] = []  # keys missed this run (for the summary and for tests)

    def get(self, key: str) -> T | None:
        """The value stored under `key`, or None when there is none of the right shape."""
        if key not in self._saved:
            return None
        try:
            value = self.shape.validate_python(self._saved[key])
        except ValidationError:
            return None
        self._now[key] = self._saved[key]
        return value

    def put(self, key: str, value: T) -> None:
        self._now[key] = self.shape.dump_python(value, mode="json")
        self.computed.append(key)

    def save(self) -> None:
        """Write the values used this run, unless the file already holds exactly those."""
        if self._now != self._saved:
            write_atomic(self.path, json.dumps({**self.stamp, "entries": self._now}, indent=1).encode())

    def _read(self) -> dict[str, object]:
        data = read_json(self.path)
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self.stamp.items()):
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}


def source_hash(*paths: Path) -> str:
    """A short hash of files' bytes: rules that change with the code computing the values."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_json(path: Path) -> object | None:
    """A JSON file factsheets wrote in out/, or None when it is missing or cannot be ours: rebuild it then.

    Anything can be left in out/ (an interrupted copy, a hand edit, a pipe): the file must be a
    small regular one, and its nesting is counted in one linear pass before the JSON reader,
    which recurses, sees it, so 100,000 '[' are damage like any other rather than a RecursionError.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe opens without waiting for a writer
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None
        text = data.decode("utf-8")
        parsed: object = json.loads(text) if json_depth(text) <= MAX_DEPTH else None
    except (OSError, ValueError):  # ValueError: not UTF-8, or not JSON
        return None
    return parsed


def json_depth(text: str) -> int:
    """How deeply JSON `text` nests, brackets in strings aside; exact as far as it is valid JSON."""
    unescaped = text.replace("\\\\", "").replace('\\"', "")  # backslashes pair from the left, as in JSON
    outside_strings = "".join(unescaped.split('"')[::2])
    steps = (1 if bracket in "[{" else -1 for bracket in _BRACKET.findall(outside_strings))
    return max(accumulate(steps), default=0)
