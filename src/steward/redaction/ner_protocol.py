"""What the detector needs from a name finder: PERSON spans in a batch of texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class NameFinder(Protocol):
    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...
