"""Retrievals: request, hand out, return, overdue, and the chain of custody behind them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import RetrievalPurpose, RetrievalStatus
from steward.archives.schemas import RetrievalRequest
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.records.service import assign
from tests.archives import builders as b
from tests.factories.core import make_user
from tests.factories.records import make_case

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ask(file_id: int, due: date | None = None) -> RetrievalRequest:
    return RetrievalRequest(
        paper_file_id=file_id,
        purpose=RetrievalPurpose.CASE_WORK,
        note="for the hearing",
        due_back_on=due,
    )


def test_the_whole_loan_with_its_custody_chain(db: Session, keyring: FileKeyring) -> None:
    worker, archivist = make_user(db, Role.CASEWORKER), make_user(db, Role.IG_OFFICER)
    case = make_case(db, keyring)
    assign(db, Actor.system(), case_id=case.id, user_id=worker.id)
    f = b.paper_file(db, b.box(db, b.location(db)), case_number=case.case_number)

    with clock.frozen(T0):
        r = service.request_retrieval(db, worker.actor, keyring, _ask(f.id))
        with pytest.raises(Conflict, match="already"):
            service.request_retrieval(db, worker.actor, keyring, _ask(f.id))
        with pytest.raises(Forbidden):  # handing out is archive staff's job
            service.hand_out(db, worker.actor, r.id)
        service.hand_out(db, archivist.actor, r.id)
    assert r.status == RetrievalStatus.OUT
    assert r.due_back_on == date(2026, 3, 30) and r.custodian_user_id == worker.id

    with clock.frozen(datetime(2026, 3, 31, 9, 0, tzinfo=UTC)):
        overdue = service.list_retrievals(db, archivist.actor, overdue_only=True)
        assert [x.id for x in overdue] == [r.id] and overdue[0].overdue
        mine = service.list_retrievals(db, worker.actor)
        assert [x.id for x in mine] == [r.id]
        service.return_retrieval(db, archivist.actor, r.id)
        assert service.list_retrievals(db, archivist.actor, overdue_only=True) == []
        with pytest.raises(InvalidTransition):
            service.return_retrieval(db, archivist.actor, r.id)

    chain = [(c.from_status, c.to_status, c.by_user_id) for c in r.custody]
    assert chain == [
        (None, "requested", worker.id),
        ("requested", "out", archivist.id),
        ("out", "returned", archivist.id),
    ]
    tags = [e.tag for e in b.events(db) if e.subject_type == "archive_retrieval"]
    assert tags == [
        "archives:retrieval:requested",
        "archives:retrieval:out",
        "archives:retrieval:returned",
    ]
    assert all("hearing" not in e.details for e in b.events(db))


def test_a_caseworker_may_ask_only_for_files_of_cases_they_read(
    db: Session, keyring: FileKeyring
) -> None:
    worker = make_user(db, Role.CASEWORKER)
    case = make_case(db, keyring)  # not assigned to them
    f = b.paper_file(db, case_number=case.case_number)
    with pytest.raises(NotFound):  # as if it did not exist: ids reveal nothing
        service.request_retrieval(db, worker.actor, keyring, _ask(f.id))
    box = b.box(db)
    with pytest.raises(Forbidden):  # whole boxes are for archive staff
        service.request_retrieval(
            db,
            worker.actor,
            keyring,
            RetrievalRequest(box_id=box.id, purpose=RetrievalPurpose.AUDIT),
        )
    for role in (Role.ADMIN, Role.AUDITOR):
        with pytest.raises(Forbidden):
            service.list_retrievals(db, Actor.user(1, role))


def test_a_request_may_be_cancelled_by_its_requester_but_not_once_out(
    db: Session, keyring: FileKeyring
) -> None:
    ig = make_user(db, Role.IG_OFFICER)
    f = b.paper_file(db)
    first = service.request_retrieval(db, ig.actor, keyring, _ask(f.id))
    service.cancel_retrieval(db, ig.actor, first.id)
    second = service.request_retrieval(
        db, ig.actor, keyring, _ask(f.id)
    )  # a new loan, its own chain
    service.hand_out(db, ig.actor, second.id)
    with pytest.raises(InvalidTransition):
        service.cancel_retrieval(db, ig.actor, second.id)


def test_due_back_dates_are_checked(db: Session, keyring: FileKeyring) -> None:
    f = b.paper_file(db)
    with clock.frozen(T0), pytest.raises(ValidationFailed, match="before"):
        service.request_retrieval(db, b.SYSTEM, keyring, _ask(f.id, due=date(2026, 3, 1)))


def test_a_file_sent_for_destruction_cannot_be_asked_for_and_vice_versa(
    db: Session, keyring: FileKeyring
) -> None:
    out, gone = b.paper_file(db), b.paper_file(db)
    r = service.request_retrieval(db, b.SYSTEM, keyring, _ask(out.id))
    with pytest.raises(Conflict, match="returned first"):
        service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[out.id, gone.id], reference="D1")
    assert gone.status == "active"  # nothing applied
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[gone.id], reference="D1")
    with pytest.raises(Conflict):
        service.request_retrieval(db, b.SYSTEM, keyring, _ask(gone.id))
    assert r.status == "requested"


def test_a_file_in_a_box_out_on_loan_cannot_be_sent_for_destruction(
    db: Session, keyring: FileKeyring
) -> None:
    lent, other = b.box(db, b.location(db)), b.box(db, b.location(db))
    inside, elsewhere = b.paper_file(db, lent), b.paper_file(db, other)
    loan = service.request_retrieval(
        db, b.SYSTEM, keyring, RetrievalRequest(box_id=lent.id, purpose=RetrievalPurpose.CASE_WORK)
    )
    service.hand_out(db, b.SYSTEM, loan.id)
    with pytest.raises(Conflict, match="in a box that is asked for or out") as refused:
        service.mark_for_destruction(
            db, actor=b.SYSTEM, file_ids=[inside.id, elsewhere.id], reference="D2"
        )
    assert inside.file_reference in refused.value.message
    assert elsewhere.file_reference not in refused.value.message
    assert (inside.status, elsewhere.status) == ("active", "active")  # nothing applied
    service.return_retrieval(db, b.SYSTEM, loan.id)
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[inside.id], reference="D2")
    assert inside.status == "marked_for_destruction"
