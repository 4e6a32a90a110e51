"""The breach register through the API (/api/v1): report a breach and read your own reports
(any member of staff); the register, one breach's record, its CSV and the dashboard's figures
(the IG team and assurance viewers); triage, decisions, links and closure (the IG team). The
same services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from steward.assurance.breaches import register, service
from steward.assurance.breaches.policy import (
    DataCategory,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.core import clock
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate
from steward.web.assurance.breaches import clock_words, csv_response, filters_of
from steward.web.deps import DB, ApiActor, Keyring, api_requires
from steward.web.ids import Id

router = APIRouter(tags=["breaches"], dependencies=[Depends(require_json)])

MANAGE = [Depends(api_requires(Permission.BREACH_MANAGE))]
READ: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role neither manages breaches nor reads assurance evidence"},
    404: {"description": "No breach with that id"},
}
CHANGES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not manage breaches"},
    404: {"description": "No breach with that id"},
    409: {"description": "The breach is closed, or not in a state that can be closed"},
    422: {"description": "A field breaks a rule: `errors` names it and says what to do"},
}
Text = Annotated[str, Field(max_length=service.MAX_TEXT)]
Filter = Annotated[str, Query(max_length=20)]


class ReportCreate(StrictInput):
    description: Text = Field(description="What happened")
    discovered_at: AwareDatetime = Field(description="When it was discovered, with its offset")
    data_involved: Text
    people_affected: int | None = Field(None, ge=0, le=100_000_000)
    reference_text: Annotated[str, Field(max_length=200)] = ""


class MyReportRead(BaseModel):
    id: int
    reference: str
    reported_at: datetime
    discovered_at: datetime
    status: str
    status_words: str


class MyReportDetail(MyReportRead):
    description: str
    data_involved: str
    reference_text: str
    people_affected: int | None


class ClockRead(BaseModel):
    state: str = Field(description="not_started, running, overdue, met, late, not_notified, ...")
    deadline: datetime | None = Field(description="72 clock hours after awareness")
    hours: int | None = Field(description="Whole hours left (running) or past (overdue, late)")
    minutes: int | None
    words: str


class BreachRead(BaseModel):
    id: int
    reference: str
    status: str
    kind: str | None
    reported_at: datetime
    discovered_at: datetime
    aware_at: datetime | None
    risk: str | None
    people_affected: int | None
    data_categories: list[str]
    ico_decision: str | None
    ico_notified_at: datetime | None
    ico_reference: str | None
    people_decision: str | None
    people_told_on: date | None
    closed_at: datetime | None
    clock: ClockRead


class LinkRead(BaseModel):
    kind: str
    label: str
    url: str | None


class StepRead(BaseModel):
    step: str
    at: datetime
    by: str


class BreachDetailRead(BreachRead):
    reporter: str
    texts: dict[str, str] = Field(
        description="Free text; the narrative is withheld from viewers outside the IG team"
    )
    links: list[LinkRead]
    hidden_links: int = Field(description="Linked records the caller may not read, not named")
    timeline: list[StepRead]
    closure_problems: dict[str, str]


class AssessmentBody(StrictInput):
    kind: Kind
    aware_at: AwareDatetime
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=20)
    people_affected: int = Field(ge=0, le=100_000_000)
    cause: Text
    effects: Text = ""
    containment: Text
    risk: Risk


class IcoBody(StrictInput):
    decision: IcoDecision
    notified_at: AwareDatetime | None = None
    reference: Annotated[str, Field(max_length=service.MAX_REFERENCE)] = ""
    reason: Text = ""


class PeopleBody(StrictInput):
    decision: PeopleDecision
    told_on: IsoDate | None = None
    reason: Text = ""


class LinkBody(StrictInput):
    case_number: Annotated[str, Field(max_length=40)] = ""
    person_id: int | None = Field(None, ge=1, le=2**31 - 1)


class CloseBody(StrictInput):
    lessons: Text


class SummaryRead(BaseModel):
    as_of: date
    in_last_12_months: int
    near_misses: int
    notified: int
    notified_within_72_hours: int
    overdue_now: int
    not_notified: int
    not_notified_with_reason: int


def _mine(r: service.MyReport) -> MyReportRead:
    return MyReportRead(
        id=r.id,
        reference=r.reference,
        reported_at=r.reported_at,
        discovered_at=r.discovered_at,
        status=r.status.value,
        status_words=service.STATUS_WORDS[r.status],
    )


def _row(r: register.BreachRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.reference,
        "status": r.status.value,
        "kind": r.kind.value if r.kind else None,
        "reported_at": r.reported_at,
        "discovered_at": r.discovered_at,
        "aware_at": r.aware_at,
        "risk": r.risk.value if r.risk else None,
        "people_affected": r.people_affected,
        "data_categories": [c.value for c in r.categories],
        "ico_decision": r.ico_decision.value if r.ico_decision else None,
        "ico_notified_at": r.ico_notified_at,
        "ico_reference": r.ico_reference,
        "people_decision": r.people_decision.value if r.people_decision else None,
        "people_told_on": r.people_told_on,
        "closed_at": r.closed_at,
        "clock": ClockRead(
            state=r.clock.state.value,
            deadline=r.clock.deadline,
            hours=r.clock.hours,
            minutes=r.clock.minutes,
            words=clock_words(r.clock),
        ),
    }


@router.post(
    "/breaches",
    status_code=201,
    responses={422: CHANGES[422]},
    dependencies=[Depends(api_requires(Permission.BREACH_REPORT))],
)
def report(db: DB, kek: Keyring, actor: ApiActor, body: ReportCreate) -> MyReportRead:
    """Report a suspected breach (any member of staff)."""
    breach = service.report(
        db,
        kek,
        actor,
        service.ReportIn(
            description=body.description,
            discovered_at=body.discovered_at,
            data_involved=body.data_involved,
            people_affected=body.people_affected,
            reference_text=body.reference_text,
        ),
    )
    return _mine(
        service.MyReport(
            breach.id,
            breach.reference,
            breach.reported_at,
            breach.discovered_at,
            Status(breach.status),
        )
    )


@router.get("/breaches/mine")
def my_reports(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[MyReportRead]:
    """The breaches you reported, newest first, and where each stands."""
    return ApiPage.of(service.mine(db, actor, page), _mine)


@router.get("/breaches/mine/{breach_id}", responses={404: {"description": "Not one you reported"}})
def my_report(db: DB, kek: Keyring, actor: ApiActor, breach_id: Id) -> MyReportDetail:
    row, texts = register.reporters_view(db, kek, actor, breach_id)
    return MyReportDetail(
        id=row.id,
        reference=row.reference,
        reported_at=row.reported_at,
        discovered_at=row.discovered_at,
        status=row.status.value,
        status_words=service.STATUS_WORDS[row.status],
        description=texts["description"],
        data_involved=texts["data_involved"],
        reference_text=texts["reference_text"],
        people_affected=row.people_affected,
    )


@router.get("/assurance/breaches", responses=READ)
def register_list(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    status: Filter = "",
    clock_filter: Annotated[str, Query(alias="clock", max_length=20)] = "",
    notified: Filter = "",
) -> ApiPage[BreachRead]:
    """The register, newest report first; filter by status (open, closed, reported,
    assessing), clock (running, overdue) and notified (yes, no, undecided)."""
    found = register.register(db, actor, filters_of(status, clock_filter, notified), page)
    return ApiPage.of(found, lambda r: BreachRead(**_row(r)))


@router.get(
    "/assurance/breaches/export",
    response_class=Response,
    responses={**READ, 200: {"content": {"text/csv": {}}}},
)
def register_csv(
    db: DB,
    actor: ApiActor,
    status: Filter = "",
    clock_filter: Annotated[str, Query(alias="clock", max_length=20)] = "",
    notified: Filter = "",
) -> Response:
    """The register as CSV: facts and decisions, no narrative or reasons."""
    rows = register.export(db, actor, filters_of(status, clock_filter, notified))
    return csv_response(rows, f"breach-register-{clock.today()}.csv")


@router.get("/assurance/breaches/summary", responses=READ)
def summary(
    db: DB,
    actor: ApiActor,
    as_of: Annotated[
        IsoDate | None, Query(description="The day to report on (default today)")
    ] = None,
) -> SummaryRead:
    """The dashboard's figures over the 12 months to as_of."""
    register.require_reader(actor)
    found = register.breach_summary(db, as_of or clock.today())
    return SummaryRead(**found.__dict__)


def _detail(found: register.BreachDetail) -> BreachDetailRead:
    return BreachDetailRead(
        **_row(found.row),
        reporter=found.reporter,
        texts=found.texts,
        links=[LinkRead(kind=x.kind, label=x.label, url=x.href) for x in found.links],
        hidden_links=found.hidden_links,
        timeline=[StepRead(step=s.step, at=s.at, by=s.by) for s in found.timeline],
        closure_problems=found.closure_problems,
    )


@router.get("/assurance/breaches/{breach_id}", responses=READ)
def breach(db: DB, kek: Keyring, actor: ApiActor, breach_id: Id) -> BreachDetailRead:
    return _detail(register.detail(db, kek, actor, breach_id))


def _after(db: DB, kek: Keyring, actor: ApiActor, breach_id: int) -> BreachDetailRead:
    return _detail(register.detail(db, kek, actor, breach_id))


@router.post("/assurance/breaches/{breach_id}/assessment", responses=CHANGES, dependencies=MANAGE)
def assess(
    db: DB, kek: Keyring, actor: ApiActor, breach_id: Id, body: AssessmentBody
) -> BreachDetailRead:
    service.assess(
        db,
        kek,
        actor,
        breach_id,
        service.AssessmentIn(
            kind=body.kind,
            aware_at=body.aware_at,
            categories=tuple(body.data_categories),
            people_affected=body.people_affected,
            cause=body.cause,
            effects=body.effects,
            containment=body.containment,
            risk=body.risk,
        ),
    )
    return _after(db, kek, actor, breach_id)


@router.post("/assurance/breaches/{breach_id}/ico", responses=CHANGES, dependencies=MANAGE)
def decide_ico(
    db: DB, kek: Keyring, actor: ApiActor, breach_id: Id, body: IcoBody
) -> BreachDetailRead:
    """Record that the ICO was told (when, reference; reasons if after 72 hours), or why not."""
    service.decide_ico(
        db,
        kek,
        actor,
        breach_id,
        service.IcoDecisionIn(
            decision=body.decision,
            notified_at=body.notified_at,
            reference=body.reference,
            reason=body.reason,
        ),
    )
    return _after(db, kek, actor, breach_id)


@router.post("/assurance/breaches/{breach_id}/people", responses=CHANGES, dependencies=MANAGE)
def decide_people(
    db: DB, kek: Keyring, actor: ApiActor, breach_id: Id, body: PeopleBody
) -> BreachDetailRead:
    service.decide_people(
        db,
        kek,
        actor,
        breach_id,
        service.PeopleDecisionIn(decision=body.decision, told_on=body.told_on, reason=body.reason),
    )
    return _after(db, kek, actor, breach_id)


@router.post("/assurance/breaches/{breach_id}/links", responses=CHANGES, dependencies=MANAGE)
def add_link(
    db: DB, kek: Keyring, actor: ApiActor, breach_id: Id, body: LinkBody
) -> BreachDetailRead:
    """Link a case (by number) or a person record (by id)."""
    service.link(db, actor, breach_id, case_number=body.case_number, person_id=body.person_id)
    return _after(db, kek, actor, breach_id)


@router.post("/assurance/breaches/{breach_id}/close", responses=CHANGES, dependencies=MANAGE)
def close(
    db: DB, kek: Keyring, actor: ApiActor, breach_id: Id, body: CloseBody
) -> BreachDetailRead:
    """Close with the lessons learnt: refused (422) while a needed decision is missing."""
    service.close(db, kek, actor, breach_id, body.lessons)
    return _after(db, kek, actor, breach_id)
