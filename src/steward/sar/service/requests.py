"""A request's life: receiving it, moving it through the transition table, and its clock.

Every change goes through ``_move`` or ``_step`` and so writes one timeline step and one audit
event; the due date is recomputed on every change that can move it, so the queue can sort and
filter in SQL. What the requester told us is sealed under the request's own data key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.retention import service as retention
from steward.sar import clock as sar_clock
from steward.sar import policy
from steward.sar.disclosure_models import SarDisclosure
from steward.sar.events import SarEvent
from steward.sar.models import SarPause, SarStep, SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.schemas import SarCreate

SUBJECT_TYPE = "sar_request"


@dataclass(frozen=True)
class Clock:
    """Where a request stands against the law: shown wherever a request appears."""

    day_one: date | None  # None until the ID, authority or fee awaited has arrived
    due_on: date
    first_deadline: date
    paused_days: int
    stopped: bool
    extended: bool
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def _context(request: SubjectAccessRequest, field: str) -> str:
    return f"{SUBJECT_TYPE}:{request.id}:{field}"


def _pauses(request: SubjectAccessRequest, today: date) -> list[sar_clock.Pause]:
    # A clarification still awaited counts up to today: the deadline moves a day each day.
    return [
        sar_clock.Pause(p.asked_on, p.answered_on or max(today, p.asked_on)) for p in request.pauses
    ]


def clock_of(request: SubjectAccessRequest, today: date | None = None) -> Clock:
    today = today or clock.today()
    region = sar_clock.Region(request.region)
    evidence = (
        request.id_received_on if request.id_required else None,
        request.authority_received_on if request.authority_required else None,
        request.fee_received_on if request.fee_required else None,
    )
    waiting = (
        (request.id_required and request.id_received_on is None)
        or (request.authority_required and request.authority_received_on is None)
        or (request.fee_required and request.fee_received_on is None)
    )
    start = sar_clock.day_one(
        request.received_on,
        id_received=evidence[0],
        authority_received=evidence[1],
        fee_received=evidence[2],
    )
    pauses = _pauses(request, today)
    first = sar_clock.due_date(start, region=region, pauses=pauses)
    due = sar_clock.due_date(
        start, region=region, pauses=pauses, extended=request.extended_on is not None
    )
    return Clock(
        day_one=None if waiting else start,
        due_on=due,
        first_deadline=first,
        paused_days=sar_clock.paused_days(pauses),
        stopped=Status(request.status) in policy.CLOCK_STOPPED,
        extended=request.extended_on is not None,
        days_left=sar_clock.days_left(due, today),
    )


def _require(actor: Actor) -> None:
    actor.require(Permission.SAR_MANAGE)


def _next_reference(db: Session, year: int) -> str:
    """The year's next number. From the highest issued, not a count: a request destroyed at
    the end of its retention must not hand its reference to a new one."""
    prefix = f"SAR-{year}-"
    highest = db.scalar(
        select(func.max(SubjectAccessRequest.reference)).where(
            SubjectAccessRequest.reference.startswith(prefix)
        )
    )
    return f"{prefix}{int(highest.removeprefix(prefix)) + 1 if highest else 1:05d}"


def _step(
    db: Session,
    kek: KeyEncryptionKeys | None,
    actor: Actor,
    request: SubjectAccessRequest,
    kind: SarEvent,
    *,
    from_status: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    step = SarStep(
        at=clock.now(),
        user_id=actor.user_id,
        kind=kind.value,
        from_status=from_status,
        to_status=request.status,
    )
    request.steps.append(step)
    db.flush()
    if note:
        if kek is None:
            raise ValueError("a note must be sealed: pass the keyring")
        step.note_sealed = crypto.seal(
            db,
            kek,
            key_id=request.data_key_id,
            plaintext=note.encode(),
            context=f"sar_step:{step.id}:note",
        )
    request.due_on = clock_of(request).due_on
    db.flush()
    audit.record(
        db, actor, kind, subject_type=SUBJECT_TYPE, subject_id=request.id, details=details or {}
    )


def receive(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    data: SarCreate,
    *,
    default_region: sar_clock.Region,
) -> SubjectAccessRequest:
    """A new request as staff log it. It waits for ID or authority when either is needed;
    otherwise its clock runs from the day it arrived."""
    _require(actor)
    return create_request(
        db, kek, actor, data, default_region=default_region, handler_user_id=actor.user_id
    )


def create_request(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    data: SarCreate,
    *,
    default_region: sar_clock.Region,
    handler_user_id: int | None,
) -> SubjectAccessRequest:
    """A request stored, sealed and put on the clock, whoever made it: staff through
    ``receive``, the public through ``public.submit``. Callers check who may."""
    waiting = data.id_required or data.authority_required
    request = SubjectAccessRequest(
        reference=_next_reference(db, data.received_on.year),
        right=data.right.value,
        status=(Status.AWAITING_ID if waiting else Status.RECEIVED).value,
        requester_type=data.requester_type.value,
        channel=data.channel.value,
        received_on=data.received_on,
        id_required=data.id_required,
        authority_required=data.authority_required,
        region=(data.region or default_region).value,
        due_on=data.received_on,  # set properly by the first step, once flushed
        handler_user_id=handler_user_id,
        created_at=clock.now(),
        data_key_id=crypto.create_data_key(db, kek, purpose=SUBJECT_TYPE).id,
        details_sealed=b"",
    )
    db.add(request)
    db.flush()
    details = data.model_dump(mode="json", include={"requester", "subject", "description"})
    request.details_sealed = crypto.seal(
        db,
        kek,
        key_id=request.data_key_id,
        plaintext=json.dumps(details).encode(),
        context=_context(request, "details"),
    )
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.RECEIVED,
        details={
            "right": request.right,
            "requester_type": request.requester_type,
            "channel": request.channel,
        },
    )
    return request


def get(db: Session, actor: Actor, request_id: int) -> SubjectAccessRequest:
    _require(actor)
    request = db.get(SubjectAccessRequest, request_id)
    if request is None:
        raise NotFound("There is no request with that reference.")
    return request


def get_for_records(db: Session, actor: Actor, request_id: int) -> SubjectAccessRequest:
    """The request, for work on what was found for it in the case records (the search's
    hits, the documents under review, the bundle): case content, closed by the induction
    gate (records.InductionRequired) as well as to other roles. The request's own details,
    its clock and letters are the requester's, and stay open."""
    _require(actor)
    records.require_induction(db, actor)
    return get(db, actor, request_id)


def id_for_reference(db: Session, actor: Actor, reference: str) -> int:
    _require(actor)
    found = db.scalar(
        select(SubjectAccessRequest.id).where(
            SubjectAccessRequest.reference == reference.strip().upper()
        )
    )
    if found is None:
        raise NotFound("There is no request with that reference.")
    return found


def details(db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int) -> dict[str, Any]:
    """What the requester told us, unsealed for the handler; the read is audited."""
    request = get(db, actor, request_id)
    plain = crypto.open_sealed(
        db,
        kek,
        key_id=request.data_key_id,
        sealed=request.details_sealed,
        context=_context(request, "details"),
    )
    audit.record(db, actor, SarEvent.READ, subject_type=SUBJECT_TYPE, subject_id=request.id)
    return json.loads(plain)  # type: ignore[no-any-return]


def move(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    to: Status,
    *,
    reasons: str | None = None,
) -> SubjectAccessRequest:
    """Any move the transition table allows, with the guards a person would expect: a refusal
    gives its reasons; the response is approved by someone other than who prepared it."""
    request = get(db, actor, request_id)
    current = Status(request.status)
    if to is Status.CLARIFICATION:
        raise Conflict("Ask for clarification with its own step: it stops the clock.")
    policy.transition(current, to)
    refused = disclosure_refuses(db, request, to)
    if refused:
        raise Conflict(refused)
    if to in (Status.REFUSED, Status.WITHDRAWN) and not (reasons and reasons.strip()):
        raise ValidationFailed(
            "Say why: the reasons are kept with the request and go in the letter.",
            errors={"reasons": "Enter the reasons"},
        )
    if to is Status.SENT and request.submitted_by_user_id == actor.user_id:
        raise Forbidden("Someone other than the person who prepared the response must approve it.")
    if to is Status.AWAITING_APPROVAL:
        request.submitted_by_user_id = actor.user_id
    request.status = to.value
    if to in policy.FINAL:
        request.closed_on = clock.today()
        # Everything of the subject was held from disposal while the request was open
        # (DPA 2018 s.173); a finished request no longer needs it kept.
        retention.release_subject_access(db, actor, kek, sar_reference=request.reference)
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.MOVED,
        from_status=current.value,
        note=reasons,
        details={"from": current.value, "to": to.value},
    )
    return request


# Once an access request has a disclosure, these moves follow the disclosure and its delivery
# (sar.service.disclosure and sar.service.delivery make them), never a hand on the request page:
# approval is of the disclosure, and "sent" means the requester has it.
_DRIVEN = {
    Status.AWAITING_APPROVAL: (
        "This request's response is its disclosure: send the disclosure for approval on its "
        "disclosure page, and the request moves with it."
    ),
    Status.SENT: (
        "This request's response is its disclosure: it becomes sent when the requester first "
        "downloads the bundle, or when the printed bundle is recorded as posted, on the "
        "request's delivery page."
    ),
}
_REOPEN = (
    "The disclosure has been sent for approval: reopen it on its disclosure page, and the "
    "request moves back to being reviewed with it."
)


def has_disclosure(db: Session, request: SubjectAccessRequest) -> SarDisclosure | None:
    if request.right != policy.Right.ACCESS:
        return None
    return db.scalar(select(SarDisclosure).where(SarDisclosure.request_id == request.id))


def disclosure_refuses(db: Session, request: SubjectAccessRequest, to: Status) -> str | None:
    """Why the request page may not make this move itself, if its disclosure makes it. An
    access request with nothing to disclose ("we hold no data about you") has no disclosure,
    and moves by hand as any other right does."""
    disclosure = has_disclosure(db, request)
    if disclosure is None:
        return None
    if to in _DRIVEN:
        return _DRIVEN[to]
    if (
        Status(request.status) is Status.AWAITING_APPROVAL
        and to is Status.REVIEWING
        and disclosure.status != policy.Disclosure.OPEN
    ):
        return _REOPEN
    return None


def follow(
    db: Session, actor: Actor, request: SubjectAccessRequest, to: Status, *, via: str
) -> None:
    """Move the request where its disclosure or delivery has taken it (each step through the
    transition table, one timeline step and audit event each); nothing if it is there."""
    path = [to]
    if to is Status.AWAITING_APPROVAL and Status(request.status) is Status.SEARCHING:
        path = [Status.REVIEWING, to]  # sent for approval while "searching": the review was done
    for wanted in path:
        current = Status(request.status)
        if current is wanted:
            continue
        request.status = policy.transition(current, wanted).value
        if wanted is Status.AWAITING_APPROVAL:
            request.submitted_by_user_id = actor.user_id
        _step(
            db,
            None,
            actor,
            request,
            SarEvent.MOVED,
            from_status=current.value,
            details={"from": current.value, "to": wanted.value, "via": via},
        )


def extend(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int, *, reasons: str
) -> SubjectAccessRequest:
    """Two further months, once, for a complex request: only before the first deadline, with
    reasons the requester is told."""
    request = get(db, actor, request_id)
    if not reasons.strip():
        raise ValidationFailed(
            "Give the reasons for the extension: the requester must be told them.",
            errors={"reasons": "Enter the reasons for the extension"},
        )
    if request.extended_on is not None:
        raise Conflict("This request has already been extended; it can be extended only once.")
    if Status(request.status) not in policy.EXTENSIBLE:
        raise Conflict("Only a request still being worked on can be extended.")
    today = clock.today()
    first = clock_of(request, today).first_deadline
    if today > first:
        raise Conflict(
            f"The first deadline ({first:%d %B %Y}) has passed: an extension must be given "
            "before it."
        )
    request.extended_on = today
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.EXTENDED,
        from_status=request.status,
        note=reasons,
        details={"first_deadline": first.isoformat()},
    )
    return request


def ask_clarification(
    db: Session, actor: Actor, request_id: int, *, asked_on: date | None = None
) -> SubjectAccessRequest:
    """Stop the clock while the requester is asked what they want."""
    request = get(db, actor, request_id)
    current = Status(request.status)
    policy.transition(current, Status.CLARIFICATION)
    asked = asked_on or clock.today()
    if asked < request.received_on or asked > clock.today():
        raise ValidationFailed(
            "The day of asking must be between the day the request arrived and today.",
            errors={"asked_on": "Enter a date between the day the request arrived and today"},
        )
    request.status = Status.CLARIFICATION.value
    request.pauses.append(SarPause(asked_on=asked))
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.CLARIFICATION_ASKED,
        from_status=current.value,
        details={"asked_on": asked.isoformat()},
    )
    return request


def clarification_answered(
    db: Session, actor: Actor, request_id: int, *, answered_on: date | None = None
) -> SubjectAccessRequest:
    """The answer arrived: the clock runs again, the days it stood still added to the deadline."""
    request = get(db, actor, request_id)
    open_pause = next((p for p in request.pauses if p.answered_on is None), None)
    if Status(request.status) is not Status.CLARIFICATION or open_pause is None:
        raise Conflict("This request is not waiting for clarification.")
    answered = answered_on or clock.today()
    if answered < open_pause.asked_on or answered > clock.today():
        raise ValidationFailed(
            "The answer must have arrived between the day of asking and today.",
            errors={"answered_on": "Enter a date between the day of asking and today"},
        )
    open_pause.answered_on = answered
    request.status = policy.transition(Status.CLARIFICATION, Status.SEARCHING).value
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.CLARIFICATION_ANSWERED,
        from_status=Status.CLARIFICATION.value,
        details={"answered_on": answered.isoformat()},
    )
    return request


def evidence_received(
    db: Session,
    actor: Actor,
    request_id: int,
    *,
    id_on: date | None = None,
    authority_on: date | None = None,
    fee_on: date | None = None,
) -> SubjectAccessRequest:
    """ID, authority or a fee has arrived; once all that was needed is in, day 1 is fixed and
    the search can start."""
    request = get(db, actor, request_id)
    for day in (id_on, authority_on, fee_on):
        if day is not None and not request.received_on <= day <= clock.today():
            raise ValidationFailed(
                "Evidence must have arrived between the day of the request and today.",
                errors={"received_on": "Enter a date between the day of the request and today"},
            )
    request.id_received_on = id_on or request.id_received_on
    request.authority_received_on = authority_on or request.authority_received_on
    request.fee_received_on = fee_on or request.fee_received_on
    current = Status(request.status)
    if current in policy.CLOCK_NOT_STARTED and clock_of(request).day_one is not None:
        request.status = policy.transition(current, Status.SEARCHING).value
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.DAY_ONE_EVIDENCE,
        from_status=current.value,
        details={
            "id": id_on.isoformat() if id_on else None,
            "authority": authority_on.isoformat() if authority_on else None,
            "fee": fee_on.isoformat() if fee_on else None,
        },
    )
    return request


def queue(
    db: Session,
    actor: Actor,
    page: PageRequest = PageRequest(),
    *,
    status: Status | None = None,
    handler_user_id: int | None = None,
    requester_type: policy.RequesterType | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
) -> Page[SubjectAccessRequest]:
    """Open requests, due soonest first (a status filter shows finished ones too).
    ``due_within_days``: not yet overdue, and due within that many days."""
    _require(actor)
    query = (
        select(SubjectAccessRequest)
        .options(selectinload(SubjectAccessRequest.pauses))
        .order_by(SubjectAccessRequest.due_on, SubjectAccessRequest.id)
    )
    if status is not None:
        query = query.where(SubjectAccessRequest.status == status.value)
    else:
        query = query.where(SubjectAccessRequest.status.not_in([s.value for s in policy.FINAL]))
    if handler_user_id is not None:
        query = query.where(SubjectAccessRequest.handler_user_id == handler_user_id)
    if requester_type is not None:
        query = query.where(SubjectAccessRequest.requester_type == requester_type.value)
    if overdue:
        query = query.where(SubjectAccessRequest.due_on < clock.today())
    if due_within_days is not None:
        today = clock.today()
        query = query.where(
            SubjectAccessRequest.due_on.between(today, today + timedelta(days=due_within_days))
        )
    found: Page[SubjectAccessRequest] = paginate(db, query, page)
    audit.record(db, actor, SarEvent.LISTED, details={"count": len(found.items)})
    return found
