"""A classroom session, webinar or reading recorded by a manager for the people who attended,
with the evidence (a signed attendance sheet, a certificate) attached.

Who may: the person's line manager, or a training administrator (training:manage) for
anyone; nobody for themselves unless they administer training. Everything is checked before
anything is kept: one person out of the actor's team, a date in the future or before
someone started, or evidence that is not a PDF, JPEG or PNG by its content (or is over
10 MB) refuses the whole entry. Each completion goes through completions.record (the one
recorder, so the same session recorded twice counts once), and its evidence is sealed under
a data key of its own: an attendance sheet names other people, and destroying that key
destroys it alone. The sheet is stored once per person it counts for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto, uploads
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, CourseVersion, StaffMember
from steward.training.policy import Delivery, Source
from steward.training.service import completions, team

MANUAL_DELIVERIES = frozenset({Delivery.CLASSROOM, Delivery.WEBINAR, Delivery.READING})
MAX_PEOPLE = 100
MAX_NOTE = 2000
EVIDENCE_PURPOSE = "training_evidence"


@dataclass(frozen=True, slots=True)
class Attendance:
    """What the manager enters: who attended which course on which day, and the evidence."""

    staff_ids: Sequence[int]
    course_id: int | None
    completed_on: date | None
    note: str
    evidence: bytes


@dataclass(frozen=True, slots=True)
class Recorded:
    completion_ids: tuple[int, ...]
    # Those for whom the same session was already on record: nothing new was kept for them.
    already_recorded: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    filename: str
    media_type: str
    data: bytes


def courses(db: Session) -> list[Course]:
    """The courses a session can be recorded for: those taught in a room, by webinar or by
    reading, not retired. E-learning is completed by taking its module."""
    today = clock.today()
    return list(
        db.scalars(
            select(Course)
            .where(
                Course.delivery.in_([d.value for d in MANUAL_DELIVERIES]),
                (Course.retired_on.is_(None)) | (Course.retired_on > today),
            )
            .order_by(Course.title, Course.id)
        )
    )


def staff_ids_for(db: Session, numbers: Sequence[str]) -> list[int]:
    """The ids of the staff with these HR staff numbers (as typed: case and spaces aside),
    refusing the whole list if any is unknown."""
    wanted = [n.strip() for n in numbers if n.strip()]
    if not wanted:
        return []
    rows = db.execute(
        select(func.upper(StaffMember.staff_number), StaffMember.id).where(
            func.upper(StaffMember.staff_number).in_([n.upper() for n in wanted])
        )
    )
    found: dict[str, int] = {number: staff_id for number, staff_id in rows}
    unknown = [n for n in wanted if n.upper() not in found]
    if unknown:
        raise ValidationFailed(
            "No member of staff has that staff number: nothing was recorded.",
            errors={"staff_numbers": f"No member of staff has the staff number {unknown[0][:32]}"},
        )
    return [found[n.upper()] for n in wanted]


def _people(
    db: Session, actor: Actor, staff_ids: Sequence[int]
) -> tuple[list[StaffMember], dict[str, str]]:
    """The people chosen, refusing (Forbidden) anyone the actor may not act for; or what is
    wrong with the choice."""
    wanted = list(dict.fromkeys(staff_ids))
    if not wanted:
        return [], {"staff": "Select the people who attended"}
    if len(wanted) > MAX_PEOPLE:
        return [], {"staff": f"Select at most {MAX_PEOPLE} people"}
    found = {s.id: s for s in db.scalars(select(StaffMember).where(StaffMember.id.in_(wanted)))}
    missing = [i for i in wanted if i not in found]
    if missing and not actor.can(Permission.TRAINING_MANAGE):
        raise Forbidden(team.NOT_YOURS)  # as for someone else's report: nothing to learn
    if missing:
        return [], {"staff": f"There is no member of staff with id {missing[0]}"}
    people = [found[i] for i in wanted]
    for person in people:
        team.require_may_act_for(db, actor, person)
    return people, {}


def _checked(
    db: Session, people: list[StaffMember], entry: Attendance, errors: dict[str, str]
) -> tuple[Course, str]:
    """The course and the evidence's media type, or every problem with the entry at once."""
    course = db.get(Course, entry.course_id) if entry.course_id is not None else None
    if course is None:
        errors["course_id"] = "Select the course"
    elif course.delivery not in MANUAL_DELIVERIES:
        errors["course_id"] = (
            "This course is e-learning: it is completed by taking its module, not recorded"
        )
    when = entry.completed_on
    if when is None:
        errors["completed_on"] = "Enter the date of the session"
    elif when > clock.today():
        errors["completed_on"] = "The date of the session must be today or in the past"
    else:
        early = [p for p in people if when < p.start_date]
        gone = [
            (p, p.leaving_date)
            for p in people
            if p.leaving_date is not None and when >= p.leaving_date
        ]
        if early:
            errors["completed_on"] = (
                f"The date must be on or after staff number {early[0].staff_number} started, "
                f"on {_day(early[0].start_date)}"
            )
        elif gone:
            errors["completed_on"] = (
                f"The date must be before staff number {gone[0][0].staff_number} left, "
                f"on {_day(gone[0][1])}"
            )
        elif course is not None and course.retired_on is not None and when >= course.retired_on:
            errors["completed_on"] = "The course was retired before that date"
    if len(entry.note) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE} characters or fewer"
    media_type = ""
    try:
        media_type = uploads.check_file(entry.evidence, field="file")
    except ValidationFailed as exc:
        errors |= exc.errors
    if errors or course is None:
        raise ValidationFailed("Check the session's details: nothing was recorded.", errors=errors)
    return course, media_type


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _version_on(db: Session, course: Course, day: date) -> int:
    """The version taught on ``day``: a session before a new version counts as the old one."""
    found = db.scalar(
        select(func.max(CourseVersion.version)).where(
            CourseVersion.course_id == course.id, CourseVersion.released_on <= day
        )
    )
    return int(found) if found is not None else 1


def record(db: Session, kek: KeyEncryptionKeys, actor: Actor, entry: Attendance) -> Recorded:
    """Record the session for each person, with the evidence sealed on each completion."""
    people, errors = _people(db, actor, entry.staff_ids)
    course, media_type = _checked(db, people, entry, dict(errors))
    assert entry.completed_on is not None  # checked above
    version = _version_on(db, course, entry.completed_on)
    kept: list[int] = []
    already: list[int] = []
    for person in people:
        completion = completions.record(
            db,
            actor,
            completions.NewCompletion(
                staff_id=person.id,
                course_id=course.id,
                course_version=version,
                completed_on=entry.completed_on,
                source=Source.MANUAL,
                note=entry.note.strip(),
            ),
        )
        if completion is None:
            already.append(person.id)
            continue
        _seal_evidence(db, kek, completion, entry.evidence, media_type)
        kept.append(completion.id)
    return Recorded(tuple(kept), tuple(already))


def _context(completion_id: int) -> str:
    return f"training_completion:{completion_id}:evidence"


def _seal_evidence(
    db: Session, kek: KeyEncryptionKeys, completion: Completion, data: bytes, media_type: str
) -> None:
    key = crypto.create_data_key(db, kek, purpose=EVIDENCE_PURPOSE)
    completion.evidence_key_id = key.id
    completion.evidence_sealed = crypto.seal(
        db, kek, key_id=key.id, plaintext=data, context=_context(completion.id)
    )
    completion.evidence_media_type = media_type
    # The name as uploaded may name people: the download is named by the completion.
    completion.evidence_filename = f"evidence-{completion.id}{uploads.EXTENSIONS[media_type]}"
    db.flush()
    # Ten people at a session would otherwise hold ten sealed copies in memory until commit.
    db.expire(completion, ["evidence_sealed"])


def evidence(db: Session, kek: KeyEncryptionKeys, actor: Actor, completion_id: int) -> EvidenceFile:
    """The evidence of a recorded session, for the person's manager or a training
    administrator: an audited read."""
    completion = db.get(Completion, completion_id)
    if completion is None:
        if actor.can(Permission.TRAINING_MANAGE):
            raise NotFound("There is no such completion.")
        raise Forbidden(team.NOT_YOURS)
    staff = team.staff_to_act_for(db, actor, completion.staff_id)
    if (
        completion.evidence_sealed is None
        or completion.evidence_key_id is None
        or completion.evidence_media_type is None
    ):
        raise NotFound("No evidence was attached to this completion.")
    data = crypto.open_sealed(
        db,
        kek,
        key_id=completion.evidence_key_id,
        sealed=completion.evidence_sealed,
        context=_context(completion.id),
    )
    audit.record(
        db,
        actor,
        TrainingEvent.EVIDENCE_DOWNLOADED,
        subject_type=completions.SUBJECT_TYPE,
        subject_id=completion.id,
        details={"staff_id": staff.id},
    )
    return EvidenceFile(
        completion.evidence_filename or f"evidence-{completion.id}",
        completion.evidence_media_type,
        data,
    )
