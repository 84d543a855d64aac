"""The most recently used values by key, in memory and bounded: what a long-lived renderer keeps.

A web worker renders for days; what it remembers between requests (the size each sheet fitted
at, each sheet's edition) must not grow with them, so the least recently used goes first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """Values by key, at most `limit` of them: a `get` or `put` makes a key the most recent."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self) -> Iterator[V]:
        """The values, the least recently used first."""
        return iter(self._kept.values())

    def get(self, key: str) -> V | None:
        value = self._kept.get(key)
        if value is not None:
            self._kept.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        self._kept[key] = value
        self._kept.move_to_end(key)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        self._kept.clear()
