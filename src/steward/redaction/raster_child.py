"""Untrusted PDFs read, measured and rasterised in a process of its own under hard limits.

Run as ``python -I raster_child.py`` by ``steward.redaction.pdf`` (never imported by the
application, except by tests of its pure functions). It reads one JSON header line (the
operation, its arguments and the limits) and then the PDF's bytes from stdin, and writes
frames to stdout: a one-byte kind (``J`` a JSON object, ``I`` an image), a four-byte big-endian
length, the payload. The last frame is always a JSON object with a ``status``. Pages stream
out one by one, so neither side ever holds more than one rendered page.

Operations:

* ``texts``: the text of every page, exactly as detection must see it (``get_text_range``).
* ``count``: the number of pages.
* ``boxes``: for spans (char offsets into a page's text) the rectangles that cover them.
* ``render``: every page as a grayscale JPEG with the boxes filled black, and the words that
  were kept with their rectangles (for an invisible text layer in the bundle).

Coordinates leaving this process are in PDF points in the page's *display* space: after
its /Rotate, origin at the bottom-left of the visible (crop) box. That is the space a reviewer
sees, the space the bundle page is drawn in, and the space reviewer area boxes come in.

The limits are the operating system's (address space and CPU time), set first thing, before
any byte of the file is read. It imports only the standard library, Pillow and pypdfium2:
nothing of Steward, so a bug here can reach no database and no key.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import re
import resource
import signal
import struct
import sys
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import Any

PAD = 1.5  # points added around every redaction box: anti-aliased glyph edges stay covered
# Characters that end a word of the text layer (pdfium emits \r\n for line ends).
_BREAKS = frozenset(" \t\r\n\u00a0\u2028\u2029\x0c")
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in display points


class OutOfBounds(Exception):
    """The file is beyond a limit: ``reason`` is a code (no content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def apply_limits(limits: dict[str, Any]) -> None:
    memory = int(limits["memory_bytes"])
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not dump the file to disk


# --- geometry -------------------------------------------------------------------------


class Display:
    """Maps a page's user space (where pdfium's char boxes are) to its display space."""

    _K = 64  # pdfium's PageToDevice returns whole device pixels: map at 64 px per point

    def __init__(self, page: Any) -> None:
        import pypdfium2.raw as raw

        self.width, self.height = (float(v) for v in page.get_size())
        w, h = round(self.width * self._K), round(self.height * self._K)

        def device(x: float, y: float) -> tuple[float, float]:
            dx, dy = ctypes.c_int(), ctypes.c_int()
            raw.FPDF_PageToDevice(page.raw, 0, 0, w, h, 0, x, y, ctypes.byref(dx), ctypes.byref(dy))
            return dx.value / self._K, self.height - dy.value / self._K

        # An affine map is fixed by three points; far apart, so the rounding is negligible.
        ox, oy = device(0.0, 0.0)
        ax, ay = device(1000.0, 0.0)
        bx, by = device(0.0, 1000.0)
        self._m = ((ax - ox) / 1000, (ay - oy) / 1000, (bx - ox) / 1000, (by - oy) / 1000, ox, oy)

    def rect(self, left: float, bottom: float, right: float, top: float) -> Rect:
        a, b, c, d, e, f = self._m
        xs, ys = [], []
        for x, y in ((left, bottom), (right, top), (left, top), (right, bottom)):
            xs.append(a * x + c * y + e)
            ys.append(b * x + d * y + f)
        return (min(xs), min(ys), max(xs), max(ys))


def union(rects: Sequence[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def _vertical(rect: Rect) -> bool:
    # A loose char box is taller than wide in upright text (ascent to descent against an
    # advance) and wider than tall when the text runs up or down the page.
    return (rect[2] - rect[0]) > (rect[3] - rect[1])


def same_line(line: Rect, last: Rect, rect: Rect) -> bool:
    """Whether ``rect`` continues the line whose box so far is ``line`` and last char
    ``last``: its middle sits within the line's band across the text, and it does not jump
    back (to the start of the next line)."""
    if _vertical(last) and _vertical(rect):
        mid_x = (rect[0] + rect[2]) / 2
        gap = abs((rect[1] + rect[3]) / 2 - (last[1] + last[3]) / 2)
        return line[0] - 0.5 <= mid_x <= line[2] + 0.5 and gap < 2 * (rect[2] - rect[0])
    mid_y = (rect[1] + rect[3]) / 2
    return line[1] - 0.5 <= mid_y <= line[3] + 0.5 and rect[0] >= last[0] - 1.0


def line_rects(rects: Sequence[Rect], pad: float = PAD) -> list[Rect]:
    """Char rectangles in reading order grouped into lines, each line unioned and padded."""
    lines: list[list[Rect]] = []
    for rect in rects:
        if lines and same_line(union(lines[-1]), lines[-1][-1], rect):
            lines[-1].append(rect)
        else:
            lines.append([rect])
    out = []
    for group in lines:
        x0, y0, x1, y1 = union(group)
        out.append((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    return out


# --- text -----------------------------------------------------------------------------


class PageText:
    """One page's text and, for each position in it, the pdfium chars behind it."""

    def __init__(self, page: Any) -> None:
        import pypdfium2.raw as raw

        self.textpage = page.get_textpage()
        self.text: str = self.textpage.get_text_range()
        count = self.textpage.count_chars()
        self._raw = raw
        self._ltrb = tuple(ctypes.c_double() for _ in range(4))
        if len(self.text) == count:
            self.chars: list[list[int]] = [[i] for i in range(count)]
        else:
            # A character outside the BMP is two pdfium chars (a surrogate pair) but one
            # Python character: map positions through the pairs.
            self.chars = []
            i = 0
            while i < count and len(self.chars) < len(self.text):
                unit = raw.FPDFText_GetUnicode(self.textpage.raw, i)
                step = 2 if 0xD800 <= unit < 0xDC00 else 1
                self.chars.append(list(range(i, min(i + step, count))))
                i += step

    def close(self) -> None:
        self.textpage.close()

    def char_rect(self, index: int, display: Display) -> Rect | None:
        """The char's box in display space, or None for a char pdfium made up (line ends)
        or one with no extent."""
        if self._raw.FPDFText_IsGenerated(self.textpage.raw, index) == 1:
            return None
        left, bottom, right, top = self.textpage.get_charbox(index, loose=True)
        if right - left <= 0 and top - bottom <= 0:
            return None
        return display.rect(left, bottom, right, top)

    def span_rects(self, start: int, end: int, display: Display) -> list[Rect]:
        rects: list[Rect] = []
        for pos in range(max(start, 0), min(end, len(self.chars))):
            if self.text[pos] in "\r\n":
                continue
            for index in self.chars[pos]:
                rect = self.char_rect(index, display)
                if rect is not None:
                    rects.append(rect)
        return line_rects(rects)

    def kept_words(self, boxes: Sequence[Rect], display: Display) -> list[list[Any]]:
        """The words of the page with every char that a box touches left out: what the
        invisible text layer may carry. A char is dropped if its box meets any redaction
        box at all, so nothing partly covered is ever written.

        Fast path: a word's rectangles from pdfium (one call, per line) grown on every side
        by their height; only a word that this widened area lets near a box is checked char
        by char, so the check stays exact where it matters."""
        words: list[list[Any]] = []
        text = self.text[: len(self.chars)]
        for start, end in _word_runs(text):
            rects = self._run_rects(start, end, display)
            if not rects:
                continue
            near = bool(boxes) and any(_near(r, boxes) for r in rects)
            if not near and len(rects) == 1:  # whole, on one line, nowhere near a box
                x0, y0, x1, y1 = rects[0]
                words.append(
                    [text[start:end], round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)]
                )
                continue
            words.extend(self._kept_chars(start, end, boxes, display))
        return words

    def _run_rects(self, start: int, end: int, display: Display) -> list[Rect]:
        # pdfium's own calls with reused out-parameters: this runs once a word, 500 a page.
        raw, handle, (left, top, right, bottom) = self._raw, self.textpage.raw, self._ltrb
        first, last = self.chars[start][0], self.chars[end - 1][-1]
        count = raw.FPDFText_CountRects(handle, first, last - first + 1)
        out = []
        for i in range(max(count, 0)):
            if not raw.FPDFText_GetRect(handle, i, left, top, right, bottom):
                continue
            x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
            if x1 > x0 or y1 > y0:
                out.append(display.rect(x0, y0, x1, y1))
        return out

    def _kept_chars(
        self, start: int, end: int, boxes: Sequence[Rect], display: Display
    ) -> list[list[Any]]:
        """The slow, exact path: char by char, split where a char is dropped or the line
        changes."""
        words: list[list[Any]] = []
        text: list[str] = []
        rects: list[Rect] = []

        def flush() -> None:
            if text:
                words.append(["".join(text), *(round(v, 2) for v in union(rects))])
                text.clear()
                rects.clear()

        for pos in range(start, end):
            char_rects = [self.char_rect(i, display) for i in self.chars[pos]]
            rect = next((r for r in char_rects if r is not None), None)
            if rect is None or any(_meets(rect, box) for box in boxes):
                flush()
                continue
            if rects and not same_line(union(rects), rects[-1], rect):
                flush()
            text.append(self.text[pos])
            rects.append(rect)
        flush()
        return words


_WORD = re.compile("[^" + re.escape("".join(sorted(_BREAKS))) + "]+")


def _word_runs(text: str) -> Iterator[tuple[int, int]]:
    for match in _WORD.finditer(text):
        yield match.start(), match.end()


def _near(rect: Rect, boxes: Sequence[Rect]) -> bool:
    """Whether ``rect``, grown (``_grown``), meets any box."""
    x0, y0, x1, y1 = _grown(rect)
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def _grown(rect: Rect) -> Rect:
    # Across the line, a loose char box can stand out of pdfium's run rectangle by up to a
    # line's height: grow by that (at least 4 pt) on every side.
    grow = max(min(rect[3] - rect[1], rect[2] - rect[0]), 4.0)
    return (rect[0] - grow, rect[1] - grow, rect[2] + grow, rect[3] + grow)


def _meets(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# --- operations -----------------------------------------------------------------------


def _open(data: bytes, limits: dict[str, Any]) -> Any:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    if len(pdf) > int(limits["max_pages"]):
        pdf.close()
        raise OutOfBounds("pages")
    return pdf


def _pages(pdf: Any, start: int = 0, step: int = 1) -> Iterator[tuple[int, Any]]:
    """Each page in turn (or every ``step``-th from ``start``), closed before the next is
    opened."""
    for index in range(max(start, 0), len(pdf), max(step, 1)):
        page = pdf[index]
        try:
            yield index, page
        finally:
            page.close()


def op_texts(pdf: Any) -> dict[str, Any]:
    texts = []
    for _, page in _pages(pdf):
        text = PageText(page)
        texts.append(text.text)
        text.close()
    return {"texts": texts}


def op_boxes(pdf: Any, spans: dict[str, list[list[Any]]]) -> dict[str, Any]:
    """``spans``: page index (as a string) -> [[start, end, code], ...]."""
    boxes: list[list[Any]] = []
    for index, page in _pages(pdf):
        wanted = spans.get(str(index))
        if not wanted:
            continue
        display = Display(page)
        text = PageText(page)
        for start, end, code in wanted:
            for rect in text.span_rects(int(start), int(end), display):
                boxes.append([index, *(round(v, 2) for v in rect), code])
        text.close()
    return {"boxes": boxes}


def op_render(
    pdf: Any,
    boxes: dict[str, list[list[float]]],
    dpi: int,
    limits: dict[str, Any],
    stripe: Sequence[int] = (0, 1),
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Per page: a header (size, words kept) and the JPEG with the boxes filled. ``stripe``
    (start, step): only every step-th page from start, so children can share a document."""
    from PIL import ImageDraw

    max_pixels = int(limits["max_page_pixels"])
    quality = int(limits.get("jpeg_quality", 70))
    for index, page in _pages(pdf, int(stripe[0]), int(stripe[1])):
        display = Display(page)
        width, height = display.width, display.height
        scale = dpi / 72
        if width * height * scale * scale > max_pixels:  # an A0 plan: fewer dots, same page
            scale = math.sqrt(max_pixels / (width * height))
        rects: list[Rect] = [tuple(b[:4]) for b in boxes.get(str(index), [])]  # type: ignore[misc]
        text = PageText(page)
        words = text.kept_words(rects, display) if text.chars else []
        text.close()
        # Only the page's content: annotations and form widgets are not drawn (their text is
        # not in the text detection reads, so it could not have been checked).
        bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False, draw_annots=False)
        image = bitmap.to_pil()
        bitmap.close()
        if image.mode != "L":
            image = image.convert("L")
        draw = ImageDraw.Draw(image)
        for x0, y0, x1, y1 in rects:
            draw.rectangle(
                (
                    math.floor(x0 * scale),
                    math.floor((height - y1) * scale),
                    math.ceil(x1 * scale),
                    math.ceil((height - y0) * scale),
                ),
                fill=0,
            )
        out = BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=False)
        image.close()
        header = {"page": index, "width": width, "height": height, "words": words}
        yield header, out.getvalue()


def _frame(kind: bytes, payload: bytes) -> None:
    sys.stdout.buffer.write(kind + struct.pack(">I", len(payload)) + payload)


def _json(obj: dict[str, Any]) -> None:
    _frame(b"J", json.dumps(obj).encode())


def run(header: dict[str, Any], data: bytes) -> None:
    limits = header["limits"]
    op = header["op"]
    try:
        pdf = _open(data, limits)
        try:
            if op == "count":
                _json({"status": "done", "pages": len(pdf)})
            elif op == "texts":
                _json({"status": "done", **op_texts(pdf)})
            elif op == "boxes":
                _json({"status": "done", **op_boxes(pdf, header["spans"])})
            elif op == "render":
                stripe = header.get("stripe") or (0, 1)
                for page_header, image in op_render(
                    pdf, header["boxes"], int(header["dpi"]), limits, stripe
                ):
                    _json(page_header)
                    _frame(b"I", image)
                    sys.stdout.buffer.flush()
                _json({"status": "done"})
            else:
                _json({"status": "failed", "reason": "operation"})
        finally:
            pdf.close()
    except OutOfBounds as bounds:
        _json({"status": "failed_bounds", "reason": bounds.reason})
    except MemoryError:
        _json({"status": "failed_bounds", "reason": "memory"})
    except Exception as exc:  # a damaged file: its kind only, never its content
        _json({"status": "failed", "reason": "unreadable", "error": type(exc).__name__[:64]})


def main() -> None:
    header = json.loads(sys.stdin.buffer.readline())
    apply_limits(header["limits"])
    data = sys.stdin.buffer.read()
    run(header, data)
    sys.stdout.buffer.flush()


# --- the warm server ----------------------------------------------------------------------
#
# ``raster_child.py --serve`` is a zygote: it imports pypdfium2 and Pillow once, then for each
# request (a header line with the PDF's ``size``, then that many bytes) forks a fresh process
# that sets the limits, does the work exactly as ``main`` would and exits. The zygote never
# parses a PDF: it only relays the worker's frames, whole, and after them an ``E`` frame with
# the worker's exit code. A worker that dies mid-frame has its partial frame dropped, so the
# stream stays in step and the next request starts clean; one document's worker never sees
# another's. It ends when its stdin closes (its parent went away).

MAX_FRAME = 256 * 1024 * 1024  # a frame claiming more is a worker gone wrong


def serve() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    import pypdfium2  # noqa: F401 - warm: imported before any byte of any file is read
    from PIL import Image, ImageDraw  # noqa: F401

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while line := stdin.readline():
        header = json.loads(line)
        data = stdin.read(int(header.pop("size")))
        pid, pipe = _fork_worker(header, data)
        del data
        if not _relay(pipe, stdout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.close(pipe)
        _, status = os.waitpid(pid, 0)
        _frame(b"E", json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
        stdout.flush()


def _fork_worker(header: dict[str, Any], data: bytes) -> tuple[int, int]:
    read, write = os.pipe()
    sys.stdout.buffer.flush()  # nothing of the zygote's may be flushed twice
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    code = 1
    try:
        os.close(read)
        os.dup2(write, 1)
        os.close(write)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # the worker reads nothing more from the parent
        apply_limits(header["limits"])
        run(header, data)
        sys.stdout.buffer.flush()
        code = 0
    finally:
        os._exit(code)


def _relay(pipe: int, out: Any) -> bool:
    """Copy whole frames from the worker to ``out`` until it ends; False if it broke off
    mid-frame or sent nonsense."""
    with os.fdopen(pipe, "rb", closefd=False) as source:
        while True:
            head = source.read(5)
            if not head:
                return True
            if len(head) != 5 or head[:1] not in (b"J", b"I"):
                return False
            (length,) = struct.unpack(">I", head[1:])
            if length > MAX_FRAME:
                return False
            payload = source.read(length)
            if len(payload) != length:
                return False
            out.write(head + payload)
            out.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
