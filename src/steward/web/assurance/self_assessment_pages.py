"""Self-assessment pages: every ICO audit area with its current rating (chosen by a person)
and the latest audit's, and an area's page with the measures beside its history and the form
for a new assessment (which supersedes the last; none is ever edited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.assurance.areas import Area
from steward.assurance.audits.service import assessments
from steward.assurance.controls import service as controls
from steward.assurance.controls.policy import RAG_LABELS
from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.audits_words import MAX_FIELD, shown, typed_date, words
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, refusal
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
FIELDS = ("rating", "assessed_on", "statement")


@dataclass(frozen=True)
class MeasureLine:
    title: str
    figure: str
    status: str
    href: str


def measures_for_area(db: Session, actor: Actor, area: Area) -> list[MeasureLine]:
    """The area's computed measures today, each linking to its drill-down, for the page to show
    beside the rating: Steward shows the evidence; a person picks the rating."""
    return [
        MeasureLine(
            r.measure.title, r.shown, RAG_LABELS[r.rag], f"/assurance/measures/{r.measure.key}"
        )
        for r in controls.area_results(db, actor, area, clock.today())
    ]


@router.get("/assurance/self-assessment")
def standing_page(request: Request, db: DB, actor: PageActor) -> Response:
    lines = assessments.standing(db, actor)
    return render(request, "assurance/self_assessment.html", {"lines": lines, **words(actor)})


def _area_page(
    request: Request,
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    area: Area,
    page: Any,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    history = assessments.history(db, kek, actor, area, page)
    standing = next(s for s in assessments.standing(db, actor) if s.area == area)
    return render(
        request,
        "assurance/self_assessment_area.html",
        {
            "area": area,
            "history": history,
            "standing": standing,
            "measures": measures_for_area(db, actor, area),
            "form": {},
            "parts": {},
            **words(actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/assurance/self-assessment/{area}")
def area_page(
    request: Request, db: DB, kek: Keyring, actor: PageActor, area: str, page: PageQuery
) -> Response:
    return _area_page(request, db, kek, actor, assessments.read_area(area), page)


@router.post("/assurance/self-assessment/{area}")
def record_assessment(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    area: str,
    page: PageQuery,
    assessed: Annotated[DateParts, date_parts("assessed_on")],
    rating: Annotated[str, Form(max_length=16)] = "",
    statement: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    chosen = assessments.read_area(area)
    errors: dict[str, str] = {}
    assessed_on = typed_date(assessed, "assessed_on", "The date of the assessment", errors)
    try:
        with db.begin_nested():
            assessments.record_assessment(
                db, kek, actor, chosen, rating=rating, statement=statement, assessed_on=assessed_on
            )
    except ValidationFailed as exc:
        merged = exc.errors | errors
        ordered = {f: merged[f] for f in FIELDS if f in merged}
        return _area_page(
            request,
            db,
            kek,
            actor,
            chosen,
            page,
            form={"rating": rating, "statement": statement},
            parts={"assessed_on": shown(assessed)},
            **refusal(
                ValidationFailed(exc.message, errors=ordered), fields=FIELDS, summary="assessment"
            ),
        )
    return RedirectResponse(f"/assurance/self-assessment/{chosen.value}", status_code=303)
