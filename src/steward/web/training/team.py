"""A manager's team pages: their direct reports' training, overdue first; one person's
training with what they completed and the reminders sent; a reminder sent by hand; a
classroom session recorded for several people with its evidence; and the log of reminders
sent, for those who watch training. Who may act for whom is the training service's rule (the
person's line manager, or training:manage); these handlers only read forms and render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.core import clock
from steward.core.errors import Conflict, ValidationFailed
from steward.core.outbox import Status as OutboxStatus
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.training.service import manual, reminder_log, reminders, team
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import DateParts, date_parts, read_date, refusal
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# What the banner says after a change (the code travels in the address, never a name).
DONE = {
    "reminded": "The reminder has been sent by email.",
    "queued": (
        "The reminder is written and waiting in the outbox: no mail server is set up, so it "
        "has to be sent from there another way."
    ),
    "failed": (
        "The mail server did not accept the reminder. It is kept in the outbox as not sent: "
        "try again later."
    ),
    "recorded": "The session has been recorded.",
    "recorded-some": (
        "The session has been recorded. For some of the people chosen it was already on "
        "record, so nothing new was kept for them."
    ),
}
FORM_FIELDS = ("staff", "staff_numbers", "course_id", "completed_on", "note", "file")


def _team_page(
    request: Request,
    db: DB,
    actor: Actor,
    page: PageQuery,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    shown = team.team(db, actor, as_of=clock.today(), page=page)
    return render(
        request,
        "training/team.html",
        {
            "team": shown,
            "may_list_reminders": _may_list_reminders(actor),
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


def _may_list_reminders(actor: Actor) -> bool:
    return actor.can(Permission.TRAINING_MANAGE) or actor.can(Permission.TRAINING_VIEW_COMPLIANCE)


@router.get("/training/team")
def team_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _team_page(request, db, actor, page, done=DONE.get(done))


def _record_page(
    request: Request,
    db: DB,
    actor: Actor,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "training/team_record.html",
        {
            "reports": team.reports_in_post(db, actor, clock.today()),
            "courses": manual.courses(db),
            "for_anyone": actor.can(Permission.TRAINING_MANAGE),
            "form": {"staff": [], "completed_on": {}},
            "errors": {},
            "may_list_reminders": _may_list_reminders(actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/training/team/record")
def record_page(request: Request, db: DB, actor: PageActor) -> Response:
    return _record_page(request, db, actor)


def _whole_number(value: str) -> bool:
    # ASCII digits only: "²".isdigit() is true, and int("²") fails.
    return 0 < len(value) <= 19 and value.isascii() and value.isdigit()


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        if not _whole_number(value) or not 1 <= int(value) <= MAX_ID:
            raise ValidationFailed(
                "Select the people who attended.",
                errors={"staff": "Select the people who attended"},
            )
        ids.append(int(value))
    return ids


@router.post("/training/team/record")
def record_session(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    completed_on: Annotated[DateParts, date_parts("completed_on")],
    # No max_length here: on a list it would cap how many people are chosen (MAX_PEOPLE
    # is the service's); each value is checked as an id below.
    staff: Annotated[list[str] | None, Form()] = None,
    staff_numbers: Annotated[str, Form(max_length=5000)] = "",
    course_id: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    file: UploadFile | None = None,
) -> Response:
    answer = read_date(completed_on, "completed_on", what="The date of the session")
    chosen = staff or []
    has_file = file is not None and bool(file.filename)
    form = {
        "staff": chosen,
        "staff_numbers": staff_numbers,
        "course_id": course_id,
        "note": note,
        "completed_on": answer.parts,
    }
    try:
        numbers = [n for n in staff_numbers.replace(",", "\n").splitlines() if n.strip()]
        if numbers and not actor.can(Permission.TRAINING_MANAGE):
            raise ValidationFailed(
                "Choose your reports from the list.",
                errors={"staff_numbers": "Choose your reports from the list"},
            )
        with db.begin_nested():
            recorded = manual.record(
                db,
                kek,
                actor,
                manual.Attendance(
                    staff_ids=_ids(chosen) + manual.staff_ids_for(db, numbers),
                    course_id=int(course_id) if _whole_number(course_id) else None,
                    completed_on=answer.value,
                    note=note,
                    # The body was capped on the way in (SecurityMiddleware): a bounded read.
                    evidence=file.file.read() if file is not None and has_file else b"",
                ),
            )
    except ValidationFailed as exc:
        errors = dict(exc.errors)
        if answer.error:
            errors["completed_on"] = answer.error  # what was typed, not "enter the date"
        if not has_file:
            errors["file"] = "Select the evidence file"
        ordered = {f: errors[f] for f in FORM_FIELDS if f in errors}
        shown = refusal(
            ValidationFailed(exc.message, errors=ordered), fields=FORM_FIELDS, summary="record"
        )
        return _record_page(request, db, actor, form=form, **shown)
    if not recorded.completion_ids:
        refused = Conflict(
            "The session is already on record for everyone chosen: nothing new was kept."
        )
        return _record_page(request, db, actor, form=form, **refusal(refused, summary="record"))
    done = "recorded-some" if recorded.already_recorded else "recorded"
    return RedirectResponse(f"/training/team?done={done}", status_code=303)


@router.get("/training/team/{staff_id}")
def person_page(
    request: Request,
    db: DB,
    actor: PageActor,
    staff_id: Id,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _person_page(request, db, actor, staff_id, done=DONE.get(done))


def _person_page(
    request: Request, db: DB, actor: Actor, staff_id: int, *, status_code: int = 200, **extra: Any
) -> Response:
    shown = team.person(db, actor, staff_id, as_of=clock.today())
    return render(
        request,
        "training/team_person.html",
        {
            "person": shown,
            "may_list_reminders": _may_list_reminders(actor),
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.post("/training/team/{staff_id}/remind")
def remind(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    staff_id: Id,
    back: Annotated[str, Form(max_length=10)] = "team",
) -> Response:
    to_person = back == "person"
    try:
        with db.begin_nested():
            sent = reminders.nudge(
                db,
                kek,
                actor,
                staff_id,
                settings=settings,
                site_url=settings.public_url or str(request.base_url),
            )
    except Conflict as exc:
        shown = refusal(exc, summary="people" if not to_person else "training")
        if to_person:
            return _person_page(request, db, actor, staff_id, **shown)
        return _team_page(request, db, actor, PageRequest(), **shown)
    outcome = {OutboxStatus.SENT: "reminded", OutboxStatus.QUEUED: "queued"}.get(
        OutboxStatus(sent.status or OutboxStatus.FAILED), "failed"
    )
    where = f"/training/team/{staff_id}" if to_person else "/training/team"
    return RedirectResponse(f"{where}?done={outcome}", status_code=303)


@router.get("/training/completions/{completion_id}/evidence")
def evidence(db: DB, kek: Keyring, actor: PageActor, completion_id: Id) -> Response:
    found = manual.evidence(db, kek, actor, completion_id)
    return download_response(found.filename, found.media_type, found.data)


@router.get("/training/reminders")
def reminders_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    found = reminder_log.sent(db, actor, page)
    return render(
        request,
        "training/reminders.html",
        {"reminders": found, "may_list_reminders": True},
    )
