"""HTML pages of the case records: my cases, a case, break-glass, a person, a document, upload,
search, and the DPO's break-glass log.

Thin: the records service checks the permission and need-to-know on every call and records
the read; a case the reader may only open by breaking glass redirects to the break-glass form
(mapped once, in create_app). Search words are POSTed, so they stay out of addresses, browser
history and any access log; the search runs as a reader (reads_only).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.archives import service as archives
from steward.archives.models import RetrievalPurpose
from steward.archives.schemas import RetrievalRequest
from steward.archives.service import worklist as archives_work
from steward.core import auth, clock
from steward.core.config import Settings
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.records import service
from steward.records.models import (
    Case,
    CaseStatus,
    CaseType,
    DocumentKind,
    Provenance,
    SecurityMarking,
)
from steward.records.policy import Access
from steward.records.schemas import DocumentMeta
from steward.retention.service import worklist as retention_work
from steward.web import identity_pages, people_pages
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect, reads_only
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id, IdItem
from steward.web.paging import PageQuery
from steward.web.records_common import (
    attachment,
    document_meta,
    read_upload,
    record_class_of,
    wake_extraction,
)
from steward.web.rendering import govuk_date, render
from steward.web.security import megabytes

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

DATE_FIELD = "created_on-day"  # the GOV.UK date input's first box, where an error links to
# The upload form's fields top to bottom: an error summary lists its errors in this order.
UPLOAD_FIELDS = (
    "file",
    "title",
    "kind",
    DATE_FIELD,
    "security_marking",
    "provenance",
    "author_name",
    "subject_person_ids",
)


def _choice(value: str, allowed: type[StrEnum], field: str, message: str) -> Any:
    """A filter's coded value, None for "all", or a clear refusal of an unknown one."""
    if not value:
        return None
    try:
        return allowed(value)
    except ValueError:
        raise ValidationFailed(message, errors={field: message}) from None


def _case_filter(
    db: DB, actor: Actor, status: str, case_type: str, worker: str, sort: str
) -> tuple[service.CaseFilter, list[auth.User]]:
    members: list[auth.User] = []
    if actor.can(Permission.CASES_READ_TEAM):
        with suppress(Forbidden):  # a manager in no team: their own cases only
            members = service.team_members(db, actor)
    worker_id: int | None = None
    if worker:
        allowed = {str(m.id): m.id for m in members}
        if actor.user_id is not None:
            allowed.setdefault(str(actor.user_id), actor.user_id)
        if worker not in allowed:
            raise ValidationFailed(
                "Choose a worker of your team.", errors={"worker": "Choose a worker of your team"}
            )
        worker_id = allowed[worker]
    filters = service.CaseFilter(
        status=_choice(status, CaseStatus, "status", "Choose open or closed cases"),
        case_type=_choice(case_type, CaseType, "case_type", "Choose a type of case"),
        worker_id=worker_id,
        sort=_choice(sort, service.CaseSort, "sort", "Choose how to sort the cases")
        or service.CaseSort.OPENED,
    )
    return filters, members


@router.get("/cases")
def my_cases(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    status: Annotated[str, Query(max_length=16)] = "",
    case_type: Annotated[str, Query(max_length=32)] = "",
    worker: Annotated[str, Query(max_length=12)] = "",
    sort: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    service.require_any_case_access(db, actor)
    filters, members = _case_filter(db, actor, status, case_type, worker, sort)
    cases = service.my_cases(
        db, actor, page, filters, next_date=retention_work.next_date_column(Case.id)
    )
    return render(
        request,
        "records/my_cases.html",
        {
            "cases": cases,
            "next_dates": retention_work.next_dates(db, [c.id for c in cases.items]),
            "reads_all": actor.can(Permission.CASES_READ_ALL),
            "filters": filters,
            "members": members,
            "statuses": list(CaseStatus),
            "case_types": list(CaseType),
            "sorts": [
                (service.CaseSort.OPENED, "Opened (newest first)"),
                (service.CaseSort.NUMBER, "Case number"),
                (service.CaseSort.NEXT_DATE, "Next date (soonest first)"),
            ],
            "filtered": any((status, case_type, worker)),
        },
    )


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    detail: str
    href: str | None = None


def _timeline(case: Case) -> list[TimelineEntry]:
    entries = [TimelineEntry(case.opened_on, "Case opened", case.court or "")]
    entries += [
        TimelineEntry(d.created_on, d.title, "Document added", f"/documents/{d.id}")
        for d in case.documents
    ]
    if case.closed_on:
        entries.append(TimelineEntry(case.closed_on, "Case closed", ""))
    # Stable: on one day, the opening comes first and the closing last.
    return sorted(entries, key=lambda e: e.on)


def _case_context(db: DB, actor: Actor, case: Case, how: Access) -> dict[str, Any]:
    glass_until = (
        service.break_glass_expires(db, actor, case.id) if how is Access.BREAK_GLASS else None
    )
    return {
        "case": case,
        "record_class": record_class_of(db, case),
        "break_glass": how is Access.BREAK_GLASS,
        "break_glass_until": glass_until,
        "can_write": actor.can(Permission.CASES_WRITE),
        "timeline": _timeline(case),
        "workers": service.allocated_workers(db, case.id),
        "may_reassign": actor.can(Permission.CASES_READ_TEAM)
        and actor.can(Permission.CASES_WRITE)
        and _team_of(db, actor) == case.team
        and case.team is not None,
        "paper_files": archives_work.files_of_case(db, actor, case.id),
        "may_request": actor.can(Permission.ARCHIVES_REQUEST),
        "next_date": retention_work.next_dates(db, [case.id]).get(case.id),
        "withheld": [p for p in case.parties if p.person.address_withheld],
    }


def _team_of(db: DB, actor: Actor) -> str | None:
    user = db.get(auth.User, actor.user_id) if actor.user_id is not None else None
    return user.team if user is not None else None


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    db: DB,
    actor: PageActor,
    case_id: Id,
    requested: Annotated[str, Query(max_length=64)] = "",
    reassigned: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    case, how = service.view_case(db, actor, case_id)
    service.record_case_view(db, actor, case.id)
    context = _case_context(db, actor, case, how)
    # Banners name only what this case's page already shows (a file reference, a username).
    context["requested"] = next(
        (f for f in context["paper_files"] if str(f.paper_file_id) == requested), None
    )
    context["reassigned"] = next((w for w in context["workers"] if str(w.id) == reassigned), None)
    # Only the IG team reads a restricted case: they are told, so they process it no further.
    context["restricted"] = service.case_is_restricted(db, case.id)
    return render(request, "records/case.html", context)


# --- asking for a case's paper file ----------------------------------------------------


# The archive keeps notes of up to 2,000 characters; the "needed by" date takes the rest.
MAX_NOTE = 1900


def _case_file(db: DB, actor: Actor, case_id: int, paper_file_id: int) -> tuple[Case, Any]:
    actor.require(Permission.ARCHIVES_REQUEST)
    case, _ = service.view_case(db, actor, case_id)
    found = next(
        (
            f
            for f in archives_work.files_of_case(db, actor, case.id)
            if f.paper_file_id == paper_file_id
        ),
        None,
    )
    if found is None:
        raise NotFound("This case has no such paper file.")
    return case, found


def _request_page(
    request: Request,
    case: Case,
    paper_file: Any,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    return render(
        request,
        "records/request_file.html",
        {
            "case": case,
            "paper_file": paper_file,
            "purposes": [
                RetrievalPurpose.CASE_WORK,
                RetrievalPurpose.COURT,
                RetrievalPurpose.OTHER,
            ],
            "form": form or {"purpose": RetrievalPurpose.CASE_WORK.value},
            "errors": errors or {},
            "error": error,
            "example_date": "{0.day} {0.month} {0.year}".format(clock.today() + timedelta(days=7)),
        },
        status_code=422 if errors or error else 200,
    )


@router.get("/cases/{case_id}/paper-files/{paper_file_id}/request")
def request_file_form(
    request: Request, db: DB, actor: PageActor, case_id: Id, paper_file_id: Id
) -> Response:
    case, paper_file = _case_file(db, actor, case_id, paper_file_id)
    return _request_page(request, case, paper_file)


@router.post("/cases/{case_id}/paper-files/{paper_file_id}/request")
def request_file(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    case_id: Id,
    paper_file_id: Id,
    typed: Annotated[DateParts, date_parts("needed_by")],
    purpose: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    case, paper_file = _case_file(db, actor, case_id, paper_file_id)
    needed = read_date(typed, "needed_by", what="The date you need the file by")
    errors: dict[str, str] = {}
    if purpose not in {p.value for p in RetrievalPurpose}:
        errors["purpose"] = "Choose what you need the file for"
    if needed.error:
        errors["needed_by"] = needed.error
    elif needed.value is not None and needed.value < clock.today():
        errors["needed_by"] = "The date you need the file by must be today or in the future"
    if len(note.strip()) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE:,} characters or fewer"
    shown = {"purpose": purpose, "note": note, "needed_by": needed.parts}
    if errors:
        return _request_page(
            request, case, paper_file, form=shown, errors=errors, error="Check the answers below."
        )
    assert needed.value is not None
    # The archive has no "needed by" field of its own: the date leads the (sealed) note,
    # where the archive staff who fetch the file read it.
    text = f"Needed by {govuk_date(needed.value)}." + (f" {note.strip()}" if note.strip() else "")
    try:
        with db.begin_nested():
            archives.request_retrieval(
                db,
                actor,
                kek,
                RetrievalRequest(
                    paper_file_id=paper_file.paper_file_id,
                    purpose=RetrievalPurpose(purpose),
                    note=text,
                ),
            )
    except ValidationError:
        return _request_page(
            request,
            case,
            paper_file,
            form=shown,
            errors={
                "note": "The note must be 2,000 characters or fewer, with no control characters"
            },
            error="Check the answers below.",
        )
    except (Conflict, ValidationFailed) as exc:
        return _request_page(request, case, paper_file, form=shown, error=exc.message)
    return RedirectResponse(
        f"/cases/{case.id}?requested={paper_file.paper_file_id}", status_code=303
    )


# --- reallocating a case -------------------------------------------------------------------


def _reassign_page(
    request: Request,
    db: DB,
    actor: Actor,
    case_id: int,
    *,
    chosen: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    members = service.team_members(db, actor)  # refuses a role without a team
    case, _ = service.view_case(db, actor, case_id)
    return render(
        request,
        "records/reassign.html",
        {
            "case": case,
            "members": members,
            "workers": service.allocated_workers(db, case.id),
            "chosen": chosen,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/cases/{case_id}/reassign")
def reassign_form(request: Request, db: DB, actor: PageActor, case_id: Id) -> Response:
    actor.require(Permission.CASES_WRITE)
    return _reassign_page(request, db, actor, case_id)


@router.post("/cases/{case_id}/reassign")
def reassign(
    request: Request,
    db: DB,
    actor: PageActor,
    case_id: Id,
    user_id: Annotated[str, Form(max_length=12)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    actor.require(Permission.CASES_WRITE)
    if not user_id.isdigit():
        return _reassign_page(
            request, db, actor, case_id, errors={"user_id": "Choose who will work on this case"}
        )
    members = {m.id: m for m in service.team_members(db, actor)}
    target = members.get(int(user_id))
    if target is None:
        return _reassign_page(
            request, db, actor, case_id, errors={"user_id": "Choose a member of your team"}
        )
    if confirm != "yes":
        # A second look before the case changes hands: who has it now, who will have it.
        case, _ = service.view_case(db, actor, case_id)
        return render(
            request,
            "records/reassign_confirm.html",
            {"case": case, "target": target, "workers": service.allocated_workers(db, case.id)},
        )
    try:
        with db.begin_nested():
            service.reassign(db, actor, case_id=case_id, to_user_id=target.id)
    except ValidationFailed as exc:
        return _reassign_page(request, db, actor, case_id, errors=exc.errors)
    return RedirectResponse(f"/cases/{case_id}?reassigned={target.id}", status_code=303)


# --- break-glass ----------------------------------------------------------------------


@router.get("/cases/{case_id}/break-glass")
def break_glass_form(request: Request, db: DB, actor: PageActor, case_id: Id) -> Response:
    actor.require(Permission.CASES_BREAK_GLASS)
    # Not offered to one whose induction is outstanding: break-glass would refuse them.
    service.require_induction(db, actor)
    return render(request, "records/break_glass.html", {"case_id": case_id})


@router.post("/cases/{case_id}/break-glass")
def break_glass(
    request: Request,
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: PageActor,
    case_id: Id,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.CASES_BREAK_GLASS)
    try:
        with db.begin_nested():
            service.break_glass(
                db,
                keyring,
                actor,
                case_id=case_id,
                reason=reason,
                limits=service.BreakGlassLimits.of(settings),
            )
    except ValidationFailed as exc:
        return render(
            request,
            "records/break_glass.html",
            {"case_id": case_id, "error": exc.message, "errors": exc.errors, "reason": reason},
            status_code=422,
        )
    except (service.BreakGlassLimitReached, service.NoSuchCase) as exc:
        # Recorded outside the rolled-back attempt, so the refusal stays on the record.
        service.refuse(db, actor, case_id=case_id, error=exc)
        limited = isinstance(exc, service.BreakGlassLimitReached)
        response = render(
            request,
            "error.html",
            {
                "title": "You cannot open more cases now" if limited else "Page not found",
                "message": exc.message,
                "errors": {},
            },
            status_code=429 if limited else 404,
        )
        if isinstance(exc, service.BreakGlassLimitReached):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Conflict:
        pass  # they can already read it (assigned, or glass broken a moment ago): go there
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/break-glass/reviewed")
def break_glass_reviewed(
    db: DB,
    actor: PageActor,
    break_glass_ids: Annotated[list[IdItem] | None, Form()] = None,
) -> Response:
    marked = service.mark_reviewed(db, actor, break_glass_ids=break_glass_ids or [])
    return RedirectResponse(f"/assurance/break-glass?marked={marked}", status_code=303)


# --- people and documents -------------------------------------------------------------


@router.get("/people/{person_id}")
def person_page(
    request: Request, db: DB, keyring: Keyring, actor: PageActor, person_id: Id
) -> Response:
    person, cases = service.view_person(db, actor, person_id)
    panel = identity_pages.duplicates_panel(db, actor, person.id)
    history = service.correction_history(db, keyring, actor, person_id=person.id)
    done = next(
        (k for k in ("corrected", "restricted", "lifted") if request.query_params.get(k)), None
    )
    return render(
        request,
        "records/person.html",
        {
            "person": person,
            "cases": cases,
            "corrections": people_pages.history_rows(history),
            "restriction": service.restriction_status(db, person.id),
            "may_manage": actor.can(Permission.PEOPLE_MANAGE),
            "done": done,
            **panel,
        },
    )


@router.get("/documents/{document_id}")
def document_page(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: PageActor,
    document_id: Id,
    added: bool = False,
) -> Response:
    document, text = service.view_document(db, keyring, actor, document_id)
    return render(
        request,
        "records/document.html",
        {"document": document, "case": document.case, "text": text, "added": added},
    )


@router.get("/documents-without-text")
def documents_without_text(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    """For IG and the DPO: documents kept whose text could not be extracted within bounds
    (or at all), so they know what search will not find."""
    listing = service.unextracted_documents(db, actor, page)
    return render(request, "records/unextracted.html", {"listing": listing})


@router.get("/documents/{document_id}/download")
def download(db: DB, keyring: Keyring, actor: PageActor, document_id: Id) -> Response:
    return attachment(service.download_document(db, keyring, actor, document_id))


# --- upload ---------------------------------------------------------------------------


def _upload_page(
    request: Request,
    db: DB,
    actor: Actor,
    settings: Settings,
    case_id: int,
    *,
    form: dict[str, Any],
    status_code: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    case, _ = service.view_case(db, actor, case_id)
    errors = errors or {}
    if "created_on" in errors:
        errors[DATE_FIELD] = errors.pop("created_on")
    ordered = dict(
        sorted(
            errors.items(),
            key=lambda e: (
                UPLOAD_FIELDS.index(e[0]) if e[0] in UPLOAD_FIELDS else len(UPLOAD_FIELDS)
            ),
        )
    )
    return render(
        request,
        "records/upload.html",
        {
            "case": case,
            "form": form,
            "kinds": list(DocumentKind),
            "markings": list(SecurityMarking),
            "provenances": list(Provenance),
            "max_size": megabytes(settings.max_upload_bytes),
            "error": error,
            "errors": ordered,
        },
        status_code=status_code,
    )


@router.get("/cases/{case_id}/documents/new")
def upload_form(
    request: Request, db: DB, actor: PageActor, settings: AppSettings, case_id: Id
) -> Response:
    actor.require(Permission.CASES_WRITE)
    form = {
        "security_marking": SecurityMarking.OFFICIAL_SENSITIVE.value,
        "provenance": Provenance.STAFF.value,
        "subjects": set(),
    }
    return _upload_page(request, db, actor, settings, case_id, form=form)


def _parse_date(day: str, month: str, year: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's three boxes as a date, or the message to show (the GOV.UK
    design system's wording)."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == 3:
        return None, "Enter the date the document was created"
    if missing:
        return None, f"The date the document was created must include a {' and a '.join(missing)}"
    if not all(v.isdigit() for v in parts.values()):
        return None, "The date the document was created must be a real date"
    if len(parts["year"]) != 4:
        return None, "Year must include 4 numbers"
    try:
        value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None, "The date the document was created must be a real date"
    if value > clock.today():
        return None, "The date the document was created must be today or in the past"
    return value, None


@router.post("/cases/{case_id}/documents/new")
def upload(
    request: Request,
    background: BackgroundTasks,
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: PageActor,
    case_id: Id,
    title: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=64)] = "",
    day: Annotated[str, Form(alias="created_on-day", max_length=8)] = "",
    month: Annotated[str, Form(alias="created_on-month", max_length=8)] = "",
    year: Annotated[str, Form(alias="created_on-year", max_length=8)] = "",
    security_marking: Annotated[str, Form(max_length=64)] = "",
    provenance: Annotated[str, Form(max_length=64)] = "",
    author_name: Annotated[str, Form(max_length=1000)] = "",
    subject_person_ids: Annotated[list[str] | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    actor.require(Permission.CASES_WRITE)
    subjects = [s for s in subject_person_ids or [] if s.isdigit()]
    form = {
        "title": title,
        "kind": kind,
        "day": day,
        "month": month,
        "year": year,
        "security_marking": security_marking,
        "provenance": provenance,
        "author_name": author_name,
        "subjects": {int(s) for s in subjects},
    }
    errors: dict[str, str] = {}
    meta: DocumentMeta | None = None
    data, filename = b"", None
    created_on, date_error = _parse_date(day, month, year)
    if date_error:
        errors[DATE_FIELD] = date_error
    try:
        meta = document_meta(
            title=title,
            kind=kind,
            created_on=created_on or clock.today(),
            security_marking=security_marking,
            provenance=provenance,
            author_name=author_name.strip() or None,
            subject_person_ids=[int(s) for s in subjects],
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        data, filename = read_upload(file)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors or meta is None:
        return _upload_page(
            request,
            db,
            actor,
            settings,
            case_id,
            form=form,
            status_code=422,
            error="Check the answers below.",
            errors=errors,
        )
    try:
        with db.begin_nested():
            document = service.add_document(
                db,
                keyring,
                actor,
                case_id=case_id,
                meta=meta,
                data=data,
                filename=filename,
                max_bytes=settings.max_upload_bytes,
            )
    except ValidationFailed as exc:
        return _upload_page(
            request,
            db,
            actor,
            settings,
            case_id,
            form=form,
            status_code=422,
            error=exc.message,
            errors=exc.errors,
        )
    background.add_task(wake_extraction, request.app)
    return RedirectResponse(f"/documents/{document.id}?added=1", status_code=303)


# --- search ---------------------------------------------------------------------------


SEARCH_PAGE_SIZE = 20


def _search_page(request: Request, results: service.SearchResults | None, q: str) -> Response:
    return render(
        request,
        "records/search.html",
        {"q": q, "searched": results is not None and results.words > 0, "results": results},
    )


@router.get("/search")
def search_form(request: Request, db: DB, actor: PageActor) -> Response:
    # The words are POSTed, never put in the address; the form itself is for those who read
    # cases, so a role that may not is refused here too.
    service.require_any_case_access(db, actor)
    return _search_page(request, None, "")


@router.post("/search")
@reads_only
def search(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    q: Annotated[str, Form(max_length=200)] = "",
    people_page: Annotated[int, Form(ge=1, le=1000)] = 1,
    documents_page: Annotated[int, Form(ge=1, le=1000)] = 1,
) -> Response:
    results = service.search_pages(
        db,
        kek,
        actor,
        q,
        people_page=PageRequest(people_page, SEARCH_PAGE_SIZE),
        documents_page=PageRequest(documents_page, SEARCH_PAGE_SIZE),
    )
    return _search_page(request, results, q)
