"""The disclosure bundle: one PDF, written page by page, redacted for real.

Nothing of a source PDF is copied but pixels: each page is rasterised in the child process
(raster_child.py) with the redaction boxes filled black, drawn as an image, and overlaid with
an invisible text layer (render mode 3) of the words that were *kept*, so the bundle stays
searchable while the redacted characters are never written. Source metadata, annotations,
forms, attachments and scripts cannot survive, because nothing but the image is taken.

Text documents (Word, plain text) are drawn from their text with each span replaced by a
black box of fixed width labelled with its exemption code: the length of a name does not leak.

Every page carries "Page n of N"; N is given up front from a first pass (``count_pages_*``),
and ``close`` refuses a bundle whose pages do not add up to it.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF, unicode2T1
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.pdfutils import readJPEGInfo
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer

from steward.redaction.pdf import Box, Limits, RenderedPage, render_pages
from steward.redaction.spans import Span

TITLE = "Disclosure bundle"
FOOTER = 18.0  # points: the band below a source page where the footer goes, so no pixel of
# the page is hidden under it
MARGIN = 20 * mm
FONT = "Helvetica"
LABEL_FONT = "Helvetica-Bold"
# Every redacted span in a text document is this many non-breaking spaces wide plus its code:
# the same width whatever it hid.
_BOX_PAD = "\u00a0" * 2
# A bundle longer than this is written in parts and joined (memory; see BundleWriter).
PART_PAGES = 200


class BundleError(Exception):
    """The bundle could not be made as planned (the page count does not add up)."""


def _styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("bundle-body", parent=sheet["BodyText"], fontName=FONT, fontSize=10)
    title = ParagraphStyle("bundle-title", parent=sheet["Heading2"], fontName=LABEL_FONT)
    return title, body


def text_story(title: str, text: str, spans: Sequence[Span] = ()) -> list[Flowable]:
    """A text document as flowables: its title, then each line as a paragraph, each span
    replaced by a fixed-width labelled black box. The redacted text is never passed on."""
    title_style, body = _styles()
    story: list[Flowable] = [Paragraph(escape(title), title_style)]
    marked = _redacted_markup(text, spans)
    for line in marked.split("\n"):
        if line.strip():
            story.append(Paragraph(line, body))
        else:
            story.append(Spacer(1, body.leading / 2))
    return story


def _redacted_markup(text: str, spans: Sequence[Span]) -> str:
    out: list[str] = []
    at = 0
    for span in sorted(spans, key=lambda s: s.start):
        start, end = max(span.start, at), min(span.end, len(text))
        if end <= start:
            continue
        out.append(escape(text[at:start]))
        label = f"{_BOX_PAD}{span.code.value}{_BOX_PAD}"
        out.append(f'<font name="{LABEL_FONT}" color="white" backColor="black">{label}</font>')
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def count_pages_text(title: str, text: str, spans: Sequence[Span] = ()) -> int:
    """How many pages ``add_text`` will write for this document (pass the same spans)."""
    return count_pages_flow(text_story(title, text, spans))


def count_pages_flow(story: list[Flowable]) -> int:
    """How many pages ``add_flow`` will write for this story (the story is not consumed)."""
    canvas = Canvas(io.BytesIO(), pagesize=A4)
    return _lay_out(canvas, list(story), footer=None)


def _frame() -> Frame:
    width, height = A4
    return Frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, id="body")


def _lay_out(canvas: Canvas, story: list[Flowable], footer: Any) -> int:
    """Flow the story onto fresh A4 pages; ``footer(canvas)`` ends each page."""
    pages = 0
    while story:
        before = len(story)
        first = story[0]
        _frame().addFromList(story, canvas)
        if len(story) == before and story and story[0] is first:
            raise BundleError("an item is too large for a page")
        pages += 1
        if footer is not None:
            footer(canvas)
        canvas.showPage()
    return pages


def _jpeg_xobject(name: str, jpeg: bytes) -> PDFImageXObject:
    """The page image as an XObject holding the JPEG's bytes as they are (DCTDecode).

    reportlab's drawImage would first decode the JPEG and hash its pixels to name it (a tenth
    of a second a page) and, with its default switch, wrap the bytes in ASCII85; a page image
    is never drawn twice, so neither is needed."""
    width, height, components = readJPEGInfo(io.BytesIO(jpeg))[:3]
    image = PDFImageXObject(name)
    image.width, image.height = width, height
    image.bitsPerComponent = 8
    image.colorSpace = {1: "DeviceGray", 3: "DeviceRGB"}.get(components, "DeviceCMYK")
    image._filters = ("DCTDecode",)
    image.streamContent = jpeg
    image.mask = None
    return image


def _draw_jpeg(canvas: Canvas, name: str, jpeg: bytes, width: float, height: float) -> None:
    """The page image, registered as drawImage does, drawn over the page above the footer."""
    doc = canvas._doc
    reg = doc.getXObjectName(name)
    image = _jpeg_xobject(name, jpeg)
    canvas._setXObjects(image)
    doc.Reference(image, reg)
    doc.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas._code.append(f"q {_n(width)} 0 0 {_n(height)} 0 {_n(FOOTER)} cm /{reg} Do Q")
    canvas._formsinuse.append(name)


def _n(value: float) -> str:
    """A number for a content stream: two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


_PLAIN = frozenset(chr(c) for c in range(0x21, 0x7F))  # printable ASCII but the space


def _show(canvas: Canvas, font: Any, size: str, word: str) -> list[str]:
    """The operators that show ``word`` in the current font: ASCII as it is (the same bytes
    in WinAnsi), anything else through reportlab's own mapping, which switches to a
    substitute font for what Helvetica cannot encode and back."""
    if _PLAIN.issuperset(word):
        return [f"({escapePDF(word)}) Tj"]
    ops: list[str] = []
    current = font
    for sub, data in unicode2T1(word, [font, *font.substitutionFonts]):
        if sub is not current:
            ops.append(f"{canvas._doc.getInternalFontName(sub.fontName)} {size} Tf")
            current = sub
        ops.append(f"({escapePDF(data)}) Tj")
    if current is not font:
        ops.append(f"{canvas._doc.getInternalFontName(font.fontName)} {size} Tf")
    return ops


def _save(canvas: Canvas) -> None:
    """Save with the page streams compressed but not wrapped in ASCII85 (a quarter larger,
    and pure Python here); the switch is read as the streams are formatted."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous


def _join(parts: Sequence[Path], out: BinaryIO) -> None:
    """The parts' pages, in order, into one PDF on ``out``. qpdf's page merge (as its command
    line does it) reads each stream from its part only as it writes it, with the streams
    copied as they are: memory stays flat however long the bundle (pikepdf's own
    ``pages.extend`` holds every copied stream until saved: 0.6 GB for 2,000 pages). The
    first part is the base, so the document information is the bundle's own, as written."""
    import pikepdf

    joined = parts[0].with_name("joined.pdf")
    job = pikepdf.Job(
        {
            "inputFile": str(parts[0]),
            "outputFile": str(joined),
            "pages": [{"file": str(part)} for part in parts],
            "streamData": "preserve",
        }
    )
    job.run()
    if job.exit_code not in (0, 3):  # 3: warnings only
        raise BundleError("the bundle's parts could not be joined")
    with joined.open("rb") as source:
        shutil.copyfileobj(source, out, 1024 * 1024)


class BundleWriter:
    """Writes the bundle to ``out`` page by page; no page image is held longer than it takes
    to draw, but reportlab keeps every page's compressed objects until it saves (a fifth of
    a megabyte a page at 120 dpi). A bundle of more than ``part_pages`` pages is therefore
    written in parts of about that many pages to a private temporary directory and joined
    at ``close`` (pikepdf, streams copied as they are), so memory stays bounded however many
    pages there are. "Page n of N" runs across the parts: N is known from the start."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        total_pages: int,
        title: str = TITLE,
        dpi: int = 150,
        limits: Limits | None = None,
        part_pages: int = PART_PAGES,
        workers: int | None = None,
    ) -> None:
        self.total_pages = total_pages
        self.dpi = dpi
        self.pages = 0
        self.parts = 1
        self._out = out
        self._title = title
        self._limits = limits
        self._workers = workers
        self._part_pages = max(int(part_pages), 1)
        self._part_start = 0
        self._widths: dict[str, float] = {}
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._done: list[Path] = []
        if total_pages > self._part_pages:
            self._scratch = tempfile.TemporaryDirectory(prefix="steward-bundle-parts-")
        self._canvas = self._new_canvas()

    def _new_canvas(self) -> Canvas:
        target: Any = self._out
        if self._scratch is not None:
            target = str(Path(self._scratch.name) / f"part-{len(self._done):05d}.pdf")
        canvas = Canvas(target, pagesize=A4, pageCompression=1, invariant=0)
        # New metadata only: nothing from any source document.
        canvas.setTitle(self._title)
        canvas.setAuthor("")
        canvas.setSubject("")
        canvas.setKeywords("")
        canvas.setCreator("Steward")
        canvas.setProducer("Steward")
        return canvas

    def _next_part_if_full(self) -> None:
        """Start a new part at this page boundary if the current one is full."""
        if self._scratch is None or self.pages - self._part_start < self._part_pages:
            return
        _save(self._canvas)
        self._done.append(Path(self._canvas._filename))
        self._canvas = self._new_canvas()
        self._part_start = self.pages
        self.parts += 1

    # -- pages -------------------------------------------------------------------------

    def add_flow(self, story: list[Flowable]) -> int:
        """Letter, index, redaction log: flowables on A4 pages. Returns the pages added."""
        self._next_part_if_full()
        self._canvas.setPageSize(A4)
        added = _lay_out(self._canvas, list(story), footer=self._footer_a4)
        return added

    def add_text(self, title: str, text: str, spans: Sequence[Span]) -> int:
        """A Word or plain-text document, from its text, redacted. Returns the pages added."""
        return self.add_flow(text_story(title, text, spans))

    def add_pdf(self, pdf: bytes, boxes: Sequence[Box]) -> int:
        """A source PDF rasterised with ``boxes`` blacked out. Returns the pages added.
        Pages are rendered by up to ``workers`` children at once and drawn in order."""
        labels: dict[int, list[Box]] = {}
        for box in boxes:
            labels.setdefault(box.page, []).append(box)
        added = 0
        pages = render_pages(pdf, boxes, dpi=self.dpi, limits=self._limits, workers=self._workers)
        for page in pages:
            self._next_part_if_full()
            self._draw_page(page, labels.get(page.index, []))
            added += 1
        return added

    def close(self) -> None:
        """Save the bundle (joining its parts). Refuses one whose pages do not add up."""
        try:
            if self.pages != self.total_pages:
                raise BundleError(
                    f"the bundle has {self.pages} pages but was planned with {self.total_pages}"
                )
            _save(self._canvas)
            if self._scratch is not None:
                self._done.append(Path(self._canvas._filename))
                _join(self._done, self._out)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the parts written so far (done by ``close``; call it if the bundle is
        abandoned, or leave it to garbage collection)."""
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    # -- drawing -----------------------------------------------------------------------

    def _draw_page(self, page: RenderedPage, boxes: Sequence[Box]) -> None:
        canvas = self._canvas
        width, height = page.width, page.height
        canvas.setPageSize((width, height + FOOTER))
        _draw_jpeg(canvas, f"steward-page-{self.pages + 1}", page.jpeg, width, height)
        if page.words:
            self._text_layer(page.words)
        for box in boxes:
            self._label(box)
        self._footer(width)
        canvas.showPage()

    def _text_layer(self, words: list[list[Any]]) -> None:
        """The kept words, invisible (render mode 3), each stretched over where it sits on
        the image. Written as operators directly: through reportlab's text object this was
        most of the time of a bundle (500 words a page, each a font, scale and origin)."""
        canvas = self._canvas
        font = getFont(FONT)
        name = canvas._doc.getInternalFontName(FONT)
        ops = ["BT 3 Tr"]
        size_now = scale_now = ""
        for word, x0, y0, x1, y1 in words:
            size = round(max(float(y1) - float(y0), 1.0), 2)
            natural = self._width(word) * size
            if natural <= 0:
                continue
            size_text = _n(size)
            if size_text != size_now:
                ops.append(f"{name} {size_text} Tf")
                size_now = size_text
            scale = _n(100.0 * (float(x1) - float(x0)) / natural)
            if scale != scale_now:
                ops.append(f"{scale} Tz")
                scale_now = scale
            # The loose box runs from descent to ascent: the baseline is about a fifth up.
            ops.append(f"1 0 0 1 {_n(float(x0))} {_n(float(y0) + FOOTER + size * 0.2)} Tm")
            ops.extend(_show(canvas, font, size_text, word))
        ops.append("ET")
        # Render mode and scale are text state, which ends with the text object: the labels
        # and footer after it are drawn visibly, unscaled.
        canvas._code.append("q " + "\n".join(ops) + " Q")

    def _width(self, word: str) -> float:
        """The word's width at one point (cached for the bundle: words repeat)."""
        width = self._widths.get(word)
        if width is None:
            width = self._widths[word] = stringWidth(word, FONT, 1.0)
        return width

    def _label(self, box: Box) -> None:
        """The exemption code in white on the box, shrunk to fit, left off if it cannot."""
        width, height = box.x1 - box.x0, box.y1 - box.y0
        label = box.code.value
        size = min(8.0, height * 0.7)
        if size < 3:
            return
        natural = stringWidth(label, LABEL_FONT, size)
        scale = min(100.0, 100.0 * (width - 2) / natural) if natural else 0
        if scale < 40:
            return
        self._canvas.saveState()
        text = self._canvas.beginText()
        text.setTextRenderMode(0)
        text.setFillColorRGB(1, 1, 1)
        text.setFont(LABEL_FONT, size)
        text.setHorizScale(scale)
        text.setTextOrigin(box.x0 + 1, box.y0 + FOOTER + (height - size) / 2 + size * 0.15)
        text.textOut(label)
        self._canvas.drawText(text)
        self._canvas.restoreState()

    def _footer_a4(self, canvas: Canvas) -> None:
        self._footer(A4[0])

    def _footer(self, width: float) -> None:
        self.pages += 1
        canvas = self._canvas
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(width / 2, 6, f"Page {self.pages} of {self.total_pages}")
