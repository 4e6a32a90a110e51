"""Completions from a learning management system: a Moodle CSV download or xAPI statements
(formats: training.lms_file, docs/training.md).

Each record is matched to a member of staff (by staff number, else by email, whatever its
case) and to a course (by its code or one of its LMS ids: a Moodle course id or shortname, an
xAPI activity id), and kept through ``completions.record``, the one way in, which keeps the
same completion once however often it is imported. A failed attempt, or a pass below the
course's pass mark, never counts. A record that cannot be matched is reported by its row (or
statement number) and changes nothing; the rest are kept. One event per file."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.permissions import Actor, Permission
from steward.training import lms_file, moodle_file, policy, xapi_file
from steward.training.events import TrainingEvent
from steward.training.files import Problem, decode, refuse
from steward.training.lms_file import CourseRef, LmsRecord, Parsed
from steward.training.models import Course, CourseVersion, StaffMember
from steward.training.service import completions

MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 500


@dataclass
class LmsImportReport:
    format: str
    batch: str
    rows: int = 0  # rows or statements read
    recorded: int = 0
    already_recorded: int = 0
    failed: int = 0
    below_pass_mark: int = 0
    not_completed: int = 0
    other_verbs: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unit(self) -> str:
        return "statement" if self.format == "xapi" else "row"

    @property
    def summary(self) -> str:
        said = [
            f"Recorded {self.recorded:,} completion(s); already recorded: {self.already_recorded:,}."
        ]
        if self.recorded == 0 and self.already_recorded and not self.problems:
            said.append("Nothing new: this file's completions were all recorded before.")
        uncounted = []
        if self.failed:
            uncounted.append(f"{self.failed:,} failed")
        if self.below_pass_mark:
            uncounted.append(f"{self.below_pass_mark:,} below the course's pass mark")
        if uncounted:
            said.append(f"Not counted: {', '.join(uncounted)}.")
        if self.problems:
            said.append(
                f"{self.rejected:,} {self.unit}(s) had problems and changed nothing; the "
                "others were applied. Put those right and import the file again: what is "
                "already recorded is not recorded twice."
            )
        return " ".join(said)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": "lms_completions",
            "format": self.format,
            "rows": self.rows,
            "recorded": self.recorded,
            "already_recorded": self.already_recorded,
            "not_counted": {
                "failed": self.failed,
                "below_pass_mark": self.below_pass_mark,
            },
            "not_completions": {
                "not_completed": self.not_completed,
                "other_verbs": self.other_verbs,
            },
            "rejected": self.rejected,
            "errors": [p.as_dict() for p in self.problems],
            "batch": self.batch,
            "message": self.summary,
        }


def import_completions(
    db: Session,
    actor: Actor,
    content: bytes,
    *,
    filename: str | None = None,
    course: str | None = None,
    today: date | None = None,
) -> LmsImportReport:
    """Import an LMS file. ``filename`` names the course of a Moodle completion report (Moodle
    puts its shortname there); ``course``, a course's code or LMS id, names it instead.
    Raises ValidationFailed, changing nothing, when the file cannot be read as a whole."""
    actor.require(Permission.TRAINING_MANAGE)
    today = today or clock.today()
    text = decode(content, max_bytes=MAX_BYTES, what=lms_file.WHAT)
    parsed = parse(text, filename=filename, course=course or None, today=today)
    report = LmsImportReport(
        format=parsed.format,
        batch=str(uuid.uuid4()),
        rows=parsed.total,
        failed=parsed.failed,
        not_completed=parsed.not_completed,
        other_verbs=parsed.other_verbs,
        problems=list(parsed.problems),
    )
    learners = _Learners(db, parsed.records)
    courses = _Courses(db)
    xapi = parsed.format == "xapi"
    for record in parsed.records:
        staff = learners.find(record, report, xapi=xapi)
        found = courses.find(record, report, xapi=xapi)
        if staff is None or found is None:
            continue
        if not passes(record.score, found.pass_mark):
            report.below_pass_mark += 1
            continue
        kept = completions.record(
            db,
            actor,
            completions.NewCompletion(
                staff_id=staff.id,
                course_id=found.id,
                course_version=courses.version_on(found.id, record.completed_on),
                completed_on=record.completed_on,
                source=record.source,
                score=record.score,
                external_id=record.external_id,
                import_batch=report.batch,
            ),
            audited=False,
        )
        if kept is None:
            report.already_recorded += 1
        else:
            report.recorded += 1
    report.problems.sort(key=lambda p: (p.row, p.column))
    audit.record(
        db,
        actor,
        TrainingEvent.COMPLETIONS_IMPORTED,
        details={
            "format": report.format,
            "batch": report.batch,
            "rows": report.rows,
            "recorded": report.recorded,
            "already_recorded": report.already_recorded,
            "failed": report.failed,
            "below_pass_mark": report.below_pass_mark,
            "rejected": report.rejected,
        },
    )
    return report


def passes(score: int | None, pass_mark: int | None) -> bool:
    """An LMS record counts unless its score is known and below the course's pass mark (one
    with no score was judged by the LMS, whose "passed" or "completed" is taken as said)."""
    return score is None or policy.passes(score, pass_mark)


def parse(text: str, *, filename: str | None, course: str | None, today: date) -> Parsed:
    """Read the file in whichever format it is, told by its first character."""
    if text.lstrip()[:1] in ("[", "{"):
        if course:
            raise refuse(
                "xAPI statements name their own activity: leave the course out. Nothing was "
                "imported."
            )
        return xapi_file.read(text, today)
    return moodle_file.read(text, filename=filename, course=course, today=today)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    wanted = sorted(set(values))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


class _Learners:
    """The staff the records name, looked up a chunk at a time, not one query a record."""

    def __init__(self, db: Session, records: list[LmsRecord]) -> None:
        self.by_number: dict[str, StaffMember] = {}
        self.by_email: dict[str, list[StaffMember]] = {}
        for chunk in _chunks(r.staff_number for r in records if r.staff_number):
            for staff in db.scalars(select(StaffMember).where(StaffMember.staff_number.in_(chunk))):
                self.by_number[staff.staff_number] = staff
        for chunk in _chunks(r.email for r in records if r.email):
            for staff in db.scalars(select(StaffMember).where(StaffMember.email.in_(chunk))):
                self.by_email.setdefault(str(staff.email), []).append(staff)

    def find(self, record: LmsRecord, report: LmsImportReport, *, xapi: bool) -> StaffMember | None:
        if record.staff_number and record.staff_number in self.by_number:
            return self.by_number[record.staff_number]
        matches = self.by_email.get(record.email or "", [])
        if len(matches) == 1:
            return matches[0]
        column = "actor" if xapi else ("email" if record.email else "id_number")
        report.problems.append(
            Problem(
                record.row,
                column,
                "The learner's email is held for more than one member of staff: give each their "
                "own in the HR file"
                if matches
                else "No member of staff has this learner's email or staff number: import "
                "the HR file first, or correct the learner's details in the LMS",
            )
        )
        return None


class _Courses:
    """Every course by its code and LMS ids (there are tens, not thousands), and the version
    of each that was taught on a given day."""

    def __init__(self, db: Session) -> None:
        self.by_key: dict[str, list[Course]] = {}
        self.by_mangled: dict[str, list[Course]] = {}
        for course in db.scalars(select(Course).order_by(Course.id)):
            for key in {course.code, *(course.lms_ids or [])}:
                self._add(self.by_key, key.strip().casefold(), course)
                self._add(self.by_mangled, moodle_file.moodle_mangle(key.strip()), course)
        self.versions: dict[int, list[tuple[date, int]]] = {}
        for course_id, version, released_on in db.execute(
            select(CourseVersion.course_id, CourseVersion.version, CourseVersion.released_on)
        ):
            self.versions.setdefault(course_id, []).append((released_on, version))

    @staticmethod
    def _add(index: dict[str, list[Course]], key: str, course: Course) -> None:
        held = index.setdefault(key, [])
        if course not in held:
            held.append(course)

    def find(self, record: LmsRecord, report: LmsImportReport, *, xapi: bool) -> Course | None:
        found: list[Course] = []
        for ref in record.courses:
            for course in self._lookup(ref):
                if course not in found:
                    found.append(course)
        if len(found) == 1:
            return found[0]
        report.problems.append(
            Problem(
                record.row,
                "object.id" if xapi else "course",
                "More than one course has this code or LMS id: give each course its own"
                if found
                else "No course has this as its code or one of its LMS ids: add it to the "
                "course's LMS ids, or correct it in the LMS",
            )
        )
        return None

    def _lookup(self, ref: CourseRef) -> list[Course]:
        if ref.from_filename:
            return self.by_mangled.get(moodle_file.moodle_mangle(ref.value), [])
        return self.by_key.get(ref.value.strip().casefold(), [])

    def version_on(self, course_id: int, day: date) -> int:
        """The version taught on ``day``: the latest released by then (the first, if the
        completion predates every release on record)."""
        released = sorted(self.versions.get(course_id, []))
        taught = [version for released_on, version in released if released_on <= day]
        if taught:
            return max(taught)
        return min((version for _, version in released), default=1)


def course_choices(db: Session) -> list[tuple[str, str]]:
    """(code, title) of every course not retired, for naming the course of a Moodle course
    completion report that has lost the name Moodle gave it."""
    return [
        (code, title)
        for code, title in db.execute(
            select(Course.code, Course.title)
            .where(Course.retired_on.is_(None))
            .order_by(Course.title, Course.code)
        )
    ]
