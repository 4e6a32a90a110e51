"""The retention API (/api/v1/retention): the schedule's versions and a draft's impact, the
due list, a case's date explained, holds, and the records the schedule cannot date.
Disposal lists and their certificates are in retention_disposal_api.

Thin, through the services the pages use (retention_pages): they check each permission and
record each read and change. Lists answer one page at a time in the ApiPage envelope; people
are named by username, records by case number, file reference or class code.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page
from steward.core.permissions import Actor, Permission
from steward.core.schemas import StrictInput
from steward.records.models import Case
from steward.records.service import access
from steward.retention.models import Hold, HoldKind, HoldScope, RetentionSchedule, ScheduleStatus
from steward.retention.policy import Action
from steward.retention.service import dates, holds, registry, schedules, undatable
from steward.retention.service import jobs as retention_jobs
from steward.web.api import require_json
from steward.web.api_contract import (
    API_PREFIX,
    ApiPage,
    ApiPageQuery,
    IsoDate,
    envelope,
    page_of_list,
)
from steward.web.deps import DB, ApiActor, Keyring, api_requires, writes
from steward.web.ids import Id
from steward.web.jobs_api import JobRead, job_url
from steward.web.jobs_pages import job_queue

router = APIRouter(tags=["retention"], dependencies=[Depends(require_json)])
MANAGE = [Depends(api_requires(Permission.RETENTION_MANAGE))]
NO_SCHEDULE: dict[int | str, dict[str, Any]] = {
    409: {"description": "No retention schedule has been approved yet"}
}


def _names(db: Session, *user_ids: int | None) -> dict[int, str]:
    return auth.usernames(db, (u for u in user_ids if u is not None))


# --- schedule versions -------------------------------------------------------------------


class ScheduleRead(BaseModel):
    version: int
    status: ScheduleStatus = Field(
        description="draft (loaded, awaiting approval), approved (every record is dated by "
        "it), superseded or withdrawn"
    )
    title: str
    owner: str
    sha256: str = Field(description="SHA-256 of the schedule's text as loaded")
    loaded_at: datetime
    loaded_by: str | None = Field(description="Username of who loaded it")
    approved_at: datetime | None
    approved_by: str | None = Field(description="Username of who approved it")
    dated_at: datetime | None = Field(
        description="When the stored dates were last brought up to date by this version"
    )

    @classmethod
    def of(cls, db: Session, found: RetentionSchedule) -> ScheduleRead:
        names = _names(db, found.loaded_by_user_id, found.approved_by_user_id)
        return cls(
            version=found.version,
            status=ScheduleStatus(found.status),
            title=found.title,
            owner=found.owner,
            sha256=found.sha256,
            loaded_at=found.loaded_at,
            loaded_by=names.get(found.loaded_by_user_id or 0),
            approved_at=found.approved_at,
            approved_by=names.get(found.approved_by_user_id or 0),
            dated_at=found.dated_at,
        )


class ClassImpactRead(BaseModel):
    """How the due dates of one class's records move under this version, against the
    version approved when it was loaded."""

    class_code: str
    records: int = Field(description="Records of the class dated by this version")
    earlier: int = Field(description="Due earlier than under the approved version")
    later: int = Field(description="Due later")
    unchanged: int
    gains_date: int = Field(description="Undated (or new) before, dated now")
    loses_date: int = Field(description="Dated before, undated now")


class ScheduleDetail(ScheduleRead):
    source: str = Field(description="The schedule as loaded (YAML)")
    impact: list[ClassImpactRead] = Field(
        description="Per class, how records' dates would move if this version were approved "
        "(measured when it was loaded, as the schedule page shows it for a draft)"
    )

    @classmethod
    def detail(cls, db: Session, found: RetentionSchedule) -> ScheduleDetail:
        return cls(
            **ScheduleRead.of(db, found).model_dump(),
            source=found.source,
            impact=[ClassImpactRead(**asdict(i)) for i in schedules.stored_impact(found)],
        )


class ScheduleLoad(StrictInput):
    source: str = Field(
        min_length=1,
        max_length=1_000_000,
        description="The schedule in its YAML format (docs/retention.md); stored as the draft "
        "of the next version, replacing a draft nobody approved",
    )


@router.get("/retention/schedules", dependencies=MANAGE)
def list_schedules(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[ScheduleRead]:
    """Every version of the retention schedule, newest first."""
    listed = page_of_list(schedules.list_schedules(db, actor), page)
    return ApiPage.of(listed, lambda s: ScheduleRead.of(db, s))


@router.post("/retention/schedules", status_code=201, dependencies=MANAGE)
def load_schedule(db: DB, actor: ApiActor, body: ScheduleLoad) -> ScheduleDetail:
    """Check a schedule and store it as the next version's draft, with its impact. Every
    problem found is listed in `errors`; nothing is stored then."""
    return ScheduleDetail.detail(db, schedules.load(db, actor, body.source))


@router.get("/retention/schedules/{version}", dependencies=MANAGE)
def get_schedule(db: DB, version: Id) -> ScheduleDetail:
    """One version: its text and, per class, the impact it has (or would have) on due dates."""
    return ScheduleDetail.detail(db, schedules.get(db, version))


@router.post(
    "/retention/schedules/{version}/approve",
    responses={409: {"description": "The version is not a draft"}},
    dependencies=[Depends(api_requires(Permission.RETENTION_APPROVE))],
)
def approve_schedule(db: DB, actor: ApiActor, version: Id) -> ScheduleDetail:
    """Approve the draft: every record is re-dated by it and the previous version is
    superseded."""
    return ScheduleDetail.detail(db, schedules.approve(db, actor, version=version))


# --- the due list and one case explained -------------------------------------------------


class DueRead(BaseModel):
    kind: str = Field(description="case, paper_file, or a kind of record another part registers")
    record_id: int
    identifier: str = Field(description="The case number, file reference or other identifier")
    class_code: str
    due_on: date
    action: str = Field(description="What the schedule says to do: destroy, review, ...")
    rule_version: int
    schedule_version: int
    held: bool = Field(description="A hold covers it: it is not disposed of while held")
    note: str | None
    explanation: str | None = Field(
        description="Where a case's date is explained (`GET` it); null for other kinds"
    )


@router.get("/retention/due", responses=NO_SCHEDULE, dependencies=MANAGE)
def due_list(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    as_of: Annotated[
        IsoDate | None, Query(description="Due on or before this date (default today)")
    ] = None,
    kind: Annotated[
        str | None, Query(max_length=40, description="Only this kind of record, e.g. case")
    ] = None,
    action: Annotated[Action | None, Query(description="Only records due this action")] = None,
    held: Annotated[bool | None, Query(description="Only held (true) or not held (false)")] = None,
) -> ApiPage[DueRead]:
    """Records due for action by a date, earliest first, as the stored dates say."""
    if kind is not None and kind not in registry.all_kinds():
        known = ", ".join(sorted(registry.all_kinds()))
        raise ValidationFailed(
            f"There is no kind of record {kind[:40]!r}.", errors={"query.kind": f"One of {known}"}
        )
    rows = dates.due_page(
        db,
        actor,
        page,
        as_of=as_of or clock.today(),
        kind=kind,
        action=action.value if action else None,
        held=held,
    )
    return ApiPage.of(
        rows,
        lambda r: DueRead(
            **asdict(r),
            explanation=f"{API_PREFIX}/retention/cases/{r.record_id}" if r.kind == "case" else None,
        ),
    )


@router.post(
    "/retention/due/sweep",
    status_code=202,
    responses={
        202: {
            "description": "Started: follow the job at `url`, also in the Location header",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    },
    dependencies=MANAGE,
)
def sweep_due(request: Request, response: Response, db: DB, actor: ApiActor) -> JobRead:
    """Re-date every record now, in the background (as the nightly sweep does), for when
    facts changed since it ran: answers at once with the job, to be followed until it is
    finished. The sweep is recorded in the audit trail."""
    job = retention_jobs.start_redate(db, actor, job_queue(request))
    response.headers["Location"] = job_url(job.id)
    return JobRead.of(db, job)


class ExplanationRead(BaseModel):
    case_id: int
    case_number: str
    class_code: str
    rule: str = Field(description="The rule that dates it, in words")
    authority: str = Field(description="Where the rule comes from")
    citation: str
    rule_version: int
    schedule_version: int
    action: str
    trigger_on: date | None = Field(description="When the rule's clock started")
    due_on: date | None = Field(description="Null while the case is open or a fact is missing")
    note: str | None
    facts: list[str] = Field(
        description="The facts the date came from, as sentences (they may name the case's people)"
    )
    held: bool
    hold_ids: list[int] = Field(description="The holds that cover it")


@router.get(
    "/retention/cases/{case_id}",
    responses={
        **NO_SCHEDULE,
        422: {"description": "No rule of the schedule covers the case's class"},
    },
)
@writes
def explain(db: DB, actor: ApiActor, case_id: Id) -> ExplanationRead:
    """Why a case is due when it is: its rule, and the facts its date was worked out from.
    Only for those who may read the case (the facts name its people)."""
    access.require_any_case_access(db, actor)  # before the lookup: no probing for case ids
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound("There is no such case.")
    return ExplanationRead(**asdict(dates.explain(db, actor, case_number=case.case_number)))


# --- holds -------------------------------------------------------------------------------


class CoveredRead(BaseModel):
    label: str = Field(description="A case number, a class code, or a person's name")
    page: str | None = Field(description="Where it is shown on the web, if anywhere")


class HoldRead(BaseModel):
    id: int
    kind: HoldKind
    scope: HoldScope
    reference: str | None = Field(description="The matter's own reference (a court's, say)")
    reason: str | None
    covers: list[CoveredRead]
    placed_at: datetime
    placed_by: str | None = Field(description="Username of who placed it")
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


def _holds(db: Session, actor: Actor, kek: KeyEncryptionKeys, shown: list[Hold]) -> list[HoldRead]:
    covers = holds.coverage(db, actor, shown)
    names = _names(db, *(u for h in shown for u in (h.placed_by_user_id, h.released_by_user_id)))
    found = []
    for hold in shown:
        reason, released_why = holds.reasons(db, kek, hold)
        found.append(
            HoldRead(
                id=hold.id,
                kind=HoldKind(hold.kind),
                scope=HoldScope(hold.scope),
                reference=hold.reference,
                reason=reason,
                covers=[CoveredRead(label=c.label, page=c.href) for c in covers[hold.id]],
                placed_at=hold.placed_at,
                placed_by=names.get(hold.placed_by_user_id or 0),
                released_at=hold.released_at,
                released_by=names.get(hold.released_by_user_id or 0),
                release_reason=released_why,
            )
        )
    return found


class HoldCreate(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "complaint",
                    "scope": "case",
                    "targets": ["C2019-0042"],
                    "reason": "Complaint to the ombudsman about the case",
                    "reference": "OMB-1",
                }
            ]
        }
    )

    kind: HoldKind
    scope: HoldScope = Field(description="What `targets` names: cases, persons or a record class")
    targets: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1,
        max_length=500,
        description="Case numbers, person ids or class codes (a class holds its sub-classes)",
    )
    reason: str = Field(max_length=4000, description="Why: kept sealed, shown to retention staff")
    reference: str | None = Field(None, max_length=100)


class HoldRelease(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The ombudsman closed the complaint"}]}
    )

    reason: str = Field(max_length=4000, description="Why the hold is lifted")


@router.get("/retention/holds", dependencies=MANAGE)
def list_holds(
    db: DB,
    actor: ApiActor,
    kek: Keyring,
    page: ApiPageQuery,
    status: Annotated[Literal["active", "released", "all"], Query()] = "active",
) -> ApiPage[HoldRead]:
    """Holds on records (litigation, inquiries, subject access requests...), newest first:
    while one covers a record, it is not disposed of."""
    listed = holds.holds_page(db, actor, page, status=status)
    shown = {h.id: h for h in _holds(db, actor, kek, list(listed.items))}
    return ApiPage.of(listed, lambda hold: shown[hold.id])


@router.post("/retention/holds", status_code=201, dependencies=MANAGE)
def place_hold(db: DB, actor: ApiActor, kek: Keyring, body: HoldCreate) -> HoldRead:
    """Hold cases, persons' records or a class of records from disposal."""
    hold = holds.place_hold(
        db,
        actor,
        kek,
        kind=body.kind,
        scope=body.scope,
        targets=body.targets,
        reason=body.reason,
        reference=body.reference,
    )
    return _holds(db, actor, kek, [hold])[0]


@router.post(
    "/retention/holds/{hold_id}/release",
    responses={409: {"description": "The hold has already been lifted"}},
    dependencies=MANAGE,
)
def release_hold(db: DB, actor: ApiActor, kek: Keyring, hold_id: Id, body: HoldRelease) -> HoldRead:
    """Lift a hold: its records are dated and disposed of as the schedule says again."""
    hold = holds.release_hold(db, actor, kek, hold_id=hold_id, reason=body.reason)
    return _holds(db, actor, kek, [hold])[0]


# --- records the schedule cannot date ----------------------------------------------------


class UndatableRead(BaseModel):
    kind: str = Field(description="case or paper_file")
    record_id: int
    identifier: str = Field(description="The case number or paper file reference")
    class_code: str
    missing: list[str] = Field(description="What must be added before it can be dated")
    link: str = Field(description="The page where the record is fixed")


class UndatableList(ApiPage[UndatableRead]):
    """One page of the records the schedule cannot date (``items``), and how many of the
    whole list each retention class holds."""

    by_class: dict[str, int]


@router.get("/retention/undatable")
def list_undatable(db: DB, actor: ApiActor, page: ApiPageQuery) -> UndatableList:
    """Records the schedule cannot date, each with what it lacks."""
    listed = undatable.undatable(db, actor, page=page.number, page_size=page.size)
    found = Page(listed.rows, listed.total, listed.page, listed.page_size)
    return UndatableList(**envelope(found, _undatable), by_class=dict(listed.by_class))


def _undatable(r: undatable.UndatableRow) -> UndatableRead:
    return UndatableRead(
        kind=r.kind.value,
        record_id=r.record_id,
        identifier=r.identifier,
        class_code=r.class_code,
        missing=r.missing,
        link=r.link,
    )
