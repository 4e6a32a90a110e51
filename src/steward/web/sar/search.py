"""The search part of a request: start a search (terms prefilled from the request, posted,
never in a URL), its progress, what it found grouped by source, triage with reasons, paper
files asked for with their cost against the £450 limit, and the search record.

Thin: the sar service checks the permission and records every change and read. The hits
show names, dates of birth, postcodes and numbers of cases, never record ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.sar import service
from steward.sar.search_models import RunStatus, SourceKind, Triage
from steward.sar.service import SearchTerms
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import govuk_date, render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Source = Literal["person", "paper_file", "document"]
SOURCES: dict[str, str] = {
    "person": "People",
    "paper_file": "Paper files",
    "document": "Mentions in documents",
}
TRIAGE_LABELS = {
    Triage.IN_SCOPE.value: "In scope",
    Triage.NOT_THIS_PERSON.value: "Not this person",
    Triage.OUT_OF_SCOPE.value: "Out of scope",
}
Lines = Annotated[str, Form(max_length=3000)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _terms_form(terms: SearchTerms) -> dict[str, Any]:
    born = terms.date_of_birth
    return {
        "names": "\n".join(terms.names),
        "addresses": "\n".join(terms.addresses),
        "postcodes": "\n".join(terms.postcodes),
        "extra_terms": "\n".join(terms.extra_terms),
        "dob": {"day": str(born.day), "month": str(born.month), "year": str(born.year)}
        if born
        else {},
    }


def _as_date(iso: str | None) -> str:
    return govuk_date(date.fromisoformat(iso)) if iso else "Not known"


def _page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: int,
    *,
    source: str = "person",
    page: PageRequest | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    sar_request = service.get(db, actor, request_id)
    page = page or PageRequest(size=20)
    sized = PageRequest(number=page.number, size=20)
    first = PageRequest(size=20)
    view = service.view_run(
        db,
        kek,
        actor,
        request_id,
        people_page=sized if source == "person" else first,
        paper_page=sized if source == "paper_file" else first,
        documents_page=sized if source == "document" else first,
    )
    terms_open = form is not None
    if form is None:
        terms = view.terms if view else service.suggested_terms(db, kek, actor, request_id)
        form = _terms_form(terms)
    pages = (
        {"person": view.people, "paper_file": view.paper_files, "document": view.documents}
        if view
        else {}
    )
    return render(
        request,
        "sar/search.html",
        {
            "sar": sar_request,
            "view": view,
            "running": view is not None
            and view.run.status in (RunStatus.QUEUED.value, RunStatus.RUNNING.value),
            "source": source,
            "sources": SOURCES,
            "pages": pages,
            "shown": pages.get(source),
            "record": service.search_record(db, kek, actor, request_id),
            "cost": service.cost_of(db, actor, request_id),
            "form": form,
            "triage_labels": TRIAGE_LABELS,
            "terms_open": terms_open,
            "as_date": _as_date,
            "error": error,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/sar/requests/{request_id}/search")
def search_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    page: PageQuery,
    source: Annotated[Source, Query()] = "person",
) -> Response:
    return _page(request, db, kek, actor, request_id, source=source, page=page)


@router.post("/sar/requests/{request_id}/search")
def start_search(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    typed: Annotated[DateParts, date_parts("dob")],
    names: Lines = "",
    addresses: Lines = "",
    postcodes: Lines = "",
    extra_terms: Lines = "",
) -> Response:
    form: dict[str, Any] = {
        "names": names,
        "addresses": addresses,
        "postcodes": postcodes,
        "extra_terms": extra_terms,
    }
    dob = read_date(typed, "dob", what="Date of birth", required=False)
    form["dob"] = dob.parts
    try:
        if dob.error:
            raise ValidationFailed(dob.error, errors={"dob": dob.error})
        terms = _read_terms(names, addresses, postcodes, extra_terms, dob.value)
        run = service.start_search(db, kek, actor, job_queue(request), request_id, terms)
    except ValidationFailed as exc:
        return _page(
            request,
            db,
            kek,
            actor,
            request_id,
            form=form,
            error=exc.message,
            errors=exc.errors,
            status_code=422,
        )
    return RedirectResponse(f"/jobs/{run.job_id}", status_code=303)


def _read_terms(names: str, addresses: str, postcodes: str, extra: str, born: Any) -> SearchTerms:
    try:
        return SearchTerms(
            names=_lines(names),
            addresses=_lines(addresses),
            postcodes=_lines(postcodes),
            extra_terms=_lines(extra),
            date_of_birth=born,
        )
    except ValueError as exc:
        field = "names"
        for candidate in ("addresses", "postcodes", "extra_terms"):
            if candidate in str(exc):
                field = candidate
        text = (
            "Enter at least one name to search for"
            if "at least one name" in str(exc)
            else "Each line must be 200 characters or fewer (postcodes 10), and at most 10 lines"
        )
        raise ValidationFailed(text, errors={field: text}) from None


def _back(request_id: int, source: str, page: int, hit_id: int) -> RedirectResponse:
    return RedirectResponse(
        f"/sar/requests/{request_id}/search?source={source}&page={page}#hit-{hit_id}",
        status_code=303,
    )


@router.post("/sar/requests/{request_id}/search/hits/{hit_id}/triage")
def triage_hit(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    hit_id: Id,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[Source, Form()] = "person",
    page: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
) -> Response:
    try:
        if decision not in TRIAGE_LABELS:
            raise ValidationFailed(
                "Choose whether this is in scope, not this person, or out of scope.",
                errors={f"decision-{hit_id}": "Choose a decision"},
            )
        service.triage(db, kek, actor, request_id, hit_id, Triage(decision), reason)
    except ValidationFailed as exc:
        errors = {
            (f"reason-{hit_id}" if k == "reason" else k): v for k, v in (exc.errors or {}).items()
        }
        return _page(
            request,
            db,
            kek,
            actor,
            request_id,
            source=source,
            page=PageRequest(number=page),
            error=exc.message,
            errors=errors,
            status_code=422,
        )
    return _back(request_id, source, page, hit_id)


def _hours(value: str, field: str) -> Decimal:
    try:
        hours = Decimal(value.strip() or "0")
        if not hours.is_finite() or abs(hours) > 1000:
            raise InvalidOperation
        return hours.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationFailed(
            "Enter hours as a number between 0 and 100, for example 1.5.",
            errors={field: "Enter hours as a number"},
        ) from None


@router.post("/sar/requests/{request_id}/search/hits/{hit_id}/paper")
def ask_for_paper(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    hit_id: Id,
    hours_locating: Annotated[str, Form(max_length=10)] = "",
    hours_retrieving: Annotated[str, Form(max_length=10)] = "",
    hours_extracting: Annotated[str, Form(max_length=10)] = "",
    beyond_limit: Annotated[str, Form(max_length=5)] = "",
    page: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
) -> Response:
    try:
        service.ask_for_paper(
            db,
            kek,
            actor,
            request_id,
            hit_id,
            hours_locating=_hours(hours_locating, "hours_locating"),
            hours_retrieving=_hours(hours_retrieving, "hours_retrieving"),
            hours_extracting=_hours(hours_extracting, "hours_extracting"),
            beyond_limit=beyond_limit == "yes",
        )
    except ValidationFailed as exc:
        errors = {f"{k}-{hit_id}": v for k, v in (exc.errors or {}).items()}
        return _page(
            request,
            db,
            kek,
            actor,
            request_id,
            source=SourceKind.PAPER_FILE.value,
            page=PageRequest(number=page),
            error=exc.message,
            errors=errors,
            status_code=422,
        )
    return _back(request_id, SourceKind.PAPER_FILE.value, page, hit_id)
