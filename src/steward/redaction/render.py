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
from collections.abc import Sequence
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
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


def _draw_jpeg(canvas: Canvas, jpeg: bytes, width: float, height: float) -> None:
    """The page image, its JPEG bytes embedded as they are. reportlab would otherwise wrap
    them in ASCII85 (a quarter larger, and pure Python here: 0.2 s a page); the switch is
    read when the image object is made, so it is set only around that."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.drawImage(ImageReader(io.BytesIO(jpeg)), 0, FOOTER, width, height)
    finally:
        rl_config.useA85 = previous


class BundleWriter:
    """Writes the bundle to ``out`` page by page (reportlab keeps only the compressed page
    objects until ``close``; no page image is held longer than it takes to draw)."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        total_pages: int,
        title: str = TITLE,
        dpi: int = 150,
        limits: Limits | None = None,
    ) -> None:
        self.total_pages = total_pages
        self.dpi = dpi
        self.pages = 0
        self._limits = limits
        self._canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=0)
        # New metadata only: nothing from any source document.
        self._canvas.setTitle(title)
        self._canvas.setAuthor("")
        self._canvas.setSubject("")
        self._canvas.setKeywords("")
        self._canvas.setCreator("Steward")
        self._canvas.setProducer("Steward")

    # -- pages -------------------------------------------------------------------------

    def add_flow(self, story: list[Flowable]) -> int:
        """Letter, index, redaction log: flowables on A4 pages. Returns the pages added."""
        self._canvas.setPageSize(A4)
        added = _lay_out(self._canvas, list(story), footer=self._footer_a4)
        return added

    def add_text(self, title: str, text: str, spans: Sequence[Span]) -> int:
        """A Word or plain-text document, from its text, redacted. Returns the pages added."""
        return self.add_flow(text_story(title, text, spans))

    def add_pdf(self, pdf: bytes, boxes: Sequence[Box]) -> int:
        """A source PDF rasterised with ``boxes`` blacked out. Returns the pages added."""
        labels: dict[int, list[Box]] = {}
        for box in boxes:
            labels.setdefault(box.page, []).append(box)
        added = 0
        for page in render_pages(pdf, boxes, dpi=self.dpi, limits=self._limits):
            self._draw_page(page, labels.get(page.index, []))
            added += 1
        return added

    def close(self) -> None:
        if self.pages != self.total_pages:
            raise BundleError(
                f"the bundle has {self.pages} pages but was planned with {self.total_pages}"
            )
        self._canvas.save()

    # -- drawing -----------------------------------------------------------------------

    def _draw_page(self, page: RenderedPage, boxes: Sequence[Box]) -> None:
        canvas = self._canvas
        width, height = page.width, page.height
        canvas.setPageSize((width, height + FOOTER))
        _draw_jpeg(canvas, page.jpeg, width, height)
        if page.words:
            self._text_layer(page.words)
        for box in boxes:
            self._label(box)
        self._footer(width)
        canvas.showPage()

    def _text_layer(self, words: list[list[Any]]) -> None:
        """The kept words, invisible, each stretched over where it sits on the image."""
        # Render mode and scale are graphics state: kept inside save/restore so the labels
        # and footer after it are drawn visibly.
        self._canvas.saveState()
        text = self._canvas.beginText()
        text.setTextRenderMode(3)
        for word, x0, y0, x1, y1 in words:
            size = max(float(y1) - float(y0), 1.0)
            natural = stringWidth(word, FONT, size)
            if natural <= 0:
                continue
            text.setFont(FONT, size)
            text.setHorizScale(100.0 * (float(x1) - float(x0)) / natural)
            # The loose box runs from descent to ascent: the baseline is about a fifth up.
            text.setTextOrigin(float(x0), float(y0) + FOOTER + size * 0.2)
            text.textOut(word)
        self._canvas.drawText(text)
        self._canvas.restoreState()

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
