"""The record of processing as CSV and PDF, and the asset register as CSV: what an auditor or
the ICO asks for (Art 30(4)). Cells that a spreadsheet would run as formulas are neutralised.
Each export is audited, with what was exported and how many entries."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from steward.assurance.processing.events import ProcessingEvent
from steward.assurance.processing.service import activities, assets
from steward.assurance.processing.service.common import require_view, usernames
from steward.core import audit, clock
from steward.core.files import csv_cell
from steward.core.permissions import Actor

ACTIVITY_COLUMNS = (
    "name",
    "controller_contact",
    "dpo_contact",
    "purposes",
    "data_subjects",
    "data_categories",
    "recipients",
    "transfers",
    "erasure_limits",
    "security_measures",
    "lawful_basis",
    "special_category",
    "criminal_offence",
    "art9_condition",
    "sch1_condition",
    "owner_user_id",
    "last_reviewed_on",
    "next_review_on",
)
EXTRA_COLUMNS = ("Record classes", "Complete", "Missing")
ASSET_COLUMNS = (
    "Name",
    "Kind",
    "Location or system",
    "Owner",
    "Activities",
    "Record classes",
    "Security notes",
    "Next review",
)


def _exported(db: Session, actor: Actor, what: str, count: int) -> None:
    audit.record(
        db,
        actor,
        ProcessingEvent.REGISTER_EXPORTED,
        subject_type="processing_register",
        details={"what": what, "entries": count},
    )


def _activity_rows(db: Session) -> list[activities.ActivityRow]:
    return activities.rows_for(db, activities.all_activities(db), clock.today())


def activities_csv(db: Session, actor: Actor) -> str:
    require_view(actor)
    rows = _activity_rows(db)
    owners = usernames(db, (r.activity.owner_user_id for r in rows))
    titles = activities.field_titles()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([titles[c] for c in ACTIVITY_COLUMNS] + list(EXTRA_COLUMNS))
    for row in rows:
        cells = [activities.words(c, getattr(row.activity, c), owners) for c in ACTIVITY_COLUMNS]
        cells += [
            " ".join(row.mapped_classes),
            "Yes" if row.complete else "No",
            "; ".join(row.missing),
        ]
        writer.writerow([csv_cell(c) for c in cells])
    _exported(db, actor, "activities_csv", len(rows))
    return out.getvalue()


def assets_csv(db: Session, actor: Actor) -> str:
    require_view(actor)
    rows = assets.rows_for(db, assets.all_assets(db), clock.today())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ASSET_COLUMNS)
    for row in rows:
        a = row.asset
        cells = [
            a.name,
            a.kind,
            a.location,
            row.owner or "No owner",
            "; ".join(name for _, name in row.activities),
            " ".join(row.class_codes),
            a.security_notes,
            activities.words("next_review_on", a.next_review_on),
        ]
        writer.writerow([csv_cell(c) for c in cells])
    _exported(db, actor, "assets_csv", len(rows))
    return out.getvalue()


def activities_pdf(db: Session, actor: Actor, *, organisation: str) -> bytes:
    """The record of processing, an entry a block, each field named as Art 30(1) names it."""
    require_view(actor)
    rows = _activity_rows(db)
    owners = usernames(db, (r.activity.owner_user_id for r in rows))
    titles = activities.field_titles()
    sheet = getSampleStyleSheet()
    cell = sheet["BodyText"].clone("cell", fontSize=8.5, leading=11)
    today = clock.today().strftime("%-d %B %Y")
    story: list[object] = [
        Paragraph(escape(f"Record of processing activities: {organisation}"), sheet["Title"]),
        Paragraph(
            escape(f"UK GDPR Article 30(1). {len(rows)} activities, as at {today}."),
            sheet["BodyText"],
        ),
    ]
    for row in rows:
        data = [
            [
                Paragraph(escape(titles[c]), cell),
                Paragraph(escape(activities.words(c, getattr(row.activity, c), owners)), cell),
            ]
            for c in ACTIVITY_COLUMNS[1:]
        ]
        data.append(
            [
                Paragraph("Record classes", cell),
                Paragraph(escape(" ".join(row.mapped_classes) or "None mapped"), cell),
            ]
        )
        data.append(
            [
                Paragraph("Complete", cell),
                Paragraph(escape("Yes" if row.complete else "No: " + "; ".join(row.missing)), cell),
            ]
        )
        table = Table(data, colWidths=[50 * mm, 125 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f2f1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(
            KeepTogether(
                [
                    Spacer(1, 5 * mm),
                    Paragraph(escape(row.activity.name), sheet["Heading2"]),
                ]
            )
        )
        story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Record of processing activities",
        author="Steward",
    ).build(story)
    _exported(db, actor, "activities_pdf", len(rows))
    return out.getvalue()
