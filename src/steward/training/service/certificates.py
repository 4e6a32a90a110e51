"""A person's completed courses, and a certificate (PDF) for each completion, whatever its
source. A certificate is for the person, their manager, or those who see the organisation's
training compliance; to anyone else it answers as a missing one does. Each one issued is an
audited event (CERTIFICATE_ISSUED).

The verification reference on a certificate is the completion's number and eight characters
of its fingerprint (which only Steward holds): ``check`` tells whether a reference is one
Steward issued, and for which completion."""

from __future__ import annotations

import hmac
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import NotFound
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, StaffMember
from steward.training.policy import Source
from steward.training.service import staff

SUBJECT_TYPE = "training_completion"
REFERENCE = re.compile(r"^TRN-(\d{1,18})-([0-9A-F]{8})$")

# How each source reads on a page and a certificate.
SOURCE_WORDS: dict[str, str] = {
    Source.E_LEARNING: "Built-in e-learning module, assessed in Steward",
    Source.MOODLE: "Recorded in Moodle, the learning management system",
    Source.XAPI: "Recorded by the learning management system (xAPI)",
    Source.MANUAL: "Recorded by a manager, with evidence of attendance",
}


@dataclass(frozen=True, slots=True)
class Completed:
    """One completion as a list shows it."""

    id: int
    course_code: str
    course_title: str
    version: int
    completed_on: date
    source: str
    score: int | None
    reference: str

    @property
    def source_words(self) -> str:
        return SOURCE_WORDS.get(self.source, self.source)


@dataclass(frozen=True, slots=True)
class Certificate:
    filename: str
    data: bytes
    reference: str


def reference(completion: Completion) -> str:
    return f"TRN-{completion.id:06d}-{completion.fingerprint[:8].upper()}"


def completed(db: Session, staff_id: int, page: PageRequest) -> Page[Completed]:
    """A person's completions, newest first. The caller decides who may see them (the
    person themselves on "My training")."""
    query = (
        select(Completion, Course.code, Course.title)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.staff_id == staff_id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    )
    found: Page[Any] = paginate(db, query, page, scalars=False)
    return found.map(_completed)


def _completed(row: Any) -> Completed:
    completion, code, title = row
    return Completed(
        completion.id,
        code,
        title,
        completion.course_version,
        completion.completed_on,
        completion.source,
        completion.score,
        reference(completion),
    )


def _visible(db: Session, actor: Actor, completion_id: int) -> tuple[Completion, StaffMember]:
    completion = db.get(Completion, completion_id)
    person = db.get(StaffMember, completion.staff_id) if completion is not None else None
    if completion is None or person is None or not _may_see(db, actor, person):
        raise NotFound("There is no such certificate.")
    return completion, person


def _may_see(db: Session, actor: Actor, person: StaffMember) -> bool:
    if actor.can(Permission.TRAINING_VIEW_COMPLIANCE):
        return True
    me = staff.for_user(db, actor.user_id)
    return me is not None and me.id in (person.id, person.manager_id)


def issue(db: Session, actor: Actor, completion_id: int, *, organisation: str) -> Certificate:
    """The certificate of one completion, as a PDF."""
    completion, person = _visible(db, actor, completion_id)
    course = db.get(Course, completion.course_id)
    assert course is not None  # a foreign key holds it
    ref = reference(completion)
    data = _pdf(
        organisation=organisation,
        name=person.name,
        course=course.title,
        code=course.code,
        version=completion.course_version,
        completed_on=completion.completed_on,
        score=completion.score,
        pass_mark=course.pass_mark if completion.score is not None else None,
        source=SOURCE_WORDS.get(completion.source, completion.source),
        reference=ref,
    )
    audit.record(
        db,
        actor,
        TrainingEvent.CERTIFICATE_ISSUED,
        subject_type=SUBJECT_TYPE,
        subject_id=completion.id,
        details={"staff_id": person.id, "course_id": course.id},
    )
    return Certificate(f"certificate-{course.code.lower()}-{completion.id}.pdf", data, ref)


@dataclass(frozen=True, slots=True)
class Checked:
    """What a genuine certificate states."""

    completion_id: int
    name: str
    staff_number: str
    course_code: str
    course_title: str
    version: int
    completed_on: date
    source: str
    score: int | None

    @property
    def source_words(self) -> str:
        return SOURCE_WORDS.get(self.source, self.source)


def check(db: Session, actor: Actor, ref: str) -> Checked | None:
    """What the certificate with this reference states, if Steward issued it (None: it did
    not, or the reference is mistyped). For those who see training compliance; each check
    that finds one is an audited read."""
    actor.require(Permission.TRAINING_VIEW_COMPLIANCE)
    match = REFERENCE.match(ref.strip().upper())
    if match is None:
        return None
    completion = db.get(Completion, int(match.group(1)))
    if completion is None or not hmac.compare_digest(
        completion.fingerprint[:8].upper(), match.group(2)
    ):
        return None
    person = db.get(StaffMember, completion.staff_id)
    course = db.get(Course, completion.course_id)
    assert person is not None and course is not None  # foreign keys hold them
    audit.record(
        db,
        actor,
        TrainingEvent.CERTIFICATE_CHECKED,
        subject_type=SUBJECT_TYPE,
        subject_id=completion.id,
        details={"staff_id": person.id, "course_id": course.id},
    )
    return Checked(
        completion.id,
        person.name,
        person.staff_number,
        course.code,
        course.title,
        completion.course_version,
        completion.completed_on,
        completion.source,
        completion.score,
    )


def _govuk_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _pdf(
    *,
    organisation: str,
    name: str,
    course: str,
    code: str,
    version: int,
    completed_on: date,
    score: int | None,
    pass_mark: int | None,
    source: str,
    reference: str,
) -> bytes:
    """A one-page A4 landscape certificate. Every value goes in as text (escaped): a name
    with "<" or "&" is printed as it is, never read as markup."""
    centred = ParagraphStyle(
        "centred", fontName="Helvetica", fontSize=13, leading=18, alignment=TA_CENTER
    )
    small = ParagraphStyle(
        "small", parent=centred, fontSize=10, leading=14, textColor=colors.HexColor("#505a5f")
    )
    heading = ParagraphStyle(
        "heading", parent=centred, fontName="Helvetica-Bold", fontSize=28, leading=34
    )
    big = ParagraphStyle("big", parent=centred, fontName="Helvetica-Bold", fontSize=22, leading=28)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    scored = (
        f"Score {score}%" + (f" (pass mark {pass_mark}%)" if pass_mark is not None else "")
        if score is not None
        else "Not scored"
    )
    story = [
        para(organisation, small),
        Spacer(1, 10 * mm),
        para("Certificate of completion", heading),
        Spacer(1, 10 * mm),
        para("This is to certify that", centred),
        Spacer(1, 3 * mm),
        para(name, big),
        Spacer(1, 3 * mm),
        para("completed", centred),
        Spacer(1, 3 * mm),
        para(course, big),
        para(f"{code}, version {version}", centred),
        Spacer(1, 6 * mm),
        para(f"on {_govuk_date(completed_on)}", centred),
        para(scored, centred),
        para(source, centred),
        Spacer(1, 12 * mm),
        para(f"Verification reference: {reference}", small),
        para(
            "Ask the organisation's training or information governance team to confirm it.",
            small,
        ),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        title=f"Certificate of completion: {course}",
        author=organisation,
        subject=reference,
    )

    def border(canvas: Canvas, _document: object) -> None:
        width, height = landscape(A4)
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#1d70b8"))
        canvas.setLineWidth(3)
        canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
        canvas.restoreState()

    document.build(story, onFirstPage=border, onLaterPages=border)
    return out.getvalue()
