"""The induction gate in records' need-to-know check (DOMAIN.md §4: induction completed
before access to personal data): every read of case content refuses a member of staff whose
induction is outstanding with InductionRequired, whatever their role, assignment or
break-glass, and opens the moment it is completed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.schemas import PaperFileCreate, PaperSearch
from steward.core import audit, auth, clock
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from steward.identity import service as identity
from steward.identity.service.types import PersonQuery
from steward.records import service
from steward.records.models import BreakGlass, Case
from steward.retention.models import HoldScope
from steward.retention.service import holds, schedules
from steward.training.models import Course, CourseVersion, StaffMember, TrainingPolicy
from steward.training.policy import RequirementKind, Source
from steward.training.service import completions, gate
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.training import complete, make_course, make_requirement, make_staff

REASON = "Urgent safeguarding call from the school about the child"


def _induction(db: Session, *, slug: str | None = "data-protection-induction") -> Course:
    course = make_course(
        db,
        code=f"IND-{slug or 'CLASSROOM'}".upper()[:32],
        title="Data protection induction" if slug else "Induction day",
        module_slug=slug,
        validity_months=None,
    )
    make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=5)
    gate.forget(db)
    return course


def _starter(db: Session, role: Role = Role.CASEWORKER, **user: object) -> auth.User:
    """An account linked to a member of staff who started today."""
    account = make_user(db, role, **user)  # type: ignore[arg-type]
    make_staff(db, user_id=account.id, start_date=clock.today())
    return account


def _staff_of(db: Session, account: auth.User) -> StaffMember:
    found = db.scalar(select(StaffMember).where(StaffMember.user_id == account.id))
    assert found is not None
    return found


def _case_of(db: Session, keyring: FileKeyring, account: auth.User) -> Case:
    case = make_case(db, keyring)
    service.assign(db, Actor.system(), case_id=case.id, user_id=account.id)
    add_party(db, case, make_person(db, "Gated", "Person"))
    make_document(db, keyring, case, title="Gated note")
    return case


def test_an_assigned_case_is_closed_until_induction_is_done_then_opens_at_once(
    db: Session, keyring: FileKeyring
) -> None:
    worker = _starter(db)
    case = _case_of(db, keyring, worker)
    course = _induction(db)
    actor = worker.actor

    with pytest.raises(service.InductionRequired) as refused:
        service.view_case(db, actor, case.id)
    assert [(c.code, c.module_slug) for c in refused.value.courses] == [
        (course.code, "data-protection-induction")
    ]
    assert not refused.value.unlinked
    assert "Complete your induction" in refused.value.message
    # Every way to case content says the same, never an empty answer.
    person_id = case.parties[0].person_id
    document_id = case.documents[0].id
    for read in (
        lambda: service.my_cases(db, actor),
        lambda: service.search(db, actor, "Gated"),
        lambda: service.search_pages(db, keyring, actor, "Gated"),
        lambda: service.view_person(db, actor, person_id),
        lambda: service.view_document(db, keyring, actor, document_id),
        lambda: service.download_document(db, keyring, actor, document_id),
        lambda: service.new_documents(db, actor),
        lambda: db.scalars(select(Case.id).where(service.visible_cases(db, actor))).all(),
    ):
        with pytest.raises(service.InductionRequired):
            read()

    # Completed (here, the built-in module's pass): open in the same unit of work, with no
    # need to sign out and in again.
    completions.record(
        db,
        Actor.system(),
        completions.NewCompletion(
            staff_id=_staff_of(db, worker).id,
            course_id=course.id,
            course_version=1,
            completed_on=clock.today(),
            source=Source.E_LEARNING,
        ),
    )
    seen, how = service.view_case(db, actor, case.id)
    assert seen.id == case.id and how.value == "assigned"
    assert {h.label for h in service.search(db, actor, "Gated")} >= {"Gated note", "Gated Person"}


def test_break_glass_does_not_open_a_case_past_the_gate(db: Session, keyring: FileKeyring) -> None:
    owner = make_user(db, Role.CASEWORKER)
    case = _case_of(db, keyring, owner)
    stranger = make_user(db, Role.CASEWORKER)
    staff = make_staff(db, user_id=stranger.id, start_date=date(2020, 1, 6))
    # Glass broken while no induction was required: the case is open to them...
    service.break_glass(db, keyring, stranger.actor, case_id=case.id, reason=REASON)
    assert service.view_case(db, stranger.actor, case.id)[1].value == "break_glass"
    # ...until the organisation requires an induction they have not done.
    course = _induction(db)
    with pytest.raises(service.InductionRequired):
        service.view_case(db, stranger.actor, case.id)
    # Breaking glass again is refused before the reason, the limits or the case are looked
    # at: nothing is opened, recorded or counted against them.
    other = make_case(db, keyring)
    before = db.scalar(select(func.count()).select_from(BreakGlass))
    events = db.scalar(select(func.count()).select_from(audit.AuditEvent))
    for case_id in (other.id, 999_999_999):
        with pytest.raises(service.InductionRequired):
            service.break_glass(db, keyring, stranger.actor, case_id=case_id, reason=REASON)
    assert db.scalar(select(func.count()).select_from(BreakGlass)) == before
    assert db.scalar(select(func.count()).select_from(audit.AuditEvent)) == events
    complete(db, staff, course, clock.today())
    service.break_glass(db, keyring, stranger.actor, case_id=other.id, reason=REASON)
    assert service.view_case(db, stranger.actor, other.id)[1].value == "break_glass"


def test_an_account_with_no_staff_record_is_closed_once_induction_is_required(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    case = make_case(db, keyring)
    assert service.view_case(db, officer.actor, case.id)[0].id == case.id
    _induction(db)
    with pytest.raises(service.InductionRequired) as refused:
        service.view_case(db, officer.actor, case.id)
    assert refused.value.unlinked
    assert "not linked to a staff record" in refused.value.message


def test_the_organisation_may_turn_the_gate_off(db: Session, keyring: FileKeyring) -> None:
    worker = _starter(db)
    case = _case_of(db, keyring, worker)
    _induction(db)
    with pytest.raises(service.InductionRequired):
        service.view_case(db, worker.actor, case.id)
    db.add(
        TrainingPolicy(
            id=1, induction_gate=False, induction_days=5, due_soon_days=30, target_percent=95
        )
    )
    db.flush()
    gate.forget(db)
    assert service.view_case(db, worker.actor, case.id)[0].id == case.id


def test_roles_that_read_no_cases_are_refused_as_before_and_the_command_line_is_not_gated(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    _induction(db)
    admin = make_user(db, Role.ADMIN)
    with pytest.raises(Forbidden) as refused:
        service.view_case(db, admin.actor, case.id)
    assert not isinstance(refused.value, service.InductionRequired)
    assert service.view_case(db, Actor.system(), case.id)[0].id == case.id


def test_a_redo_or_a_later_requirement_does_not_shut_out_staff_already_at_work(
    db: Session, keyring: FileKeyring
) -> None:
    """Induction is what a person completes when they start (docs/training.md). A new
    version everyone must redo, or an induction required from today, is followed up by
    compliance for those already at work; it closes the gate for those who start after."""
    today = clock.today()
    course = _induction(db)
    worker = make_user(db, Role.CASEWORKER)
    staff = make_staff(db, user_id=worker.id, start_date=today - timedelta(days=400))
    complete(db, staff, course, today - timedelta(days=399))
    db.add(
        CourseVersion(
            course_id=course.id,
            version=2,
            released_on=today - timedelta(days=30),
            requires_redo=True,
            note="new law",
        )
    )
    course.version = 2
    db.flush()
    gate.forget(db)
    assert not gate.state(db, worker.id).closed
    # Someone starting after the redo, with only the old version on record (an earlier spell
    # of work, an old LMS record), must do the new one.
    returner = make_user(db, Role.CASEWORKER)
    again = make_staff(db, user_id=returner.id, start_date=today - timedelta(days=7))
    complete(db, again, course, today - timedelta(days=1000), version=1)
    gate.forget(db)
    assert [c.course_id for c in gate.state(db, returner.id).courses] == [course.id]
    complete(db, again, course, today, version=2)
    assert not gate.state(db, returner.id).closed

    # An induction required from today on: not a lock-out of everyone already at work.
    later = make_course(db, code="IND-LATER", validity_months=None)
    make_requirement(db, later, kind=RequirementKind.INDUCTION, starts_on=today)
    gate.forget(db)
    assert not gate.state(db, worker.id).closed
    starter = make_user(db, Role.CASEWORKER)
    make_staff(db, user_id=starter.id, start_date=today)
    complete(db, _staff_of(db, starter), course, today, version=2)
    assert [c.course_id for c in gate.state(db, starter.id).courses] == [later.id]


def test_people_search_the_archive_and_holds_obey_the_gate(
    db: Session, keyring: FileKeyring
) -> None:
    officer = _starter(db, Role.IG_OFFICER)
    case = make_case(db, keyring)
    person = make_person(db, "Gated", "Person")
    add_party(db, case, person)
    paper = archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="GATE-1", case_number=case.case_number),
    )
    schedules.ensure_default(db, Actor.system())
    hold = holds.place_hold(
        db,
        Actor.system(),
        keyring,
        kind="police",
        scope="person",
        targets=[str(person.id)],
        reason="Police enquiry into the family, reference to follow",
    )
    _induction(db)
    actor = officer.actor
    with pytest.raises(service.InductionRequired):
        identity.find_people(db, PersonQuery(first_name="Gated", last_name="Person"), actor=actor)
    with pytest.raises(service.InductionRequired):
        identity.duplicate_queue(db, actor=actor)
    with pytest.raises(service.InductionRequired):
        archives.view_file(db, actor, paper.id)
    with pytest.raises(service.InductionRequired):
        archives.search_paper_files(db, actor=actor, query=PaperSearch(names=["Gated Person"]))
    with pytest.raises(service.InductionRequired):
        next(iter(archives.inventory_rows(db, actor)))
    # The list of holds still works for them; the names on it wait for their induction.
    assert hold.scope == HoldScope.PERSON
    covered = holds.coverage(db, actor, [hold])[hold.id]
    assert [c.label for c in covered] == [holds.NAME_HIDDEN]
    assert all("Gated" not in c.label for c in covered)


@contextmanager
def _statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = db.get_bind()

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_gate_costs_a_few_queries_once_per_unit_of_work(
    db: Session, keyring: FileKeyring
) -> None:
    worker = _starter(db)
    case = _case_of(db, keyring, worker)
    # No induction required: two short queries (the settings, the requirements), once.
    gate.forget(db)
    with _statements(db) as seen:
        service.view_case(db, worker.actor, case.id)
        first = len(seen)
        service.view_case(db, worker.actor, case.id)
    open_cost = _gate_statements(seen[:first])
    assert len(open_cost) <= 2, open_cost
    assert _gate_statements(seen[first:]) == []
    # Required and done: a few more (the staff record, the versions, the completions),
    # however many induction courses there are, and again only once.
    courses = [_induction(db, slug=f"module-{n}") for n in range(3)]
    for course in courses:
        complete(db, _staff_of(db, worker), course, clock.today())
    gate.forget(db)
    with _statements(db) as seen:
        service.view_case(db, worker.actor, case.id)
        first = len(seen)
        for _ in range(5):
            service.view_case(db, worker.actor, case.id)
    assert len(_gate_statements(seen[:first])) <= 6, _gate_statements(seen[:first])
    assert _gate_statements(seen[first:]) == []


def _gate_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "training_" in s]
