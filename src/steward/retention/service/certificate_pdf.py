"""A certificate of destruction as an A4 PDF: what the DPO signs and files, and what an
auditor reads in the evidence pack. It says what was disposed of under which rules, how, who
took each of the four steps (no one approved their own list), and the list's SHA-256, which
ties the certificate to the items as they were destroyed. No record identifiers: only counts,
record classes and staff usernames."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer
from sqlalchemy.orm import Session

from steward.core import audit, clock, pdf
from steward.core.permissions import Actor
from steward.retention.events import RetentionAudit
from steward.retention.service.certificates import Certificate, certificate_for

_sheet = getSampleStyleSheet()
BODY = ParagraphStyle("certificate", _sheet["BodyText"], fontSize=10, leading=14)
SMALL = ParagraphStyle("certificate-small", BODY, fontSize=8.5, leading=11)
BOLD = ParagraphStyle("certificate-bold", BODY, fontName="Helvetica-Bold")
DIGEST = ParagraphStyle("certificate-digest", BODY, fontName="Courier", fontSize=7.5)
TITLE = ParagraphStyle("certificate-title", _sheet["Title"], fontSize=20, leading=26, alignment=0)
HEADING = ParagraphStyle("certificate-h2", _sheet["Heading2"], fontSize=13, leading=17)


def _rows(lines: list[tuple[str, str]], value_style: ParagraphStyle = BODY) -> list[list[object]]:
    return [[pdf.para(label, BOLD), pdf.para(value, value_style)] for label, value in lines]


def render(certificate: Certificate, organisation: str) -> bytes:
    width = pdf.FRAME_WIDTH
    two = [width * 0.34, width * 0.66]
    issued = clock.govuk_datetime(certificate.issued_at)
    story: list[Flowable] = [
        pdf.para(organisation or "Steward", SMALL),
        pdf.para(f"Certificate of destruction {certificate.reference}", TITLE),
        pdf.para(
            f"The records on disposal list {certificate.list_reference} were disposed of as set "
            f"out below on {issued}, under the organisation's approved retention schedule.",
            BODY,
        ),
        Spacer(1, 4 * mm),
        pdf.para("What was disposed of", HEADING),
        pdf.ruled_table(
            _rows(
                [
                    ("Certificate", certificate.reference),
                    ("Disposal list", certificate.list_reference),
                    ("Issued", issued),
                    ("Records destroyed", f"{certificate.destroyed_count:,}"),
                    ("Paper files sent to the contractor", f"{certificate.paper_count:,}"),
                    ("Kept (retained, held or no longer due)", f"{certificate.kept_count:,}"),
                    ("Method", certificate.method),
                ]
            ),
            two,
            header=False,
        ),
        Spacer(1, 4 * mm),
        pdf.para("Rules they were disposed of under", HEADING),
    ]
    if certificate.rules:
        story.append(
            pdf.ruled_table(
                [[pdf.para(h, BOLD) for h in ("Record class", "Rule version", "Schedule version")]]
                + [
                    [
                        pdf.para(rule.class_code, BODY),
                        pdf.para(str(rule.rule_version), BODY),
                        pdf.para(str(rule.schedule_version), BODY),
                    ]
                    for rule in certificate.rules
                ],
                [width * 0.5, width * 0.25, width * 0.25],
            )
        )
    else:
        story.append(pdf.para("None: every item on the list was kept.", BODY))
    story += [
        Spacer(1, 4 * mm),
        pdf.para("Who took each step", HEADING),
        pdf.ruled_table(_rows(certificate.steps), two, header=False),
        Spacer(1, 4 * mm),
    ]
    # Each closing section stays on one page with its heading.
    check = (
        "The SHA-256 below is of the list as it was carried out: each item's identifier, record "
        "class, rule and schedule versions, due date, decision and outcome. The list kept in "
        "Steward gives the same digest; any change to it would not."
    )
    story += [
        KeepTogether(
            [
                pdf.para("Checking this certificate", HEADING),
                pdf.para(check, BODY),
                pdf.ruled_table(
                    _rows([("SHA-256", certificate.sha256)], DIGEST), two, header=False
                ),
            ]
        ),
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                pdf.para("Signed for the organisation", HEADING),
                pdf.ruled_table(
                    _rows([("Name", ""), ("Role", ""), ("Signature", ""), ("Date", "")]),
                    two,
                    header=False,
                    row_height=10 * mm,
                ),
            ]
        ),
    ]
    return pdf.a4(
        story,
        title=f"Certificate of destruction {certificate.reference}",
        author=organisation,
        subject=f"Disposal list {certificate.list_reference}",
    )


def printed(db: Session, actor: Actor, *, list_id: int, organisation: str) -> tuple[str, bytes]:
    """The list's certificate as an A4 PDF to sign and file: its file name and bytes.
    Printing it is on record, like any export."""
    certificate = certificate_for(db, actor, list_id=list_id)
    data = render(certificate, organisation)
    audit.record(
        db,
        actor,
        RetentionAudit.CERTIFICATE_PRINTED,
        subject_type="disposal_list",
        subject_id=list_id,
        details={"bytes": len(data)},
    )
    return f"certificate-of-destruction-{certificate.reference}.pdf", data
