"""A source PDF's text per page and the boxes that cover spans of it.

Detection runs on ``page_texts(pdf)[n]``, and a span's offsets are char indices into exactly
that text; ``boxes_for`` turns them into rectangles on the page. Every parse of the PDF
happens in a child process under hard limits (raster_child.py): the file is untrusted, and a
parser that runs away ends that child, never this process.

A Box is in PDF points in the page's display space (after its /Rotate, origin bottom-left of
the visible area): where a reviewer sees it. Reviewer area boxes on scans come in as Boxes too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from steward.redaction.spans import Code, Span

CHILD = Path(__file__).with_name("raster_child.py")


@dataclass(frozen=True)
class Box:
    """A rectangle to black out, in PDF points, display space, origin bottom-left."""

    page: int  # 0-based page index
    x0: float
    y0: float
    x1: float
    y1: float
    code: Code


@dataclass(frozen=True)
class Limits:
    """What one child may use. Sized for a 2,000-page source at 150 dpi."""

    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 900
    wall_seconds: float = 1200.0
    max_pages: int = 2_000
    max_page_pixels: int = 40_000_000  # above it a page is rendered at fewer dots
    jpeg_quality: int = 70


class PdfError(Exception):
    """The PDF could not be read. ``reason`` is a code, never content: "pages", "memory",
    "time", "unreadable"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the PDF could not be read ({reason})")
        self.reason = reason


def page_texts(pdf: bytes, limits: Limits | None = None) -> list[str]:
    """Each page's text, as pdfium extracts it: what detection must run on."""
    result = _call({"op": "texts"}, pdf, limits)
    return [str(t) for t in result["texts"]]


def count_pages_pdf(pdf: bytes, limits: Limits | None = None) -> int:
    return int(_call({"op": "count"}, pdf, limits)["pages"])


def boxes_for(
    pdf: bytes, spans_by_page: Mapping[int, Sequence[Span]], limits: Limits | None = None
) -> list[Box]:
    """The boxes covering each span: one per line the span runs over, padded 1.5 pt."""
    wanted = {
        str(page): [[s.start, s.end, s.code.value] for s in spans]
        for page, spans in spans_by_page.items()
        if spans
    }
    if not wanted:
        return []
    result = _call({"op": "boxes", "spans": wanted}, pdf, limits)
    return [
        Box(int(p), float(x0), float(y0), float(x1), float(y1), Code(code))
        for p, x0, y0, x1, y1, code in result["boxes"]
    ]


@dataclass(frozen=True)
class RenderedPage:
    """One page out of the child: its size in points, the JPEG with the boxes filled, and
    the words kept as [text, x0, y0, x1, y1] (display points)."""

    index: int
    width: float
    height: float
    jpeg: bytes
    words: list[list[Any]]


def render_pages(
    pdf: bytes,
    boxes: Sequence[Box],
    *,
    dpi: int,
    limits: Limits | None = None,
) -> Iterator[RenderedPage]:
    """The redacted pages, one at a time as the child makes them. Raises PdfError (after
    any pages already yielded) if the child fails."""
    by_page: dict[str, list[list[float]]] = {}
    for box in boxes:
        by_page.setdefault(str(box.page), []).append([box.x0, box.y0, box.x1, box.y1])
    header = {"op": "render", "boxes": by_page, "dpi": dpi}
    with _Child(header, pdf, limits or Limits()) as child:
        while True:
            frame = child.json()
            if "status" in frame:
                _check(frame, child)
                return
            jpeg = child.image()
            yield RenderedPage(
                int(frame["page"]),
                float(frame["width"]),
                float(frame["height"]),
                jpeg,
                frame["words"],
            )


# --- the child ------------------------------------------------------------------------


def _call(header: dict[str, Any], pdf: bytes, limits: Limits | None) -> dict[str, Any]:
    with _Child(header, pdf, limits or Limits()) as child:
        frame = child.json()
        _check(frame, child)
        return frame


def _check(frame: dict[str, Any], child: _Child) -> None:
    if frame.get("status") != "done":
        raise PdfError(child.reason() or str(frame.get("reason") or "unreadable"))


class _Child:
    """One run of raster_child.py: the header and the PDF in on stdin, frames out on
    stdout, ended (with its process group) when the wall-clock limit passes."""

    def __init__(self, header: dict[str, Any], pdf: bytes, limits: Limits) -> None:
        self._header = {**header, "limits": asdict(limits)}
        self._pdf = pdf
        self._limits = limits
        self._timed_out = False

    def __enter__(self) -> _Child:
        self._proc = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, "-I", str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a traceback could quote the file; it is not kept
            env=_child_environment(),
            start_new_session=True,
        )
        self._timer = threading.Timer(self._limits.wall_seconds, self._time_out)
        self._timer.daemon = True
        self._timer.start()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            # The child reads everything before it writes, so this cannot deadlock.
            stdin.write(json.dumps(self._header).encode() + b"\n")
            stdin.write(self._pdf)
            stdin.close()
        except BrokenPipeError:
            pass  # it ended early (a limit): the frames say so, or reason() does
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _end_group(self._proc)

    def _time_out(self) -> None:
        self._timed_out = True
        _end_group(self._proc, wait=False)

    def _read(self, size: int) -> bytes:
        out: IO[bytes] | None = self._proc.stdout
        assert out is not None
        data = out.read(size)
        if len(data) != size:
            raise PdfError(self.reason() or "unreadable")
        return data

    def _frame(self, kind: bytes) -> bytes:
        head = self._read(5)
        if head[:1] != kind:
            raise PdfError("unreadable")
        (length,) = struct.unpack(">I", head[1:])
        return self._read(length)

    def json(self) -> dict[str, Any]:
        value = json.loads(self._frame(b"J"))
        if not isinstance(value, dict):
            raise PdfError("unreadable")
        return value

    def image(self) -> bytes:
        return self._frame(b"I")

    def reason(self) -> str | None:
        """Why the child stopped early, when the frames cannot say."""
        if self._timed_out:
            return "time"
        code = self._proc.poll()
        if code is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._proc.wait(timeout=5)
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "time"
        if code not in (None, 0):
            return "memory" if code == 1 else "unreadable"
        return None


def _end_group(proc: subprocess.Popen[bytes], *, wait: bool = True) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if wait:
        if proc.stdout is not None:
            proc.stdout.close()
        proc.wait()


def _child_environment() -> dict[str, str]:
    keep = ("PATH", "TMPDIR", "LANG", "LC_ALL")
    return {name: os.environ[name] for name in keep if name in os.environ}
