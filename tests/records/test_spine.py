"""The records use-cases end to end on the real database: need-to-know, read events, search."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, NotFound
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import PartyRole
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.records import samples


def _tags(db: Session, subject_type: str, subject_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.tag).where(
                AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id)
            )
        )
    )


def test_a_caseworker_reads_assigned_cases_only(db: Session, keyring: FileKeyring) -> None:
    mine_user = make_user(db, Role.CASEWORKER)
    other_user = make_user(db, Role.CASEWORKER)
    mine = make_case(db, keyring, actor=mine_user.actor)
    theirs = make_case(db, keyring, actor=other_user.actor)
    case, how = service.view_case(db, mine_user.actor, mine.id)
    assert case.id == mine.id and how.value == "assigned"
    assert "records:case:viewed" in _tags(db, "case", mine.id)
    with pytest.raises(service.NeedsBreakGlass):
        service.view_case(db, mine_user.actor, theirs.id)
    assert [c.id for c in service.my_cases(db, mine_user.actor).items] == [mine.id]


def test_break_glass_opens_a_case_for_a_stated_reason_and_the_dpo_sees_it(
    db: Session, keyring: FileKeyring
) -> None:
    owner = make_user(db, Role.CASEWORKER)
    stranger = make_user(db, Role.CASEWORKER)
    dpo = make_user(db, Role.DPO)
    case = make_case(db, keyring, actor=owner.actor)
    service.break_glass(
        db,
        keyring,
        stranger.actor,
        case_id=case.id,
        reason="Urgent safeguarding call from the school",
    )
    _, how = service.view_case(db, stranger.actor, case.id)
    assert how.value == "break_glass"
    log = service.break_glass_log(db, keyring, dpo.actor).items
    assert log[0][1] == case.case_number and "safeguarding" in log[0][2]
    with pytest.raises(Forbidden):
        service.break_glass_log(db, keyring, stranger.actor)


def test_admin_sees_no_content(db: Session, keyring: FileKeyring) -> None:
    admin = make_user(db, Role.ADMIN)
    case = make_case(db, keyring)
    with pytest.raises(Forbidden) as raised:
        service.view_case(db, admin.actor, case.id)
    assert not isinstance(raised.value, service.NeedsBreakGlass)


def test_managers_read_their_teams_cases(db: Session, keyring: FileKeyring) -> None:
    manager = make_user(db, Role.MANAGER, team="north")
    north = make_case(db, keyring, team="north")
    south = make_case(db, keyring, team="south")
    assert service.view_case(db, manager.actor, north.id)[1].value == "team"
    with pytest.raises(service.NeedsBreakGlass):
        service.view_case(db, manager.actor, south.id)


def test_search_finds_names_and_text_only_within_what_the_actor_may_see(
    db: Session, keyring: FileKeyring
) -> None:
    worker = make_user(db, Role.CASEWORKER)
    ig = make_user(db, Role.IG_OFFICER)
    visible = make_case(db, keyring, actor=worker.actor)
    hidden = make_case(db, keyring)
    child = make_person(db, "Oluwaseun", "Quartermaine")
    add_party(db, visible, child)
    hidden_child = make_person(db, "Oluwaseun", "Brightwater")
    add_party(db, hidden, hidden_child)
    make_document(db, keyring, visible, text="The guardian met Oluwaseun at the contact centre.")
    make_document(db, keyring, hidden, text="Oluwaseun attended the hearing.")
    samples.extract_pending(db, keyring)

    hits = service.search(db, worker.actor, "oluwaseun")
    assert {(h.kind, h.ref_id) for h in hits if h.kind == "person"} == {("person", child.id)}
    assert {h.case_id for h in hits if h.kind == "document"} == {visible.id}
    all_hits = service.search(db, ig.actor, "Oluwaseun")
    assert {h.case_id for h in all_hits if h.kind == "document"} == {visible.id, hidden.id}
    assert service.search(db, worker.actor, '" OR * NEAR(') == []


def test_document_body_round_trips_and_reads_are_recorded(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    doc = make_document(db, keyring, case, text="Report text ZEBRA-42")
    samples.extract_pending(db, keyring)
    file = service.download_document(db, keyring, Actor.system(), doc.id)
    assert file.data == b"Report text ZEBRA-42" and file.media_type == "text/plain"
    _, text = service.view_document(db, keyring, Actor.system(), doc.id)
    assert "ZEBRA-42" in text
    assert {
        "records:document:added",
        "records:document:viewed",
        "records:document:downloaded",
    } <= set(_tags(db, "document", doc.id))


def test_a_person_is_visible_only_through_a_visible_case(db: Session, keyring: FileKeyring) -> None:
    worker = make_user(db, Role.CASEWORKER)
    mine = make_case(db, keyring, actor=worker.actor)
    other = make_case(db, keyring)
    mother = make_person(db, "Grace", "Okafor", None)
    add_party(db, mine, mother, PartyRole.PARENT)
    add_party(db, other, mother, PartyRole.APPLICANT)
    _, cases = service.view_person(db, worker.actor, mother.id)
    assert [c.id for c, _ in cases] == [mine.id]
    stranger = make_person(db, "Hidden", "Person")
    add_party(db, other, stranger)
    with pytest.raises(NotFound):
        service.view_person(db, worker.actor, stranger.id)
