"""The team API (/api/v1/training/team, /training/completions, /training/reminders): what
the team pages do, for automation, through the same services. A line manager reaches their
direct reports; a training administrator (training:manage) anyone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from steward.core import clock
from steward.training.policy import ReminderKind, RequirementKind, Status
from steward.training.service import compliance, manual, reminder_log, reminders, team
from steward.web.api import require_multipart
from steward.web.api_contract import ApiPage, ApiPageQuery, envelope
from steward.web.deps import DB, ApiActor, AppSettings, Keyring
from steward.web.downloads import download_response
from steward.web.ids import Id, IdItem

router = APIRouter(tags=["training"])

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "They are not one of your direct reports"},
    404: {"description": "No member of staff with that id"},
}


class TeamLineRead(BaseModel):
    course_id: int
    course_code: str
    course_title: str
    kind: RequirementKind
    status: Status
    due_on: date | None = Field(description="When it is (or was) due; None: it never lapses")
    last_completed_on: date | None


class TeamMemberRead(BaseModel):
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    status: str = Field(description="overdue, due_soon, in_window or compliant")
    overdue: int = Field(description="Courses overdue or never done")
    due_soon: int = Field(description="Courses due within the due-soon window")
    next_due: date | None
    lines: list[TeamLineRead]


class TeamRead(ApiPage[TeamMemberRead]):
    """One page of your reports (``items``: overdue first, then due soon, then the rest),
    and how many of the whole team are overdue or due soon."""

    as_of: date
    overdue: int = Field(description="People with anything overdue")
    due_soon: int = Field(description="People with something due soon and nothing overdue")


class TeamCompletionRead(BaseModel):
    id: int
    course_title: str
    completed_on: date
    source: str
    note: str
    has_evidence: bool


class TeamPersonRead(BaseModel):
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    in_post: bool = Field(description="False once they have left (or before they start)")
    lines: list[TeamLineRead]
    completions: list[TeamCompletionRead]


class TeamReminderSentRead(BaseModel):
    reminders: int = Field(description="Courses the email reminded them of")
    status: str = Field(description="The email's: sent, queued (no mail server) or failed")


class SessionRecordedRead(BaseModel):
    completion_ids: list[int]
    already_recorded: list[int] = Field(
        description="Staff ids for whom the same session was already on record"
    )


class ReminderLogRead(BaseModel):
    id: int
    sent_at: datetime
    kind: ReminderKind
    staff_id: int
    staff_name: str
    course_title: str
    due_on: date
    recipient_name: str | None
    sent_by: str | None = Field(description="Username who sent it by hand; None: the daily run")
    outbox_status: str | None


def _lines(person: compliance.PersonStanding | None) -> list[TeamLineRead]:
    return [
        TeamLineRead(
            course_id=line.course_id,
            course_code=line.course_code,
            course_title=line.course_title,
            kind=line.kind.value,
            status=line.status.value,
            due_on=line.standing.due_on,
            last_completed_on=line.standing.last_completed_on,
        )
        for line in (person.lines if person else ())
    ]


@router.get("/training/team", responses=REFUSALS)
def get_team(db: DB, actor: ApiActor, page: ApiPageQuery) -> TeamRead:
    """Your direct reports in post today and where each stands."""
    found = team.team(db, actor, as_of=clock.today(), page=page)
    return TeamRead(
        **envelope(found.members, _member),
        as_of=found.as_of,
        overdue=found.overdue,
        due_soon=found.due_soon,
    )


def _member(m: Any) -> TeamMemberRead:
    return TeamMemberRead(
        staff_id=m.standing.staff_id,
        staff_number=m.standing.staff_number,
        name=m.standing.name,
        team=m.standing.team,
        status=m.status,
        overdue=m.overdue,
        due_soon=m.due_soon,
        next_due=m.next_due,
        lines=_lines(m.standing),
    )


@router.get("/training/team/{staff_id}", responses=REFUSALS)
def get_person(db: DB, actor: ApiActor, staff_id: Id) -> TeamPersonRead:
    """One of your reports: each course they must do and what they have completed."""
    found = team.person(db, actor, staff_id, as_of=clock.today())
    return TeamPersonRead(
        staff_id=found.staff.id,
        staff_number=found.staff.staff_number,
        name=found.staff.name,
        team=found.staff.team,
        in_post=found.standing is not None,
        lines=_lines(found.standing),
        completions=[
            TeamCompletionRead(
                id=c.id,
                course_title=c.course_title,
                completed_on=c.completed_on,
                source=c.source,
                note=c.note,
                has_evidence=c.evidence_media_type is not None,
            )
            for c in found.completions
        ],
    )


@router.post(
    "/training/team/{staff_id}/reminders",
    status_code=201,
    responses={
        **REFUSALS,
        409: {"description": "Nothing to remind them of, no address, or already sent today"},
    },
)
def send_reminder(
    request: Request, db: DB, kek: Keyring, settings: AppSettings, actor: ApiActor, staff_id: Id
) -> TeamReminderSentRead:
    """Email them a reminder of everything they have still to do (once a day at most)."""
    site_url = settings.public_url or str(request.base_url)
    sent = reminders.nudge(db, kek, actor, staff_id, settings=settings, site_url=site_url)
    return TeamReminderSentRead(reminders=len(sent.reminders), status=sent.status or "failed")


@router.post(
    "/training/completions",
    status_code=201,
    dependencies=[Depends(require_multipart)],
    responses={403: {"description": "Someone chosen is not one of your direct reports"}},
)
def record_session(
    db: DB,
    kek: Keyring,
    actor: ApiActor,
    file: Annotated[UploadFile, File(description="The evidence: a PDF, JPEG or PNG, up to 10 MB")],
    staff_ids: Annotated[list[IdItem], Form(description="Those who attended")],
    course_id: Annotated[IdItem, Form()],
    completed_on: Annotated[date, Form(description="The day of the session")],
    note: Annotated[str, Form(max_length=manual.MAX_NOTE)] = "",
) -> SessionRecordedRead:
    """Record a classroom session, webinar or reading for those who attended, with the
    evidence attached (checked by its content). Nothing is kept if anything is wrong."""
    recorded = manual.record(
        db,
        kek,
        actor,
        manual.Attendance(
            staff_ids=staff_ids,
            course_id=course_id,
            completed_on=completed_on,
            note=note,
            evidence=file.file.read(),
        ),
    )
    return SessionRecordedRead(
        completion_ids=list(recorded.completion_ids),
        already_recorded=list(recorded.already_recorded),
    )


@router.get(
    "/training/completions/{completion_id}/evidence",
    response_class=Response,
    responses={200: {"description": "The evidence file, as an attachment"}, **REFUSALS},
)
def get_evidence(db: DB, kek: Keyring, actor: ApiActor, completion_id: Id) -> Response:
    found = manual.evidence(db, kek, actor, completion_id)
    return download_response(found.filename, found.media_type, found.data)


@router.get("/training/reminders")
def list_reminders(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[ReminderLogRead]:
    """Every reminder and escalation sent, newest first."""
    found = reminder_log.sent(db, actor, page)
    return ApiPage.of(found, _reminder)


def _reminder(r: Any) -> ReminderLogRead:
    return ReminderLogRead(
        id=r.id,
        sent_at=r.sent_at,
        kind=r.kind,
        staff_id=r.staff_id,
        staff_name=r.staff_name,
        course_title=r.course_title,
        due_on=r.due_on,
        recipient_name=r.recipient_name,
        sent_by=r.sent_by,
        outbox_status=r.outbox_status,
    )
