"""Self-assessment per ICO audit area: a rating on the four-point scale chosen by a person,
with a dated statement. Never edited: a new assessment supersedes the last, and every one is
kept as the area's history. Steward shows the evidence beside it; it never picks the rating.

Recording needs assurance:manage; reading needs assurance:view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.events import AuditsEvent
from steward.assurance.audits.models import Audit, SelfAssessment
from steward.assurance.audits.service import audits, sealed
from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

SUBJECT_TYPE = "assurance_self_assessment"
MAX_STATEMENT = 4000


@dataclass(frozen=True, slots=True)
class AreaStanding:
    """An area's current self-assessment (if any) and the latest audit's rating of it."""

    area: Area
    rating: Rating | None
    assessed_on: date | None
    assessed_by: str | None
    audit_rating: Rating | None
    audit: Audit | None


@dataclass(frozen=True, slots=True)
class AssessmentView:
    id: int
    rating: Rating
    assessed_on: date
    assessed_by: str | None
    statement: str
    current: bool


def read_area(value: str) -> Area:
    if value not in {a.value for a in Area}:
        raise NotFound("There is no such audit area.")
    return Area(value)


def _context(row_id: int) -> str:
    return f"assurance_self_assessment:{row_id}:statement"


def record_assessment(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    area: Area,
    *,
    rating: str,
    statement: str,
    assessed_on: date | None,
) -> SelfAssessment:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors: dict[str, str] = {}
    if rating not in {r.value for r in Rating}:
        errors["rating"] = "Select a rating on the four-point scale"
    text = statement.strip()
    if not text:
        errors["statement"] = "Enter the statement behind the rating"
    elif len(text) > MAX_STATEMENT:
        errors["statement"] = f"The statement must be {MAX_STATEMENT:,} characters or fewer"
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    elif assessed_on > clock.today():
        errors["assessed_on"] = "The date of the assessment must be today or in the past"
    if errors or assessed_on is None:
        raise ValidationFailed(
            "Check the assessment's details: nothing was recorded.", errors=errors
        )
    key_id = sealed.new_key(db, kek)
    row = SelfAssessment(
        area=area.value,
        rating=rating,
        assessed_on=assessed_on,
        assessed_by=actor.user_id,
        key_id=key_id,
        statement_sealed=b"",
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    row.statement_sealed = sealed.seal_text(db, kek, key_id, _context(row.id), text)
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.SELF_ASSESSMENT_RECORDED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={"area": area.value, "rating": rating},
    )
    return row


def _latest_per_area(db: Session) -> dict[Area, SelfAssessment]:
    found: dict[Area, SelfAssessment] = {}
    for row in db.scalars(
        select(SelfAssessment).order_by(SelfAssessment.assessed_on, SelfAssessment.id)
    ):
        found[Area(row.area)] = row  # the latest (by date, then as recorded) wins
    return found


def standing(db: Session, actor: Actor) -> list[AreaStanding]:
    """Every area, in the ICO's order: its current self-assessment and latest audit rating."""
    actor.require(Permission.ASSURANCE_VIEW)
    latest = _latest_per_area(db)
    rated = audits.latest_ratings(db)
    names = auth.usernames(db, [r.assessed_by for r in latest.values() if r.assessed_by])
    lines = []
    for area in Area:
        row = latest.get(area)
        audit_rating = rated.get(area)
        lines.append(
            AreaStanding(
                area,
                Rating(row.rating) if row else None,
                row.assessed_on if row else None,
                names.get(row.assessed_by) if row and row.assessed_by else None,
                audit_rating[0] if audit_rating else None,
                audit_rating[1] if audit_rating else None,
            )
        )
    return lines


def history(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, area: Area, request: PageRequest
) -> Page[AssessmentView]:
    """The area's assessments, the current one first; superseded ones are kept."""
    actor.require(Permission.ASSURANCE_VIEW)
    current_id = db.scalar(
        select(SelfAssessment.id)
        .where(SelfAssessment.area == area.value)
        .order_by(SelfAssessment.assessed_on.desc(), SelfAssessment.id.desc())
        .limit(1)
    )
    query = (
        select(SelfAssessment)
        .where(SelfAssessment.area == area.value)
        .order_by(SelfAssessment.assessed_on.desc(), SelfAssessment.id.desc())
    )
    page = paginate(db, query, request)
    names = auth.usernames(db, [r.assessed_by for r in page.items if r.assessed_by])
    return page.map(
        lambda row: AssessmentView(
            row.id,
            Rating(row.rating),
            row.assessed_on,
            names.get(row.assessed_by) if row.assessed_by else None,
            sealed.open_text(db, kek, row.key_id, _context(row.id), row.statement_sealed),
            row.id == current_id,
        )
    )


def count_for(db: Session, area: Area) -> int:
    return int(
        db.scalar(select(func.count(SelfAssessment.id)).where(SelfAssessment.area == area.value))
        or 0
    )
