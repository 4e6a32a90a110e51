"""Attestation pages: the list (current, due for review, expired), recording one with its
document, one attestation's statement, and its document as a download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.assurance.audits.service import attestations
from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.audits_words import MAX_FIELD, shown, typed_date, words
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import DateParts, date_parts, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
FIELDS = ("title", "expectation_id", "statement", "attested_on", "review_on", "document")


@router.get("/assurance/attestations")
def attestations_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    state: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    chosen = attestations.read_state(state)
    listing = attestations.list_attestations(db, actor, page, chosen)
    summary = attestations.attestation_summary(db, clock.today())
    return render(
        request,
        "assurance/attestations.html",
        {"listing": listing, "state": chosen, "summary": summary, **words(actor)},
    )


def _form_page(request: Request, actor: Actor, *, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "assurance/attestation_form.html",
        {"form": {}, "parts": {}, **words(actor), **extra},
        status_code=status_code,
    )


@router.get("/assurance/attestations/new")
def new_attestation_page(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    return _form_page(request, actor)


@router.post("/assurance/attestations")
def record_attestation(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    attested: Annotated[DateParts, date_parts("attested_on")],
    review: Annotated[DateParts, date_parts("review_on")],
    title: Annotated[str, Form(max_length=200)] = "",
    expectation_id: Annotated[str, Form(max_length=64)] = "",
    statement: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors: dict[str, str] = {}
    attested_on = typed_date(attested, "attested_on", "The date of the statement", errors)
    review_on = typed_date(review, "review_on", "The review date", errors)
    has_file = document is not None and bool(document.filename or document.size)
    # The body was capped on the way in (SecurityMiddleware): a bounded read.
    data = document.file.read() if document is not None and has_file else None
    try:
        with db.begin_nested():
            row = attestations.record_attestation(
                db,
                kek,
                actor,
                attestations.NewAttestation(
                    title, expectation_id, statement, attested_on, review_on, data
                ),
            )
    except ValidationFailed as exc:
        merged = exc.errors | errors
        if has_file and not data:
            merged["document"] = "The selected file is empty"
        ordered = {f: merged[f] for f in FIELDS if f in merged}
        return _form_page(
            request,
            actor,
            form={"title": title, "expectation_id": expectation_id, "statement": statement},
            parts={"attested_on": shown(attested), "review_on": shown(review)},
            **refusal(
                ValidationFailed(exc.message, errors=ordered), fields=FIELDS, summary="attestation"
            ),
        )
    return RedirectResponse(f"/assurance/attestations/{row.id}", status_code=303)


@router.get("/assurance/attestations/{attestation_id}")
def attestation_page(
    request: Request, db: DB, kek: Keyring, actor: PageActor, attestation_id: Id
) -> Response:
    view = attestations.view_attestation(db, kek, actor, attestation_id)
    return render(request, "assurance/attestation.html", {"view": view, **words(actor)})


@router.get("/assurance/attestations/{attestation_id}/document")
def attestation_document(db: DB, kek: Keyring, actor: PageActor, attestation_id: Id) -> Response:
    found = attestations.document(db, kek, actor, attestation_id)
    return download_response(found.filename, found.media_type, found.data)
