"""Completions from an LMS: Moodle CSV downloads and xAPI statements matched to staff and
courses, kept once however often imported; failures and low scores never counting; records
that cannot be matched reported by row and changing nothing; files refused whole."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.training import moodle_file
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, CourseVersion, StaffMember
from steward.training.policy import Status
from steward.training.service import compliance, lms, staff
from tests.factories.core import make_user
from tests.factories.training import make_course, make_requirement

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "training"
SYSTEM = Actor.system()
TODAY = date(2026, 1, 15)
ADL = "http://adlnet.gov/expapi/verbs/"
CYBER_ACTIVITY = "https://lms.example.org/xapi/activities/cyber-2025"


def example_courses(db: Session) -> dict[str, Course]:
    """The courses the example files name, with the LMS ids they name them by."""
    made = {}
    for code, lms_ids, pass_mark in [
        (
            "DP-INDUCTION",
            ["dp-induction", "https://lms.example.org/xapi/activities/dp-induction"],
            None,
        ),
        ("CYBER", ["cyber-2025", CYBER_ACTIVITY], 80),
        ("RECORDS", ["records-mgmt"], None),
        ("DP-REFRESHER", ["dp-refresher"], 80),
    ]:
        course = make_course(db, code=code, pass_mark=pass_mark, released_on=date(2010, 1, 1))
        course.lms_ids = lms_ids
        made[code] = course
    db.flush()
    return made


@pytest.fixture
def org(db: Session) -> dict[str, Course]:
    """The example workforce (docs/examples/training/hr-staff.csv) and courses."""
    report = staff.import_staff(db, SYSTEM, (EXAMPLES / "hr-staff.csv").read_bytes())
    assert report.ok
    return example_courses(db)


def _completions(db: Session) -> list[tuple[str, str, date, str, int | None, int]]:
    rows = db.execute(
        select(
            StaffMember.staff_number,
            Course.code,
            Completion.completed_on,
            Completion.source,
            Completion.score,
            Completion.course_version,
        )
        .join(StaffMember, StaffMember.id == Completion.staff_id)
        .join(Course, Course.id == Completion.course_id)
        .order_by(StaffMember.staff_number, Course.code, Completion.completed_on)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _import(db: Session, content: bytes | str, **kwargs: Any) -> lms.LmsImportReport:
    data = content.encode() if isinstance(content, str) else content
    return lms.import_completions(db, SYSTEM, data, today=kwargs.pop("today", TODAY), **kwargs)


def _statement(**overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": "0b7a3f9e-1111-4c2d-9e8f-000000000001",
        "actor": {"mbox": "mailto:ben.hartley@example.org"},
        "verb": {"id": f"{ADL}passed"},
        "object": {"id": CYBER_ACTIVITY},
        "result": {"score": {"scaled": 0.9}, "success": True},
        "timestamp": "2025-06-01T10:00:00Z",
    }
    statement.update(overrides)
    return statement


# The example files ---------------------------------------------------------------------------


def test_the_moodle_example_imports_cleanly_and_twice_adds_nothing(
    db: Session, org: dict[str, Course]
) -> None:
    content = (EXAMPLES / "moodle-completions.csv").read_bytes()
    first = _import(db, content, filename="moodle-completions.csv")
    assert first.ok, first.problems
    assert (first.format, first.rows, first.recorded, first.not_completed) == (
        "moodle_csv",
        5,
        4,
        1,
    )
    assert _completions(db) == [
        ("S1001", "RECORDS", date(2025, 10, 2), "moodle", None, 1),
        ("S1002", "DP-INDUCTION", date(2019, 9, 9), "moodle", None, 1),
        ("S1003", "DP-INDUCTION", date(2025, 11, 4), "moodle", None, 1),
        ("S1004", "CYBER", date(2025, 3, 14), "moodle", None, 1),
    ]
    again = _import(db, content, filename="moodle-completions.csv")
    assert (again.recorded, again.already_recorded) == (0, 4)
    assert "already recorded: 4" in again.summary
    assert len(_completions(db)) == 4


def test_a_moodle_course_completion_report_names_its_course_by_its_file_name(
    db: Session, org: dict[str, Course]
) -> None:
    content = (EXAMPLES / "completion-dp-refresher.csv").read_bytes()
    report = _import(db, content, filename="completion-dp-refresher (1).csv")
    assert report.ok, report.problems
    assert (report.recorded, report.not_completed) == (2, 1)
    # "12/03/25, 14:07" is day first, as Moodle's English writes it.
    assert [(n, d) for n, _, d, *_ in _completions(db)] == [
        ("S1002", date(2025, 3, 12)),
        ("S1004", date(2025, 6, 3)),
    ]
    with pytest.raises(ValidationFailed, match="does not say which course"):
        _import(db, content, filename="export.csv")
    by_option = _import(db, content, filename="export.csv", course="dp-refresher")
    assert by_option.already_recorded == 2


def test_the_xapi_example_imports_cleanly_and_a_failed_statement_is_reported(
    db: Session, org: dict[str, Course]
) -> None:
    content = (EXAMPLES / "xapi-statements.json").read_bytes()
    first = _import(db, content)
    assert first.ok, first.problems
    assert (first.format, first.rows, first.recorded) == ("xapi", 4, 2)
    assert (first.failed, first.other_verbs) == (1, 1)
    assert "Not counted: 1 failed" in first.summary
    assert _completions(db) == [
        ("S1002", "CYBER", date(2025, 4, 2), "xapi", 92, 1),
        ("S1004", "DP-INDUCTION", date(2018, 1, 16), "xapi", None, 1),
    ]
    again = _import(db, content)
    assert (again.recorded, again.already_recorded) == (0, 2)
    assert len(_completions(db)) == 2


# Counting ------------------------------------------------------------------------------------


def test_an_xapi_failed_never_counts(db: Session, org: dict[str, Course]) -> None:
    course = org["CYBER"]
    make_requirement(db, course, due_within_days=5)
    failed = _statement(verb={"id": f"{ADL}failed"}, result={"score": {"scaled": 1.0}})
    report = _import(db, json.dumps([failed]))
    assert (report.recorded, report.failed) == (0, 1)
    assert _completions(db) == []
    (ben,) = [p for p in compliance.standings(db, TODAY) if p.staff_number == "S1002"]
    assert [line.status for line in ben.lines if line.course_id == course.id] == [Status.NEVER_DONE]


def test_a_pass_below_the_pass_mark_or_judged_unsuccessful_does_not_count(
    db: Session, org: dict[str, Course]
) -> None:
    statements = [
        _statement(id="a0000000-0000-4000-8000-000000000001", result={"score": {"scaled": 0.799}}),
        _statement(
            id="a0000000-0000-4000-8000-000000000002", result={"score": {"raw": 15, "max": 20}}
        ),
        _statement(
            id="a0000000-0000-4000-8000-000000000003",
            verb={"id": f"{ADL}completed"},
            result={"success": False},
        ),
        _statement(id="a0000000-0000-4000-8000-000000000004", result={"score": {"scaled": 0.8}}),
    ]
    report = _import(db, json.dumps({"statements": statements}))
    assert (report.below_pass_mark, report.failed, report.recorded) == (2, 1, 1)
    assert [score for *_, score, _ in _completions(db)] == [80]


def test_the_same_statement_twice_in_a_file_counts_once(
    db: Session, org: dict[str, Course]
) -> None:
    report = _import(db, json.dumps([_statement(), _statement()]))
    assert (report.recorded, report.already_recorded) == (1, 1)
    assert db.scalar(select(func.count()).select_from(Completion)) == 1


def test_learners_match_by_email_whatever_its_case_or_by_staff_number(
    db: Session, org: dict[str, Course]
) -> None:
    statements = [
        _statement(
            id="b0000000-0000-4000-8000-000000000001",
            actor={"mbox": "mailto:DEV.Patel@Example.ORG"},
        ),
        _statement(
            id="b0000000-0000-4000-8000-000000000002",
            actor={"account": {"homePage": "https://hr.example.org", "name": "s1007"}},
            object={"id": "cyber"},  # the course's own code, whatever its case
        ),
    ]
    report = _import(db, json.dumps(statements))
    assert report.ok, report.problems
    assert [(n, c) for n, c, *_ in _completions(db)] == [("S1004", "CYBER"), ("S1007", "CYBER")]


def test_a_completion_before_a_redo_version_is_of_the_old_version(
    db: Session, org: dict[str, Course]
) -> None:
    course = org["RECORDS"]
    course.version = 2
    db.add(
        CourseVersion(
            course_id=course.id, version=2, released_on=date(2025, 1, 1), requires_redo=True
        )
    )
    db.flush()
    rows = "Course short name,Email address,Time completed\r\n" + "".join(
        f"records-mgmt,{who}@example.org,{day}\r\n"
        for who, day in [("ben.hartley", "2024-06-01"), ("dev.patel", "2025-02-01")]
    )
    _import(db, rows)
    assert [(n, v) for n, *_, v in _completions(db)] == [("S1002", 1), ("S1004", 2)]


def test_only_one_event_is_recorded_per_file(db: Session, org: dict[str, Course]) -> None:
    _import(db, (EXAMPLES / "xapi-statements.json").read_bytes())
    tags = list(db.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("training:%"))))
    assert tags.count(TrainingEvent.COMPLETIONS_IMPORTED.value) == 1
    assert TrainingEvent.COMPLETION_RECORDED.value not in tags
    (event,) = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == TrainingEvent.COMPLETIONS_IMPORTED.value)
    )
    details = json.loads(str(event.details))
    assert details["recorded"] == 2 and details["failed"] == 1
    assert "example.org" not in str(event.details)


def test_only_those_who_manage_training_import(db: Session, org: dict[str, Course]) -> None:
    with pytest.raises(Forbidden):
        lms.import_completions(
            db,
            make_user(db, Role.AUDITOR).actor,
            (EXAMPLES / "xapi-statements.json").read_bytes(),
        )


# Row-level problems ------------------------------------------------------------------------


MOODLE_HEADER = "Course short name,Full name,Email address,Completed,Time completed,Grade"
GOOD_ROW = "records-mgmt,Amara Okafor,amara.okafor@example.org,Yes,2025-10-02,"
BAD_MOODLE_ROWS = [
    ("cyber-2025,Nobody,nobody@example.org,Yes,2025-10-02,", "email", "No member of staff"),
    ("no-such-course,Ben,ben.hartley@example.org,Yes,2025-10-02,", "course", "No course"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,2026-02-01,", "completion_date", "future"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,31/02/2025,", "completion_date", "not a date"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,last Tuesday,", "completion_date", "not a date"),
    ("cyber-2025,Ben,ben.hartley@example.org,Maybe,2025-10-02,", "completed", "neither Yes"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,,", "completion_date", "missing"),
    ("cyber-2025,Ben,=cmd|' /C calc'!A0,Yes,2025-10-02,", "email", "formula"),
    ("+cyber,Ben,ben.hartley@example.org,Yes,2025-10-02,", "course", "formula"),
    ("cyber-2025,Ben,@ben.hartley@example.org,Yes,2025-10-02,", "email", "formula"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,2025-10-02,-1", "grade", "formula"),
    ("cyber-2025,Ben,ben.hartley@example.org,Yes,2025-10-02,120", "grade", "percentage"),
    ("cyber-2025,Ben,,Yes,2025-10-02,", "email", "Learner is missing"),
    (",Ben,ben.hartley@example.org,Yes,2025-10-02,", "course", "Course is missing"),
]


@pytest.mark.parametrize(("row", "column", "says"), BAD_MOODLE_ROWS)
def test_a_moodle_row_that_cannot_be_matched_changes_nothing(
    db: Session, org: dict[str, Course], row: str, column: str, says: str
) -> None:
    report = _import(db, f"{MOODLE_HEADER}\r\n{GOOD_ROW}\r\n{row}\r\n")
    assert [(p.row, p.column) for p in report.problems] == [(3, column)]
    assert says in report.problems[0].message
    assert report.recorded == 1 and report.rejected == 1
    assert [(n, c) for n, c, *_ in _completions(db)] == [("S1001", "RECORDS")]


def test_a_moodle_grade_below_the_pass_mark_does_not_count(
    db: Session, org: dict[str, Course]
) -> None:
    report = _import(
        db,
        f"{MOODLE_HEADER}\r\ncyber-2025,Ben,ben.hartley@example.org,Yes,2025-10-02,79.9%\r\n"
        "cyber-2025,Dev,dev.patel@example.org,Yes,2025-10-02,85.00 %\r\n",
    )
    assert (report.below_pass_mark, report.recorded) == (1, 1)
    assert [(n, s) for n, _, _, _, s, _ in _completions(db)] == [("S1004", 85)]


BAD_STATEMENTS: list[tuple[object, str, str]] = [
    (_statement(actor={"mbox": "mailto:nobody@example.org"}), "actor", "No member of staff"),
    (
        _statement(object={"id": "https://lms.example.org/xapi/activities/unknown"}),
        "object.id",
        "No course",
    ),
    (_statement(timestamp="2027-01-01T00:00:00Z"), "timestamp", "future"),
    (_statement(timestamp="the first of June"), "timestamp", "ISO 8601"),
    (_statement(timestamp=None), "timestamp", "no timestamp"),
    ("not a statement", "statement", "not a JSON object"),
    (_statement(verb="passed"), "verb.id", "no verb id"),
    (_statement(actor={"name": "Ben Hartley"}), "actor", "neither mbox"),
    (_statement(actor={"mbox": "ben.hartley@example.org"}), "actor.mbox", "mailto:"),
    (_statement(object={"definition": {}}), "object.id", "no activity id"),
    (_statement(result={"score": {"scaled": 1.5}}), "result.score.scaled", "from -1 to 1"),
    (_statement(result={"score": {"scaled": "0.9"}}), "result.score.scaled", "from -1 to 1"),
    (_statement(result={"score": {"raw": 9}}), "result.score", "no max"),
    (_statement(result={"success": "yes"}), "result.success", "true or false"),
    (_statement(result=[1]), "result", "not a JSON object"),
    (_statement(id=42), "id", "plain string"),
    (_statement(actor={"mbox": "mailto:ben.hartley@example.org\u202e"}), "actor", "neither mbox"),
]


@pytest.mark.parametrize(("statement", "where", "says"), BAD_STATEMENTS)
def test_a_statement_that_cannot_be_matched_or_read_changes_nothing(
    db: Session, org: dict[str, Course], statement: object, where: str, says: str
) -> None:
    good = _statement(id="c0000000-0000-4000-8000-000000000001")
    report = _import(db, json.dumps([good, statement]))
    assert [(p.row, p.column) for p in report.problems] == [(2, where)]
    assert says in report.problems[0].message
    assert report.recorded == 1
    assert len(_completions(db)) == 1


# Files refused whole ------------------------------------------------------------------------


REFUSED: list[tuple[bytes, dict[str, str], str]] = [
    (b"", {}, "empty"),
    (b"[]", {}, "no statements"),
    (b'{"statements": []}', {}, "no statements"),
    (b'[{"actor": ', {}, "not valid JSON"),
    (b'{"hello": "world"}', {}, "not xAPI statements"),
    (b"[" * 100_000 + b"]" * 100_000, {}, "nested too deeply"),
    (json.dumps([_statement()]).encode(), {"course": "CYBER"}, "leave the course out"),
    (b"Course short name,Full name,Time completed\r\ncyber-2025,Ben,2025-01-01\r\n", {}, "learner"),
    (b"Course short name,Email address\r\ncyber-2025,b@example.org\r\n", {}, "completion date"),
    (b"Email address,Time completed\r\nb@example.org,2025-01-01\r\n", {}, "which course"),
    (
        b"Course short name,Email address,Time completed\r\nx,b@example.org,2025-01-01\r\n",
        {"course": "CYBER"},
        "leave the course out",
    ),
    (b"Course short name,Email address,Time completed\r\n", {}, "no rows"),
    (
        "Course,Email address,Time completed\r\nx,zoë@example.org,2025-01-01\r\n".encode("latin-1"),
        {},
        "not UTF-8",
    ),
    (b'Course,Email address,Time completed\r\n"x,b@example.org,2025-01-01\r\n', {}, "quote"),
    (b" " * (lms.MAX_BYTES + 1), {}, "larger than"),
]


@pytest.mark.parametrize(("content", "options", "says"), REFUSED)
def test_a_file_that_cannot_be_read_whole_is_refused_and_changes_nothing(
    db: Session, org: dict[str, Course], content: bytes, options: dict[str, str], says: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _import(db, content, **options)
    assert says in refused.value.message
    assert _completions(db) == []
    events = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.tag == TrainingEvent.COMPLETIONS_IMPORTED.value)
    )
    assert events == 0


# Moodle's dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2024-03-15", date(2024, 3, 15)),
        ("2024-03-15 14:05:00", date(2024, 3, 15)),
        ("2024-07-15T23:30:00Z", date(2024, 7, 16)),  # 00:30 the next day in British summer
        ("2024-01-15T23:30:00Z", date(2024, 1, 15)),
        ("15/03/24, 14:05", date(2024, 3, 15)),  # the course completion report, day first
        ("03/04/2024", date(2024, 4, 3)),
        ("Friday, 15 March 2024, 2:05 PM", date(2024, 3, 15)),  # a custom report
        ("15 Mar 2024", date(2024, 3, 15)),
        ("1710511500", date(2024, 3, 15)),  # timecompleted as stored
    ],
)
def test_moodle_dates_are_read_in_every_form_it_writes(written: str, day: date) -> None:
    assert moodle_file.moodle_date(written) == day


@pytest.mark.parametrize(
    "written", ["03/15/2024", "31/02/2024", "yesterday", "15 Smarch 2024", "0"]
)
def test_a_date_moodle_does_not_write_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        moodle_file.moodle_date(written)


def test_moodle_names_the_download_by_the_course_shortname() -> None:
    assert moodle_file.moodle_filename_course("completion-dp_refresher_2025.csv") == (
        "dp_refresher_2025"
    )
    assert moodle_file.moodle_filename_course("C:\\Users\\x\\completion-abc (2).csv") == "abc"
    assert moodle_file.moodle_filename_course("report.csv") is None
    assert moodle_file.moodle_mangle("DP Refresher/2025") == "dp_refresher_2025"
