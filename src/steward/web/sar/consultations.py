"""The consultations of one request: the list (overdue ones flagged), raising one, recording
the reply, chasing. One page and one form address: the form's ``action`` says which.

Thin: the service checks the permission, seals who and why, and records each action on the
request's timeline and in the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.sar import service
from steward.sar.service.consultations import ConsultationKind, Outcome
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

KIND_LABELS = {
    ConsultationKind.LOCAL_AUTHORITY: "Local authority",
    ConsultationKind.COURT: "Court",
    ConsultationKind.OTHER_PARTNER: "Other partner organisation",
    ConsultationKind.PROFESSIONAL: "Professional (a view on serious harm)",
}
OUTCOME_LABELS = {
    Outcome.AGREE: "Agrees to disclosure",
    Outcome.OBJECT: "Objects to disclosure",
    Outcome.NO_REPLY: "No reply",
}


def _page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    request_id: int,
    page: PageRequest,
    *,
    answer: int | None = None,
    failed: tuple[str, int | None] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    listed = service.consultations.consultations(db, kek, actor, request_id, page)
    if answer is None and failed is not None and failed[0] == "answer":
        answer = failed[1]
    answering = next((c for c in listed.items if c.id == answer and c.outcome is None), None)
    if answer is not None and answering is None:
        found = service.consultations.one(db, kek, actor, request_id, answer)
        answering = found if found.outcome is None else None
    return render(
        request,
        "sar/consultations.html",
        {
            "sar": sar,
            "finished": service.consultations.finished(sar),
            "consultations": listed,
            "overdue": service.consultations.overdue_count(db, actor, request_id),
            "kinds": KIND_LABELS,
            "outcomes": OUTCOME_LABELS,
            "answering": answering,
            "today": clock.today(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/sar/requests/{request_id}/consultations")
def consultations_page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    request_id: Id,
    page: PageQuery,
    answer: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The list; ``answer`` opens the form recording the reply of that consultation."""
    return _page(request, db, actor, kek, request_id, page, answer=answer)


@router.post("/sar/requests/{request_id}/consultations")
def consultations_post(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    request_id: Id,
    due: Annotated[DateParts, date_parts("due_on")],
    answered: Annotated[DateParts, date_parts("answered_on")],
    action: Annotated[Literal["raise", "answer", "chase"], Form()],
    consultation_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    kind: Annotated[str, Form(max_length=40)] = "",
    who: Annotated[str, Form(max_length=1000)] = "",
    why: Annotated[str, Form(max_length=10_000)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    actor.require(Permission.SAR_MANAGE)
    form = {"kind": kind, "who": who, "why": why, "due": due, "answered": answered, "note": note}
    try:
        with db.begin_nested():
            _act(db, actor, kek, request_id, action, consultation_id, form, outcome, note)
    except ValidationFailed as exc:
        return _page(
            request,
            db,
            actor,
            kek,
            request_id,
            PageRequest(),
            status_code=422,
            error=exc.message,
            errors=exc.errors,
            form=form,
            failed=(action, consultation_id),
        )
    return RedirectResponse(f"/sar/requests/{request_id}/consultations", status_code=303)


def _act(
    db: DB,
    actor: PageActor,
    kek: Keyring,
    request_id: int,
    action: str,
    consultation_id: int | None,
    form: dict[str, Any],
    outcome: str,
    note: str,
) -> None:
    if action == "raise":
        due = read_date(form["due"], "due_on", what="The date a reply is due")
        try:
            service.consultations.raise_consultation(
                db,
                kek,
                actor,
                request_id,
                kind=form["kind"],
                who=form["who"],
                why=form["why"],
                due_on=due.value,
            )
        except ValidationFailed as exc:
            # A date typed wrongly reaches the service as none: say what was wrong with it.
            errors = exc.errors | ({"due_on": due.error} if due.error else {})
            raise ValidationFailed(next(iter(errors.values())), errors=errors) from exc
        return
    if consultation_id is None:
        raise ValidationFailed("Choose a consultation.", errors={"consultation_id": "Choose one"})
    if action == "chase":
        service.consultations.chase(db, actor, request_id, consultation_id)
        return
    answered = read_date(
        form["answered"], "answered_on", what="The date of the reply", required=False
    )
    if answered.error:
        raise ValidationFailed(answered.error, errors={"answered_on": answered.error})
    service.consultations.answer(
        db,
        kek,
        actor,
        request_id,
        consultation_id,
        outcome=outcome,
        answered_on=answered.value,
        note=note,
    )
