"""A4 documents printed by reportlab: the page set-up, escaped paragraphs and ruled tables
that the board report, a partner's feedback and a certificate of destruction share, so each
prints on the same page with the same metadata and no value is ever read as markup."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN  # between the margins
RULE = colors.HexColor("#b1b4b6")  # GOV.UK's mid grey


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """``text`` as a paragraph: reportlab reads a paragraph as markup, so every value is
    escaped and stays text."""
    return Paragraph(escape(text), style)


def ruled_table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    row_height: float | None = None,
) -> Table:
    """Rows ruled beneath, cells aligned to the top; a header row ruled in black and
    repeated on each page. ``row_height`` leaves room to write in (a signature)."""
    table = Table(
        rows,
        colWidths=list(widths),
        rowHeights=None if row_height is None else [row_height] * len(rows),
        repeatRows=1 if header else 0,
        hAlign="LEFT",
    )
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("LINEBELOW", (0, 0), (-1, 0), 1, colors.black))
    table.setStyle(TableStyle(style))
    return table


def a4(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    subject: str = "",
    canvasmaker: Any = None,
) -> bytes:
    """The story printed on A4 portrait between Steward's margins, with the document's title,
    author and subject in its properties (what a reader's PDF viewer and a screen reader
    announce)."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author or "Steward",
        subject=subject,
        creator="Steward",
    )
    document.build(story, canvasmaker=canvasmaker or Canvas)
    return out.getvalue()
