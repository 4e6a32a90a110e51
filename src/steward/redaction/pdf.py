"""A source PDF's text per page and the boxes that cover spans of it.

Detection runs on ``page_texts(pdf)[n]``, and a span's offsets are char indices into exactly
that text; ``boxes_for`` turns them into rectangles on the page. Every parse of the PDF
happens in a child process under hard limits (raster_child.py): the file is untrusted, and a
parser that runs away ends that child, never this process.

A Box is in PDF points in the page's display space (after its /Rotate, origin bottom-left of
the visible area): where a reviewer sees it. Reviewer area boxes on scans come in as Boxes too.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
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
    workers: int | None = None,
) -> Iterator[RenderedPage]:
    """The redacted pages, in order, as the children make them. ``workers`` children (two by
    default, one a core) each render every n-th page at once, running a few pages ahead of
    the caller and no more; the caller gets them in order. Raises PdfError (after any pages
    already yielded) if a child fails; the others are stopped."""
    by_page: dict[str, list[list[float]]] = {}
    for box in boxes:
        by_page.setdefault(str(box.page), []).append([box.x0, box.y0, box.x1, box.y1])
    count = max(1, workers if workers is not None else WORKERS)
    stripes = [
        _Stripe({"op": "render", "boxes": by_page, "dpi": dpi, "stripe": [n, count]}, pdf, limits)
        for n in range(count)
    ]
    try:
        for stripe in stripes:
            stripe.start()
        yield from _in_order(stripes)
    finally:
        for stripe in stripes:
            stripe.stop()


def _in_order(stripes: Sequence[_Stripe]) -> Iterator[RenderedPage]:
    """Page i from stripe i mod n, until the stripe due says it is done; then every other
    stripe must be done too, and no page may come out of its place."""
    index = 0
    while True:
        item = stripes[index % len(stripes)].next()
        if item is None:
            if any(stripe.next() is not None for stripe in stripes):
                raise PdfError("unreadable")
            return
        if item.index != index:
            raise PdfError("unreadable")
        yield item
        index += 1


class _Stripe:
    """One child rendering every n-th page, read on a thread of its own into a short queue
    (the child waits when the caller is behind: memory stays bounded)."""

    AHEAD = 6  # pages a child may run ahead of the caller

    def __init__(self, header: dict[str, Any], pdf: bytes, limits: Limits | None) -> None:
        self._header, self._pdf, self._limits = header, pdf, limits or Limits()
        self._queue: queue.Queue[RenderedPage | PdfError | None] = queue.Queue(self.AHEAD)
        self._stopped = threading.Event()
        self._finished = False
        self._child: _Child | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def next(self) -> RenderedPage | None:
        """The next page, or None when the child is done; raises its failure."""
        if self._finished:
            return None
        item = self._queue.get()
        if isinstance(item, PdfError):
            self._finished = True
            raise item
        if item is None:
            self._finished = True
        return item

    def stop(self) -> None:
        """Stop the child (ended if it has not finished: it may be mid-page) and its thread."""
        self._stopped.set()
        child = self._child
        if self._thread.is_alive() and child is not None:
            child.abandon()
        self._thread.join()

    def _put(self, item: RenderedPage | PdfError | None) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            with _Child(self._header, self._pdf, self._limits) as child:
                self._child = child
                while True:
                    frame = child.json()
                    if "status" in frame:
                        _check(frame, child)
                        self._put(None)
                        return
                    page = RenderedPage(
                        int(frame["page"]),
                        float(frame["width"]),
                        float(frame["height"]),
                        child.image(),
                        frame["words"],
                    )
                    if not self._put(page):
                        return  # stopped: leaving mid-stream ends the child
        except PdfError as error:
            self._put(error)
        except Exception:  # a broken stream is a failed file, said by its code only
            self._put(PdfError("unreadable"))


# --- the children -----------------------------------------------------------------------


def close_children() -> None:
    """End the warm children now (they end on their own after a while idle, or with this
    process). Figures of the children's memory are only complete once they have ended."""
    _POOL.close()


def _call(header: dict[str, Any], pdf: bytes, limits: Limits | None) -> dict[str, Any]:
    with _Child(header, pdf, limits or Limits()) as child:
        frame = child.json()
        _check(frame, child)
        return frame


def _check(frame: dict[str, Any], child: _Child) -> None:
    if frame.get("status") != "done":
        raise PdfError(child.reason() or str(frame.get("reason") or "unreadable"))
    child.finish()


class _Server:
    """A warm ``raster_child.py --serve``: Python, pypdfium2 and Pillow loaded once; each
    request runs in a fresh process it forks, under the request's limits (see serve())."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, "-I", str(CHILD), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a traceback could quote the file; it is not kept
            env=_child_environment(),
            start_new_session=True,
        )
        self.idle_since = 0.0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def end(self) -> None:
        _end_group(self.proc)


class _Pool:
    """Warm servers not in use, a few at most, ended after a while idle. A server is put
    back only after a request that ended cleanly; after a failure, a time-out or a request
    left half-read it is ended, so a crash never carries over."""

    IDLE_SECONDS = 30.0

    def __init__(self, size: int) -> None:
        self._size = size
        self._idle: list[_Server] = []
        self._lock = threading.Lock()

    def take(self) -> _Server:
        with self._lock:
            while self._idle:
                server = self._idle.pop()
                if server.alive():
                    return server
                server.end()
        return _Server()

    def give(self, server: _Server) -> None:
        server.idle_since = time.monotonic()
        with self._lock:
            if server.alive() and len(self._idle) < self._size:
                self._idle.append(server)
                server = None  # type: ignore[assignment]
        if server is not None:
            server.end()
            return
        reaper = threading.Timer(self.IDLE_SECONDS + 1, self._reap)
        reaper.daemon = True
        reaper.start()

    def _reap(self) -> None:
        cutoff = time.monotonic() - self.IDLE_SECONDS
        with self._lock:
            old = [s for s in self._idle if s.idle_since <= cutoff]
            self._idle = [s for s in self._idle if s.idle_since > cutoff]
        for server in old:
            server.end()

    def close(self) -> None:
        with self._lock:
            old, self._idle = self._idle, []
        for server in old:
            server.end()


WORKERS = max(1, min(2, os.cpu_count() or 1))
_POOL = _Pool(size=WORKERS + 1)
atexit.register(_POOL.close)


class _Child:
    """One request to a warm server: the header (with the PDF's size) and the PDF in, the
    worker's frames out, then an ``E`` frame with its exit code. Past the wall-clock limit
    the server and its worker (one process group) are ended."""

    def __init__(self, header: dict[str, Any], pdf: bytes, limits: Limits) -> None:
        self._header = {**header, "limits": asdict(limits), "size": len(pdf)}
        self._pdf = pdf
        self._limits = limits
        self._timed_out = False
        self._exit: int | None = None
        self._clean = False

    def __enter__(self) -> _Child:
        self._server = _POOL.take()
        self._proc = self._server.proc
        self._timer = threading.Timer(self._limits.wall_seconds, self._time_out)
        self._timer.daemon = True
        self._timer.start()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            # The server reads the whole request before anything is written back.
            stdin.write(json.dumps(self._header).encode() + b"\n")
            stdin.write(self._pdf)
            stdin.flush()
        except BrokenPipeError:
            pass  # it ended: reading says so, or reason() does
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        if self._clean and not self._timed_out:
            _POOL.give(self._server)
        else:
            self._server.end()

    def _time_out(self) -> None:
        self._timed_out = True
        _end_group(self._proc, wait=False)

    def abandon(self) -> None:
        """End the server now (from another thread): the reader sees the stream end."""
        if not self._clean:
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
        (length,) = struct.unpack(">I", head[1:])
        payload = self._read(length)
        if head[:1] == b"E" and kind != b"E":  # the worker ended without its last frame
            self._exit = _exit_code(payload)
            raise PdfError(self.reason() or "unreadable")
        if head[:1] != kind:
            raise PdfError("unreadable")
        return payload

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self._frame(b"J"))
        except ValueError:
            raise PdfError("unreadable") from None
        if not isinstance(value, dict):
            raise PdfError("unreadable")
        return value

    def image(self) -> bytes:
        return self._frame(b"I")

    def finish(self) -> None:
        """After the last frame: the worker's exit, which must be clean."""
        self._exit = _exit_code(self._frame(b"E"))
        if self._exit != 0:
            raise PdfError(self.reason() or "unreadable")
        self._clean = True

    def reason(self) -> str | None:
        """Why the worker stopped early, when the frames cannot say."""
        if self._timed_out:
            return "time"
        code = self._exit
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "time"
        if code not in (None, 0):
            return "memory" if code == 1 else "unreadable"
        return None


def _exit_code(payload: bytes) -> int:
    try:
        return int(json.loads(payload)["exit"])
    except (ValueError, KeyError, TypeError):
        return -1


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
