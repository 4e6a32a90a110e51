"""HTML pages of the paper archive: locations, boxes, files, retrievals, certificates, search.

Thin: the archives service checks the permission (and, for a paper file, the case's
need-to-know) on every call and records reads. URLs carry ids only; the person search posts
its words in the form body. Certificates and the CSV export: archives_certificates_pages.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.archives import service
from steward.archives.models import LocationKind, RetrievalPurpose
from steward.archives.schemas import LocationCreate, PaperSearch, RetrievalRequest
from steward.core import auth
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Permission
from steward.web import archives_certificates_pages
from steward.web.deps import DB, Keyring, PageActor, csrf_protect, reads_only
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
router.include_router(archives_certificates_pages.router)


def _invalid(exc: ValidationError) -> ValidationFailed:
    errors = {str(e["loc"][0]) if e["loc"] else "form": str(e["msg"]) for e in exc.errors()}
    errors = {k: v.removeprefix("Value error, ") for k, v in errors.items()}
    return ValidationFailed("Check the answers below.", errors=errors)


# --- locations and boxes ------------------------------------------------------------------


def _index(
    request: Request, db: DB, actor: PageActor, *, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "archives/index.html",
        {
            "locations": service.list_locations(db, actor),
            "unboxed": service.files_without_box(db, actor, limit=50),
            "kinds": list(LocationKind),
            "form": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/archives")
def index(request: Request, db: DB, actor: PageActor) -> Response:
    return _index(request, db, actor)


@router.post("/archives/locations")
def create_location(
    request: Request,
    db: DB,
    actor: PageActor,
    kind: Annotated[str, Form(max_length=16)] = "",
    site: Annotated[str, Form(max_length=200)] = "",
    room: Annotated[str, Form(max_length=200)] = "",
    bay: Annotated[str, Form(max_length=100)] = "",
    shelf: Annotated[str, Form(max_length=100)] = "",
    contractor: Annotated[str, Form(max_length=200)] = "",
    contractor_ref: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    form = {"kind": kind, "site": site, "room": room, "bay": bay, "shelf": shelf}
    form |= {"contractor": contractor, "contractor_ref": contractor_ref}
    try:
        try:
            data = LocationCreate(**{k: (v or None) for k, v in form.items()})
        except ValidationError as exc:
            raise _invalid(exc) from None
        with db.begin_nested():
            location = service.create_location(db, actor, data)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        return _index(
            request, db, actor, status_code=422, error=exc.message, errors=errors, form=form
        )
    return RedirectResponse(f"/archives/locations/{location.id}", status_code=303)


@router.get("/archives/locations/{location_id}")
def location_page(
    request: Request, db: DB, actor: PageActor, location_id: Id, page: PageQuery
) -> Response:
    location = service.get_location(db, actor, location_id)
    return render(
        request,
        "archives/location.html",
        {"location": location, "boxes": service.boxes_page(db, actor, location_id, page)},
    )


@router.post("/archives/boxes")
def create_box(
    request: Request,
    db: DB,
    actor: PageActor,
    barcode: Annotated[str, Form(max_length=200)] = "",
    location_id: Annotated[str, Form(max_length=20)] = "",
    contractor_ref: Annotated[str, Form(alias="box_contractor_ref", max_length=200)] = "",
) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    try:
        with db.begin_nested():
            box = service.create_box(
                db,
                actor,
                barcode=barcode,
                location_id=int(location_id) if location_id.isdigit() else None,
                contractor_ref=contractor_ref.strip() or None,
            )
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"barcode": exc.message}
        return _index(request, db, actor, status_code=422, error=exc.message, errors=errors)
    return RedirectResponse(f"/archives/boxes/{box.id}", status_code=303)


def _box_page(
    request: Request, db: DB, actor: PageActor, box_id: int, *, status_code: int = 200, **extra: Any
) -> Response:
    box, history = service.view_box(db, actor, box_id)
    return render(
        request,
        "archives/box.html",
        {
            "box": box,
            "history": history,
            "locations": [loc for loc, _ in service.list_locations(db, actor)],
            "names": auth.usernames(
                db, (m.moved_by_user_id for m in history if m.moved_by_user_id)
            ),
            "purposes": list(RetrievalPurpose),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/archives/boxes/{box_id}")
def box_page(request: Request, db: DB, actor: PageActor, box_id: Id) -> Response:
    return _box_page(request, db, actor, box_id)


@router.post("/archives/boxes/{box_id}/move")
def move_box(
    request: Request,
    db: DB,
    actor: PageActor,
    box_id: Id,
    location_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    contractor_ref: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    try:
        if location_id is None:
            raise ValidationFailed(
                "Choose where the box is going.", errors={"location_id": "Choose a location"}
            )
        with db.begin_nested():
            service.move_box(
                db,
                actor,
                box_id=box_id,
                location_id=location_id,
                contractor_ref=contractor_ref.strip() or None,
            )
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"location_id": exc.message}
        return _box_page(
            request, db, actor, box_id, status_code=422, error=exc.message, errors=errors
        )
    return RedirectResponse(f"/archives/boxes/{box_id}", status_code=303)


@router.post("/archives/boxes/{box_id}/retrievals")
def request_box(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    box_id: Id,
    purpose: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Ask for a whole box back (from the contractor, usually): archive staff only."""
    actor.require(Permission.ARCHIVES_MANAGE)
    try:
        try:
            data = RetrievalRequest(box_id=box_id, purpose=purpose)
        except ValidationError as exc:
            raise _invalid(exc) from None
        with db.begin_nested():
            service.request_retrieval(db, actor, kek, data)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"purpose": exc.message}
        return _box_page(
            request, db, actor, box_id, status_code=422, error=exc.message, errors=errors
        )
    return RedirectResponse("/archives/retrievals", status_code=303)


# --- paper files and retrievals ----------------------------------------------------------


def _file_page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    file_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = service.view_file(db, actor, file_id)
    custody = {r.id: r.custody for r in view.retrievals}
    who = [e.by_user_id for events in custody.values() for e in events if e.by_user_id]
    who += [r.requested_by_user_id for r in view.retrievals if r.requested_by_user_id]
    retrievals = [service.read_retrieval(r) for r in view.retrievals]
    open_now = [r for r in retrievals if r.status in ("requested", "out")]
    return render(
        request,
        "archives/file.html",
        {
            "view": view,
            "custody": custody,
            "names": auth.usernames(db, who),
            "retrievals": retrievals,
            "open_retrievals": open_now,
            "notes": {r.id: service.retrieval_note(db, kek, r) for r in view.retrievals},
            "purposes": list(RetrievalPurpose),
            "can_request": actor.can(Permission.ARCHIVES_REQUEST),
            "can_manage": actor.can(Permission.ARCHIVES_MANAGE),
            "form": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/archives/files/{paper_file_id}")
def file_page(
    request: Request, db: DB, actor: PageActor, kek: Keyring, paper_file_id: Id
) -> Response:
    return _file_page(request, db, actor, kek, paper_file_id)


@router.post("/archives/files/{paper_file_id}/retrievals")
def request_retrieval(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    paper_file_id: Id,
    typed: Annotated[DateParts, date_parts("due_back_on")],
    purpose: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.ARCHIVES_REQUEST)
    due_back = read_date(typed, "due_back_on", what="The date the file is due back", required=False)
    form = {"purpose": purpose, "note": note, "due_back_on": due_back.parts}
    try:
        if due_back.error:
            raise ValidationFailed(
                "Check the answers below.", errors={"due_back_on": due_back.error}
            )
        try:
            data = RetrievalRequest(
                paper_file_id=paper_file_id,
                purpose=purpose,
                note=note.strip() or None,
                due_back_on=due_back.value,
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        with db.begin_nested():
            service.request_retrieval(db, actor, kek, data)
    except ValidationFailed as exc:
        return _file_page(
            request,
            db,
            actor,
            kek,
            paper_file_id,
            status_code=422,
            error=exc.message,
            errors=exc.errors,
            form=form,
        )
    return RedirectResponse("/archives/retrievals", status_code=303)


@router.get("/archives/retrievals")
def retrievals_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    overdue: bool = False,
    view: Annotated[
        Literal["open", "overdue", "requested", "out", "returned", "cancelled", "all"] | None,
        Query(),
    ] = None,
) -> Response:
    chosen = view or ("overdue" if overdue else "open")
    rows = service.retrievals_page(db, actor, page, view=chosen)
    return render(
        request,
        "archives/retrievals.html",
        {
            "rows": rows,
            "overdue": chosen == "overdue",
            "view": chosen,
            "can_manage": actor.can(Permission.ARCHIVES_MANAGE),
            "names": auth.usernames(
                db, (r.requested_by_user_id for r in rows.items if r.requested_by_user_id)
            ),
        },
    )


def _retrieval_action(db: DB, actor: PageActor, retrieval_id: int, action: str) -> Response:
    with db.begin_nested():
        if action == "out":
            service.hand_out(db, actor, retrieval_id)
        elif action == "return":
            service.return_retrieval(db, actor, retrieval_id)
        else:
            service.cancel_retrieval(db, actor, retrieval_id)
    return RedirectResponse("/archives/retrievals", status_code=303)


@router.post("/archives/retrievals/{retrieval_id}/out")
def hand_out(db: DB, actor: PageActor, retrieval_id: Id) -> Response:
    return _retrieval_action(db, actor, retrieval_id, "out")


@router.post("/archives/retrievals/{retrieval_id}/return")
def return_retrieval(db: DB, actor: PageActor, retrieval_id: Id) -> Response:
    return _retrieval_action(db, actor, retrieval_id, "return")


@router.post("/archives/retrievals/{retrieval_id}/cancel")
def cancel_retrieval(db: DB, actor: PageActor, retrieval_id: Id) -> Response:
    return _retrieval_action(db, actor, retrieval_id, "cancel")


# --- search -------------------------------------------------------------------


def _require_search(db: DB, actor: PageActor) -> None:
    if not service.sees_whole_archive(actor):
        actor.require(Permission.ARCHIVES_MANAGE)
    service.require_names(db, actor)


@router.get("/archives/search")
def search_form(request: Request, db: DB, actor: PageActor) -> Response:
    _require_search(db, actor)
    return render(request, "archives/search.html", {"form": {}, "searched": False, "hits": []})


# Posted, not sent in the query string: the words are a person's name and birth date, and a
# URL lands in browser history, proxies and access logs.
@router.post("/archives/search")
@reads_only
def search(
    request: Request,
    db: DB,
    actor: PageActor,
    typed: Annotated[DateParts, date_parts("dob")],
    name: Annotated[str, Form(max_length=200)] = "",
    other_name: Annotated[str, Form(max_length=200)] = "",
    case: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    _require_search(db, actor)
    born = read_date(typed, "dob", what="Date of birth", required=False)
    form = {"name": name, "other_name": other_name, "dob": born.parts, "case": case}
    hits: list[Any] = []
    error, errors = None, {}
    try:
        if born.error:
            raise ValidationFailed("Check the answers below.", errors={"dob": born.error})
        try:
            query = PaperSearch(
                names=[n for n in (name.strip(), other_name.strip()) if n],
                date_of_birth=born.value,
                case_number=case.strip() or None,
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        hits = service.search_paper_files(db, actor=actor, query=query)
    except ValidationFailed as exc:
        error, errors = exc.message, exc.errors
    return render(
        request,
        "archives/search.html",
        {"form": form, "searched": True, "hits": hits, "error": error, "errors": errors},
        status_code=422 if error else 200,
    )
