"""HTML pages of the case records: my cases, a case, break-glass, a person, a document, upload,
search, and the DPO's break-glass log.

Thin: the records service checks the permission and need-to-know on every call and records
the read; a case the reader may only open by breaking glass redirects to the break-glass form
(mapped once, in create_app). Search words arrive in the URL, as GOV.UK search does: nothing
here logs them, and `steward serve` runs without an access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.core import auth, clock
from steward.core.config import Settings
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records import service
from steward.records.models import (
    Case,
    DocumentKind,
    Provenance,
    SecurityMarking,
)
from steward.records.policy import Access
from steward.records.schemas import DocumentMeta
from steward.web import identity_pages
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.ids import Id, IdItem
from steward.web.paging import PageQuery
from steward.web.records_common import (
    attachment,
    document_meta,
    read_upload,
    record_class_of,
    wake_extraction,
)
from steward.web.rendering import render
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


@router.get("/cases")
def my_cases(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    return render(
        request,
        "records/my_cases.html",
        {
            "cases": service.my_cases(db, actor, page),
            "reads_all": actor.can(Permission.CASES_READ_ALL),
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


@router.get("/cases/{case_id}")
def case_page(request: Request, db: DB, actor: PageActor, case_id: Id) -> Response:
    case, how = service.view_case(db, actor, case_id)
    return render(
        request,
        "records/case.html",
        {
            "case": case,
            "record_class": record_class_of(db, case),
            "break_glass": how is Access.BREAK_GLASS,
            "can_write": actor.can(Permission.CASES_WRITE),
            "timeline": _timeline(case),
        },
    )


# --- break-glass ----------------------------------------------------------------------


@router.get("/cases/{case_id}/break-glass")
def break_glass_form(request: Request, actor: PageActor, case_id: Id) -> Response:
    actor.require(Permission.CASES_BREAK_GLASS)
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
        return render(
            request,
            "error.html",
            {
                "title": "You cannot open more cases now" if limited else "Page not found",
                "message": exc.message,
                "errors": {},
            },
            status_code=429 if limited else 404,
        )
    except Conflict:
        pass  # they can already read it (assigned, or glass broken a moment ago): go there
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/break-glass")
def break_glass_log(request: Request, db: DB, keyring: Keyring, actor: PageActor) -> Response:
    entries = service.break_glass_log(db, keyring, actor)
    alerts = service.break_glass_alerts(db, actor)
    names = auth.usernames(
        db, [row.user_id for row, _, _ in entries] + [a.user_id for a in alerts if a.user_id]
    )
    return render(
        request,
        "records/break_glass_log.html",
        {
            "entries": entries,
            "alerts": alerts,
            "names": names,
            "unreviewed": sum(1 for row, _, _ in entries if row.reviewed_at is None),
            "marked": request.query_params.get("marked"),
        },
    )


@router.post("/break-glass/reviewed")
def break_glass_reviewed(
    db: DB,
    actor: PageActor,
    break_glass_ids: Annotated[list[IdItem] | None, Form()] = None,
) -> Response:
    marked = service.mark_reviewed(db, actor, break_glass_ids=break_glass_ids or [])
    return RedirectResponse(f"/break-glass?marked={marked}", status_code=303)


# --- people and documents -------------------------------------------------------------


@router.get("/people/{person_id}")
def person_page(request: Request, db: DB, actor: PageActor, person_id: Id) -> Response:
    person, cases = service.view_person(db, actor, person_id)
    panel = identity_pages.duplicates_panel(db, actor, person.id)
    return render(request, "records/person.html", {"person": person, "cases": cases, **panel})


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
def documents_without_text(
    request: Request, db: DB, actor: PageActor, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    """For IG and the DPO: documents kept whose text could not be extracted within bounds
    (or at all), so they know what search will not find."""
    listing = service.unextracted_documents(db, actor, page=page)
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


@router.get("/search")
def search(
    request: Request,
    db: DB,
    actor: PageActor,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    # Called even without words, so a role that may not search is refused on the empty form.
    hits = service.search(db, actor, q)
    return render(
        request,
        "records/search.html",
        {
            "q": q,
            "searched": bool(q.strip()),
            "people": [h for h in hits if h.kind == "person"],
            "documents": [h for h in hits if h.kind == "document"],
        },
    )
