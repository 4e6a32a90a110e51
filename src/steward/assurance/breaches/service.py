"""Use-cases of the breach register: report, triage, decide, link, close; the register, one
breach's record with its timeline, the reporter's own reports.

Who sees what: anyone on the staff reports and sees their own reports (what they wrote and
where it stands, never the IG team's assessment); the IG team (BREACH_MANAGE) triages and
reads everything; assurance viewers (the auditor) read the register and each record, the
decisions and their reasons, but not the narrative that may name people, which is for the
team handling the breach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.breaches import policy
from steward.assurance.breaches.events import BreachEvent
from steward.assurance.breaches.models import SEALED_FIELDS, Breach, BreachLink, BreachStep
from steward.assurance.breaches.policy import (
    DataCategory,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.core import audit, clock, crypto
from steward.core.crypto import KeyDestroyed, KeyEncryptionKeys
from steward.core.errors import InvalidTransition, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.records.models import Person

SUBJECT = "breach"
# Awareness follows discovery; a minute's slack for a time typed to the minute.
_GRACE = timedelta(minutes=1)
MAX_TEXT = 5000
MAX_REFERENCE = 40
NOT_FOUND = "There is no such breach."
WITHHELD = "Recorded (shown to the information governance team only)"


# --- sealing ---------------------------------------------------------------------------------


def _context(breach: Breach, name: str) -> str:
    return f"breach:{breach.id}:{name}"


def _seal(db: Session, kek: KeyEncryptionKeys, breach: Breach, name: str, text: str) -> None:
    assert name in SEALED_FIELDS
    sealed = (
        crypto.seal(
            db,
            kek,
            key_id=breach.data_key_id,
            plaintext=text.encode(),
            context=_context(breach, name),
        )
        if text
        else None
    )
    setattr(breach, f"{name}_sealed", sealed)


def _open(db: Session, kek: KeyEncryptionKeys, breach: Breach, name: str) -> str:
    sealed: bytes | None = getattr(breach, f"{name}_sealed")
    if sealed is None:
        return ""
    try:
        return crypto.open_sealed(
            db, kek, key_id=breach.data_key_id, sealed=sealed, context=_context(breach, name)
        ).decode()
    except KeyDestroyed:
        return "(destroyed)"


# --- input -----------------------------------------------------------------------------------


def _text(errors: dict[str, str], name: str, value: str, what: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors[name] = f"Enter {what}"
    elif len(value) > MAX_TEXT:
        errors[name] = f"{what[0].upper()}{what[1:]} must be {MAX_TEXT:,} characters or fewer"
    return value


def _people(errors: dict[str, str], value: int | None, *, required: bool) -> None:
    if value is None:
        if required:
            errors["people_affected"] = "Enter roughly how many people are affected (0 if none)"
    elif not 0 <= value <= policy.MAX_PEOPLE:
        errors["people_affected"] = "The number of people affected must be 0 or more"


def _past(errors: dict[str, str], name: str, value: datetime | None, what: str) -> None:
    if value is None:
        errors[name] = f"Enter {what}"
    elif value > clock.now():
        errors[name] = f"{what[0].upper()}{what[1:]} must be in the past"


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)


def _step(db: Session, actor: Actor, breach: Breach, step: str) -> None:
    db.add(BreachStep(breach_id=breach.id, step=step, at=clock.now(), by_user_id=actor.user_id))


def _manageable(db: Session, actor: Actor, breach_id: int) -> Breach:
    actor.require(Permission.BREACH_MANAGE)
    breach = db.get(Breach, breach_id)
    if breach is None:
        raise NotFound(NOT_FOUND)
    return breach


def _require_open(breach: Breach) -> None:
    if Status(breach.status) is Status.CLOSED:
        raise InvalidTransition(f"{breach.reference} is closed: its record can no longer change.")


# --- reporting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportIn:
    description: str
    discovered_at: datetime | None
    data_involved: str
    people_affected: int | None
    reference_text: str = ""


def report(db: Session, kek: KeyEncryptionKeys, actor: Actor, given: ReportIn) -> Breach:
    """Record a suspected breach as reported by a member of staff. Nothing is kept unless
    every answer is usable."""
    actor.require(Permission.BREACH_REPORT)
    errors: dict[str, str] = {}
    description = _text(errors, "description", given.description, "what happened", required=True)
    _past(errors, "discovered_at", given.discovered_at, "when it was discovered")
    data_involved = _text(
        errors, "data_involved", given.data_involved, "what data is involved", required=True
    )
    _people(errors, given.people_affected, required=False)
    reference = _text(
        errors,
        "reference_text",
        given.reference_text,
        "the case or person reference",
        required=False,
    )
    _refuse(errors)
    assert given.discovered_at is not None
    key = crypto.create_data_key(db, kek, purpose="breach")
    breach = Breach(
        status=Status.REPORTED.value,
        reported_at=clock.now(),
        reported_by_user_id=actor.user_id,
        discovered_at=given.discovered_at,
        people_affected=given.people_affected,
        data_categories="",
        data_key_id=key.id,
    )
    db.add(breach)
    db.flush()
    _seal(db, kek, breach, "description", description)
    _seal(db, kek, breach, "data_involved", data_involved)
    _seal(db, kek, breach, "reference_text", reference)
    _step(db, actor, breach, "reported")
    audit.record(db, actor, BreachEvent.REPORTED, subject_type=SUBJECT, subject_id=breach.id)
    db.flush()
    return breach


@dataclass(frozen=True)
class MyReport:
    id: int
    reference: str
    reported_at: datetime
    discovered_at: datetime
    status: Status


STATUS_WORDS: dict[Status, str] = {
    Status.REPORTED: "Reported, awaiting triage",
    Status.ASSESSING: "Being assessed by the information governance team",
    Status.CLOSED: "Closed",
}


def mine(db: Session, actor: Actor, page: PageRequest) -> Page[MyReport]:
    """The breaches the actor reported, newest first, and where each stands."""
    actor.require(Permission.BREACH_REPORT)
    query = (
        select(Breach)
        .where(Breach.reported_by_user_id == actor.user_id)
        .order_by(Breach.reported_at.desc(), Breach.id.desc())
    )
    found: Page[Breach] = paginate(db, query, page)
    return found.map(
        lambda b: MyReport(
            b.id,
            b.reference,
            b.reported_at,
            b.discovered_at,
            Status(b.status),
        )
    )


# --- triage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentIn:
    kind: Kind | None
    aware_at: datetime | None
    categories: tuple[DataCategory, ...]
    people_affected: int | None
    cause: str
    effects: str
    containment: str
    risk: Risk | None


def assess(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int, given: AssessmentIn
) -> Breach:
    """Record (or revise) the triage: kind, when we became aware (the clock's start), the
    data and people, cause, effects, containment and the risk to people."""
    breach = _manageable(db, actor, breach_id)
    _require_open(breach)
    errors: dict[str, str] = {}
    if given.kind is None:
        errors["kind"] = "Select whether it is an incident or a near miss"
    _past(errors, "aware_at", given.aware_at, "when the organisation became aware")
    if given.aware_at is not None and given.aware_at < breach.discovered_at - _GRACE:
        errors["aware_at"] = "When we became aware cannot be before it was discovered"
    _people(errors, given.people_affected, required=True)
    cause = _text(errors, "cause", given.cause, "the cause", required=True)
    effects = _text(errors, "effects", given.effects, "the effects on people", required=False)
    containment = _text(
        errors, "containment", given.containment, "what was done to contain it", required=True
    )
    if given.risk is None:
        errors["risk"] = "Select the risk to the people affected"
    if (
        breach.ico_decision is not None
        and given.risk is not Risk.UNLIKELY
        and (IcoDecision(breach.ico_decision) is IcoDecision.NOT_NOTIFIED)
    ):
        errors["risk"] = (
            "The ICO decision says the breach is not reported: a breach likely to result in a "
            "risk must be; record the notification first"
        )
    _refuse(errors)
    assert given.kind is not None and given.risk is not None
    breach.kind = given.kind.value
    breach.aware_at = given.aware_at
    breach.data_categories = ",".join(sorted({c.value for c in given.categories}))
    breach.people_affected = given.people_affected
    breach.risk = given.risk.value
    _seal(db, kek, breach, "cause", cause)
    _seal(db, kek, breach, "effects", effects)
    _seal(db, kek, breach, "containment", containment)
    breach.status = Status.ASSESSING.value
    _step(db, actor, breach, "assessed")
    audit.record(
        db,
        actor,
        BreachEvent.ASSESSED,
        subject_type=SUBJECT,
        subject_id=breach.id,
        details={"kind": breach.kind, "risk": breach.risk},
    )
    db.flush()
    return breach


@dataclass(frozen=True)
class IcoDecisionIn:
    decision: IcoDecision | None
    notified_at: datetime | None = None
    reference: str = ""
    reason: str = ""


def decide_ico(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int, given: IcoDecisionIn
) -> Breach:
    """Record that the ICO was told (when, its reference, reasons if after 72 hours) or the
    reason it is not told (Art 33(5))."""
    breach = _manageable(db, actor, breach_id)
    _require_open(breach)
    if given.decision is None:
        _refuse({"decision": "Select whether the ICO was told"})
    assert given.decision is not None
    reference = given.reference.strip()
    errors = policy.ico_decision_problems(
        kind=Kind(breach.kind) if breach.kind else None,
        risk=Risk(breach.risk) if breach.risk else None,
        aware_at=breach.aware_at,
        decision=given.decision,
        notified_at=given.notified_at,
        reference=reference,
        reason=given.reason,
        now=clock.now(),
    )
    reason = _text(errors, "reason", given.reason, "the reason", required=False)
    if len(reference) > MAX_REFERENCE or not all(c.isalnum() or c in "-/ " for c in reference):
        errors["reference"] = (
            f"The ICO reference must be {MAX_REFERENCE} letters, numbers, hyphens or slashes "
            "or fewer"
        )
    _refuse(errors)
    notified = given.decision is IcoDecision.NOTIFIED
    breach.ico_decision = given.decision.value
    breach.ico_notified_at = given.notified_at if notified else None
    breach.ico_reference = reference if notified else None
    _seal(db, kek, breach, "ico_reason", reason)
    _step(db, actor, breach, f"ico_{given.decision.value}")
    audit.record(
        db,
        actor,
        BreachEvent.ICO_DECIDED,
        subject_type=SUBJECT,
        subject_id=breach.id,
        details={"decision": given.decision.value},
    )
    db.flush()
    return breach


@dataclass(frozen=True)
class PeopleDecisionIn:
    decision: PeopleDecision | None
    told_on: date | None = None
    reason: str = ""


def decide_people(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int, given: PeopleDecisionIn
) -> Breach:
    """Record that the people affected were told (Art 34), or why not."""
    breach = _manageable(db, actor, breach_id)
    _require_open(breach)
    if given.decision is None:
        _refuse({"decision": "Select whether the people affected were told"})
    assert given.decision is not None
    errors = policy.people_decision_problems(
        risk=Risk(breach.risk) if breach.risk else None,
        decision=given.decision,
        told_on=given.told_on,
        reason=given.reason,
        aware_on=breach.aware_at.astimezone(clock.UK).date() if breach.aware_at else None,
        today=clock.today(),
    )
    reason = _text(errors, "reason", given.reason, "the reason", required=False)
    _refuse(errors)
    breach.people_decision = given.decision.value
    breach.people_told_on = given.told_on if given.decision is PeopleDecision.TOLD else None
    _seal(db, kek, breach, "people_reason", reason)
    _step(db, actor, breach, f"people_{given.decision.value}")
    audit.record(
        db,
        actor,
        BreachEvent.PEOPLE_DECIDED,
        subject_type=SUBJECT,
        subject_id=breach.id,
        details={"decision": given.decision.value},
    )
    db.flush()
    return breach


def close(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int, lessons: str
) -> Breach:
    """Close the breach with its lessons learnt, once every decision it needs is recorded."""
    breach = _manageable(db, actor, breach_id)
    errors: dict[str, str] = {}
    lessons = _text(errors, "lessons", lessons, "the lessons learnt", required=False)
    errors |= policy.closure_problems(_facts(breach, lessons))
    if "status" in errors:
        raise InvalidTransition(f"{breach.reference} cannot be closed: {errors['status']}.")
    _refuse(errors)
    _seal(db, kek, breach, "lessons", lessons)
    breach.status = Status.CLOSED.value
    breach.closed_at = clock.now()
    _step(db, actor, breach, "closed")
    audit.record(db, actor, BreachEvent.CLOSED, subject_type=SUBJECT, subject_id=breach.id)
    db.flush()
    return breach


def _facts(breach: Breach, lessons: str) -> policy.Facts:
    return policy.Facts(
        status=Status(breach.status),
        kind=Kind(breach.kind) if breach.kind else None,
        risk=Risk(breach.risk) if breach.risk else None,
        aware_at=breach.aware_at,
        ico_decision=IcoDecision(breach.ico_decision) if breach.ico_decision else None,
        people_decision=PeopleDecision(breach.people_decision) if breach.people_decision else None,
        lessons=lessons,
    )


# --- links to cases and people ---------------------------------------------------------------


def link(
    db: Session,
    actor: Actor,
    breach_id: int,
    *,
    case_number: str = "",
    person_id: int | None = None,
) -> BreachLink:
    """Link a case (by its number) or a person record (by its id) to the breach."""
    breach = _manageable(db, actor, breach_id)
    _require_open(breach)
    case_id: int | None = None
    if case_number.strip():
        try:
            case_id = records.case_id_for_number(db, case_number[:40])
        except NotFound as exc:
            raise ValidationFailed(exc.message, errors={"case_number": exc.message}) from exc
    elif person_id is None or db.get(Person, person_id) is None:
        message = "Enter a case number or a person record's number"
        raise ValidationFailed(message, errors={"case_number": message})
    found = db.scalar(
        select(BreachLink).where(
            BreachLink.breach_id == breach.id,
            BreachLink.case_id == case_id
            if case_id is not None
            else BreachLink.person_id == person_id,
        )
    )
    if found is not None:
        return found
    added = BreachLink(
        breach_id=breach.id,
        case_id=case_id,
        person_id=None if case_id is not None else person_id,
        added_at=clock.now(),
        added_by_user_id=actor.user_id,
    )
    db.add(added)
    _step(db, actor, breach, "linked")
    db.flush()
    audit.record(
        db,
        actor,
        BreachEvent.LINKED,
        subject_type=SUBJECT,
        subject_id=breach.id,
        details={"case_id": added.case_id, "person_id": added.person_id},
    )
    return added
