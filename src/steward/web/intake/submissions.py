"""The partner's screens: sending a file ("Send data"), its submissions, and the feedback on
each (page, CSV and PDF); and the same for staff who review intake, across every partner
("Partner submissions"), who may also send on a partner's behalf.

Thin: the intake services check who may see what (a partner its own submissions only,
another's answering as a missing one) and record each read and export.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from steward.core import clock
from steward.core.config import Settings
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.intake import datasets
from steward.intake.errors import Refused
from steward.intake.policy import CODE_TITLES, SubmissionStatus
from steward.intake.service import feedback, partners, sending, submissions
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.records_common import read_upload
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

SEND_PATH = "/intake/send"
LIST_PATH = "/intake/submissions"
ACCEPT = ".csv,.xlsx,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FilterText = Annotated[str, Query(max_length=64)]
SEND_FIELDS = ("partner", "dataset", "file")

STATUS_TAGS = {
    SubmissionStatus.RECEIVED: "govuk-tag--grey",
    SubmissionStatus.VALIDATING: "govuk-tag--blue",
    SubmissionStatus.COMPLETE: "govuk-tag--green",
    SubmissionStatus.REFUSED: "govuk-tag--red",
}


def list_title(actor: Actor) -> str:
    return "Partner submissions" if actor.can(Permission.INTAKE_REVIEW) else "Your submissions"


def _partner_id(value: str) -> int | None:
    """A partner chosen in a filter or a form: blank for any, else a whole-number id."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_ID or int(value) < 1:
        raise ValidationFailed(
            "Choose a partner from the list.", errors={"partner": "Choose a partner"}
        )
    return int(value)


def send_context(
    db: DB,
    settings: Settings,
    actor: Actor,
    *,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    offer = sending.offer(db, actor, clock.today())
    return {
        "offer": offer,
        "form": form or {},
        "accept": ACCEPT,
        "max_bytes": settings.intake_max_file_bytes,
        "list_title": list_title(actor),
    }


@router.get(SEND_PATH)
def send_form(request: Request, db: DB, settings: AppSettings, actor: PageActor) -> Response:
    return render(request, "intake/submissions_send.html", send_context(db, settings, actor))


@router.post(SEND_PATH)
def send(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    dataset: Annotated[str, Form(max_length=64)] = "",
    partner: Annotated[str, Form(max_length=20)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check the file and record its good rows; a refused file stores nothing, and the
    page says why with the refusal's code."""
    form = {"dataset": dataset, "partner": partner}
    reviewer = actor.can(Permission.INTAKE_REVIEW)
    if not reviewer:
        actor.require(Permission.INTAKE_SUBMIT)
    chosen: int | None = None
    try:
        errors: dict[str, str] = {}
        if reviewer and not partner:
            errors["partner"] = "Choose the partner the file came from"
        if dataset not in datasets.names():
            errors["dataset"] = "Choose a data set"
        if file is None or (not file.filename and not file.size):
            errors["file"] = "Select a file"
        if errors:
            raise ValidationFailed("Choose what to send.", errors=errors)
        content, filename = read_upload(file)
        chosen = _partner_id(partner) if reviewer else None
        with db.begin_nested():
            submission = submissions.submit(
                db,
                kek,
                actor,
                dataset=dataset,
                filename=filename or "upload",
                data=content,
                partner_id=chosen,
                max_bytes=settings.intake_max_file_bytes,
                queue=job_queue(request),
            )
    except Refused as exc:
        # The attempt rolled back whole; the refusal itself stays on record.
        refused_for = chosen if reviewer else _own_partner_id(db, actor)
        submissions.note_refusal(db, actor, partner_id=refused_for, dataset=dataset, code=exc.code)
        shown = {
            "error": "The file was refused: nothing in it was recorded.",
            "errors": {"file": f"{exc.message} (code {exc.code.value})"},
            "refusal_code": exc.code.value,
        }
        return _send_page(request, db, settings, actor, form, shown, 422)
    except ValidationFailed as exc:
        fields = {k: v for k, v in exc.errors.items() if k in SEND_FIELDS}
        shown = {"error": exc.message, "errors": fields or {"file": exc.message}}
        return _send_page(request, db, settings, actor, form, shown, 422)
    return RedirectResponse(f"{LIST_PATH}/{submission.id}?sent=1", status_code=303)


def _own_partner_id(db: DB, actor: Actor) -> int | None:
    own = partners.partner_of(db, actor)
    return own.id if own else None


def _send_page(
    request: Request,
    db: DB,
    settings: Settings,
    actor: Actor,
    form: dict[str, str],
    shown: dict[str, Any],
    status_code: int,
) -> Response:
    context = send_context(db, settings, actor, form=form) | shown
    return render(request, "intake/submissions_send.html", context, status_code=status_code)


@router.get(LIST_PATH)
def submission_list(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    partner: FilterText = "",
    dataset: FilterText = "",
    status: FilterText = "",
) -> Response:
    reviewer = actor.can(Permission.INTAKE_REVIEW)
    filters = {"partner": partner, "dataset": dataset, "status": status}
    context: dict[str, Any] = {
        "title": list_title(actor),
        "reviewer": reviewer,
        "filters": filters,
        "partners": feedback.partner_choices(db, actor) if reviewer else [],
        "datasets": sorted(datasets.latest().values(), key=lambda d: d.title),
        "statuses": feedback.STATUS_WORDS,
        "status_tags": STATUS_TAGS,
    }
    try:
        listing = feedback.submissions(
            db,
            actor,
            page,
            partner_id=_partner_id(partner) if reviewer else None,
            dataset=dataset or None,
            status=status or None,
        )
    except ValidationFailed as exc:
        listing = feedback.submissions(db, actor, page)
        context |= {"error": exc.message, "errors": exc.errors}
    context["listing"] = listing
    return render(
        request,
        "intake/submissions_list.html",
        context,
        status_code=422 if "error" in context else 200,
    )


@router.get(LIST_PATH + "/{submission_id}")
def submission_page(
    request: Request,
    db: DB,
    actor: PageActor,
    submission_id: Id,
    page: PageQuery,
    code: FilterText = "",
) -> Response:
    context: dict[str, Any] = {}
    try:
        feedback.code_filter(code)
    except ValidationFailed as exc:
        code = ""
        context |= {"error": exc.message, "errors": exc.errors}
    found = feedback.feedback(db, actor, submission_id, page, code=code or None)
    summary = found.summary
    context |= {
        "title": f"{summary.dataset_title}: submission {summary.submission_id}",
        "feedback": found,
        "summary": summary,
        "summary_lines": feedback.summary_lines(summary),
        "progress": (feedback.progress(db, actor, submission_id) if summary.in_progress else None),
        "code_titles": {c.value: t for c, t in CODE_TITLES.items()},
        "status_tags": STATUS_TAGS,
        "list_title": list_title(actor),
        "sent": request.query_params.get("sent") == "1",
    }
    return render(
        request,
        "intake/submissions_one.html",
        context,
        status_code=422 if "error" in context else 200,
    )


@router.get(LIST_PATH + "/{submission_id}/progress")
def submission_progress(db: DB, actor: PageActor, submission_id: Id) -> JSONResponse:
    """Polled by jobs.js while a large file is checked: counts and a status only."""
    return JSONResponse(
        feedback.progress(db, actor, submission_id).as_dict(),
        headers={"Cache-Control": "no-store"},
    )


@router.get(LIST_PATH + "/{submission_id}/report.csv")
def report_csv(db: DB, actor: PageActor, submission_id: Id) -> Response:
    report = feedback.report_csv(db, actor, submission_id)
    return download_response(report.filename, report.media_type, report.data)


@router.get(LIST_PATH + "/{submission_id}/report.pdf")
def report_pdf(db: DB, settings: AppSettings, actor: PageActor, submission_id: Id) -> Response:
    report = feedback.report_pdf(db, actor, submission_id, organisation=settings.organisation_name)
    return download_response(report.filename, report.media_type, report.data)
