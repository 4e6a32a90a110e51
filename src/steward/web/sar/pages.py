"""The information-governance team's pages for requests: the work queue, logging a request
that came in by letter, email, phone or in person, and the request page (its clock, what the
requester told us, its timeline, its tasks and decision, and every step it can take next).

Thin: the sar service checks the permission on every call and records each read of personal
data. URLs and filters carry codes and ids only; what the requester said is posted in bodies.
A step refused (a rule of the transition table, the second person's approval) shows the
request page again with the reason in an error summary, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.core import auth
from steward.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from steward.core.event_labels import EVENT_LABELS
from steward.core.permissions import Permission
from steward.sar import policy, service, words
from steward.sar.clock import Region
from steward.sar.policy import Channel, Outcome, RequesterType, Right, Status
from steward.sar.schemas import SarCreate
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.forms import DateAnswer, DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

STATUS_FOR_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidTransition, 409),
    (ValidationFailed, 422),
)
# Moves that must say why: the reasons are kept and go in the letter.
NEEDS_REASONS = frozenset({Status.REFUSED, Status.WITHDRAWN})
# govuk-tag colours by status: red for a refusal, green once sent or closed.
TAG_COLOUR = {
    Status.RECEIVED: "blue",
    Status.AWAITING_ID: "yellow",
    Status.AWAITING_FEE: "yellow",
    Status.CLARIFICATION: "yellow",
    Status.SEARCHING: "light-blue",
    Status.REVIEWING: "purple",
    Status.AWAITING_APPROVAL: "orange",
    Status.SENT: "green",
    Status.CLOSED: "grey",
    Status.REFUSED: "red",
    Status.WITHDRAWN: "grey",
}


def _words() -> dict[str, Any]:
    return {
        "status_words": {s.value: w for s, w in words.STATUS.items()},
        "right_words": {r.value: w for r, w in words.RIGHT.items()},
        "requester_words": {r.value: w for r, w in words.REQUESTER.items()},
        "channel_words": {c.value: w for c, w in words.CHANNEL.items()},
        "outcome_words": {o.value: w for o, w in words.OUTCOME.items()},
        "tag_colour": {s.value: c for s, c in TAG_COLOUR.items()},
    }


def _code(enum: type[Any], value: str, field: str, message: str) -> Any:
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(message, errors={field: message}) from None


# --- the queue ------------------------------------------------------------------------------


@router.get("/sar")
def queue_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    status: Annotated[str, Query(max_length=24)] = "",
    handler: Annotated[str, Query(max_length=20)] = "",
    requester_type: Annotated[str, Query(max_length=24)] = "",
    overdue: Annotated[Literal["", "yes"], Query()] = "",
    due: Annotated[Literal["", "week"], Query()] = "",
) -> Response:
    chosen_status = _code(Status, status, "status", "Choose a status from the list")
    chosen_type = _code(RequesterType, requester_type, "requester_type", "Choose who asked")
    if handler and not (handler.isdigit() and 1 <= int(handler) <= MAX_ID):
        raise ValidationFailed("Choose a handler from the list", errors={"handler": "Choose one"})
    listed = service.queue(
        db,
        actor,
        page,
        status=chosen_status,
        handler_user_id=int(handler) if handler else None,
        requester_type=chosen_type,
        overdue=overdue == "yes",
        due_within_days=service.work.SOON_DAYS if due == "week" else None,
    )
    names = auth.usernames(db, (r.handler_user_id for r in listed.items if r.handler_user_id))
    return render(
        request,
        "sar/queue.html",
        {
            "requests": listed,
            "clocks": {r.id: service.clock_of(r) for r in listed.items},
            "names": names,
            "handlers": service.handlers(db, actor),
            "filters": {
                "status": status,
                "handler": handler,
                "requester_type": requester_type,
                "overdue": overdue,
                "due": due,
            },
            "statuses": list(Status),
            "requester_types": list(RequesterType),
            **_words(),
        },
    )


# --- logging a request ----------------------------------------------------------------------

# Where each field of SarCreate is on the form, and what to say when it is wrong.
FIELD_IDS = {
    "right": "right",
    "requester_type": "requester_type",
    "channel": "channel",
    "received_on": "received",
    "description": "description",
    "full_name": "name",
    "previous_names": "previous_names",
    "date_of_birth": "dob",
    "address": "address",
    "email": "email",
    "phone": "phone",
}
MESSAGES = {
    "right": "Choose which right the request is about",
    "requester_type": "Choose who is asking",
    "channel": "Choose how the request arrived",
    "requester_name": "Enter the requester's full name (200 characters or fewer)",
    "subject_name": "Enter the full name of the person the request is about",
    "requester_previous_names": "Enter up to 10 previous names, one a line",
    "requester_address": "Enter an address of 500 characters or fewer",
    "subject_address": "Enter an address of 500 characters or fewer",
    "requester_email": "Enter an email address in the correct format, like name@example.com",
    "requester_phone": "Enter a phone number of 40 characters or fewer",
    "description": "Enter what they want in 5,000 characters or fewer",
}


def _field(loc: tuple[int | str, ...]) -> str:
    """The form field a SarCreate error is about: ("requester", "email") is requester_email."""
    if not loc:  # the whole-model check: a request for someone else names them
        return "subject_name"
    if loc[0] in ("requester", "subject") and len(loc) > 1:
        return f"{loc[0]}_{FIELD_IDS.get(str(loc[1]), str(loc[1]))}"
    return FIELD_IDS.get(str(loc[0]), str(loc[0]))


def _invalid(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = _field(tuple(error["loc"]))
        said = str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(field, MESSAGES.get(field) or said[:1].upper() + said[1:])
    return errors


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _person(name: str, dob: DateAnswer, address: str, **more: Any) -> dict[str, Any] | None:
    if not (name.strip() or dob.value or address.strip() or any(more.values())):
        return None
    return {
        "full_name": name,
        "date_of_birth": dob.value,
        "address": address.strip() or None,
        **{k: v for k, v in more.items() if v},
    }


def _new_page(request: Request, *, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "sar/new.html",
        {
            "rights": list(Right),
            "requester_types": list(RequesterType),
            # The online form logs its own requests; staff log what came another way.
            "channels": [c for c in Channel if c is not Channel.ONLINE],
            "form": {},
            "dates": {},
            **_words(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/sar/new")
def new_page(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.SAR_MANAGE)
    return _new_page(request)


@router.post("/sar/new")
def log_request(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    received: Annotated[DateParts, date_parts("received")],
    requester_dob: Annotated[DateParts, date_parts("requester_dob")],
    subject_dob: Annotated[DateParts, date_parts("subject_dob")],
    right: Annotated[str, Form(max_length=24)] = "",
    requester_type: Annotated[str, Form(max_length=24)] = "",
    channel: Annotated[str, Form(max_length=24)] = "",
    requester_name: Annotated[str, Form(max_length=1000)] = "",
    requester_previous_names: Annotated[str, Form(max_length=5000)] = "",
    requester_address: Annotated[str, Form(max_length=2000)] = "",
    requester_email: Annotated[str, Form(max_length=500)] = "",
    requester_phone: Annotated[str, Form(max_length=200)] = "",
    subject_name: Annotated[str, Form(max_length=1000)] = "",
    subject_address: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    id_required: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    actor.require(Permission.SAR_MANAGE)
    form = {
        "right": right,
        "requester_type": requester_type,
        "channel": channel,
        "requester_name": requester_name,
        "requester_previous_names": requester_previous_names,
        "requester_address": requester_address,
        "requester_email": requester_email,
        "requester_phone": requester_phone,
        "subject_name": subject_name,
        "subject_address": subject_address,
        "description": description,
        "id_required": id_required,
    }
    dates = {
        "received": read_date(received, "received", what="The date the request was received"),
        "requester_dob": read_date(
            requester_dob, "requester_dob", what="The requester's date of birth", required=False
        ),
        "subject_dob": read_date(
            subject_dob, "subject_dob", what="Their date of birth", required=False
        ),
    }
    errors = {name: d.error for name, d in dates.items() if d.error}
    data = {
        "right": right or None,
        "requester_type": requester_type or None,
        "channel": channel or None,
        "received_on": dates["received"].value,
        "requester": _person(
            requester_name,
            dates["requester_dob"],
            requester_address,
            previous_names=_lines(requester_previous_names),
            email=requester_email.strip() or None,
            phone=requester_phone.strip() or None,
        )
        or {"full_name": ""},
        "subject": _person(subject_name, dates["subject_dob"], subject_address),
        "description": description,
        "id_required": id_required == "yes",
    }
    created = None
    try:
        parsed = SarCreate.model_validate(data)
    except ValidationError as exc:
        # A date already refused keeps its own message ("must be a real date").
        errors = _invalid(exc) | errors
    else:
        if not errors:
            with db.begin_nested():
                created = service.receive(
                    db,
                    kek,
                    actor,
                    parsed,
                    default_region=Region.from_setting(settings.bank_holiday_region),
                )
    if created is None:
        return _new_page(
            request,
            status_code=422,
            error="Check the answers below.",
            errors=errors,
            form=form,
            dates={name: d.parts for name, d in dates.items()},
        )
    return RedirectResponse(f"/sar/requests/{created.id}", status_code=303)


# --- the request ----------------------------------------------------------------------------


def _request_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    current = Status(sar.status)
    onward = policy.ALLOWED[current]
    awaited = [
        (kind, text)
        for kind, text, required, received in (
            ("id", "ID", sar.id_required, sar.id_received_on),
            ("authority", "Authority", sar.authority_required, sar.authority_received_on),
            ("fee", "Fee", sar.fee_required, sar.fee_received_on),
        )
        if required and received is None
    ]
    names = auth.usernames(
        db, [u for u in (sar.handler_user_id, sar.submitted_by_user_id) if u is not None]
    )
    clock = service.clock_of(sar)
    return render(
        request,
        "sar/request.html",
        {
            "sar": sar,
            "clock": clock,
            "details": _readable(service.details(db, kek, actor, sar.id)),
            "steps": service.timeline(db, kek, actor, sar.id),
            "names": names,
            "handlers": service.handlers(db, actor),
            # Moves the disclosure and its delivery make are not offered here (services refuse
            # them too): the page says where the response goes next instead.
            "moves": [
                s
                for s in Status
                if s in onward
                and s is not Status.CLARIFICATION
                and service.disclosure_refuses(db, sar, s) is None
            ],
            "next_step": service.disclosure.next_step(db, actor, request_id=sar.id),
            "needs_reasons": {s.value for s in NEEDS_REASONS},
            "move_words": {s.value: w for s, w in words.MOVE_TO.items()},
            "can_clarify": Status.CLARIFICATION in onward,
            "clarifying": current is Status.CLARIFICATION,
            # Offered only while it may still be given: before the first deadline.
            "can_extend": current in policy.EXTENSIBLE
            and sar.extended_on is None
            and clock.days_left >= 0,
            "awaited": awaited,
            "finished": current in policy.FINAL,
            "tasks": service.tasks_of(db, actor, sar.id),
            "decision": service.decision_of(db, kek, actor, sar.id),
            "outcomes": list(Outcome),
            "event_labels": EVENT_LABELS,
            "form": {},
            "dates": {},
            **_words(),
            **extra,
        },
        status_code=status_code,
    )


def _readable(details: dict[str, Any]) -> dict[str, Any]:
    """Dates of birth as dates, so the page writes them the GOV.UK way."""
    for who in ("requester", "subject"):
        person = details.get(who)
        if person and person.get("date_of_birth"):
            person["date_of_birth"] = date.fromisoformat(person["date_of_birth"])
    return details


@router.get("/sar/requests/{request_id}")
def request_page(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id
) -> Response:
    return _request_page(request, db, kek, actor, request_id)


def _act(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: int,
    *,
    field: str,
    action: Callable[[], object],
    form: dict[str, Any] | None = None,
    dates: dict[str, dict[str, str]] | None = None,
) -> Response:
    """Take one step on the request, all or nothing; if refused, show the request page again
    with why, its field message on ``field`` (the form's one field that was wrong)."""
    actor.require(Permission.SAR_MANAGE)
    try:
        with db.begin_nested():
            action()
    except DomainError as exc:
        status = next((code for kind, code in STATUS_FOR_ERROR if isinstance(exc, kind)), 400)
        said = exc.errors if isinstance(exc, ValidationFailed) else {}
        errors = {field: next(iter(said.values()))} if said else {}
        return _request_page(
            request,
            db,
            kek,
            actor,
            request_id,
            status_code=status,
            error=exc.message,
            errors=errors,
            form=form or {},
            dates=dates or {},
        )
    return RedirectResponse(f"/sar/requests/{request_id}", status_code=303)


@router.post("/sar/requests/{request_id}/move")
def move(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    to: Annotated[str, Form(max_length=24)] = "",
    reasons: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    field = f"move-{to}-reasons" if to in {s.value for s in NEEDS_REASONS} else "moves"

    def step() -> None:
        wanted = _code(Status, to, field, "Choose what happens next") if to else None
        if wanted is None:
            raise ValidationFailed("Choose what happens next", errors={field: "Choose one"})
        service.move(db, kek, actor, request_id, wanted, reasons=reasons.strip() or None)

    return _act(
        request, db, kek, actor, request_id, field=field, action=step, form={field: reasons}
    )


@router.post("/sar/requests/{request_id}/extend")
def extend(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    reasons: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field="extend-reasons",
        action=lambda: service.extend(db, kek, actor, request_id, reasons=reasons),
        form={"extend-reasons": reasons},
    )


def _dated(answer: DateAnswer) -> Any:
    if answer.error:
        raise ValidationFailed(answer.error, errors={"date": answer.error})
    return answer.value


@router.post("/sar/requests/{request_id}/clarification")
def ask_clarification(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    asked: Annotated[DateParts, date_parts("asked")],
) -> Response:
    answer = read_date(asked, "asked", what="The date you asked")
    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field="asked",
        action=lambda: service.ask_clarification(db, actor, request_id, asked_on=_dated(answer)),
        dates={"asked": answer.parts},
    )


@router.post("/sar/requests/{request_id}/clarification-answered")
def clarification_answered(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    answered: Annotated[DateParts, date_parts("answered")],
) -> Response:
    answer = read_date(answered, "answered", what="The date the answer arrived")
    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field="answered",
        action=lambda: service.clarification_answered(
            db, actor, request_id, answered_on=_dated(answer)
        ),
        dates={"answered": answer.parts},
    )


@router.post("/sar/requests/{request_id}/evidence")
def evidence(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    arrived: Annotated[DateParts, date_parts("arrived")],
    kind: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    answer = read_date(arrived, "arrived", what="The date it arrived")

    def step() -> None:
        if kind not in ("id", "authority", "fee"):
            raise ValidationFailed("Choose what arrived", errors={"arrived": "Choose what arrived"})
        day = _dated(answer)
        service.evidence_received(db, actor, request_id, **{f"{kind}_on": day})

    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field="arrived",
        action=step,
        dates={"arrived": answer.parts},
    )


@router.post("/sar/requests/{request_id}/assign")
def assign(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    handler: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def step() -> None:
        if not (handler.isdigit() and 1 <= int(handler) <= MAX_ID):
            raise ValidationFailed("Choose a handler", errors={"handler": "Choose a handler"})
        service.assign(db, actor, request_id, user_id=int(handler))

    return _act(request, db, kek, actor, request_id, field="handler", action=step)


@router.post("/sar/requests/{request_id}/tasks")
def complete_tasks(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    tasks: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field="tasks",
        action=lambda: service.complete_tasks(db, actor, request_id, tasks or []),
    )


@router.post("/sar/requests/{request_id}/decision")
def decide(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reasons: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    field = "outcome" if outcome not in {o.value for o in Outcome} else "decision-reasons"
    return _act(
        request,
        db,
        kek,
        actor,
        request_id,
        field=field,
        action=lambda: service.decide(db, kek, actor, request_id, outcome=outcome, reasons=reasons),
        form={"outcome": outcome, "decision-reasons": reasons},
    )
