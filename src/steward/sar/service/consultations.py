"""Consultations before disclosure: records that came from a partner (a local authority, a
court), or whose disclosure a professional must judge for serious harm (DPA 2018 Sch 3 Pt 3,
the social work exemption), are not released until the handler has asked them.

A consultation names who was asked and why -- sealed under the request's key, since a
professional's name or a partner's team can identify people -- and the date a reply is due.
It is chased while no reply comes, and ends with the outcome: they agree to disclosure, they
object, or no reply came (the handler then decides alone, and the timeline shows they asked).
Each action is one audit event and one step of the request's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor
from steward.sar import policy
from steward.sar.events import SarEvent
from steward.sar.models import SarConsultation, SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service.requests import SUBJECT_TYPE, _step, get

MAX_WHO = 200
MAX_WHY = 2000
MAX_NOTE = 2000


class ConsultationKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    COURT = "court"
    OTHER_PARTNER = "other_partner"
    PROFESSIONAL = "professional"  # a view on whether disclosure would cause serious harm


class Outcome(StrEnum):
    AGREE = "agree"  # agrees to disclosure
    OBJECT = "object"
    NO_REPLY = "no_reply"


@dataclass(frozen=True)
class ConsultationView:
    """A consultation as the handler reads it, who and why unsealed."""

    id: int
    kind: ConsultationKind
    who: str
    why: str
    raised_on: date
    due_on: date
    chased_on: date | None
    chases: int
    outcome: Outcome | None
    answered_on: date | None
    overdue: bool


def is_overdue(due_on: date, outcome: str | None, today: date) -> bool:
    """Still waiting for a reply after the day it was due."""
    return outcome is None and due_on < today


def _context(consultation: SarConsultation, field: str) -> str:
    return f"sar_consultation:{consultation.id}:{field}"


def _text(value: str, field: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Enter {what}.", errors={field: f"Enter {what}"})
    if len(value) > limit:
        raise ValidationFailed(
            f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer.",
            errors={field: f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"},
        )
    return value


def _future_due(due_on: date | None, field: str = "due_on") -> date:
    if due_on is None:
        raise ValidationFailed(
            "Enter the date a reply is due.", errors={field: "Enter the date a reply is due"}
        )
    if due_on < clock.today():
        raise ValidationFailed(
            "The date a reply is due must be today or in the future.",
            errors={field: "The date a reply is due must be today or in the future"},
        )
    return due_on


def finished(request: SubjectAccessRequest) -> bool:
    """A finished request takes no new consultation, nor a change to one."""
    return Status(request.status) in policy.FINAL


def _open_request(db: Session, actor: Actor, request_id: int) -> SubjectAccessRequest:
    request = get(db, actor, request_id)
    if finished(request):
        raise Conflict("This request is finished: no consultation can be raised or changed.")
    return request


def raise_consultation(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    *,
    kind: ConsultationKind | str,
    who: str,
    why: str,
    due_on: date | None,
) -> SarConsultation:
    """Ask a partner or a professional before disclosing; their name and the question are
    sealed under the request's key."""
    request = _open_request(db, actor, request_id)
    # Every field is checked, so the form shows all its errors at once.
    errors: dict[str, str] = {}
    if kind not in {k.value for k in ConsultationKind}:
        errors["kind"] = "Choose who is being consulted"
    texts = [
        ("who", who, "the organisation or professional consulted", MAX_WHO),
        ("why", why, "why they are consulted", MAX_WHY),
    ]
    for field, value, what, limit in texts:
        try:
            _text(value, field, what, limit)
        except ValidationFailed as exc:
            errors |= exc.errors or {}
    try:
        due = _future_due(due_on)
    except ValidationFailed as exc:
        errors |= exc.errors or {}
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    kind = ConsultationKind(kind)
    who, why = who.strip(), why.strip()
    consultation = SarConsultation(
        request_id=request.id,
        kind=kind.value,
        who_sealed=b"",
        why_sealed=b"",
        raised_on=clock.today(),
        due_on=due,
        raised_by_user_id=actor.user_id,
        chases=0,
    )
    db.add(consultation)
    db.flush()
    consultation.who_sealed = _seal(db, kek, request, consultation, "who", who)
    consultation.why_sealed = _seal(db, kek, request, consultation, "why", why)
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.CONSULTATION_RAISED,
        from_status=request.status,
        details={"consultation_id": consultation.id, "kind": kind.value, "due_on": due.isoformat()},
    )
    return consultation


def _seal(
    db: Session,
    kek: KeyEncryptionKeys,
    request: SubjectAccessRequest,
    consultation: SarConsultation,
    field: str,
    text: str,
) -> bytes:
    return crypto.seal(
        db,
        kek,
        key_id=request.data_key_id,
        plaintext=text.encode(),
        context=_context(consultation, field),
    )


def _get(
    db: Session, actor: Actor, request_id: int, consultation_id: int
) -> tuple[SubjectAccessRequest, SarConsultation]:
    request = _open_request(db, actor, request_id)
    consultation = db.get(SarConsultation, consultation_id)
    if consultation is None or consultation.request_id != request.id:
        raise NotFound("There is no such consultation on this request.")
    if consultation.outcome is not None:
        raise Conflict("This consultation has already been answered.")
    return request, consultation


def answer(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    consultation_id: int,
    *,
    outcome: Outcome | str,
    answered_on: date | None = None,
    note: str | None = None,
) -> SarConsultation:
    """The reply (or the decision that none came); what they said, if given, is sealed on the
    timeline step."""
    request, consultation = _get(db, actor, request_id, consultation_id)
    try:
        outcome = Outcome(outcome)
    except ValueError as exc:
        raise ValidationFailed(
            "Choose what they said.", errors={"outcome": "Choose what they said"}
        ) from exc
    answered = answered_on or clock.today()
    if not consultation.raised_on <= answered <= clock.today():
        raise ValidationFailed(
            "The reply must have come between the day of asking and today.",
            errors={"answered_on": "Enter a date between the day of asking and today"},
        )
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationFailed(
            f"What they said must be {MAX_NOTE:,} characters or fewer.",
            errors={"note": f"What they said must be {MAX_NOTE:,} characters or fewer"},
        )
    consultation.outcome = outcome.value
    consultation.answered_on = answered
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.CONSULTATION_ANSWERED,
        from_status=request.status,
        note=note,
        details={
            "consultation_id": consultation.id,
            "outcome": outcome.value,
            "answered_on": answered.isoformat(),
        },
    )
    return consultation


def chase(
    db: Session,
    actor: Actor,
    request_id: int,
    consultation_id: int,
    *,
    due_on: date | None = None,
) -> SarConsultation:
    """Chased today; a new date a reply is due, if one was agreed."""
    request, consultation = _get(db, actor, request_id, consultation_id)
    if due_on is not None:
        consultation.due_on = _future_due(due_on)
    consultation.chased_on = clock.today()
    consultation.chases += 1
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.CONSULTATION_CHASED,
        from_status=request.status,
        details={
            "consultation_id": consultation.id,
            "chases": consultation.chases,
            "due_on": consultation.due_on.isoformat(),
        },
    )
    return consultation


def consultations(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    page: PageRequest = PageRequest(),
) -> Page[ConsultationView]:
    """A request's consultations, those still waiting first (soonest due), then answered
    ones; who and why unsealed, and the read audited."""
    request = get(db, actor, request_id)
    query = (
        select(SarConsultation)
        .where(SarConsultation.request_id == request.id)
        .order_by(
            SarConsultation.outcome.is_not(None),
            SarConsultation.due_on,
            SarConsultation.id,
        )
    )
    found: Page[SarConsultation] = paginate(db, query, page)
    today = clock.today()
    shown = found.map(lambda c: _view(db, kek, request, c, today))
    if found.items:
        audit.record(
            db,
            actor,
            SarEvent.CONSULTATIONS_READ,
            subject_type=SUBJECT_TYPE,
            subject_id=request.id,
            details={"consultations": [c.id for c in found.items]},
        )
    return shown


def _view(
    db: Session,
    kek: KeyEncryptionKeys,
    request: SubjectAccessRequest,
    c: SarConsultation,
    today: date,
) -> ConsultationView:
    return ConsultationView(
        id=c.id,
        kind=ConsultationKind(c.kind),
        who=_open(db, kek, request, c, "who"),
        why=_open(db, kek, request, c, "why"),
        raised_on=c.raised_on,
        due_on=c.due_on,
        chased_on=c.chased_on,
        chases=c.chases,
        outcome=Outcome(c.outcome) if c.outcome else None,
        answered_on=c.answered_on,
        overdue=is_overdue(c.due_on, c.outcome, today),
    )


def one(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int, consultation_id: int
) -> ConsultationView:
    """One consultation of the request, unsealed; the read audited."""
    request = get(db, actor, request_id)
    consultation = db.get(SarConsultation, consultation_id)
    if consultation is None or consultation.request_id != request.id:
        raise NotFound("There is no such consultation on this request.")
    audit.record(
        db,
        actor,
        SarEvent.CONSULTATIONS_READ,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"consultations": [consultation.id]},
    )
    return _view(db, kek, request, consultation, clock.today())


def _open(
    db: Session,
    kek: KeyEncryptionKeys,
    request: SubjectAccessRequest,
    consultation: SarConsultation,
    field: str,
) -> str:
    sealed = consultation.who_sealed if field == "who" else consultation.why_sealed
    return crypto.open_sealed(
        db,
        kek,
        key_id=request.data_key_id,
        sealed=sealed,
        context=_context(consultation, field),
    ).decode()


def overdue_count(db: Session, actor: Actor, request_id: int) -> int:
    """Consultations of the request still waiting after their due date."""
    request = get(db, actor, request_id)
    return int(
        db.scalar(
            select(func.count()).where(
                SarConsultation.request_id == request.id,
                SarConsultation.outcome.is_(None),
                SarConsultation.due_on < clock.today(),
            )
        )
        or 0
    )
