"""The breach register's pages: any member of staff reports a suspected breach (linked from
every page's footer) and follows their own reports; the IG team triages and decides on the
register; assurance viewers read it. The web layer only reads forms and renders: every rule
is in assurance.breaches."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from steward.assurance.breaches import register, service
from steward.assurance.breaches.policy import (
    CATEGORY_WORDS,
    ClockState,
    DataCategory,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.core import clock
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import govuk_datetime, render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

REGISTER = "/assurance/breaches"
# Where an error that no field holds points to: the heading of the form that was sent
# (closing's own errors name these too: "assessment", "ico", "people").
ANCHORS = {
    "assessed": "assessment",
    "ico": "ico",
    "people": "people",
    "linked": "linked",
    "closed": "closed",
}
PEOPLE_FIELDS = {"decision": "people_decision", "reason": "people_reason"}
TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")

KIND_WORDS = {Kind.INCIDENT: "Incident", Kind.NEAR_MISS: "Near miss"}
RISK_WORDS = {
    Risk.UNLIKELY: "Unlikely to result in a risk to people",
    Risk.RISK: "Likely to result in a risk to people",
    Risk.HIGH: "Likely to result in a high risk to people",
}
STATUS_TAGS = {Status.REPORTED: "blue", Status.ASSESSING: "yellow", Status.CLOSED: "grey"}
STEP_WORDS = {
    "reported": "Reported",
    "assessed": "Assessed",
    "ico_notified": "ICO told",
    "ico_not_notified": "Decided not to tell the ICO",
    "people_told": "People affected told",
    "people_not_told": "Decided not to tell the people affected",
    "linked": "Case or person linked",
    "closed": "Closed",
}
DONE = {
    "reported": "Thank you: your report has been sent to the information governance team.",
    "assessed": "The assessment has been saved.",
    "ico": "The decision on telling the ICO has been recorded.",
    "people": "The decision on telling the people affected has been recorded.",
    "linked": "The link has been added.",
    "closed": "The breach has been closed.",
}


def clock_words(c: Any) -> str:
    """The 72-hour clock as a sentence: computed on the server at the moment of the page."""
    due = govuk_datetime(c.deadline) if c.deadline else ""
    span = (
        f"{c.hours} hour{'s' if c.hours != 1 else ''} {c.minutes} min"
        if c.hours is not None
        else ""
    )
    return {
        ClockState.NOT_STARTED: "Not started: record when the organisation became aware",
        ClockState.RUNNING: f"{span} left (ICO to be told by {due})",
        ClockState.OVERDUE: f"Overdue by {span} (was due by {due})",
        ClockState.MET: "ICO told within 72 hours",
        ClockState.LATE: f"ICO told {span} after the 72 hours",
        ClockState.NOT_NOTIFIED: "Not reported to the ICO (reason recorded)",
        ClockState.NOT_NEEDED: "Near miss: no notification needed",
    }[c.state]


CLOCK_TAGS = {
    ClockState.NOT_STARTED: "blue",
    ClockState.RUNNING: "yellow",
    ClockState.OVERDUE: "red",
    ClockState.MET: "green",
    ClockState.LATE: "orange",
    ClockState.NOT_NOTIFIED: "grey",
    ClockState.NOT_NEEDED: "grey",
}

WORDS = {
    "kinds": KIND_WORDS,
    "risks": RISK_WORDS,
    "categories": CATEGORY_WORDS,
    "status_words": service.STATUS_WORDS,
    "status_tags": STATUS_TAGS,
    "step_words": STEP_WORDS,
    "clock_words": clock_words,
    "clock_tags": CLOCK_TAGS,
    "risk_choices": [(r.value, words) for r, words in RISK_WORDS.items()],
}


# --- reading forms ---------------------------------------------------------------------------


def read_instant(
    form: Mapping[str, Any], name: str, *, what: str, errors: dict[str, str]
) -> datetime | None:
    """A GOV.UK date input plus a 24-hour time (``name-time``, "14:30"), read as UK time."""
    answer = read_date(form, name, what=what)
    typed = str(form.get(f"{name}-time", "") or "").strip()
    if answer.error:
        errors[name] = answer.error
        return None
    match = TIME.match(typed)
    if not match:
        errors[name] = f"{what} must include a time, like 14:30"
        return None
    assert answer.value is not None
    local = datetime.combine(answer.value, time(int(match[1]), int(match[2])), tzinfo=clock.UK)
    return local.astimezone(UTC)


def _int(value: object, name: str, errors: dict[str, str], what: str) -> int | None:
    text = str(value or "").strip().replace(",", "")
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        errors[name] = f"{what} must be a whole number, like 12"
        return None
    return int(text)


def _choice(enum: Any, value: object) -> Any:
    try:
        return enum(str(value or ""))
    except ValueError:
        return None


def _form_dict(form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _fields_refused(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)


# --- reporting -------------------------------------------------------------------------------


def _report_page(request: Request, *, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "assurance/breaches/report.html",
        {"form": {}, **WORDS, **extra},
        status_code=status_code,
    )


@router.get("/breaches/report")
def report_form(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.BREACH_REPORT)
    return _report_page(request)


@router.post("/breaches/report")
async def report(request: Request, db: DB, kek: Keyring, actor: PageActor) -> Response:
    actor.require(Permission.BREACH_REPORT)
    form = _form_dict(await request.form())
    errors: dict[str, str] = {}
    discovered = read_instant(form, "discovered_at", what="When it was discovered", errors=errors)
    people = _int(form.get("people_affected"), "people_affected", errors, "The number of people")
    try:
        _fields_refused(errors)
        with db.begin_nested():
            breach = service.report(
                db,
                kek,
                actor,
                service.ReportIn(
                    description=form.get("description", ""),
                    discovered_at=discovered,
                    data_involved=form.get("data_involved", ""),
                    people_affected=people,
                    reference_text=form.get("reference_text", ""),
                ),
            )
    except DomainError as exc:
        shown = refusal(exc, summary="description")
        if isinstance(exc, ValidationFailed):
            shown["errors"] = {**exc.errors, **errors} or shown["errors"]
        return _report_page(request, form=form, **shown)
    return RedirectResponse(f"/breaches/mine/{breach.id}?done=reported", status_code=303)


@router.get("/breaches/mine")
def my_reports(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    found = service.mine(db, actor, page)
    return render(request, "assurance/breaches/mine.html", {"reports": found, **WORDS})


@router.get("/breaches/mine/{breach_id}")
def my_report(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    breach_id: Id,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    row, texts = register.reporters_view(db, kek, actor, breach_id)
    return render(
        request,
        "assurance/breaches/my_report.html",
        {"row": row, "texts": texts, "done": DONE.get(done), **WORDS},
    )


# --- the register ----------------------------------------------------------------------------


def filters_of(status: str, clock_filter: str, notified: str) -> register.RegisterFilter:
    return register.RegisterFilter(status=status, clock=clock_filter, notified=notified)


Filter = Annotated[str, Query(max_length=20)]


@router.get(REGISTER)
def register_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    status: Filter = "",
    clock_filter: Annotated[str, Query(alias="clock", max_length=20)] = "",
    notified: Filter = "",
) -> Response:
    filters = filters_of(status, clock_filter, notified)
    found = register.register(db, actor, filters, page)
    query = request.url.query
    return render(
        request,
        "assurance/breaches/register.html",
        {
            "breaches": found,
            "filters": filters,
            "sections": sections_for(actor),
            "current": REGISTER,
            "csv_href": f"{REGISTER}.csv" + (f"?{query}" if query else ""),
            "can_report": actor.can(Permission.BREACH_REPORT),
            **WORDS,
        },
    )


def csv_response(rows: Iterator[list[str]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in rows:
        writer.writerow(line)
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(f"{REGISTER}.csv")
def register_csv(
    db: DB,
    actor: PageActor,
    status: Filter = "",
    clock_filter: Annotated[str, Query(alias="clock", max_length=20)] = "",
    notified: Filter = "",
) -> Response:
    rows = register.export(db, actor, filters_of(status, clock_filter, notified))
    return csv_response(rows, f"breach-register-{clock.today()}.csv")


def _breach_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: Actor,
    breach_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    found = register.detail(db, kek, actor, breach_id)
    return render(
        request,
        "assurance/breaches/breach.html",
        {
            "breach": found,
            "row": found.row,
            "sections": sections_for(actor),
            "current": REGISTER,
            "form": {},
            **WORDS,
            **extra,
        },
        status_code=status_code,
    )


@router.get(REGISTER + "/{breach_id}")
def breach_page(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    breach_id: Id,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _breach_page(request, db, kek, actor, breach_id, done=DONE.get(done))


async def _act(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: Actor,
    breach_id: int,
    done: str,
    action: Any,
) -> Response:
    """Run one decision from a form; a refusal shows the record again with the form's answers
    and the errors, and changes nothing."""
    actor.require(Permission.BREACH_MANAGE)
    raw = await request.form()
    form = _form_dict(raw)
    form["categories"] = [v for v in raw.getlist("categories") if isinstance(v, str)][:20]
    errors: dict[str, str] = {}
    try:
        with db.begin_nested():
            action(form, errors)
    except DomainError as exc:
        shown = refusal(exc, summary=ANCHORS[done])
        if isinstance(exc, ValidationFailed):
            shown["errors"] = {**exc.errors, **errors} or shown["errors"]
        return _breach_page(request, db, kek, actor, breach_id, form=form, open_form=done, **shown)
    return RedirectResponse(f"{REGISTER}/{breach_id}?done={done}", status_code=303)


@router.post(REGISTER + "/{breach_id}/assessment")
async def assess(
    request: Request, db: DB, kek: Keyring, actor: PageActor, breach_id: Id
) -> Response:
    def action(form: dict[str, Any], errors: dict[str, str]) -> None:
        aware = read_instant(form, "aware_at", what="When we became aware", errors=errors)
        people = _int(
            form.get("people_affected"), "people_affected", errors, "The number of people"
        )
        chosen = form["categories"]
        _fields_refused(errors)
        service.assess(
            db,
            kek,
            actor,
            breach_id,
            service.AssessmentIn(
                kind=_choice(Kind, form.get("kind")),
                aware_at=aware,
                categories=tuple(c for c in (_choice(DataCategory, v) for v in chosen) if c),
                people_affected=people,
                cause=form.get("cause", ""),
                effects=form.get("effects", ""),
                containment=form.get("containment", ""),
                risk=_choice(Risk, form.get("risk")),
            ),
        )

    return await _act(request, db, kek, actor, breach_id, "assessed", action)


@router.post(REGISTER + "/{breach_id}/ico")
async def decide_ico(
    request: Request, db: DB, kek: Keyring, actor: PageActor, breach_id: Id
) -> Response:
    def action(form: dict[str, Any], errors: dict[str, str]) -> None:
        decision = _choice(IcoDecision, form.get("decision"))
        notified = (
            read_instant(form, "notified_at", what="When the ICO was told", errors=errors)
            if decision is IcoDecision.NOTIFIED
            else None
        )
        _fields_refused(errors)
        service.decide_ico(
            db,
            kek,
            actor,
            breach_id,
            service.IcoDecisionIn(
                decision=decision,
                notified_at=notified,
                reference=form.get("reference", ""),
                reason=form.get("reason", ""),
            ),
        )

    return await _act(request, db, kek, actor, breach_id, "ico", action)


@router.post(REGISTER + "/{breach_id}/people")
async def decide_people(
    request: Request, db: DB, kek: Keyring, actor: PageActor, breach_id: Id
) -> Response:
    def action(form: dict[str, Any], errors: dict[str, str]) -> None:
        decision = _choice(PeopleDecision, form.get("people_decision"))
        told_on = None
        if decision is PeopleDecision.TOLD:
            answer = read_date(form, "told_on", what="The date the people affected were told")
            if answer.error:
                errors["told_on"] = answer.error
            told_on = answer.value
        _fields_refused(errors)
        try:
            service.decide_people(
                db,
                kek,
                actor,
                breach_id,
                service.PeopleDecisionIn(
                    decision=decision, told_on=told_on, reason=form.get("people_reason", "")
                ),
            )
        except ValidationFailed as exc:
            # The ICO form on the same page has its own "decision" and "reason".
            renamed = {PEOPLE_FIELDS.get(k, k): v for k, v in exc.errors.items()}
            raise ValidationFailed(exc.message, errors=renamed) from exc

    return await _act(request, db, kek, actor, breach_id, "people", action)


@router.post(REGISTER + "/{breach_id}/links")
async def add_link(
    request: Request, db: DB, kek: Keyring, actor: PageActor, breach_id: Id
) -> Response:
    def action(form: dict[str, Any], errors: dict[str, str]) -> None:
        person = _int(form.get("person_id"), "case_number", errors, "A person record's number")
        _fields_refused(errors)
        service.link(
            db, actor, breach_id, case_number=form.get("case_number", ""), person_id=person
        )

    return await _act(request, db, kek, actor, breach_id, "linked", action)


@router.post(REGISTER + "/{breach_id}/close")
async def close(
    request: Request, db: DB, kek: Keyring, actor: PageActor, breach_id: Id
) -> Response:
    def action(form: dict[str, Any], errors: dict[str, str]) -> None:
        service.close(db, kek, actor, breach_id, form.get("lessons", ""))

    return await _act(request, db, kek, actor, breach_id, "closed", action)
