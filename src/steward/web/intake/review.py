"""Pages of the review of held partner data: the queue of held rows, one row beside the
person it may be with the decision form, the notices of corrections told to partners, and a
partner's own "Corrections to your data". Who may see and decide what is the intake
service's rule (INTAKE_REVIEW and the induction gate; a partner sees its own notices only);
these handlers read forms and render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import Conflict, InvalidTransition, ValidationFailed
from steward.core.permissions import Actor
from steward.intake.policy import Decision
from steward.intake.service import decisions, notices, review
from steward.intake.service.review import HeldRow
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# What the queue's banner says after a decision (the code travels in the address).
DONE = {
    "accepted": "The row has been accepted and recorded.",
    "corrected": (
        "The row has been corrected and recorded. The partner has been told which fields "
        "were corrected."
    ),
    "rejected": "The row has been rejected. Nothing from it was recorded.",
}
DONE_FOR = {
    Decision.ACCEPT: "accepted",
    Decision.CORRECT: "corrected",
    Decision.REJECT: "rejected",
}
EMAIL_WORDS = {
    "sent": "Sent",
    "queued": "Waiting in the outbox",
    "failed": "Not sent: the mail server refused it",
    "none": "No contact receives notices",
}
CORRECTED = "corrected-"
PartnerFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
CodeFilter = Annotated[str, Query(max_length=40)]


@router.get("/intake/held")
def queue_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    partner: PartnerFilter = None,
    code: CodeFilter = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    errors: dict[str, str] = {}
    try:
        listing = review.held_rows(db, actor, page, partner_id=partner, code=code or None)
    except ValidationFailed as exc:
        errors = exc.errors
        listing = review.held_rows(db, actor, page, partner_id=partner)
        code = ""
    partners, codes = review.held_filters(db, actor)
    return render(
        request,
        "intake/review_queue.html",
        {
            "listing": listing,
            "partners": partners,
            "codes": codes,
            "filters": {"partner": str(partner or ""), "code": code},
            "done": DONE.get(done),
            "errors": errors,
            "error": next(iter(errors.values()), None),
        },
        status_code=422 if errors else 200,
    )


def _initial(row: HeldRow) -> dict[str, Any]:
    return {
        "decision": "",
        "link": "",
        "reason": "",
        "corrected": {f.name: f.value or "" for f in row.fields},
    }


def _row_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: Actor,
    row_id: int,
    *,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    row = review.held_row(db, kek, actor, row_id)
    return render(
        request,
        "intake/review_row.html",
        {
            "row": row,
            "form": form or _initial(row),
            "errors": {},
            "corrected_prefix": CORRECTED,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/intake/held/{row_id}")
def row_page(request: Request, db: DB, kek: Keyring, actor: PageActor, row_id: Id) -> Response:
    return _row_page(request, db, kek, actor, row_id)


def _field_errors(errors: dict[str, str], names: list[str]) -> dict[str, str]:
    """The service's errors keyed by the page's own field ids, in the form's order."""
    shown: dict[str, str] = {}
    for key in ("decision", "link"):
        if key in errors:
            shown[key] = errors[key]
    if "corrected" in errors and names:
        shown[f"{CORRECTED}{names[0]}"] = errors["corrected"]
    for name in names:
        if name in errors:
            shown[f"{CORRECTED}{name}"] = errors[name]
    if "reason" in errors:
        shown["reason"] = errors["reason"]
    return shown


@router.post("/intake/held/{row_id}")
async def decide(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    row_id: Id,
) -> Response:
    # The data set's fields vary from row to row: read the form whole (the input rule has
    # already refused hidden characters in every field).
    submitted = await request.form()

    def text(name: str) -> str:
        value = submitted.get(name)
        return value if isinstance(value, str) else ""

    decision = text("decision")
    link = {"yes": True, "no": False}.get(text("link"))
    typed = {
        key[len(CORRECTED) :]: text(key)
        for key in submitted
        if key.startswith(CORRECTED) and len(key) <= 80
    }
    form = {
        "decision": decision,
        "link": text("link"),
        "reason": text("reason"),
        "corrected": typed,
    }
    try:
        with db.begin_nested():
            done = decisions.decide(
                db,
                kek,
                actor,
                row_id=row_id,
                decision=decision,
                reason=text("reason"),
                corrected=typed if decision == Decision.CORRECT.value else None,
                link_to_candidate=link,
                settings=settings,
            )
    except ValidationFailed as exc:
        names = [n for n in typed] or ["first_name"]
        shown = _field_errors(exc.errors, names)
        return _row_page(
            request,
            db,
            kek,
            actor,
            row_id,
            form=form,
            status_code=422,
            error=exc.message,
            errors=shown or {"decision-form": exc.message},
        )
    except (InvalidTransition, Conflict) as exc:
        return _row_page(
            request, db, kek, actor, row_id, form=form, **refusal(exc, summary="decision-form")
        )
    return RedirectResponse(f"/intake/held?done={DONE_FOR[done.decision]}", status_code=303)


@router.get("/intake/notices")
def notices_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    partner: PartnerFilter = None,
) -> Response:
    listing = notices.notices(db, actor, page, partner_id=partner)
    partners = notices.notice_partners(db, actor)
    return render(
        request,
        "intake/review_notices.html",
        {
            "listing": listing,
            "partners": partners,
            "filters": {"partner": str(partner or "")},
            "email_words": EMAIL_WORDS,
        },
    )


@router.get("/intake/corrections")
def corrections_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    found = notices.corrections_for_partner(db, actor, page)
    return render(request, "intake/review_corrections.html", {"found": found})
