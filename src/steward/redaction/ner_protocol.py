"""What the detector needs from a name finder: PERSON spans in a batch of texts; and, if it
can, every entity with its label (a place confirms "moved from Manchester")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


class NameFinder(Protocol):
    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...


@runtime_checkable
class EntityFinder(Protocol):
    """A name finder that also gives every entity as (start, end, label), spaCy's labels."""

    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...

    def entities(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]: ...
