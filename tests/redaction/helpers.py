"""Shared builders for the redaction tests: a case context from short keyword arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from steward.redaction.context import context_from_json
from steward.redaction.detect import Detector
from steward.redaction.ner_protocol import NameFinder
from steward.redaction.people import Compiled, compile_context
from steward.redaction.spans import Finding, Span


def case(
    requester: dict[str, Any] | None = None, *parties: dict[str, Any], **more: Any
) -> Compiled:
    obj: dict[str, Any] = {"parties": list(parties), **more}
    if requester is not None:
        obj["requester"] = requester
    return compile_context(context_from_json(obj))


def redacted(text: str, c: Compiled, ner: NameFinder | None = None) -> list[str]:
    """The redacted strings, in order."""
    return [text[s.start : s.end] for s in Detector(ner=ner).detect(text, c)]


def spans_of(text: str, c: Compiled, ner: NameFinder | None = None) -> list[Span]:
    return Detector(ner=ner).detect(text, c)


def finding_at(text: str, c: Compiled, needle: str) -> Finding:
    start = text.index(needle)
    for f in Detector().analyse(text, c):
        if f.start <= start < f.end:
            return f
    raise AssertionError(f"nothing found at {needle!r}")


class FakeNames:
    """A stand-in for the language model: these names, wherever they are written."""

    def __init__(self, *names: str) -> None:
        self._names = names
        self.calls: list[Sequence[str]] = []

    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            found = []
            for name in self._names:
                at = text.find(name)
                while at >= 0:
                    found.append((at, at + len(name)))
                    at = text.find(name, at + 1)
            out.append(found)
        return out
