"""The disclosure part of a request: the documents in scope with their status and counts,
"Find redactions" in the background, a review page per document (its text with proposed
redactions and kept findings highlighted, accept or reject each with its code, add one by
selecting text or typing it, accept all of one person, withhold the document), and sending
the disclosure for approval, approving it (someone else) or reopening it.

Thin: the sar service checks the permission, keeps the rules and records every change and
read. URLs carry ids only; what is redacted is posted in bodies. A step refused shows the
page again with why in an error summary, and changes nothing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import DomainError, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.records.service import InductionRequired
from steward.redaction.spans import Code
from steward.sar import policy, service
from steward.sar.disclosure_models import DetectStatus, ItemStatus
from steward.sar.service import disclosure, disclosure_store
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.ids import Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render
from steward.web.sar.pages import STATUS_FOR_ERROR

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

ITEM_STATUS = {
    ItemStatus.PROPOSED.value: ("To review", "yellow"),
    ItemStatus.REVIEWED.value: ("Reviewed", "green"),
    ItemStatus.WITHHELD.value: ("Withheld", "grey"),
}
DETECT_STATUS = {
    DetectStatus.WAITING.value: "Not yet looked at",
    DetectStatus.DONE.value: "Looked at",
    DetectStatus.FAILED.value: "Could not be read: review by hand",
}
DECISION = {"proposed": "To decide", "accepted": "Redacted", "rejected": "Kept (rejected)"}
SOURCE = {
    "case": "the case's people",
    "pattern": "a pattern",
    "ner": "the language model",
    "reviewer": "a reviewer",
}
ROLE = {"requester": "the requester's own", "professional": "a professional in role"}
Small = Annotated[str, Form(max_length=40)]


def _words() -> dict[str, Any]:
    return {
        "codes": [(c.value, disclosure.CODE_WORDS[c]) for c in Code],
        "code_words": {c.value: disclosure.CODE_WORDS[c] for c in Code},
        "item_status": ITEM_STATUS,
        "detect_status": DETECT_STATUS,
        "decision_words": DECISION,
        "source_words": SOURCE,
        "role_words": ROLE,
        "disclosure_words": {d.value: w for d, w in policy.DISCLOSURE_WORDS.items()},
    }


def _list_page(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: int,
    *,
    page: PageRequest | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    found = disclosure.state(db, actor, request_id=request_id)
    listed = disclosure.items(
        db,
        actor,
        request_id=request_id,
        page=PageRequest(number=(page or PageRequest()).number, size=20),
    )
    return render(
        request,
        "sar/disclosure.html",
        {
            "sar": sar,
            "state": found,
            "listed": listed,
            "workable": policy.Status(sar.status) in policy.DISCLOSURE_WORK,
            "me": actor.user_id,
            **_words(),
            **extra,
        },
        status_code=status_code,
    )


def _item_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: int,
    item_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    seen = disclosure.review(db, kek, actor, request_id=request_id, item_id=item_id)
    return render(
        request,
        "sar/disclosure_item.html",
        {
            "sar": sar,
            "seen": seen,
            "state": disclosure.state(db, actor, request_id=request_id),
            "form": extra.pop("form", {}),
            **_words(),
            **extra,
        },
        status_code=status_code,
    )


def _refusal(exc: DomainError) -> tuple[int, str, dict[str, str]]:
    status = next((code for kind, code in STATUS_FOR_ERROR if isinstance(exc, kind)), 400)
    return status, exc.message, dict(exc.errors) if isinstance(exc, ValidationFailed) else {}


def _on_list(
    request: Request, db: DB, actor: PageActor, request_id: int, action: Callable[[], object]
) -> Response:
    """One change from the list page, all or nothing; refused, the page again with why."""
    actor.require(Permission.SAR_MANAGE)
    try:
        with db.begin_nested():
            action()
    except InductionRequired:
        raise  # the gate's own page, not this page with a refusal on it
    except DomainError as exc:
        status, message, errors = _refusal(exc)
        return _list_page(
            request, db, actor, request_id, status_code=status, error=message, errors=errors
        )
    return RedirectResponse(f"/sar/requests/{request_id}/disclosure", status_code=303)


def _on_item(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: int,
    item_id: int,
    action: Callable[[], object],
    *,
    form: dict[str, Any] | None = None,
    anchor: str = "",
    fields: dict[str, str] | None = None,
) -> Response:
    """One change from a document's page, all or nothing; refused, the page again with why,
    each field's message on the form's own field (``fields``: the service's name → the id)."""
    actor.require(Permission.SAR_MANAGE)
    try:
        with db.begin_nested():
            action()
    except InductionRequired:
        raise  # the gate's own page, not this page with a refusal on it
    except DomainError as exc:
        status, message, said = _refusal(exc)
        # Only messages for a field on this page: the summary links to each one.
        errors = {fields[k]: v for k, v in said.items() if fields and k in fields}
        return _item_page(
            request,
            db,
            kek,
            actor,
            request_id,
            item_id,
            status_code=status,
            error=message,
            errors=errors,
            form=form or {},
        )
    return RedirectResponse(
        f"/sar/requests/{request_id}/disclosure/{item_id}{anchor}", status_code=303
    )


@router.get("/sar/requests/{request_id}/disclosure")
def disclosure_page(
    request: Request, db: DB, actor: PageActor, request_id: Id, page: PageQuery
) -> Response:
    return _list_page(request, db, actor, request_id, page=page)


@router.post("/sar/requests/{request_id}/disclosure/propose")
def find_redactions(
    request: Request, db: DB, kek: Keyring, settings: AppSettings, actor: PageActor, request_id: Id
) -> Response:
    started: list[int] = []

    def step() -> None:
        job = disclosure.propose(
            db,
            kek,
            actor,
            job_queue(request),
            request_id=request_id,
            own_name=settings.organisation_name,
        )
        started.append(job.id)

    answer = _on_list(request, db, actor, request_id, step)
    if started and answer.status_code == 303:
        return RedirectResponse(f"/jobs/{started[0]}", status_code=303)
    return answer


@router.post("/sar/requests/{request_id}/disclosure/submit")
def submit(request: Request, db: DB, actor: PageActor, request_id: Id) -> Response:
    return _on_list(
        request, db, actor, request_id, lambda: disclosure.submit(db, actor, request_id=request_id)
    )


@router.post("/sar/requests/{request_id}/disclosure/approve")
def approve(request: Request, db: DB, actor: PageActor, request_id: Id) -> Response:
    return _on_list(
        request, db, actor, request_id, lambda: disclosure.approve(db, actor, request_id=request_id)
    )


@router.post("/sar/requests/{request_id}/disclosure/reopen")
def reopen(request: Request, db: DB, actor: PageActor, request_id: Id) -> Response:
    return _on_list(
        request, db, actor, request_id, lambda: disclosure.reopen(db, actor, request_id=request_id)
    )


@router.get("/sar/requests/{request_id}/disclosure/{item_id}")
def item_page(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id, item_id: Id
) -> Response:
    return _item_page(request, db, kek, actor, request_id, item_id)


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/redactions/{redaction_id}")
def decide(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    item_id: Id,
    redaction_id: Id,
    decision: Small = "",
    code: Small = "",
) -> Response:
    def step() -> None:
        if decision not in ("accept", "reject"):
            raise ValidationFailed(
                "Choose whether to redact it or keep it.",
                errors={f"decision-{redaction_id}": "Choose redact or keep"},
            )
        _, found = disclosure_store.redaction_of(db, actor, redaction_id)
        if found.item_id != item_id:
            raise ValidationFailed("That redaction is not on this document.", errors={})
        disclosure.decide(
            db, actor, redaction_id=redaction_id, accept=decision == "accept", code=code or None
        )

    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        step,
        anchor=f"#redaction-{redaction_id}",
        fields={
            f"decision-{redaction_id}": f"decision-{redaction_id}",
            "code": f"code-{redaction_id}",
        },
    )


def _offset(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value) < 10 else None


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/add")
def add(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    item_id: Id,
    text: Annotated[str, Form(max_length=2000)] = "",
    code: Small = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    page: Small = "",
    start: Small = "",
    end: Small = "",
) -> Response:
    """Selected text (page, start and end filled in by redaction.js), or, without JavaScript,
    the words typed: every occurrence on the document."""
    at = (_offset(page), _offset(start), _offset(end))

    def step() -> None:
        if not code:
            raise ValidationFailed(
                "Choose the exemption code.", errors={"add-code": "Choose a code"}
            )
        if None not in at:
            p, s, e = at
            assert p is not None and s is not None and e is not None
            disclosure.add(
                db, kek, actor, item_id=item_id, page=p, start=s, end=e, code=code, reason=reason
            )
        else:
            try:
                disclosure.add_text(
                    db, kek, actor, item_id=item_id, text=text, code=code, reason=reason
                )
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, errors={"add-text": exc.message}) from None

    form = {"text": text, "code": code, "reason": reason}
    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        step,
        form=form,
        anchor="#add",
        fields={
            "add-code": "add-code",
            "code": "add-code",
            "add-text": "add-text",
            "text": "add-text",
        },
    )


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/accept-all")
def accept_all(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    item_id: Id,
    key: Small = "",
) -> Response:
    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        lambda: disclosure.accept_person(db, kek, actor, request_id=request_id, key=key),
    )


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/withhold")
def withhold(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    item_id: Id,
    code: Small = "",
) -> Response:
    def step() -> None:
        if not code:
            raise ValidationFailed(
                "Choose the exemption code.", errors={"withhold-code": "Choose a code"}
            )
        disclosure.withhold(db, actor, item_id=item_id, code=code)

    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        step,
        fields={"withhold-code": "withhold-code", "code": "withhold-code"},
    )


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/restore")
def restore(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id, item_id: Id
) -> Response:
    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        lambda: disclosure.restore(db, actor, item_id=item_id),
    )


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/reviewed")
def reviewed(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id, item_id: Id
) -> Response:
    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        lambda: disclosure.mark_reviewed(db, actor, item_id=item_id),
    )


def _number(value: str, field: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValidationFailed(
            "Give each corner as a number of points.", errors={f"area-{field}": "Enter a number"}
        )
    return number


@router.post("/sar/requests/{request_id}/disclosure/{item_id}/area")
def add_area(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    item_id: Id,
    page: Small = "",
    x0: Small = "",
    y0: Small = "",
    x1: Small = "",
    y1: Small = "",
    code: Small = "",
) -> Response:
    def step() -> None:
        number = _offset(page)
        if number is None or number < 1:
            raise ValidationFailed(
                "Enter the page number.", errors={"area-page": "Enter the page number"}
            )
        disclosure.add_area(
            db,
            actor,
            item_id=item_id,
            page=number - 1,
            x0=_number(x0, "x0"),
            y0=_number(y0, "y0"),
            x1=_number(x1, "x1"),
            y1=_number(y1, "y1"),
            code=code or "THIRD_PARTY",
        )

    form = {"area": {"page": page, "x0": x0, "y0": y0, "x1": x1, "y1": y1}}
    area = {f"area-{n}": f"area-{n}" for n in ("page", "x0", "y0", "x1", "y1")}
    return _on_item(
        request,
        db,
        kek,
        actor,
        request_id,
        item_id,
        step,
        form=form,
        anchor="#areas",
        fields=area | {"page": "area-page", "x0": "area-x0", "code": "area-code"},
    )
