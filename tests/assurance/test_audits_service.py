"""Audits, the action plan, attestations and self-assessment through their services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.models import ActionUpdate, Attestation, SelfAssessment
from steward.assurance.audits.policy import ActionStatus, AttestationState, Priority
from steward.assurance.audits.service import actions, assessments, attestations, audits
from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from tests.assurance.audits_helpers import PDF, make_action, make_attestation, make_audit
from tests.factories.core import make_user

PAGE = PageRequest()


def test_an_overdue_urgent_action_is_red_and_a_done_one_is_not(
    db: Session, keyring: FileKeyring
) -> None:
    owner = make_user(db, Role.CASEWORKER)
    found = make_audit(db)
    today = clock.today()
    late = make_action(db, found, owner, priority="urgent", agreed_on=today - timedelta(days=1))
    done = make_action(db, found, owner, priority="high", agreed_on=today - timedelta(days=5))
    make_action(db, found, owner, priority="low", agreed_on=today - timedelta(days=5))
    actions.post_update(
        db, keyring, owner.actor, done.id, actions.NewUpdate("Finished", status="done")
    )
    red = actions.open_red_actions(db, today)
    assert [a.id for a in red] == [late.id]
    summary = actions.action_plan_summary(db, today)
    assert summary.red == 1 and summary.open == 2 and summary.overdue == 2
    urgent = next(c for c in summary.by_priority if c.priority == Priority.URGENT)
    assert (urgent.open, urgent.overdue) == (1, 1)
    # The day before it fell due, the same action was not yet red.
    assert actions.open_red_actions(db, today - timedelta(days=1)) == []


def test_the_plan_filters_by_priority_status_owner_and_overdue(db: Session) -> None:
    alice, bob = make_user(db, Role.CASEWORKER), make_user(db, Role.MANAGER)
    found = make_audit(db)
    today = clock.today()
    a = make_action(db, found, alice, priority="urgent", agreed_on=today - timedelta(days=3))
    b = make_action(db, found, bob, priority="low", agreed_on=today + timedelta(days=3))
    dpo = Actor.user(make_user(db, Role.DPO).id, Role.DPO)

    def ids(**wanted: str) -> list[int]:
        f = actions.ActionFilter.read(**wanted)
        return [line.id for line in actions.action_plan(db, dpo, PAGE, f).items]

    assert ids() == [a.id, b.id]
    assert ids(priority="low") == [b.id]
    assert ids(owner=str(alice.id)) == [a.id]
    assert ids(overdue="yes") == [a.id]
    assert ids(status="done") == []
    page = actions.action_plan(db, dpo, PAGE, actions.ActionFilter())
    assert page.total == 2 and page.items[0].owner == alice.username and page.items[0].red
    with pytest.raises(ValidationFailed):
        actions.ActionFilter.read(priority="=cmd|")


def test_an_owner_may_update_only_their_own_action(db: Session, keyring: FileKeyring) -> None:
    owner, other = make_user(db, Role.CASEWORKER), make_user(db, Role.CASEWORKER)
    rec = make_action(db, make_audit(db), owner)
    with pytest.raises(Forbidden):
        actions.post_update(db, keyring, other.actor, rec.id, actions.NewUpdate("Mine now", ""))
    with pytest.raises(Forbidden):
        actions.view_action(db, keyring, other.actor, rec.id)
    # Not accepting a recommendation is management's decision, not the owner's.
    with pytest.raises(Forbidden):
        actions.post_update(
            db,
            keyring,
            owner.actor,
            rec.id,
            actions.NewUpdate("No", status="not_accepted", reason="Too costly"),
        )
    update = actions.post_update(
        db,
        keyring,
        owner.actor,
        rec.id,
        actions.NewUpdate("Started the review", status="in_progress", evidence=PDF),
    )
    assert rec.status == ActionStatus.IN_PROGRESS
    view = actions.view_action(db, keyring, owner.actor, rec.id)
    assert view.updates[0].note == "Started the review"
    assert view.updates[0].evidence_name == f"evidence-{update.id}.pdf"
    got = actions.evidence(db, keyring, owner.actor, rec.id, update.id)
    assert got.data == PDF
    # The note is sealed: its words are nowhere in the row as stored.
    assert b"Started the review" not in update.note_sealed
    mine = actions.my_actions(db, owner.actor, PAGE)
    assert [line.id for line in mine.items] == [rec.id]
    assert actions.my_actions(db, other.actor, PAGE).total == 0


def test_not_accepted_needs_a_reason_and_a_bad_file_changes_nothing(
    db: Session, keyring: FileKeyring
) -> None:
    owner = make_user(db, Role.CASEWORKER)
    rec = make_action(db, make_audit(db), owner)
    dpo = make_user(db, Role.DPO).actor
    with pytest.raises(ValidationFailed) as refused:
        actions.post_update(
            db, keyring, dpo, rec.id, actions.NewUpdate("Declined", status="not_accepted")
        )
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        actions.post_update(
            db, keyring, owner.actor, rec.id, actions.NewUpdate("x", "", evidence=b"MZ\x90")
        )
    assert "evidence" in refused.value.errors
    assert db.scalars(select(ActionUpdate)).all() == []
    assert rec.status == ActionStatus.OPEN
    actions.post_update(
        db,
        keyring,
        dpo,
        rec.id,
        actions.NewUpdate("Declined", status="not_accepted", reason="The risk is accepted"),
    )
    assert actions.view_action(db, keyring, dpo, rec.id).reason == "The risk is accepted"
    with pytest.raises(ValidationFailed):  # not accepted cannot jump straight to done
        actions.post_update(db, keyring, dpo, rec.id, actions.NewUpdate("x", status="done"))


def test_an_audit_records_its_areas_and_the_latest_rating_per_area(
    db: Session, keyring: FileKeyring
) -> None:
    first = make_audit(db, title="First")
    view = audits.view_audit(db, keyring, Actor.system(), first.id)
    assert view.overall == Rating.REASONABLE
    assert dict(view.areas) == {
        Area.RECORDS_MANAGEMENT: Rating.LIMITED,
        Area.SECURITY: Rating.REASONABLE,
    }
    audits.record_follow_up(
        db,
        keyring,
        Actor.system(),
        first.id,
        reviewed_on=clock.today(),
        findings="Most actions done",
        rating="high",
    )
    view = audits.view_audit(db, keyring, Actor.system(), first.id)
    assert view.overall == Rating.HIGH and view.follow_ups[0].findings == "Most actions done"
    assert audits.latest_ratings(db)[Area.SECURITY][0] == Rating.REASONABLE


def test_a_bad_audit_is_refused_whole(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        audits.record_audit(
            db,
            Actor.system(),
            audits.NewAudit(
                title="",
                kind="=cmd|",
                auditor="ICO",
                started_on=date(2026, 1, 2),
                reported_on=date(2026, 1, 1),
                overall_rating="superb",
                areas={"../etc": "high"},
            ),
        )
    assert set(refused.value.errors) == {"title", "kind", "overall_rating", "reported_on", "areas"}


def test_a_caseworker_cannot_read_or_record_audits(db: Session) -> None:
    caseworker = make_user(db, Role.CASEWORKER).actor
    auditor = make_user(db, Role.AUDITOR).actor
    make_audit(db)
    with pytest.raises(Forbidden):
        audits.list_audits(db, caseworker, PAGE)
    assert audits.list_audits(db, auditor, PAGE).total == 1
    with pytest.raises(Forbidden):
        actions.action_plan(db, caseworker, PAGE, actions.ActionFilter())
    with pytest.raises(Forbidden):
        audits.record_audit(db, auditor, audits.NewAudit("x", "ico", "x", None, None, "", {}))


def test_attestations_expire_as_the_as_of_date_crosses_their_review(
    db: Session, keyring: FileKeyring
) -> None:
    today = clock.today()
    make_attestation(db, keyring, review_on=today + timedelta(days=60))
    soon = make_attestation(db, keyring, review_on=today + timedelta(days=10))
    summary = attestations.attestation_summary(db, today)
    assert (summary.current, summary.due_soon, summary.expired) == (1, 1, 0)
    later = attestations.attestation_summary(db, today + timedelta(days=11))
    assert (later.current, later.due_soon, later.expired) == (1, 0, 1)
    expired = attestations.list_attestations(
        db, Actor.system(), PAGE, AttestationState.EXPIRED, today + timedelta(days=11)
    )
    assert [a.id for a in expired.items] == [soon]
    view = attestations.view_attestation(db, keyring, Actor.system(), soon)
    assert view.statement.startswith("The board approved")
    row = db.get(Attestation, soon)
    assert row is not None and b"board approved" not in row.statement_sealed
    assert attestations.document(db, keyring, Actor.system(), soon).data == PDF


def test_an_attestation_without_a_good_document_is_refused(
    db: Session, keyring: FileKeyring
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        attestations.record_attestation(
            db,
            keyring,
            make_user(db, Role.DPO).actor,
            attestations.NewAttestation(
                "Policy", "../1", "Statement", clock.today(), clock.today(), b"<script>"
            ),
        )
    assert set(refused.value.errors) == {"expectation_id", "review_on", "document"}
    assert db.scalars(select(Attestation)).all() == []
    with pytest.raises(Forbidden):
        attestations.record_attestation(
            db,
            keyring,
            make_user(db, Role.AUDITOR).actor,
            attestations.NewAttestation("P", "1", "S", clock.today(), None, PDF),
        )


def test_a_new_self_assessment_supersedes_and_the_old_is_kept(
    db: Session, keyring: FileKeyring
) -> None:
    dpo = make_user(db, Role.DPO).actor
    today = clock.today()
    for rating, day in (("limited", today - timedelta(days=90)), ("reasonable", today)):
        assessments.record_assessment(
            db,
            keyring,
            dpo,
            Area.SECURITY,
            rating=rating,
            statement=f"We judge it {rating}",
            assessed_on=day,
        )
    standing = {s.area: s for s in assessments.standing(db, dpo)}
    assert standing[Area.SECURITY].rating == Rating.REASONABLE
    assert standing[Area.TRAINING].rating is None
    history = assessments.history(db, keyring, dpo, Area.SECURITY, PAGE)
    assert [(h.rating, h.current) for h in history.items] == [
        (Rating.REASONABLE, True),
        (Rating.LIMITED, False),
    ]
    assert history.items[1].statement == "We judge it limited"
    assert len(db.scalars(select(SelfAssessment)).all()) == 2
    with pytest.raises(Forbidden):
        assessments.record_assessment(
            db,
            keyring,
            make_user(db, Role.IG_OFFICER).actor,
            Area.SECURITY,
            rating="high",
            statement="x",
            assessed_on=today,
        )
    with pytest.raises(ValidationFailed):
        assessments.record_assessment(
            db, keyring, dpo, Area.SECURITY, rating="", statement="", assessed_on=None
        )


def test_events_hold_no_free_text(db: Session, keyring: FileKeyring) -> None:
    owner = make_user(db, Role.CASEWORKER)
    rec = make_action(db, make_audit(db), owner)
    actions.post_update(
        db, keyring, owner.actor, rec.id, actions.NewUpdate("Spoke to Jane Doe", "")
    )
    events = db.scalars(select(AuditEvent)).all()
    assert events and not any("Jane" in str(e.details) for e in events)
