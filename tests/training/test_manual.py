"""A classroom session recorded by a manager with its evidence: for their own reports only
(or anyone, for a training administrator), checked whole before anything is kept, the
evidence sealed and its download audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, crypto
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Role
from steward.core.uploads import MAX_BYTES
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, StaffMember
from steward.training.policy import Delivery, Source, Status
from steward.training.service import compliance, manual
from tests.factories.core import make_user
from tests.factories.training import make_course, make_requirement, make_staff

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\nAttendance sheet: signed by all present\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _classroom(db: Session) -> Course:
    course = make_course(
        db, title="Records management workshop", delivery=Delivery.CLASSROOM, pass_mark=None
    )
    make_requirement(db, course)
    return course


def _manager_with_reports(db: Session, n: int = 2) -> tuple[auth.User, list[StaffMember]]:
    user = make_user(db, Role.MANAGER)
    me = make_staff(db, user_id=user.id)
    return user, [make_staff(db, manager=me) for _ in range(n)]


def _entry(staff: list[StaffMember], course: Course, **overrides: object) -> manual.Attendance:
    fields: dict[str, object] = {
        "staff_ids": [s.id for s in staff],
        "course_id": course.id,
        "completed_on": clock.today() - timedelta(days=3),
        "note": "Half-day workshop, Leeds office",
        "evidence": PDF,
    } | overrides
    return manual.Attendance(**fields)  # type: ignore[arg-type]


def _completions(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Completion)) or 0


def test_a_manager_records_a_session_for_their_reports_with_sealed_evidence(
    db: Session, keyring: FileKeyring
) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db)
    actor = user.actor

    recorded = manual.record(db, keyring, actor, _entry(reports, course))

    assert len(recorded.completion_ids) == 2 and recorded.already_recorded == ()
    rows = db.scalars(select(Completion).where(Completion.id.in_(recorded.completion_ids))).all()
    assert {r.staff_id for r in rows} == {s.id for s in reports}
    for row in rows:
        assert row.source == Source.MANUAL and row.note == "Half-day workshop, Leeds office"
        assert row.evidence_media_type == "application/pdf"
        assert row.evidence_sealed is not None and b"Attendance sheet" not in row.evidence_sealed
        assert row.evidence_filename == f"evidence-{row.id}.pdf"
    # Each under a key of its own: destroying one leaves the other readable.
    assert len({r.evidence_key_id for r in rows}) == 2
    standings = compliance.standings(db, clock.today(), staff_ids=[s.id for s in reports])
    assert all(line.status is Status.CURRENT for p in standings for line in p.lines)

    got = manual.evidence(db, keyring, actor, rows[0].id)
    assert (got.data, got.media_type) == (PDF, "application/pdf")
    read = db.scalars(
        select(audit.AuditEvent).where(
            audit.AuditEvent.tag == TrainingEvent.EVIDENCE_DOWNLOADED.value
        )
    ).all()
    assert [(e.subject_type, e.subject_id) for e in read] == [
        ("training_completion", str(rows[0].id))
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"evidence": b"Just some text, named attendance.pdf"}, "file", "PDF, JPG or PNG"),
        ({"evidence": b"MZ\x90\x00 an executable"}, "file", "PDF, JPG or PNG"),
        ({"evidence": b"%PDF-" + b"0" * MAX_BYTES}, "file", "smaller than 10MB"),
        ({"evidence": b""}, "file", "empty"),
        (
            {"completed_on": date.today() + timedelta(days=1)},
            "completed_on",
            "today or in the past",
        ),
        ({"completed_on": date(2019, 12, 31)}, "completed_on", "on or after staff number"),
        ({"completed_on": None}, "completed_on", "Enter the date"),
        ({"course_id": None}, "course_id", "Select the course"),
        ({"note": "x" * 2001}, "note", "2000 characters"),
        ({"staff_ids": []}, "staff", "Select the people"),
    ],
)
def test_a_bad_entry_changes_nothing(
    db: Session,
    keyring: FileKeyring,
    overrides: dict[str, object],
    field: str,
    message: str,
) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db)
    keys_before = db.scalar(select(func.count()).select_from(crypto.DataKey))

    with pytest.raises(ValidationFailed) as refused:
        manual.record(db, keyring, user.actor, _entry(reports, course, **overrides))

    assert message in refused.value.errors[field]
    assert _completions(db) == 0
    assert db.scalar(select(func.count()).select_from(crypto.DataKey)) == keys_before


def test_every_problem_is_named_at_once(db: Session, keyring: FileKeyring) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db)
    entry = _entry(reports, course, evidence=b"text", completed_on=date(2099, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        manual.record(db, keyring, user.actor, entry)
    assert set(refused.value.errors) == {"file", "completed_on"}


def test_e_learning_is_completed_by_its_module_not_recorded(
    db: Session, keyring: FileKeyring
) -> None:
    course = make_course(db, delivery=Delivery.E_LEARNING)
    user, reports = _manager_with_reports(db)
    with pytest.raises(ValidationFailed, match="nothing was recorded") as refused:
        manual.record(db, keyring, user.actor, _entry(reports, course))
    assert "e-learning" in refused.value.errors["course_id"]
    assert course not in manual.courses(db)


def test_a_manager_cannot_record_for_someone_outside_their_team(
    db: Session, keyring: FileKeyring
) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db)
    stranger = make_staff(db, staff_number="S-ELSEWHERE")
    me = db.scalar(select(StaffMember).where(StaffMember.user_id == user.id))
    assert me is not None

    missing = StaffMember(id=stranger.id + 1000)
    for who in ([*reports, stranger], [me], [missing]):
        with pytest.raises(Forbidden, match="not one of your direct reports"):
            manual.record(db, keyring, user.actor, _entry(who, course))
    assert _completions(db) == 0
    # An account with no staff record manages nobody.
    with pytest.raises(Forbidden):
        manual.record(db, keyring, make_user(db, Role.MANAGER).actor, _entry(reports, course))
    assert _completions(db) == 0


def test_a_training_administrator_records_for_anyone(db: Session, keyring: FileKeyring) -> None:
    course = _classroom(db)
    people = [make_staff(db), make_staff(db)]
    admin = make_user(db, Role.ADMIN)
    recorded = manual.record(db, keyring, admin.actor, _entry(people, course, evidence=PNG))
    assert len(recorded.completion_ids) == 2


def test_the_same_session_recorded_twice_counts_once(db: Session, keyring: FileKeyring) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db)
    first = manual.record(db, keyring, user.actor, _entry(reports[:1], course))
    again = manual.record(db, keyring, user.actor, _entry(reports, course))
    assert len(first.completion_ids) == 1
    assert again.already_recorded == (reports[0].id,) and len(again.completion_ids) == 1
    assert _completions(db) == 2


def test_evidence_is_downloaded_only_by_the_manager_or_a_training_administrator(
    db: Session, keyring: FileKeyring
) -> None:
    course = _classroom(db)
    user, reports = _manager_with_reports(db, 1)
    (completion_id,) = manual.record(
        db, keyring, user.actor, _entry(reports, course)
    ).completion_ids
    other_manager = make_user(db, Role.MANAGER)
    make_staff(db, user_id=other_manager.id)
    themselves = make_user(db, Role.CASEWORKER)
    reports[0].user_id = themselves.id
    db.flush()

    for refused in (
        other_manager.actor,
        themselves.actor,
        make_user(db, Role.IG_OFFICER).actor,
        make_user(db, Role.AUDITOR).actor,
    ):
        with pytest.raises(Forbidden):
            manual.evidence(db, keyring, refused, completion_id)
    for allowed in (user.actor, make_user(db, Role.DPO).actor, make_user(db, Role.ADMIN).actor):
        assert manual.evidence(db, keyring, allowed, completion_id).data == PDF
    # Guessing ids tells a manager nothing; a training administrator is told it is missing.
    with pytest.raises(Forbidden, match="not one of your direct reports"):
        manual.evidence(db, keyring, user.actor, completion_id + 1000)
    with pytest.raises(NotFound):
        manual.evidence(db, keyring, make_user(db, Role.ADMIN).actor, completion_id + 1000)
