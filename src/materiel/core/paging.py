"""A page of a list, as every list use case returns it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Window:
    """Which rows of a list to show: `limit` of them after skipping `offset`."""

    limit: int = 50
    offset: int = 0

    def of(self, items: Sequence[T]) -> Page[T]:
        """The page of a list already in memory (a plan's entries, read as one document)."""
        return Page(
            items[self.offset : self.offset + self.limit], len(items), self.limit, self.offset
        )
