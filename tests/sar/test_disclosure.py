"""Reviewing a disclosure: the case context built from the records, detection's proposals,
decisions with who and when, consistency across the request, withholding, maker-checker
approval, the bundle plan only after approval, audit events without personal data, sealed
columns, and the permission."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.redaction.spans import Code
from steward.redaction.spans import Role as Whose
from steward.sar import policy
from steward.sar.disclosure_models import Decision, ItemStatus, SarDisclosureItem, SarRedaction
from steward.sar.policy import Disclosure
from steward.sar.service import disclosure
from tests.factories.core import make_user
from tests.factories.sar import make_request
from tests.sar.disclosure_helpers import NOTE, THIRD_PARTY_NAMES, Prepared, detected, prepared


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


@pytest.fixture
def officer(db: Session) -> Actor:
    return make_user(db, Role.IG_OFFICER).actor


@pytest.fixture
def ready(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> Prepared:
    found = prepared(db, keyring, session_factory, officer)
    detected(db, keyring, officer, found.request.id)
    return found


def _item(db: Session, request_id: int, document_id: int) -> SarDisclosureItem:
    return db.scalars(
        select(SarDisclosureItem).where(
            SarDisclosureItem.request_id == request_id,
            SarDisclosureItem.document_id == document_id,
        )
    ).one()


def _redactions(db: Session, request_id: int) -> list[SarRedaction]:
    return list(db.scalars(select(SarRedaction).where(SarRedaction.request_id == request_id)))


def _texts(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared, item_id: int
) -> dict[str, Decision]:
    seen = disclosure.review(db, keyring, officer, request_id=ready.request.id, item_id=item_id)
    return {v.text: v.decision for v in seen.redactions}


def test_the_case_context_knows_the_requester_the_other_parent_and_the_social_worker(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> None:
    found = prepared(db, keyring, session_factory, officer)
    case_id = found.note.case_id
    ctx = disclosure.case_context(db, keyring, officer, found.request, case_id, own_name="Cafcass")
    assert ctx.requester is not None
    assert {"Kayleigh Marsden", "Kayleigh Hobbs"} <= set(ctx.requester.names)
    assert "12 Acacia Road, Leeds LS6 2AB" in ctx.requester.addresses
    roles = {p.names[0]: (p.role, p.relation) for p in ctx.parties}
    assert roles == {
        "Dean Marsh": (Whose.THIRD_PARTY, "respondent"),
        "Sam Patel": (Whose.PROFESSIONAL, "social worker"),
    }
    dean = next(p for p in ctx.parties if p.names[0] == "Dean Marsh")
    assert dean.phones == ("07700 900123",)
    assert "Cafcass" in ctx.own_names and "Family Court at Leeds" in ctx.own_names


def test_detection_proposes_third_parties_and_keeps_the_requester_and_the_professional(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    seen = disclosure.review(db, keyring, officer, request_id=ready.request.id, item_id=note.id)
    assert {v.text for v in seen.redactions} == {"Dean Marsh"}
    assert all(v.decision is Decision.PROPOSED for v in seen.redactions)
    assert {(k["role"], k["reason"]) for k in seen.kept} == {
        ("requester", "the subject of the request's name"),
        ("professional", "social worker's name"),
    }
    # The page is the text again, run for run, with each highlight in its place.
    assert "".join(s.text for s in seen.pages[0]) == NOTE
    marked = {s.text: s.mark.kind for s in seen.pages[0] if s.mark}
    assert marked == {"Kayleigh Marsden": "kept", "Dean Marsh": "redaction", "Sam Patel": "kept"}
    # "Dean Marsh" is grouped by his person record, across the request's two documents.
    assert [(g.key, g.proposed) for g in seen.groups] == [(f"person:{ready.other_parent.id}", 2)]


def test_deciding_records_who_and_when_and_settles_the_document(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    (only,) = note.redactions
    disclosure.decide(db, officer, redaction_id=only.id, accept=False)
    assert only.decision == Decision.REJECTED and only.decided_by_user_id == officer.user_id
    assert only.decided_at is not None and note.status == ItemStatus.REVIEWED
    disclosure.decide(db, officer, redaction_id=only.id, accept=True, code=Code.CRIME)
    assert (only.decision, only.code) == (Decision.ACCEPTED, "CRIME")
    with pytest.raises(ValidationFailed):
        disclosure.decide(db, officer, redaction_id=only.id, accept=True, code="=cmd|")


def test_accepting_one_person_accepts_them_across_the_request(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    count = disclosure.accept_person(
        db, keyring, officer, request_id=ready.request.id, key=f"person:{ready.other_parent.id}"
    )
    assert count == 2
    assert {r.decision for r in _redactions(db, ready.request.id)} == {Decision.ACCEPTED}
    with pytest.raises(ValidationFailed):
        disclosure.accept_person(db, keyring, officer, request_id=ready.request.id, key="../x")


def test_a_redaction_added_once_is_proposed_everywhere_else_in_the_request(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    letter = _item(db, ready.request.id, ready.letter.id)
    start = NOTE.index("Rita Jones")
    disclosure.add(
        db,
        keyring,
        officer,
        item_id=note.id,
        page=0,
        start=start,
        end=start + 10,
        code=Code.THIRD_PARTY,
        reason="A neighbour, an informant",
    )
    assert _texts(db, keyring, officer, ready, note.id)["Rita Jones"] is Decision.ACCEPTED
    assert _texts(db, keyring, officer, ready, letter.id)["Rita Jones"] is Decision.PROPOSED
    assert letter.status == ItemStatus.PROPOSED
    # The same words again overlap what is there: refused, nothing changes.
    before = len(_redactions(db, ready.request.id))
    with pytest.raises(Conflict):
        disclosure.add(
            db,
            keyring,
            officer,
            item_id=note.id,
            page=0,
            start=start,
            end=start + 4,
            code=Code.THIRD_PARTY,
        )
    with pytest.raises(ValidationFailed):
        disclosure.add(
            db,
            keyring,
            officer,
            item_id=note.id,
            page=0,
            start=5,
            end=10_000,
            code=Code.THIRD_PARTY,
        )
    assert len(_redactions(db, ready.request.id)) == before
    # Accepting the text accepts it wherever it was proposed.
    anchor = next(
        r for r in letter.redactions if r.decision == Decision.PROPOSED and r.person_id is None
    )
    assert (
        disclosure.accept_person(
            db, keyring, officer, request_id=ready.request.id, key=f"text:{anchor.id}"
        )
        == 1
    )


def test_without_selecting_every_occurrence_on_the_document_is_redacted(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    letter = _item(db, ready.request.id, ready.letter.id)
    note = _item(db, ready.request.id, ready.note.id)
    assert (
        disclosure.add_text(
            db, keyring, officer, item_id=letter.id, text="rita  jones", code="THIRD_PARTY"
        )
        == 1
    )
    assert _texts(db, keyring, officer, ready, letter.id)["Rita Jones"] is Decision.ACCEPTED
    assert _texts(db, keyring, officer, ready, note.id)["Rita Jones"] is Decision.PROPOSED
    with pytest.raises(ValidationFailed, match="not on this document"):
        disclosure.add_text(
            db, keyring, officer, item_id=letter.id, text="<script>", code="THIRD_PARTY"
        )


def _decide_all(db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared) -> None:
    disclosure.accept_person(
        db, keyring, officer, request_id=ready.request.id, key=f"person:{ready.other_parent.id}"
    )


def test_maker_checker_the_preparer_cannot_approve(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    with pytest.raises(Conflict, match="2 redactions still to decide"):
        disclosure.submit(db, officer, request_id=ready.request.id)
    _decide_all(db, keyring, officer, ready)
    disclosure.submit(db, officer, request_id=ready.request.id)
    with pytest.raises(Forbidden, match="Someone other than the person who prepared"):
        disclosure.approve(db, officer, request_id=ready.request.id)
    assert not disclosure.is_approved(db, officer, request_id=ready.request.id)
    # Sent for approval, nothing may change until it is reopened.
    note = _item(db, ready.request.id, ready.note.id)
    with pytest.raises(Conflict, match="reopen"):
        disclosure.withhold(db, officer, item_id=note.id, code=Code.CRIME)
    dpo = make_user(db, Role.DPO).actor
    disclosure.approve(db, dpo, request_id=ready.request.id)
    found = disclosure.state(db, dpo, request_id=ready.request.id)
    assert found is not None and found.approved and found.approved_by is not None
    assert found.prepared_by != found.approved_by
    with pytest.raises(InvalidTransition):
        disclosure.approve(db, dpo, request_id=ready.request.id)
    disclosure.reopen(db, dpo, request_id=ready.request.id)
    assert not disclosure.is_approved(db, officer, request_id=ready.request.id)


def test_the_bundle_plan_only_after_approval_with_accepted_redactions_only(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    letter = _item(db, ready.request.id, ready.letter.id)
    with pytest.raises(Conflict, match="approved"):
        disclosure.plan_bundle(db, keyring, officer, request_id=ready.request.id)
    (on_note,) = note.redactions
    disclosure.decide(db, officer, redaction_id=on_note.id, accept=False)
    (on_letter,) = letter.redactions
    disclosure.decide(db, officer, redaction_id=on_letter.id, accept=True)
    disclosure.submit(db, officer, request_id=ready.request.id)
    disclosure.approve(db, make_user(db, Role.DPO).actor, request_id=ready.request.id)
    plan = disclosure.plan_bundle(
        db, keyring, officer, request_id=ready.request.id, organisation="Cafcass"
    )
    assert plan.reference == ready.request.reference
    assert plan.requester_name == "Kayleigh Marsden"
    by_title = {d.title: d for d in plan.documents}
    assert by_title["Contact centre note"].spans_by_page == {}  # the rejected one dropped
    (span,) = by_title["Letter from the other parent"].spans_by_page[0]
    text = by_title["Letter from the other parent"].text
    assert text is not None and text[span.start : span.end] == "Dean Marsh"
    assert span.code is Code.THIRD_PARTY
    assert plan.article15[0][0].startswith("Why we hold it")
    assert len(plan.article15) == 8


def test_a_withheld_document_is_listed_with_its_code_not_disclosed(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    letter = _item(db, ready.request.id, ready.letter.id)
    disclosure.withhold(db, officer, item_id=letter.id, code=Code.LEGAL_PRIVILEGE)
    assert letter.status == ItemStatus.WITHHELD
    # Its proposals no longer block: a withheld document is not disclosed at all.
    (on_note,) = note.redactions
    disclosure.decide(db, officer, redaction_id=on_note.id, accept=True)
    disclosure.submit(db, officer, request_id=ready.request.id)
    disclosure.approve(db, make_user(db, Role.DPO).actor, request_id=ready.request.id)
    plan = disclosure.plan_bundle(db, keyring, officer, request_id=ready.request.id)
    assert [d.title for d in plan.documents] == ["Contact centre note"]
    assert [(w.title, w.code) for w in plan.withheld] == [
        ("Letter from the other parent", Code.LEGAL_PRIVILEGE)
    ]


def test_a_document_with_nothing_proposed_needs_a_person_to_mark_it_reviewed(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    _decide_all(db, keyring, officer, ready)
    note = _item(db, ready.request.id, ready.note.id)
    assert note.status == ItemStatus.REVIEWED
    disclosure.withhold(db, officer, item_id=note.id, code=Code.CRIME)
    disclosure.restore(db, officer, item_id=note.id)
    assert note.status == ItemStatus.PROPOSED
    with pytest.raises(Conflict, match="1 document still to review"):
        disclosure.submit(db, officer, request_id=ready.request.id)
    disclosure.mark_reviewed(db, officer, item_id=note.id)
    disclosure.submit(db, officer, request_id=ready.request.id)


def test_areas_on_scanned_pages_are_kept_with_the_document(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    disclosure.add_area(
        db, officer, item_id=note.id, page=0, x0=10, y0=20, x1=110, y1=40, code=Code.THIRD_PARTY
    )
    assert json.loads(note.areas) == [
        {"page": 0, "x0": 10, "y0": 20, "x1": 110, "y1": 40, "code": "THIRD_PARTY"}
    ]
    with pytest.raises(ValidationFailed):
        disclosure.add_area(
            db, officer, item_id=note.id, page=0, x0=110, y0=20, x1=10, y1=40, code="CRIME"
        )
    with pytest.raises(ValidationFailed):
        disclosure.add_area(
            db, officer, item_id=note.id, page=7, x0=1, y0=1, x1=2, y1=2, code="CRIME"
        )


def test_nothing_redacted_or_named_reaches_a_column_or_an_audit_event(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    note = _item(db, ready.request.id, ready.note.id)
    start = NOTE.index("Rita Jones")
    disclosure.add(
        db,
        keyring,
        officer,
        item_id=note.id,
        page=0,
        start=start,
        end=start + 10,
        code="THIRD_PARTY",
        reason="Rita Jones is the informant",
    )
    _decide_all(db, keyring, officer, ready)
    rows = _redactions(db, ready.request.id)
    assert rows and all(b"Dean" not in r.sealed and b"Rita" not in r.sealed for r in rows)
    # Control: the same redactions opened do hold the names.
    texts = {
        disclosure.review(db, keyring, officer, request_id=ready.request.id, item_id=note.id)
        .redactions[0]
        .text
    }
    assert texts & set(THIRD_PARTY_NAMES)
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.tag.like("sar:%"))))
    tags = {e.tag for e in events}
    assert {
        "sar:disclosure:proposed",
        "sar:disclosure:detected",
        "sar:redaction:added",
        "sar:redaction:bulk_accepted",
        "sar:disclosure:read",
    } <= tags
    dumped = json.dumps([e.details for e in events])
    for name in ("Dean", "Marsh", "Rita", "Jones", "Kayleigh", "informant"):
        assert name not in dumped


def test_a_caseworker_without_the_subject_access_permission_is_refused(
    db: Session, keyring: FileKeyring, officer: Actor, ready: Prepared
) -> None:
    caseworker = make_user(db, Role.CASEWORKER).actor
    note = _item(db, ready.request.id, ready.note.id)
    for attempt in (
        lambda: disclosure.state(db, caseworker, request_id=ready.request.id),
        lambda: disclosure.review(
            db, keyring, caseworker, request_id=ready.request.id, item_id=note.id
        ),
        lambda: disclosure.decide(db, caseworker, redaction_id=note.redactions[0].id, accept=True),
        lambda: disclosure.plan_bundle(db, keyring, caseworker, request_id=ready.request.id),
        lambda: disclosure.gather(db, keyring, caseworker, request_id=ready.request.id),
    ):
        with pytest.raises(Forbidden):
            attempt()


def test_nothing_in_scope_and_a_finished_request_are_refused(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> None:
    found = prepared(db, keyring, session_factory, officer)
    found.request.status = policy.Status.SENT.value
    with pytest.raises(Conflict, match="until the response is sent"):
        disclosure.gather(db, keyring, officer, request_id=found.request.id)
    never_searched = make_request(db, keyring, officer)
    never_searched.status = policy.Status.SEARCHING.value
    with pytest.raises(Conflict, match="Nothing is in scope yet"):
        disclosure.gather(db, keyring, officer, request_id=never_searched.id)


def test_the_transition_table_of_a_disclosure() -> None:
    assert (
        policy.disclosure_transition(Disclosure.OPEN, Disclosure.SUBMITTED) is Disclosure.SUBMITTED
    )
    for current in Disclosure:
        for wanted in Disclosure:
            allowed = wanted in policy.DISCLOSURE_ALLOWED[current]
            if allowed:
                assert policy.disclosure_transition(current, wanted) is wanted
            else:
                with pytest.raises(InvalidTransition):
                    policy.disclosure_transition(current, wanted)
    # Approval only of what was submitted; never straight from being prepared.
    assert Disclosure.APPROVED not in policy.DISCLOSURE_ALLOWED[Disclosure.OPEN]
