"""`steward redact detect`: what to redact in texts, as JSON lines in and out.

Each input line is `{"id", "text", "requester": {...}, "parties": [...], "own_names": [...]}`
(all but id and text optional; see steward.redaction.context); each output line is
`{"id", "spans": [{"start", "end", "label", "code", "reason"}]}`, offsets being Python string
indices into text. A malformed line gets `{"line": n, "error": ...}` and the rest still run.
No database, no audit: text in, spans out (the subject access service records decisions).
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from steward.redaction.context import context_from_json
from steward.redaction.detect import Detector
from steward.redaction.ner_protocol import NameFinder
from steward.redaction.people import Compiled, compile_context

app = typer.Typer(
    help="Find third parties' data to redact in text (a disclosure's detection step).",
    no_args_is_help=True,
)

_BATCH = 64  # lines read and sent to the name-finding model together


class _Bad(ValueError):
    """A line that cannot be read as an input: its message is safe to print (no text)."""


def _parse(raw: str) -> tuple[Any, str, Compiled]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _Bad(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise _Bad("a line must be a JSON object")
    if "id" not in obj:
        raise _Bad("id is required")
    if not isinstance(obj.get("id"), str | int) or isinstance(obj.get("id"), bool):
        raise _Bad("id must be a string or a number")
    text = obj.get("text")
    if not isinstance(text, str):
        raise _Bad("text is required and must be a string")
    try:
        context = context_from_json(obj)
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    return obj["id"], text, compile_context(context)


def run(lines: Iterable[str], detector: Detector) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order."""
    numbered = ((n, raw) for n, raw in enumerate(lines, start=1) if raw.strip())
    while chunk := list(islice(numbered, _BATCH)):
        parsed: list[tuple[int, Any, str, Compiled] | dict[str, Any]] = []
        for n, raw in chunk:
            try:
                ident, text, compiled = _parse(raw)
            except _Bad as exc:
                parsed.append({"line": n, "error": str(exc)})
            else:
                parsed.append((n, ident, text, compiled))
        good = [p for p in parsed if isinstance(p, tuple)]
        found = iter(detector.detect_many((text, c) for _n, _id, text, c in good))
        for p in parsed:
            if isinstance(p, dict):
                yield p
            else:
                yield {"id": p[1], "spans": [s.as_json() for s in next(found)]}


def _name_finder(no_ner: bool) -> NameFinder | None:
    """The language model for names the case does not know, or None (with a note why)."""
    if no_ner:
        return None
    try:
        module: Any = importlib.import_module("steward.redaction.ner")
    except ImportError:
        _note("the name-finding model is not part of this build; detecting without it")
        return None
    try:
        finder: NameFinder = module.spacy_names()
    except Exception as exc:  # the model missing or not the pinned one: say so, carry on
        _note(f"{exc}; detecting without the name-finding model")
        return None
    return finder


def _note(message: str) -> None:
    sys.stderr.write(f"note: {message}\n")


@app.command()
def detect(
    file: Annotated[
        Path | None,
        typer.Argument(help="JSON lines to read; standard input when absent.", show_default=False),
    ] = None,
    no_ner: Annotated[
        bool,
        typer.Option(
            "--no-ner",
            help="Do not load the name-finding model (faster start; unknown names are then "
            "found by elimination only).",
        ),
    ] = False,
) -> None:
    """Print, for each input line, the spans to redact with label, exemption code and reason."""
    try:
        source: TextIO = file.open(encoding="utf-8", newline="") if file is not None else sys.stdin
    except OSError as exc:
        sys.stderr.write(f"cannot read {file}: {exc.strerror}\n")
        raise typer.Exit(1) from None
    detector = Detector(ner=_name_finder(no_ner))
    try:
        with source if file is not None else _borrowed(source) as lines:
            for out in run(lines, detector):
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"cannot read the input: {exc}\n")
        raise typer.Exit(1) from None


class _borrowed:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __enter__(self) -> TextIO:
        return self._stream

    def __exit__(self, *exc: object) -> None:
        return None
