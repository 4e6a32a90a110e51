"""The board report as a PDF (reportlab), laid out as an ICO audit report is: a cover with the
executive summary, the area / rating / opinion table, the measures per area, recommendations
by priority, progress on the action plan, the trend charts (each with a table of the same
figures, for those who cannot read the chart) and an appendix defining the scales.

Rendering only: every word and figure comes from the BoardReport, which holds no personal data."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from steward.assurance.controls.policy import RAG_LABELS, Kind, Rag
from steward.assurance.report import wording
from steward.assurance.report.model import BoardReport, MeasureFigure, Trend
from steward.core import pdf as core_pdf

TITLE = "Data protection assurance: report to the board"
WIDTH = core_pdf.FRAME_WIDTH
GREY = core_pdf.RULE
LIGHT = colors.HexColor("#f3f2f1")
INK = colors.HexColor("#0b0c0c")
BLUE = colors.HexColor("#1d70b8")
# The status is always written too: colour is never the only sign (GOV.UK tag colours).
RAG_FILL = {
    Rag.GREEN: colors.HexColor("#cce2d8"),
    Rag.AMBER: colors.HexColor("#fff7bf"),
    Rag.RED: colors.HexColor("#f6d7d2"),
}

_sheet = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", _sheet["Title"], fontSize=24, leading=30, alignment=0),
    "subtitle": ParagraphStyle("subtitle", _sheet["BodyText"], fontSize=14, leading=19),
    "h1": ParagraphStyle("h1", _sheet["Heading1"], fontSize=17, leading=22, spaceBefore=14),
    "h2": ParagraphStyle("h2", _sheet["Heading2"], fontSize=13, leading=17, spaceBefore=8),
    "body": ParagraphStyle("body", _sheet["BodyText"], fontSize=10, leading=14),
    "small": ParagraphStyle("small", _sheet["BodyText"], fontSize=8.5, leading=11),
    "cell": ParagraphStyle("cell", _sheet["BodyText"], fontSize=8.5, leading=11),
    "head": ParagraphStyle(
        "head", _sheet["BodyText"], fontSize=8.5, leading=11, fontName="Helvetica-Bold"
    ),
    "bullet": ParagraphStyle(
        "bullet", _sheet["BodyText"], fontSize=10.5, leading=15, leftIndent=12, bulletIndent=0
    ),
    "rating": ParagraphStyle(
        "rating", _sheet["BodyText"], fontSize=16, leading=22, fontName="Helvetica-Bold"
    ),
}


def _p(text: str, style: str = "body") -> Paragraph:
    """Escaped text; a first line ending in a newline is set bold (a measure's title)."""
    head, newline, rest = text.partition("\n")
    if newline:
        return Paragraph(f"<b>{escape(head)}</b><br/>{escape(rest)}", STYLES[style])
    return Paragraph(escape(text), STYLES[style])


def _table(
    rows: list[list[str]],
    widths: list[float],
    *,
    status_column: int | None = None,
    statuses: list[Rag] | None = None,
) -> Table:
    """A table with a header row; cells wrap. ``statuses`` shades the status column's cells."""
    data = [[_p(c, "head") for c in rows[0]]] + [[_p(c, "cell") for c in r] for r in rows[1:]]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.25, GREY),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if status_column is not None and statuses:
        for i, rag in enumerate(statuses, start=1):
            if rag in RAG_FILL:
                style.append(("BACKGROUND", (status_column, i), (status_column, i), RAG_FILL[rag]))
    table.setStyle(TableStyle(style))
    return table


# --- the parts ---------------------------------------------------------------------------------


def _cover(report: BoardReport) -> list[Any]:
    story: list[Any] = [Spacer(1, 20 * mm), _p(TITLE, "title")]
    if report.organisation:
        story.append(_p(report.organisation, "subtitle"))
    story += [
        Spacer(1, 4 * mm),
        _p(f"As of {wording.day(report.as_of)}", "subtitle"),
        _p(
            f"Produced by Steward on {wording.day(report.generated_at.date())} from the "
            "organisation's own records"
            + (
                f", control catalogue version {report.catalogue_version}."
                if report.catalogue_version
                else ", control catalogue as shipped."
            ),
            "small",
        ),
        Spacer(1, 8 * mm),
        _p("Overall assurance", "h2"),
        _p(wording.rating_words(report.overall.rating), "rating"),
        _p(wording.overall_source(report.overall)),
        Spacer(1, 6 * mm),
        _p("Executive summary", "h1"),
    ]
    story += [
        Paragraph(escape(line), STYLES["bullet"], bulletText="\u2022") for line in report.summary
    ]
    story += [Spacer(1, 6 * mm), _p(wording.NO_PERSONAL_DATA, "small"), PageBreak()]
    return story


def _areas(report: BoardReport) -> list[Any]:
    rows = [["Audit area", "Self-assessed", "Latest audit", "Measures", "Opinion"]]
    for a in report.areas:
        rows.append(
            [
                a.area.label,
                wording.rating_words(a.rating),
                wording.rating_words(a.audit_rating),
                RAG_LABELS[a.worst] if a.measures else "None placed",
                a.opinion,
            ]
        )
    widths = [32 * mm, 26 * mm, 26 * mm, 20 * mm, WIDTH - 104 * mm]
    return [
        _p("1. Assurance by audit area", "h1"),
        _p(
            "Each of the ICO's seven audit areas: the rating the organisation gave itself "
            "(a person's judgement, never Steward's), the latest audit's rating, the worst "
            "status among the area's measures, and what the evidence shows."
        ),
        Spacer(1, 3 * mm),
        _table(rows, widths, status_column=3, statuses=[a.worst for a in report.areas]),
    ]


def _measure_rows(measures: tuple[MeasureFigure, ...]) -> list[list[str]]:
    rows = [["Measure", "Figure", "Status", "Thresholds"]]
    for m in measures:
        figure = m.shown + (f"; {m.note}" if m.note else "")
        rows.append([f"{m.title}\n{m.definition}", figure, RAG_LABELS[m.status], m.threshold_words])
    return rows


def _measures(report: BoardReport) -> list[Any]:
    story: list[Any] = [
        _p("2. Measures by area", "h1"),
        _p(
            "Each measure is computed from the live records on the day of the report; its "
            "definition is beside its figure. The thresholds are the organisation's choice "
            "(see the appendix)."
        ),
    ]
    widths = [WIDTH - 105 * mm, 35 * mm, 22 * mm, 48 * mm]
    for a in report.areas:
        if not a.measures:
            continue
        statuses = [m.status for m in a.measures]
        story.append(
            KeepTogether(
                [
                    _p(a.area.label, "h2"),
                    _table(_measure_rows(a.measures), widths, status_column=2, statuses=statuses),
                ]
            )
        )
    return story


def _recommendations(report: BoardReport) -> list[Any]:
    rows = [["Priority", "In all", "Open", "Done", "Not accepted", "Overdue"]]
    for p in report.recommendations:
        rows.append(
            [
                p.priority.label,
                str(p.total),
                str(p.open),
                str(p.done),
                str(p.not_accepted),
                str(p.overdue),
            ]
        )
    widths = [WIDTH - 125 * mm] + [25 * mm] * 5
    return [
        PageBreak(),
        _p("3. Recommendations by priority", "h1"),
        _p(
            "Every recommendation of the audits reported by the day of this report, as its "
            "action stood that day. An action is overdue when it is still open after the date "
            "agreed for it."
        ),
        Spacer(1, 3 * mm),
        _table(rows, widths),
    ]


def _progress(report: BoardReport) -> list[Any]:
    a = report.actions
    rows = [["Status", "Actions"]] + [[s.label, str(n)] for s, n in a.by_status]
    rows.append(["Of the open ones, overdue", str(a.overdue)])
    story: list[Any] = [
        _p("4. Progress on the action plan", "h1"),
        _table(rows, [60 * mm, 30 * mm]),
        _p("Overdue urgent and high priority actions", "h2"),
    ]
    if a.red:
        red = [["Reference", "Audit", "Recommendation", "Priority", "Agreed date"]]
        red += [
            [r.reference, r.audit_title, r.text, r.priority.label, wording.day(r.agreed_on)]
            for r in a.red
        ]
        story.append(_table(red, [20 * mm, 35 * mm, WIDTH - 110 * mm, 20 * mm, 35 * mm]))
    else:
        story.append(_p("None: no urgent or high priority action is past its agreed date."))
    t, b = report.attestations, report.breaches
    story += [
        _p("5. Attestations and breaches", "h1"),
        _table(
            [
                ["Attestations", "Number"],
                ["Current", str(t.current)],
                ["Due for review within 30 days", str(t.due_soon)],
                ["Expired (past their review date)", str(t.expired)],
            ],
            [90 * mm, 30 * mm],
        ),
        Spacer(1, 4 * mm),
        _table(
            [
                ["Breaches in the 12 months to the day of the report", "Number"],
                ["Reported (incidents and near misses)", str(b.reported)],
                ["Of which near misses", str(b.near_misses)],
                ["Notified to the ICO", str(b.notified)],
                ["Notified within 72 hours of awareness", str(b.notified_within_72_hours)],
                ["Decided not to notify", str(b.not_notified)],
                ["Decisions overdue on the day", str(b.overdue_now)],
            ],
            [90 * mm, 30 * mm],
        ),
    ]
    return story


def _shown(kind: Kind, value: float | None) -> str:
    if value is None:
        return "none counted"
    return f"{value:g}%" if kind is Kind.PERCENT else f"{value:g}"


def _chart(trend: Trend) -> Drawing:
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 12 * mm
    chart.width, chart.height = WIDTH - 20 * mm, 44 * mm
    # No figure (nothing to count) draws no bar; the table says "none counted".
    chart.data = [[p.value if p.value is not None else 0 for p in trend.points]]
    chart.categoryAxis.categoryNames = [f"{p.on:%b %y}" for p in trend.points]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if trend.kind is Kind.PERCENT:
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 100, 20
    else:
        top = max((p.value or 0 for p in trend.points), default=0)
        chart.valueAxis.valueMax = max(top, 4)
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    unit = "Per cent" if trend.kind is Kind.PERCENT else "Count"
    drawing.add(String(0, 58 * mm, f"{unit} at each month end", fontSize=8))
    return drawing


def _trends(report: BoardReport) -> list[Any]:
    story: list[Any] = [
        PageBreak(),
        _p("6. Twelve-month trends", "h1"),
        _p(
            "The headline measures at each of the last twelve month ends, the last being the "
            "day of the report. Each chart's figures are in the table below it."
        ),
    ]
    for t in report.trends:
        half = (len(t.points) + 1) // 2
        cells = [(f"{p.on:%-d %b %Y}", _shown(t.kind, p.value)) for p in t.points]
        left, right = cells[:half], cells[half:]
        rows = [["Month end", "Figure", "Month end", "Figure"]]
        for i, (on, shown) in enumerate(left):
            other = right[i] if i < len(right) else ("", "")
            rows.append([on, shown, *other])
        story.append(
            KeepTogether(
                [
                    _p(t.title, "h2"),
                    _chart(t),
                    _table(rows, [WIDTH / 4] * 4),
                    Spacer(1, 4 * mm),
                ]
            )
        )
    if not report.trends:
        story.append(_p("No headline measure is computed yet."))
    return story


def _appendix() -> list[Any]:
    scale = [["Rating", "What it means"]] + [[r.label, words] for r, words in wording.SCALE]
    grades = [["Priority", "What it means"]] + [[p.label, words] for p, words in wording.PRIORITIES]
    return [
        PageBreak(),
        _p("Appendix: the scales used in this report", "h1"),
        _p("The four-point assurance scale", "h2"),
        _p(
            "The ICO's scale for an audit's opinion, used here for the organisation's own "
            "self-assessment too."
        ),
        _table(scale, [45 * mm, WIDTH - 45 * mm]),
        _p("Green, amber and red", "h2"),
        _p(wording.RAG_MEANING),
        _p("Recommendation priorities", "h2"),
        _table(grades, [45 * mm, WIDTH - 45 * mm]),
        _p("About this report", "h2"),
        _p(wording.NO_PERSONAL_DATA),
    ]


# --- the document -------------------------------------------------------------------------------


def _numbered(as_of: str) -> type[Canvas]:
    """A canvas that writes "Page n of m" and the day reported on at the foot of each page,
    once the page count is known."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(INK)
                self.drawString(core_pdf.MARGIN, 10 * mm, f"Board report as of {as_of}")
                self.drawRightString(
                    A4[0] - core_pdf.MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def pdf(report: BoardReport) -> bytes:
    story = (
        _cover(report)
        + _areas(report)
        + _measures(report)
        + _recommendations(report)
        + _progress(report)
        + _trends(report)
        + _appendix()
    )
    as_of = wording.day(report.as_of)
    return core_pdf.a4(
        story,
        title=f"{TITLE}, as of {as_of}",
        author=report.organisation or "Steward",
        subject="Data protection assurance: figures from the organisation's own records",
        canvasmaker=_numbered(as_of),
    )
