"""My training through the API (/api/v1/training): where I stand, taking a built-in module
(start an attempt, send the answers, read the result), my certificates; and, for the
training team, bringing the catalogue up to date with the modules and checking a
certificate's reference. The same services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.training import module_files
from steward.training.policy import RequirementKind, Source, Status, Topic
from steward.training.service import certificates, elearning, mine
from steward.training.service import modules as module_sync
from steward.training.service.elearning import Result
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, envelope, page_of_list
from steward.web.deps import DB, ApiActor, AppSettings, api_requires
from steward.web.downloads import download_response
from steward.web.ids import Id
from steward.web.training.my import STATUS_WORDS, Slug

router = APIRouter(tags=["training"], dependencies=[Depends(require_json)])


class LineRead(BaseModel):
    course_code: str
    course_title: str
    topic: Topic
    kind: RequirementKind
    status: Status
    status_words: str
    status_meaning: str
    due_on: date | None = Field(
        description="The first deadline, or when the last completion lapses"
    )
    last_completed_on: date | None
    module_url: str | None = Field(description="The built-in module that completes it, if any")


class CompletionRead(BaseModel):
    id: int
    course_code: str
    course_title: str
    version: int
    completed_on: date
    source: Source
    score: int | None
    reference: str = Field(description="The certificate's verification reference")
    certificate_url: str


class MyTrainingRead(ApiPage[CompletionRead]):
    """Where I stand on each course required of me today (``lines``), and one page of my
    completions (``items``, newest first)."""

    linked: bool = Field(description="False: the account has no staff record (see message)")
    message: str | None
    as_of: date
    staff_number: str | None
    name: str | None
    team: str | None
    in_scope: bool = Field(description="On the staff list on as_of (started, not left)")
    compliant: bool | None
    lines: list[LineRead]


class QuestionRead(BaseModel):
    id: str
    number: int
    text: str
    options: list[str] = Field(description="Answer by the option's index, counting from 0")


class AttemptStarted(BaseModel):
    attempt_id: int
    course_code: str
    version: int
    pass_mark: int | None
    questions: list[QuestionRead]
    answers_url: str


class AnswersSent(StrictInput):
    answers: dict[
        Annotated[str, Field(pattern=r"^q[0-9]{1,3}$")], Annotated[int, Field(ge=0, le=50)]
    ] = Field(max_length=module_files.MAX_QUESTIONS, description='{"q1": 0, "q2": 3, ...}')


class WrongRead(BaseModel):
    id: str
    number: int
    text: str
    read_again: str | None = Field(description="The module section to read again")


class AttemptResultRead(BaseModel):
    attempt_id: int
    course_code: str
    version: int
    submitted_at: datetime | None
    score: int
    pass_mark: int | None
    passed: bool
    asked: int
    correct: int
    wrong: list[WrongRead] = Field(description="Which were wrong; never the right answers")
    completion_id: int | None
    certificate_url: str | None


class SyncRowRead(BaseModel):
    file: str
    outcome: str
    code: str | None
    version: int | None
    requires_redo: bool
    changed: list[str]
    problems: list[str]


class SyncRead(BaseModel):
    rows: list[SyncRowRead]


class CertificateCheckRead(BaseModel):
    genuine: bool
    completion_id: int | None = None
    staff_number: str | None = None
    name: str | None = None
    course_code: str | None = None
    version: int | None = None
    completed_on: date | None = None
    source: str | None = None
    score: int | None = None


@router.get("/training/me")
def my_training(db: DB, actor: ApiActor, page: ApiPageQuery) -> MyTrainingRead:
    """Where I stand on each course required of me today, and a page of my completions."""
    found = mine.overview(db, actor)
    if found.staff is None:
        return MyTrainingRead(
            **envelope(page_of_list([], page), _completion),
            linked=False,
            message=elearning.NOT_LINKED,
            as_of=found.as_of,
            staff_number=None,
            name=None,
            team=None,
            in_scope=False,
            compliant=None,
            lines=[],
        )
    done = certificates.completed(db, found.staff.id, page)
    return MyTrainingRead(
        **envelope(done, _completion),
        linked=True,
        message=None,
        as_of=found.as_of,
        staff_number=found.staff.staff_number,
        name=found.staff.name,
        team=found.staff.team,
        in_scope=found.standing is not None,
        compliant=found.standing.compliant if found.standing else None,
        lines=[
            LineRead(
                course_code=line.course_code,
                course_title=line.course_title,
                topic=line.topic,
                kind=line.kind.value,
                status=line.status.value,
                status_words=STATUS_WORDS[line.status][0],
                status_meaning=STATUS_WORDS[line.status][2],
                due_on=line.standing.due_on,
                last_completed_on=line.standing.last_completed_on,
                module_url=f"/training/modules/{line.module_slug}" if line.module_slug else None,
            )
            for line in found.lines
        ],
    )


def _completion(c: Any) -> CompletionRead:
    return CompletionRead(
        id=c.id,
        course_code=c.course_code,
        course_title=c.course_title,
        version=c.version,
        completed_on=c.completed_on,
        source=c.source,
        score=c.score,
        reference=c.reference,
        certificate_url=f"/api/v1/training/completions/{c.id}/certificate",
    )


@router.post("/training/modules/{slug}/attempts", status_code=201)
def start_attempt(db: DB, actor: ApiActor, slug: Slug) -> AttemptStarted:
    """Start an attempt at a module's quiz (or take up the one left open on this version).
    409 when it cannot be taken: no staff record, or not in the catalogue."""
    module, attempt = elearning.start(db, actor, slug)
    course = elearning.course_of(db, slug)
    return AttemptStarted(
        attempt_id=attempt.id,
        course_code=module.code,
        version=attempt.course_version,
        pass_mark=course.pass_mark if course else module.pass_mark,
        questions=[
            QuestionRead(id=q.id, number=q.number, text=q.text, options=[o.text for o in q.options])
            for q in module.questions
        ],
        answers_url=f"/api/v1/training/attempts/{attempt.id}/answers",
    )


def _result(result: Result) -> AttemptResultRead:
    completion = result.completion
    return AttemptResultRead(
        attempt_id=result.attempt.id,
        course_code=result.course.code,
        version=result.attempt.course_version,
        submitted_at=result.attempt.submitted_at,
        score=result.score,
        pass_mark=result.pass_mark,
        passed=result.passed,
        asked=result.asked,
        correct=result.correct,
        wrong=[
            WrongRead(
                id=q.id,
                number=q.number,
                text=q.text,
                read_again=q.read_again.title if q.read_again else None,
            )
            for q in result.wrong
        ],
        completion_id=completion.id if completion else None,
        certificate_url=f"/api/v1/training/completions/{completion.id}/certificate"
        if completion
        else None,
    )


@router.post("/training/attempts/{attempt_id}/answers")
def send_answers(db: DB, actor: ApiActor, attempt_id: Id, body: AnswersSent) -> AttemptResultRead:
    """Send every answer at once: scored against the course's pass mark; a pass records the
    completion. 422 names each question left unanswered; nothing is kept then."""
    return _result(elearning.submit(db, actor, attempt_id, dict(body.answers)))


@router.get("/training/attempts/{attempt_id}")
def attempt_result(db: DB, actor: ApiActor, attempt_id: Id) -> AttemptResultRead:
    return _result(elearning.result(db, actor, attempt_id))


@router.get(
    "/training/completions/{completion_id}/certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate(db: DB, actor: ApiActor, settings: AppSettings, completion_id: Id) -> Response:
    """A completion's certificate as a PDF: the person's own, their reports' (a manager), or
    anyone's for those who see training compliance."""
    issued = certificates.issue(db, actor, completion_id, organisation=settings.organisation_name)
    return download_response(issued.filename, "application/pdf", issued.data)


@router.get(
    "/training/certificates/{reference}",
    dependencies=[Depends(api_requires(Permission.TRAINING_VIEW_COMPLIANCE))],
)
def check_certificate(
    db: DB, actor: ApiActor, reference: Annotated[str, Path(max_length=40)]
) -> CertificateCheckRead:
    """Whether Steward issued the certificate with this verification reference, and what it
    states."""
    found = certificates.check(db, actor, reference)
    if found is None:
        return CertificateCheckRead(genuine=False)
    return CertificateCheckRead(
        genuine=True,
        completion_id=found.completion_id,
        staff_number=found.staff_number,
        name=found.name,
        course_code=found.course_code,
        version=found.version,
        completed_on=found.completed_on,
        source=found.source,
        score=found.score,
    )


@router.post(
    "/training/modules/sync",
    dependencies=[Depends(api_requires(Permission.TRAINING_MANAGE))],
)
def sync_modules(db: DB, actor: ApiActor) -> SyncRead:
    """Bring the catalogue up to date with the built-in modules (idempotent); a module file
    that cannot be used is listed with its problems and changes nothing."""
    result = module_sync.sync(db, actor)
    rows: list[dict[str, Any]] = [
        {
            "file": row.file,
            "outcome": row.outcome.value,
            "code": row.code,
            "version": row.version,
            "requires_redo": row.requires_redo,
            "changed": list(row.changed),
            "problems": list(row.problems),
        }
        for row in result.rows
    ]
    return SyncRead.model_validate({"rows": rows})
