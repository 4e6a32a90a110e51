"""HR's staff list imported: starters, changes and leavers; row-level problems that change
nothing for their row; files refused whole; the same file twice changing nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.training.events import TrainingEvent
from steward.training.models import StaffMember
from steward.training.policy import EmploymentType
from steward.training.service import compliance, staff
from tests.factories.core import make_user
from tests.factories.training import make_course, make_requirement, make_staff

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "training" / "hr-staff.csv"
HEADER = "staff_number,name,email,team,manager,role,employment_type,start_date,leaving_date"
SYSTEM = Actor.system()


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def _held(db: Session) -> dict[str, StaffMember]:
    return {s.staff_number: s for s in db.scalars(select(StaffMember))}


def _snapshot(db: Session) -> list[tuple[object, ...]]:
    return [
        (
            s.staff_number,
            s.name,
            s.email,
            s.team,
            s.manager_id,
            s.job_role,
            s.employment_type,
            s.start_date,
            s.leaving_date,
            s.user_id,
        )
        for s in db.scalars(select(StaffMember).order_by(StaffMember.staff_number))
    ]


def _events(db: Session, tag: TrainingEvent) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag.value)))


def test_the_example_file_imports_cleanly_and_twice_changes_nothing(db: Session) -> None:
    first = staff.import_staff(db, SYSTEM, EXAMPLE.read_bytes())
    assert first.ok, first.problems
    assert (first.rows, first.added, first.changed, first.leavers) == (7, 7, 0, 2)
    held = _held(db)
    assert held["S1002"].manager_id == held["S1001"].id
    assert held["S1003"].name == "Chloé Martin"
    assert held["S1003"].employment_type == EmploymentType.TEMPORARY
    assert held["S1005"].employment_type == EmploymentType.CONTRACTOR
    assert held["S1006"].leaving_date == date(2025, 10, 31)
    before = _snapshot(db)

    again = staff.import_staff(db, SYSTEM, EXAMPLE.read_bytes())
    assert (again.added, again.changed, again.unchanged) == (0, 0, 7)
    assert again.summary.startswith("Nothing changed")
    assert _snapshot(db) == before
    # One event per import, counts only: never a name or an email.
    events = _events(db, TrainingEvent.STAFF_IMPORTED)
    assert len(events) == 2
    assert json.loads(events[0].details) == {
        "rows": 7,
        "added": 7,
        "changed": 0,
        "unchanged": 0,
        "leavers": 2,
        "linked": 0,
        "rejected": 0,
    }


def test_changes_are_applied_and_a_leaver_gets_their_leaving_date(db: Session) -> None:
    staff.import_staff(
        db,
        SYSTEM,
        _csv(
            "S1,Ann Lee,ann@example.org,North,,Adviser,permanent,2020-01-06,",
            "S2,Bob Roe,bob@example.org,North,S1,Adviser,temporary,2021-02-01,",
        ),
    )
    report = staff.import_staff(
        db,
        SYSTEM,
        _csv(
            "S1,Ann Lee,ANN.LEE@example.org,South,,Manager,permanent,2020-01-06,",
            "S2,Bob Roe,bob@example.org,North,S1,Adviser,temporary,2021-02-01,2026-03-31",
            "S3,Cy Poe,,North,S1,Adviser,volunteer,06/01/2026,",
        ),
    )
    assert report.ok, report.problems
    assert (report.added, report.changed, report.unchanged, report.leavers) == (1, 2, 0, 1)
    held = _held(db)
    assert (held["S1"].email, held["S1"].team, held["S1"].job_role) == (
        "ann.lee@example.org",
        "South",
        "Manager",
    )
    assert held["S2"].leaving_date == date(2026, 3, 31)
    assert held["S3"].start_date == date(2026, 1, 6)  # DD/MM/YYYY as a UK spreadsheet writes it
    assert held["S3"].email is None


def test_a_leaver_drops_out_of_compliance_from_their_leaving_date(db: Session) -> None:
    course = make_course(db, validity_months=None)
    make_requirement(db, course)
    staff.import_staff(
        db, SYSTEM, _csv("S9,Lee Ver,lee@example.org,North,,Adviser,permanent,2020-01-06,")
    )
    person = _held(db)["S9"]
    assert [p.staff_id for p in compliance.standings(db, date(2026, 4, 30))] == [person.id]
    staff.import_staff(
        db,
        SYSTEM,
        _csv("S9,Lee Ver,lee@example.org,North,,Adviser,permanent,2020-01-06,2026-05-01"),
    )
    assert [p.staff_id for p in compliance.standings(db, date(2026, 4, 30))] == [person.id]
    assert compliance.standings(db, date(2026, 5, 1)) == []


def test_temporary_workers_and_contractors_are_counted(db: Session) -> None:
    course = make_course(db, validity_months=None)
    make_requirement(db, course, due_within_days=5)
    staff.import_staff(
        db,
        SYSTEM,
        _csv(
            "T1,Tem Porary,t@example.org,North,,Adviser,temporary,2025-01-06,",
            "C1,Con Tractor,c@example.org,North,,Adviser,contractor,2025-01-06,",
        ),
    )
    people = compliance.standings(db, date(2026, 1, 1))
    assert sorted(p.employment_type for p in people) == ["contractor", "temporary"]
    # Required of them like anyone else: never done, so not compliant.
    assert [p.compliant for p in people] == [False, False]


# Row-level problems: the row changes nothing, the other rows are applied ------------------


BAD_ROWS = [
    ("S5,Ann,a@example.org,North,,Adviser,,2020-01-06,", "employment_type", "is missing"),
    ("S5,Ann,a@example.org,North,,Adviser,agency,2020-01-06,", "employment_type", "not one of"),
    ("S5,Ann,a@example.org,North,,Adviser,permanent,2020-02-30,", "start_date", "real date"),
    ("S5,Ann,a@example.org,North,,Adviser,permanent,,", "start_date", "is missing"),
    ("S5,Ann,a@example.org,North,,Adviser,permanent,2020-01-06,next week", "leaving_date", "real"),
    (
        "S5,Ann,a@example.org,North,,Adviser,permanent,2020-01-06,2019-12-31",
        "leaving_date",
        "before",
    ),
    ("S5,Ann,a@example.org,North,S404,Adviser,permanent,2020-01-06,", "manager", "not held"),
    ("S5,Ann,a@example.org,North,S5,Adviser,permanent,2020-01-06,", "manager", "own staff number"),
    ("S5,,a@example.org,North,,Adviser,permanent,2020-01-06,", "name", "missing"),
    (",Ann,a@example.org,North,,Adviser,permanent,2020-01-06,", "staff_number", "missing"),
    ("S5,Ann,not-an-email,North,,Adviser,permanent,2020-01-06,", "email", "not an email"),
    (
        'S5,"=HYPERLINK(""http://x"",""y"")",a@example.org,North,,A,permanent,2020-01-06,',
        "name",
        "formula",
    ),
    ("S5,+Ann,a@example.org,North,,Adviser,permanent,2020-01-06,", "name", "formula"),
    ("S5,Ann,a@example.org,-North,,Adviser,permanent,2020-01-06,", "team", "formula"),
    ("S5,Ann,a@example.org,North,,@SUM(A1),permanent,2020-01-06,", "role", "formula"),
    ("S5,Ann\u202egnp.exe,a@example.org,North,,A,permanent,2020-01-06,", "name", "invisible"),
    ("S5,Ann,a@example.org,North,,Adviser,permanent,2020-01-06,,extra", "row", "more cells"),
]


@pytest.mark.parametrize(("row", "column", "says"), BAD_ROWS)
def test_a_bad_row_changes_nothing_and_the_good_rows_are_applied(
    db: Session, row: str, column: str, says: str
) -> None:
    report = staff.import_staff(
        db, SYSTEM, _csv("S4,Good Row,g@example.org,North,,Adviser,permanent,2020-01-06,", row)
    )
    assert [(p.row, p.column) for p in report.problems] == [(3, column)]
    assert says in report.problems[0].message
    assert report.added == 1 and report.rejected == 1
    assert "1 row(s) had problems and changed nothing" in report.summary
    assert set(_held(db)) == {"S4"}


def test_a_bad_row_leaves_the_held_record_as_it_was(db: Session) -> None:
    staff.import_staff(db, SYSTEM, _csv("S1,Ann,a@example.org,North,,A,permanent,2020-01-06,"))
    before = _snapshot(db)
    report = staff.import_staff(
        db, SYSTEM, _csv("S1,Ann Changed,a@example.org,South,,A,agency,2020-01-06,")
    )
    assert report.rejected == 1 and report.changed == 0
    assert _snapshot(db) == before


def test_a_staff_number_twice_in_a_file_refuses_every_row_naming_it(db: Session) -> None:
    report = staff.import_staff(
        db,
        SYSTEM,
        _csv(
            "S1,Ann,a@example.org,North,,A,permanent,2020-01-06,",
            "S2,Bob,b@example.org,North,,A,permanent,2020-01-06,",
            "s1,Ann Again,c@example.org,North,,A,permanent,2020-01-06,",
        ),
    )
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "staff_number"),
        (4, "staff_number"),
    ]
    assert "rows 2 and 4" in report.problems[0].message
    assert set(_held(db)) == {"S2"}


def test_a_manager_must_be_known_in_the_file_or_held(db: Session) -> None:
    make_staff(db, staff_number="M1", name="Held Manager")
    report = staff.import_staff(
        db,
        SYSTEM,
        _csv(
            "S1,Ann,a@example.org,North,M1,A,permanent,2020-01-06,",  # held
            "S2,Bob,b@example.org,North,S3,A,permanent,2020-01-06,",  # later in the file
            "S3,Cat,c@example.org,North,,A,permanent,2020-01-06,",
            "S4,Dan,d@example.org,North,S5,A,permanent,2020-01-06,",  # row refused below
            "S5,Eve,e@example.org,North,,A,permanent,2020-99-06,",
            "S6,Fay,f@example.org,North,S404,A,permanent,2020-01-06,",  # nowhere
        ),
    )
    assert [(p.row, p.column) for p in report.problems] == [
        (5, "manager"),
        (6, "start_date"),
        (7, "manager"),
    ]
    assert "row 6" in report.problems[0].message
    held = _held(db)
    assert held["S1"].manager_id == held["M1"].id
    assert held["S2"].manager_id == held["S3"].id
    assert set(held) == {"M1", "S1", "S2", "S3"}


def test_an_email_held_by_someone_else_is_refused(db: Session) -> None:
    make_staff(db, staff_number="S1", email="ann@example.org")
    report = staff.import_staff(
        db, SYSTEM, _csv("S2,Bob,ANN@example.org,North,,A,permanent,2020-01-06,")
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "email")]
    assert "S1" in report.problems[0].message


def test_hostile_strings_are_stored_as_typed(db: Session) -> None:
    report = staff.import_staff(
        db,
        SYSTEM,
        _csv(
            'S1,"<script>alert(1)</script>",a@example.org,../../etc/passwd,,'
            '"Robert\'); DROP TABLE training_staff;--",permanent,2020-01-06,'
        ),
    )
    assert report.ok, report.problems
    held = _held(db)["S1"]
    assert held.name == "<script>alert(1)</script>"
    assert held.team == "../../etc/passwd"
    assert held.job_role == "Robert'); DROP TABLE training_staff;--"


# Files refused whole: nothing changes ------------------------------------------------------


REFUSED = [
    (b"", "empty"),
    (b"   \r\n\r\n", "empty"),
    (HEADER.encode() + b"\r\n", "no rows"),
    (b"name,email\r\nAnn,a@example.org\r\n", "has no staff_number"),
    (
        _csv("S1,Ann,a@example.org,North,,A,permanent,2020-01-06,,x", header=HEADER + ",shoe_size"),
        "does not know",
    ),
    (_csv("S1,Ann,a,b,,A,permanent,2020-01-06,,", header=HEADER + ",name"), "twice"),
    ("Ann,Zieliński".encode("cp1250"), "not UTF-8"),
    (
        _csv("S1,Zoë,z@example.org,N,,A,permanent,2020-01-06,").decode().encode("latin-1"),
        "not UTF-8",
    ),
    (_csv("S1,Ann,a@example.org,N,,A,permanent,2020-01-06,").decode().encode("utf-16"), "UTF-16"),
    (_csv('S1,"Ann,a@example.org,N,,A,permanent,2020-01-06,'), "quote"),
    (b"S1,Ann\x00,a\r\n", "NUL"),
    (b"x" * (staff.MAX_BYTES + 1), "larger than"),
]


@pytest.mark.parametrize(("content", "says"), REFUSED)
def test_a_file_that_cannot_be_read_whole_is_refused_and_changes_nothing(
    db: Session, content: bytes, says: str
) -> None:
    make_staff(db, staff_number="S1", name="Held")
    before = _snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        staff.import_staff(db, SYSTEM, content)
    assert says in refused.value.message
    assert "file" in refused.value.errors
    assert _snapshot(db) == before
    assert _events(db, TrainingEvent.STAFF_IMPORTED) == []


def test_utf8_with_a_byte_order_mark_is_read(db: Session) -> None:
    report = staff.import_staff(
        db, SYSTEM, b"\xef\xbb\xbf" + _csv("S1,Zoë,z@example.org,North,,A,permanent,2020-01-06,")
    )
    assert report.ok and _held(db)["S1"].name == "Zoë"


def test_headings_are_read_whatever_their_case_and_spacing(db: Session) -> None:
    header = (
        "Staff Number,Name,Email Address,Team,Line Manager,Job Role,Employment type,"
        "Start date,Leaving Date"
    )
    report = staff.import_staff(
        db, SYSTEM, _csv("S1,Ann,a@example.org,North,,A,Permanent,2020-01-06,", header=header)
    )
    assert report.ok, report.problems
    assert _held(db)["S1"].employment_type == "permanent"


# Accounts -----------------------------------------------------------------------------------


def test_a_username_column_links_the_account_and_a_blank_leaves_the_link(db: Session) -> None:
    user = make_user(db, Role.CASEWORKER)
    header = HEADER + ",username"
    report = staff.import_staff(
        db,
        SYSTEM,
        _csv(
            f"S1,Ann,a@example.org,North,,A,permanent,2020-01-06,,{user.username.upper()}",
            header=header,
        ),
    )
    assert report.linked == 1
    assert _held(db)["S1"].user_id == user.id
    again = staff.import_staff(
        db, SYSTEM, _csv("S1,Ann,a@example.org,North,,A,permanent,2020-01-06,,", header=header)
    )
    assert again.unchanged == 1 and _held(db)["S1"].user_id == user.id
    unknown = staff.import_staff(
        db,
        SYSTEM,
        _csv("S2,Bob,b@example.org,North,,A,permanent,2020-01-06,,nobody.here", header=header),
    )
    assert [(p.column, "not the username" in p.message) for p in unknown.problems] == [
        ("username", True)
    ]
    taken = staff.import_staff(
        db,
        SYSTEM,
        _csv(f"S3,Cat,c@example.org,North,,A,permanent,2020-01-06,,{user.username}", header=header),
    )
    assert "already linked" in taken.problems[0].message
    assert set(_held(db)) == {"S1"}


def test_linking_and_unlinking_on_the_page_are_audited(db: Session) -> None:
    user = make_user(db, Role.CASEWORKER)
    person = make_staff(db)
    admin = make_user(db, Role.ADMIN).actor
    staff.link_account(db, admin, person.id, f" {user.username.upper()} ")
    assert person.user_id == user.id
    other = make_staff(db)
    with pytest.raises(Conflict):
        staff.link_account(db, admin, other.id, user.username)
    with pytest.raises(ValidationFailed):
        staff.link_account(db, admin, other.id, "no.such.account")
    staff.unlink_account(db, admin, person.id)
    assert person.user_id is None
    with pytest.raises(Conflict):
        staff.unlink_account(db, admin, person.id)
    linked = _events(db, TrainingEvent.STAFF_LINKED)
    assert [(e.subject_id, e.details) for e in linked] == [
        (
            str(person.id),
            json.dumps({"previous_user_id": None, "user_id": user.id}, separators=(",", ":")),
        )
    ]
    assert len(_events(db, TrainingEvent.STAFF_UNLINKED)) == 1


def test_only_those_who_manage_training_import_or_link(db: Session) -> None:
    manager = make_user(db, Role.MANAGER).actor  # sees compliance, manages no training
    with pytest.raises(Forbidden):
        staff.import_staff(db, manager, EXAMPLE.read_bytes())
    with pytest.raises(Forbidden):
        staff.link_account(db, manager, make_staff(db).id, "anyone")
    assert db.scalar(select(func.count()).select_from(StaffMember)) == 1
