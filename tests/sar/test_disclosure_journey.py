"""Issue 12 end to end through the services, with nothing stood in: the real detector (case
people, patterns, the spaCy name model) on a real request's documents, a text note and a
PDF; a reviewer's decisions; maker-checker approval; the bundle built by the default planner
and proven free of every accepted redaction; the link, its passcode, and the request sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock, jobs
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden
from steward.core.permissions import Actor, Role
from steward.redaction.spans import Code, Label
from steward.redaction.verify import prove_absent
from steward.sar import service
from steward.sar.delivery_models import BundleStatus, PasscodeChannel
from steward.sar.disclosure_models import Decision
from steward.sar.policy import Disclosure, Status
from steward.sar.service import bundle as bundles
from steward.sar.service import delivery, disclosure
from tests.factories.core import make_user
from tests.sar import journey_helpers as j


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


@pytest.fixture
def officer(db: Session) -> Actor:
    return make_user(db, Role.IG_OFFICER).actor


@pytest.fixture
def journey(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> j.Journey:
    return j.holdings_and_request(db, keyring, session_factory, officer)


def _detect(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
    officer: Actor,
    request_id: int,
) -> None:
    """As the page's button does: the documents gathered and the job run (at once here)."""
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    job = disclosure.propose(db, keyring, officer, queue, request_id=request_id, own_name="Cafcass")
    db.commit()
    db.refresh(job)
    assert job.status == "done", job.error


def _proposed(
    db: Session, keyring: FileKeyring, officer: Actor, request_id: int, item_id: int
) -> dict[str, disclosure.RedactionView]:
    seen = disclosure.review(db, keyring, officer, request_id=request_id, item_id=item_id)
    assert seen.text_error is None
    return {" ".join(v.text.split()): v for v in seen.redactions}


def _kept(
    db: Session, keyring: FileKeyring, officer: Actor, request_id: int, item_id: int
) -> dict[str, str]:
    seen = disclosure.review(db, keyring, officer, request_id=request_id, item_id=item_id)
    return {" ".join(k["text"].split()): k["role"] for k in seen.kept}


def test_the_real_detector_keeps_her_own_and_the_professional_and_redacts_the_others(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
    officer: Actor,
    journey: j.Journey,
) -> None:
    request_id = journey.request.id
    _detect(db, settings, session_factory, keyring, officer, request_id)

    note = j.item_of(db, request_id, journey.note.id)
    redacted = _proposed(db, keyring, officer, request_id, note.id)
    kept = _kept(db, keyring, officer, request_id, note.id)
    # Same document, one paragraph: her own address kept, the other parent's redacted.
    assert j.OWN_ADDRESS not in redacted and kept.get(j.OWN_ADDRESS) == "requester"
    assert j.OTHER_ADDRESS in redacted and redacted[j.OTHER_ADDRESS].label is Label.ADDRESS
    # The refuge: redacted, with a reason that says why.
    assert j.REFUGE in redacted and "must not" in redacted[j.REFUGE].reason
    # The social worker, in role, kept; the requester's name kept.
    assert j.SOCIAL_WORKER not in redacted and kept.get(j.SOCIAL_WORKER) == "professional"
    assert j.REQUESTER not in redacted and kept.get(j.REQUESTER) == "requester"
    # Third parties by name, the known by the case and the neighbour found by the model.
    assert {j.OTHER_PARENT, j.SISTER, j.NEIGHBOUR} <= set(redacted)
    assert redacted[j.OTHER_PARENT].group == f"person:{journey.other_parent.id}"
    assert all(v.code is Code.THIRD_PARTY for v in redacted.values())

    # The PDF, read page by page as pdfium sees it: the same people, the same decisions.
    letter = j.item_of(db, request_id, journey.letter.id)
    assert (letter.kind, letter.pages) == ("pdf", 2)
    seen = disclosure.review(db, keyring, officer, request_id=request_id, item_id=letter.id)
    on_page = {(v.page, " ".join(v.text.split())) for v in seen.redactions}
    assert (0, j.OTHER_PARENT) in on_page and (1, j.REFUGE) in on_page
    assert (1, j.SISTER) in on_page
    assert not any(t in (j.REQUESTER, j.SOCIAL_WORKER) for _, t in on_page)


def _unredacted_note(tmp_path: Path) -> Path:
    """The plaintext control for the typed note: the same text drawn with no redaction."""
    from steward.redaction.render import BundleWriter, count_pages_text

    out = tmp_path / "note-unredacted.pdf"
    with out.open("wb") as handle:
        writer = BundleWriter(handle, total_pages=count_pages_text("Note", j.NOTE))
        writer.add_text("Note", j.NOTE, [])
        writer.close()
    return out


def test_the_whole_journey_from_detection_to_the_requester(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
    officer: Actor,
    journey: j.Journey,
    tmp_path: Path,
) -> None:
    request_id = journey.request.id
    _detect(db, settings, session_factory, keyring, officer, request_id)
    note = j.item_of(db, request_id, journey.note.id)
    letter = j.item_of(db, request_id, journey.letter.id)

    # Review: the other parent accepted everywhere at once; the rest accepted one by one (the
    # closing "Signed," is an ordinary word, not proposed); a police log number added by its
    # text, with its own code. Rejecting a proposal is tested in test_disclosure.py.
    accepted = disclosure.accept_person(
        db, keyring, officer, request_id=request_id, key=f"person:{journey.other_parent.id}"
    )
    assert accepted >= 3  # on the note and on both pages of the letter
    for item in (note, letter):
        for view in _proposed(db, keyring, officer, request_id, item.id).values():
            assert view.text.strip() != "Signed"
            if view.decision is Decision.PROPOSED:
                disclosure.decide(db, officer, redaction_id=view.id, accept=True)
    assert disclosure.add_text(
        db,
        keyring,
        officer,
        item_id=note.id,
        text=j.POLICE_LOG,
        code=Code.CRIME,
        reason="Police log",
    )

    # Maker-checker: the preparer sends it and may not approve it; a second person does.
    disclosure.submit(db, officer, request_id=request_id)
    assert journey.request.status == Status.AWAITING_APPROVAL
    with pytest.raises(Forbidden):
        disclosure.approve(db, officer, request_id=request_id)
    approver = make_user(db, Role.DPO).actor
    disclosure.approve(db, approver, request_id=request_id)
    state = disclosure.state(db, approver, request_id=request_id)
    assert state is not None and state.status is Disclosure.APPROVED
    assert state.prepared_by != state.approved_by

    # The bundle, built in the background by the default planner from what was approved.
    db.commit()
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    job = bundles.build_bundle(db, keyring, officer, queue, request_id=request_id)
    db.commit()
    db.refresh(job)
    assert job.status == "done", job.error
    built = bundles.ready(db, request_id)
    assert built is not None and built.status == BundleStatus.READY
    assert json.loads(built.redactions_json) == {"CRIME": 1, "THIRD_PARTY": ANY}
    saved = tmp_path / "bundle.pdf"
    saved.write_bytes(b"".join(bundles.read_chunks(db, keyring, built.id)))

    # Every accepted redaction's text is absent; each is present in its source (controls).
    note_needles = sorted(
        {
            " ".join(v.text.split())
            for v in _proposed(db, keyring, officer, request_id, note.id).values()
            if v.decision is Decision.ACCEPTED
        }
    )
    letter_needles = sorted(
        {
            " ".join(v.text.split())
            for v in _proposed(db, keyring, officer, request_id, letter.id).values()
            if v.decision is Decision.ACCEPTED
        }
    )
    assert {j.OTHER_PARENT, j.OTHER_ADDRESS, j.REFUGE, j.SISTER, j.NEIGHBOUR, j.POLICE_LOG} <= set(
        note_needles
    )
    assert {j.OTHER_PARENT, j.REFUGE, j.SISTER} <= set(letter_needles)
    assert prove_absent(saved, note_needles + letter_needles) == []
    source = tmp_path / "letter.pdf"
    source.write_bytes(j.letter_pdf())
    assert len({leak.needle for leak in prove_absent(source, letter_needles)}) == len(
        letter_needles
    )
    control = prove_absent(_unredacted_note(tmp_path), note_needles)
    assert len({leak.needle for leak in control}) == len(note_needles)
    # What is hers, the professional, and the ordinary word, are still there to read.
    text = _bundle_text(saved)
    for kept in (j.REQUESTER, j.OWN_ADDRESS, j.SOCIAL_WORKER, "Signed"):
        assert kept in text, kept

    # The request page cannot skip delivery; the link and its passcode can.
    with pytest.raises(Conflict, match="delivery page"):
        service.move(db, keyring, approver, request_id, Status.SENT)
    issued = delivery.issue_link(
        db,
        keyring,
        officer,
        request_id=request_id,
        expires_in=timedelta(days=14),
        passcode_channel=PasscodeChannel.POST,
    )
    with pytest.raises(delivery.LinkRefused) as wrong:
        delivery.open_link(db, token=issued.token, passcode="AAAA-BBBB-CCCC")
    assert wrong.value.reason == "wrong"
    assert journey.request.status == Status.AWAITING_APPROVAL
    stream = delivery.open_link(db, token=issued.token, passcode=issued.passcode.lower())
    assert b"".join(stream.chunks(db, keyring)) == saved.read_bytes()
    assert journey.request.status == Status.SENT

    # A second link: five wrong passcodes lock it, and then even the right one is refused.
    again = delivery.issue_link(
        db,
        keyring,
        officer,
        request_id=request_id,
        expires_in=timedelta(days=1),
        passcode_channel=PasscodeChannel.PHONE,
    )
    reasons = []
    for _ in range(5):
        with pytest.raises(delivery.LinkRefused) as refused:
            delivery.open_link(db, token=again.token, passcode="WRONG-WRONG-WRNG")
        reasons.append(refused.value.reason)
    assert reasons == ["wrong"] * 4 + ["locked"]
    with pytest.raises(delivery.LinkRefused) as locked:
        delivery.open_link(db, token=again.token, passcode=again.passcode)
    assert locked.value.reason == "locked"


def _bundle_text(path: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path.read_bytes())
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    return " ".join(" ".join(p.split()) for p in pages)
