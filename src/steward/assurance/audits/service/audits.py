"""Recording an audit (internal or ICO): its scope, a rating per area and overall, its
recommendations with owners and agreed dates, and follow-up reviews.

Reading needs assurance:view; recording needs assurance:manage. Every check is made before
anything is kept: a refused entry changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area, Rating
from steward.assurance.audits import policy
from steward.assurance.audits.events import AuditsEvent
from steward.assurance.audits.models import Audit, AuditArea, FollowUp, Recommendation
from steward.assurance.audits.policy import ActionStatus, AuditKind, Priority
from steward.assurance.audits.service import sealed
from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

SUBJECT_TYPE = "assurance_audit"
RECOMMENDATION_SUBJECT = "assurance_recommendation"
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_NOTE = 4000
MAX_REFERENCE = 16
# A scope entry with no rating: in scope, not (yet) rated.
UNRATED = "unrated"


@dataclass(frozen=True, slots=True)
class NewAudit:
    title: str
    kind: str
    auditor: str
    started_on: date | None
    reported_on: date | None
    overall_rating: str
    # Area code -> rating code, or UNRATED; areas left out are outside the scope.
    areas: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class NewRecommendation:
    reference: str
    area: str
    text: str
    priority: str
    owner: str  # the owner's username
    agreed_on: date | None


@dataclass(frozen=True, slots=True)
class FollowUpView:
    id: int
    reviewed_on: date
    rating: Rating | None
    findings: str
    recorded_by: str | None


@dataclass(frozen=True, slots=True)
class AuditView:
    audit: Audit
    kind: AuditKind
    overall: Rating | None
    areas: list[tuple[Area, Rating | None]]
    recommendations: list[Recommendation]
    owners: dict[int, str]
    follow_ups: list[FollowUpView]


def _rating(code: str | None) -> Rating | None:
    return Rating(code) if code else None


def _text(value: str, field: str, limit: int, what: str, errors: dict[str, str]) -> str:
    text = value.strip()
    if not text:
        errors[field] = f"Enter {what}"
    elif len(text) > limit:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
    return text


def _choice(
    value: str, choices: type[Area] | type[Rating] | type[AuditKind] | type[Priority]
) -> bool:
    return value in {c.value for c in choices}


def _checked_audit(new: NewAudit) -> dict[str, str]:
    errors: dict[str, str] = {}
    _text(new.title, "title", MAX_TITLE, "the audit's title", errors)
    _text(new.auditor, "auditor", MAX_TITLE, "who carried out the audit", errors)
    if not _choice(new.kind, AuditKind):
        errors["kind"] = "Select whether it was an internal or an ICO audit"
    if new.overall_rating and not _choice(new.overall_rating, Rating):
        errors["overall_rating"] = "Select the overall rating from the list"
    if new.started_on is None:
        errors["started_on"] = "Enter the date the audit started"
    if new.reported_on is None:
        errors["reported_on"] = "Enter the date of the audit's report"
    elif new.reported_on > clock.today():
        errors["reported_on"] = "The date of the report must be today or in the past"
    elif new.started_on is not None and new.reported_on < new.started_on:
        errors["reported_on"] = "The date of the report must be on or after the date it started"
    if not new.areas:
        errors["areas"] = "Select at least one area in the audit's scope"
    for area, rating in new.areas.items():
        if not _choice(area, Area):
            errors["areas"] = "Select areas from the list"
        elif rating != UNRATED and not _choice(rating, Rating):
            errors["areas"] = f"Choose a rating for {Area(area).label} from the list"
    return errors


def record_audit(db: Session, actor: Actor, new: NewAudit) -> Audit:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors = _checked_audit(new)
    if errors:
        raise ValidationFailed("Check the audit's details: nothing was recorded.", errors=errors)
    assert new.started_on is not None and new.reported_on is not None
    row = Audit(
        title=new.title.strip(),
        kind=new.kind,
        auditor=new.auditor.strip(),
        started_on=new.started_on,
        reported_on=new.reported_on,
        overall_rating=new.overall_rating or None,
        recorded_by=actor.user_id,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    for area, rating in new.areas.items():
        db.add(AuditArea(audit_id=row.id, area=area, rating=None if rating == UNRATED else rating))
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.AUDIT_RECORDED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={"kind": new.kind, "areas": len(new.areas)},
    )
    return row


def list_audits(db: Session, actor: Actor, request: PageRequest) -> Page[Audit]:
    """Audits, the latest report first."""
    actor.require(Permission.ASSURANCE_VIEW)
    query = select(Audit).order_by(Audit.reported_on.desc(), Audit.id.desc())
    return paginate(db, query, request)


def get_audit(db: Session, audit_id: int) -> Audit:
    row = db.get(Audit, audit_id)
    if row is None:
        raise NotFound("There is no such audit.")
    return row


def view_audit(db: Session, kek: KeyEncryptionKeys, actor: Actor, audit_id: int) -> AuditView:
    actor.require(Permission.ASSURANCE_VIEW)
    row = get_audit(db, audit_id)
    areas = sorted(
        (
            (Area(a.area), _rating(a.rating))
            for a in db.scalars(select(AuditArea).where(AuditArea.audit_id == row.id))
        ),
        key=lambda pair: list(Area).index(pair[0]),
    )
    recommendations = list(
        db.scalars(
            select(Recommendation)
            .where(Recommendation.audit_id == row.id)
            .order_by(Recommendation.reference, Recommendation.id)
        )
    )
    follow_rows = list(
        db.scalars(
            select(FollowUp)
            .where(FollowUp.audit_id == row.id)
            .order_by(FollowUp.reviewed_on, FollowUp.id)
        )
    )
    names = auth.usernames(
        db,
        [r.owner_id for r in recommendations]
        + [f.recorded_by for f in follow_rows if f.recorded_by is not None],
    )
    follow_ups = [
        FollowUpView(
            f.id,
            f.reviewed_on,
            _rating(f.rating),
            sealed.open_text(db, kek, f.key_id, _follow_up_context(f.id), f.findings_sealed),
            names.get(f.recorded_by) if f.recorded_by is not None else None,
        )
        for f in follow_rows
    ]
    return AuditView(
        row,
        AuditKind(row.kind),
        _rating(row.overall_rating),
        areas,
        recommendations,
        names,
        follow_ups,
    )


def owner_for(db: Session, username: str, errors: dict[str, str]) -> int | None:
    """The id of the active account named, or an error on the owner field."""
    name = username.strip().lower()
    if not name:
        errors["owner"] = "Enter the username of the action's owner"
        return None
    user = db.scalar(select(auth.User).where(auth.User.username == name[:64]))
    if user is None or not user.is_active:
        errors["owner"] = "There is no active account with that username"
        return None
    return user.id


def add_recommendation(
    db: Session, actor: Actor, audit_id: int, new: NewRecommendation
) -> Recommendation:
    actor.require(Permission.ASSURANCE_MANAGE)
    row = get_audit(db, audit_id)
    errors: dict[str, str] = {}
    reference = _text(
        new.reference, "reference", MAX_REFERENCE, "the recommendation's reference", errors
    )
    text = _text(new.text, "text", MAX_TEXT, "the recommendation", errors)
    if new.area and not _choice(new.area, Area):
        errors["area"] = "Select the area from the list"
    if not _choice(new.priority, Priority):
        errors["priority"] = "Select the recommendation's priority"
    owner_id = owner_for(db, new.owner, errors)
    if new.agreed_on is None:
        errors["agreed_on"] = "Enter the date agreed for the action"
    elif new.agreed_on < row.started_on:
        errors["agreed_on"] = "The date agreed must be on or after the audit started"
    if errors or owner_id is None or new.agreed_on is None:
        raise ValidationFailed(
            "Check the recommendation's details: nothing was recorded.", errors=errors
        )
    now = clock.now()
    rec = Recommendation(
        audit_id=row.id,
        reference=reference,
        area=new.area or None,
        text=text,
        priority=new.priority,
        owner_id=owner_id,
        agreed_on=new.agreed_on,
        status=ActionStatus.OPEN.value,
        created_at=now,
        updated_at=now,
    )
    db.add(rec)
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.RECOMMENDATION_ADDED,
        subject_type=RECOMMENDATION_SUBJECT,
        subject_id=rec.id,
        details={"audit_id": row.id, "priority": new.priority, "owner_id": owner_id},
    )
    return rec


def _follow_up_context(follow_up_id: int) -> str:
    return f"assurance_follow_up:{follow_up_id}:findings"


def record_follow_up(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    audit_id: int,
    *,
    reviewed_on: date | None,
    findings: str,
    rating: str,
) -> FollowUp:
    """A follow-up review; a rating given becomes the audit's overall rating from then on."""
    actor.require(Permission.ASSURANCE_MANAGE)
    row = get_audit(db, audit_id)
    errors: dict[str, str] = {}
    text = _text(findings, "findings", MAX_NOTE, "what the review found", errors)
    if rating and not _choice(rating, Rating):
        errors["rating"] = "Select the rating from the list"
    if reviewed_on is None:
        errors["reviewed_on"] = "Enter the date of the review"
    elif reviewed_on > clock.today():
        errors["reviewed_on"] = "The date of the review must be today or in the past"
    elif reviewed_on < row.reported_on:
        errors["reviewed_on"] = "The date of the review must be on or after the audit's report"
    if errors or reviewed_on is None:
        raise ValidationFailed("Check the review's details: nothing was recorded.", errors=errors)
    key_id = sealed.new_key(db, kek)
    follow_up = FollowUp(
        audit_id=row.id,
        reviewed_on=reviewed_on,
        rating=rating or None,
        recorded_by=actor.user_id,
        key_id=key_id,
        findings_sealed=b"",
        created_at=clock.now(),
    )
    db.add(follow_up)
    db.flush()
    follow_up.findings_sealed = sealed.seal_text(
        db, kek, key_id, _follow_up_context(follow_up.id), text
    )
    if rating:
        row.overall_rating = rating
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.FOLLOW_UP_RECORDED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={"follow_up_id": follow_up.id, "rating": rating or None},
    )
    return follow_up


def latest_ratings(db: Session) -> dict[Area, tuple[Rating, Audit]]:
    """Each area's rating in the latest audit that rated it (internal or ICO)."""
    rows = db.execute(
        select(AuditArea.area, AuditArea.rating, Audit)
        .join(Audit, Audit.id == AuditArea.audit_id)
        .where(AuditArea.rating.is_not(None))
        .order_by(Audit.reported_on, Audit.id)
    )
    found: dict[Area, tuple[Rating, Audit]] = {}
    for area, rating, row in rows:
        if rating is not None:
            found[Area(area)] = (Rating(rating), row)  # later audits overwrite earlier ones
    return found


def is_red(rec: Recommendation, as_of: date) -> bool:
    return policy.is_red(Priority(rec.priority), ActionStatus(rec.status), rec.agreed_on, as_of)


def is_overdue(rec: Recommendation, as_of: date) -> bool:
    return policy.is_overdue(ActionStatus(rec.status), rec.agreed_on, as_of)
