"""Paper files are dated by the same schedule, flagged when a box mixes dates, and sent to
the storage contractor through the archives service when their disposal is carried out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import PaperFile, PaperFileName, PaperFileStatus, RetrievalPurpose
from steward.archives.schemas import NameOnFile, PaperFileCreate, RetrievalRequest
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.models import Party, Person
from steward.retention.models import Outcome, RecordKind, RetentionOverride
from steward.retention.service import dates, destruction, disposal, holds, report
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule, due_on


def _file(db: Session, reference: str, born: date | None, box_id: int | None) -> PaperFile:
    names = [NameOnFile(name="Ava Paper", date_of_birth=born, role="child_subject")]
    return archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(
            file_reference=reference,
            box_id=box_id,
            record_class="CASE.PRIVATE",
            date_from=date(1998, 1, 1),
            date_to=date(1999, 6, 1),
            names=names,
        ),
    )


def test_paper_files_are_dated_flagged_and_sent_for_destruction(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    default_schedule(db)
    box = archives.create_box(db, Actor.system(), barcode="BOX-R-1", location_id=None)
    old = _file(db, "PF-OLD", date(1990, 3, 1), box.id)
    young = _file(db, "PF-YOUNG", date(1996, 7, 1), box.id)
    loose = _file(db, "PF-LOOSE", None, None)
    dates.sweep(db, Actor.system())

    due = {r.identifier: r for r in dates.due(db, Actor.system(), as_of=date(2016, 1, 1))}
    assert due["PF-OLD"].due_on == date(2015, 3, 1) and due["PF-OLD"].kind is RecordKind.PAPER_FILE
    assert "PF-YOUNG" not in due and "PF-LOOSE" not in due  # no birth date: cannot be dated

    built = report.build(db, Actor.system())
    assert [(b.box_id, b.barcode, b.files) for b in built.mixed_boxes] == [(box.id, box.barcode, 2)]
    assert built.files_without_box >= 1

    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    listed = disposal.propose(db, officer.actor, as_of=date(2016, 1, 1))
    assert [i.identifier for i in listed.items] == ["PF-OLD"]
    disposal.decide(db, officer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy")
    disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    db.commit()
    ids = (old.id, young.id, loose.id, listed.id)
    destruction.execute(session_factory, dpo.actor, list_id=ids[3], compact_database=False)
    db.expire_all()
    sent = db.get(PaperFile, ids[0])
    assert sent is not None and sent.status == PaperFileStatus.MARKED_FOR_DESTRUCTION
    assert sent.destruction_reference == listed.reference
    assert db.get(PaperFile, ids[1]).status == PaperFileStatus.ACTIVE  # type: ignore[union-attr]
    assert (
        disposal.get_list(db, officer.actor, ids[3]).items[0].outcome
        == Outcome.MARKED_FOR_CONTRACTOR
    )


def test_a_hold_on_a_class_holds_its_paper_files(db: Session, keyring: FileKeyring) -> None:
    default_schedule(db)
    _file(db, "PF-HELD", date(1990, 3, 1), None)
    holds.place_hold(
        db,
        Actor.system(),
        keyring,
        kind="inquiry",
        scope="record_class",
        targets=["CASE"],
        reason="Public inquiry into historic cases",
    )
    dates.sweep(db, Actor.system())  # the file was added after the last sweep
    row = next(
        r
        for r in dates.due(db, Actor.system(), as_of=date(2016, 1, 1))
        if r.identifier == "PF-HELD"
    )
    assert row.held


def test_a_paper_file_sent_another_way_is_not_sent_twice(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    default_schedule(db)
    paper = _file(db, "PF-TWICE", date(1990, 3, 1), None)
    dates.sweep(db, Actor.system())
    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    listed = disposal.propose(db, officer.actor, as_of=date(2016, 1, 1))
    disposal.decide(db, officer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy")
    disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    archives.mark_for_destruction(db, actor=dpo.actor, file_ids=[paper.id], reference="OTHER-1")
    db.commit()
    list_id = listed.id
    destruction.execute(session_factory, dpo.actor, list_id=list_id, compact_database=False)
    db.expire_all()
    assert disposal.get_list(db, officer.actor, list_id).items[0].outcome == Outcome.GONE


def test_a_paper_file_whose_box_is_out_is_kept_and_the_rest_of_the_list_goes_on(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    default_schedule(db)
    lent = archives.create_box(db, Actor.system(), barcode="BOX-LENT", location_id=None)
    stays = archives.create_box(db, Actor.system(), barcode="BOX-STAYS", location_id=None)
    out, sent = (
        _file(db, "PF-OUT", date(1990, 3, 1), lent.id),
        _file(db, "PF-SENT", date(1990, 3, 1), stays.id),
    )
    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    listed = disposal.propose(db, officer.actor, as_of=date(2016, 1, 1))
    disposal.decide(db, officer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy")
    disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    loan = archives.request_retrieval(
        db,
        officer.actor,
        keyring,
        RetrievalRequest(box_id=lent.id, purpose=RetrievalPurpose.CASE_WORK),
    )
    archives.hand_out(db, officer.actor, loan.id)  # after approval, before execution
    db.commit()
    list_id, out_id, sent_id = listed.id, out.id, sent.id
    report_ = destruction.execute(
        session_factory, dpo.actor, list_id=list_id, compact_database=False
    )
    db.expire_all()
    outcomes = {i.identifier: i.outcome for i in disposal.get_list(db, dpo.actor, list_id).items}
    assert outcomes == {"PF-OUT": Outcome.OUT_OF_STORE, "PF-SENT": Outcome.MARKED_FOR_CONTRACTOR}
    assert (report_.marked, report_.kept) == (1, 1)
    assert db.get(PaperFile, out_id).status == PaperFileStatus.ACTIVE  # type: ignore[union-attr]
    assert db.get(PaperFile, sent_id).status == PaperFileStatus.MARKED_FOR_DESTRUCTION  # type: ignore[union-attr]


def test_a_person_linked_from_a_paper_file_goes_with_the_case_and_the_file(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    """Linking a paper file's names to the case's persons must not keep those persons once
    both the case and the file are disposed of."""
    default_schedule(db)
    case = case_with_children(db, keyring, date(1990, 3, 1), parents=0)
    child_id = db.scalars(select(Party.person_id).where(Party.case_id == case.id)).one()
    paper = archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(
            file_reference="PF-LINKED",
            case_number=case.case_number,
            names=[
                NameOnFile(
                    name="Child0 Zielinska", date_of_birth=date(1990, 3, 1), role="child_subject"
                )
            ],
        ),
    )
    assert [n.person_id for n in paper.names] == [child_id]
    dates.sweep(db, Actor.system())
    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    listed = disposal.propose(db, officer.actor, as_of=date(2016, 6, 1))
    assert {i.identifier for i in listed.items} == {case.case_number, "PF-LINKED"}
    disposal.decide(db, officer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy")
    disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    db.commit()
    list_id = listed.id
    destruction.execute(session_factory, dpo.actor, list_id=list_id, compact_database=False)
    db.expire_all()
    assert db.get(Person, child_id) is None
    assert db.scalars(
        select(PaperFileName.person_id).where(PaperFileName.paper_file_id == paper.id)
    ).all() == [None]


def test_a_paper_file_linked_to_a_case_follows_the_cases_date(
    db: Session, keyring: FileKeyring
) -> None:
    """Worked by hand: the case's youngest child, born 2004-09-17, reaches 25 on 2029-09-17.
    The paper file of the same case names only the eldest (born 1999-01-05, who reaches 25 on
    2024-01-05), and another file names nobody with a child role: both follow the case, to
    2029-09-17. A file of the case filed under a class with a rule of its own (a SAR file,
    closed 2019-02-28: 2 years later is 2021-02-28) keeps its own date."""
    default_schedule(db)
    case = case_with_children(db, keyring, date(1999, 1, 5), date(2004, 9, 17))
    archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(
            file_reference="PF-FOLLOWS",
            case_number=case.case_number,
            names=[
                NameOnFile(
                    name="Eldest Child", date_of_birth=date(1999, 1, 5), role="child_subject"
                )
            ],
        ),
    )
    archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="PF-NOCHILD", case_number=case.case_number),
    )
    archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(
            file_reference="PF-OWN",
            case_number=case.case_number,
            record_class="SAR",
            date_from=date(2018, 5, 1),
            date_to=date(2019, 2, 28),
        ),
    )
    dates.sweep(db, Actor.system())
    stored = {r.identifier: r.due_on for r in dates.due(db, Actor.system(), as_of=date(2100, 1, 1))}
    assert stored["PF-FOLLOWS"] == stored["PF-NOCHILD"] == date(2029, 9, 17)
    assert stored[case.case_number] == date(2029, 9, 17)
    assert stored["PF-OWN"] == date(2021, 2, 28)
    # Re-dating the case (a child added, say) re-dates the files that follow it.
    youngest = db.scalars(
        select(Person).where(Person.date_of_birth == date(2004, 9, 17)).order_by(Person.id.desc())
    ).first()
    assert youngest is not None
    youngest.date_of_birth = date(2006, 11, 30)
    db.flush()
    dates.reevaluate(db, RecordKind.CASE, [case.id])
    moved = {r.identifier: r.due_on for r in dates.due(db, Actor.system(), as_of=date(2100, 1, 1))}
    assert moved["PF-FOLLOWS"] == moved["PF-NOCHILD"] == date(2031, 11, 30)


def test_a_paper_file_follows_a_reviewers_retain_until_on_its_case(
    db: Session, keyring: FileKeyring
) -> None:
    """The case's child, born 1985-06-01, reached 25 on 2010-06-01; a reviewer kept the case
    until 2031-01-01. Its paper file, following the case, is kept until then too."""
    default_schedule(db)
    case = case_with_children(db, keyring, date(1985, 6, 1))
    archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="PF-RETAINED", case_number=case.case_number),
    )
    dates.sweep(db, Actor.system())
    assert due_on(db, case) == date(2010, 6, 1)
    db.add(
        RetentionOverride(
            record_kind=RecordKind.CASE,
            record_id=case.id,
            review_on=date(2031, 1, 1),
            decided_at=clock.now(),
        )
    )
    db.flush()
    dates.sweep(db, Actor.system())
    stored = {
        r.identifier: (r.due_on, r.note)
        for r in dates.due(db, Actor.system(), as_of=date(2100, 1, 1))
    }
    assert stored[case.case_number] == stored["PF-RETAINED"] == (date(2031, 1, 1), "retained")
