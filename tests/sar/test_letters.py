"""Letters to requesters: the organisation's wording, checked and versioned; letters made as
real PDFs from a request's own facts (read back as text), sealed, downloaded, emailed through
the outbox or marked posted, each a step on the timeline with nothing personal in the trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from jinja2.exceptions import SecurityError
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock, outbox
from steward.core.audit import AuditEvent
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.sar import letters
from steward.sar import service as sar
from steward.sar.letters import LetterKind
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, Outcome, Right, Status
from steward.sar.schemas import PersonDetails
from steward.sar.service import letters as service
from tests.factories.core import make_user
from tests.factories.sar import make_request
from tests.smtp_server import smtp_server

ORG = "Riverside Family Advisory Service"
NAME = "Kayleigh Marsden"


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader would copy it, one page after another."""
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(
            page.get_textpage().get_text_range()
            for page in (document[i] for i in range(len(document)))
        )
    finally:
        document.close()


def flat(text: str) -> str:
    return " ".join(text.split())


def new_request(
    db: Session, keyring: FileKeyring, actor: Actor, *, email: str | None = "k.marsden@example.org"
) -> SubjectAccessRequest:
    return make_request(
        db,
        keyring,
        actor,
        channel=Channel.EMAIL,
        requester=PersonDetails(
            full_name=NAME, address="12 Mill Lane, Leeds, LS1 4AB", email=email
        ),
        description="Everything about my time in care",
    )


def made_pdf(
    db: Session, keyring: FileKeyring, actor: Actor, request_id: int, letter_id: int
) -> str:
    return flat(pdf_text(service.download(db, keyring, actor, request_id, letter_id).data))


def test_every_shipped_template_renders_and_names_its_placeholders() -> None:
    for kind in LetterKind:
        text = letters.check(letters.default_template(kind))
        assert "{{" not in text and "SAR-2026-00042" in text, kind


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("Dear {{ requester_nmae }},", "placeholder that does not exist"),
        ("Dear {{ requester_name ,", "mistake on line 1"),
        ("{% if reasons %}no end", "mistake on line 1"),
        ("{{ ''.__class__ }}", "may not"),
        ("{{ reference.__class__.__mro__[1].__subclasses__() }}", "may not"),
        ("{{ reference|attr('__class__') }}", "cannot be used"),
        ("{% for i in range(99999999) %}x{% endfor %}", "may not"),
        ("{{ 'x' * 999999999 }}", "may not"),
        ("{{ lipsum }}", "does not exist"),
        ("   ", "enter the wording"),
    ],
)
def test_wording_that_would_not_render_is_refused_saying_why(body: str, says: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        letters.check(body)
    assert says in refused.value.errors["body"]
    assert "Nothing was changed" in refused.value.message


def test_the_sandbox_itself_refuses_reaching_into_python() -> None:
    """Behind the check of what a template holds, Jinja's sandbox still stands."""
    with pytest.raises(SecurityError):
        letters._env.from_string("{{ ''.__class__.__mro__ }}").render()


def test_edits_are_versioned_and_a_bad_edit_changes_nothing(
    db: Session, keyring: FileKeyring
) -> None:
    dpo = make_user(db, Role.DPO)
    assert service.template(db, dpo.actor, LetterKind.ACKNOWLEDGEMENT).version == 0
    first = service.save_template(
        db, dpo.actor, LetterKind.ACKNOWLEDGEMENT, "Dear {{ requester_name }},\n\nWe have it."
    )
    second = service.save_template(
        db,
        dpo.actor,
        LetterKind.ACKNOWLEDGEMENT,
        "Dear {{ requester_name }},\n\nOur own wording about {{ reference }}.",
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(ValidationFailed):
        service.save_template(db, dpo.actor, LetterKind.ACKNOWLEDGEMENT, "{{ ''.__class__ }}")
    with pytest.raises(Conflict, match="unchanged"):
        service.save_template(db, dpo.actor, LetterKind.ACKNOWLEDGEMENT, second.body)
    now = service.template(db, dpo.actor, LetterKind.ACKNOWLEDGEMENT)
    assert (now.version, now.edited_by) == (2, dpo.username)
    assert service.template(db, dpo.actor, LetterKind.REFUSAL).version == 0
    # The letter is made from the current wording, and remembers which.
    request = new_request(db, keyring, dpo.actor)
    letter = service.make(
        db, keyring, dpo.actor, request.id, LetterKind.ACKNOWLEDGEMENT, organisation=ORG
    )
    assert letter.template_version == 2
    assert "Our own wording about SAR-2026-00001" in made_pdf(
        db, keyring, dpo.actor, request.id, letter.id
    )
    with pytest.raises(Forbidden):
        service.save_template(db, make_user(db, Role.CASEWORKER).actor, LetterKind.FEE, "Hi")


def test_the_covering_letter_carries_the_article_15_information(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.COVERING, organisation=ORG
    )
    text = made_pdf(db, keyring, officer.actor, request.id, letter.id)
    # Letterhead, date, recipient name and address, reference, sign-off.
    assert text.startswith(ORG)
    for part in (
        "20 March 2026",
        NAME,
        "12 Mill Lane",
        "LS1 4AB",
        "Our reference: SAR-2026-00001",
        "Yours sincerely",
    ):
        assert part in text, part
    for item in (
        "purposes",
        "categories",
        "recipients",
        "retention period or criteria",
        "rectification",
        "erasure",
        "restriction",
        "object",
        "Information Commissioner's Office",
        "source",
        "Automated decision-making",
        "safeguards",
    ):
        assert item in text, item


def test_a_letter_is_sealed_a_step_on_the_timeline_and_audited_by_ids(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.ACKNOWLEDGEMENT, organisation=ORG
    )
    assert letter.pdf_sealed and NAME.encode() not in letter.pdf_sealed
    assert b"%PDF" not in letter.pdf_sealed
    assert request.steps[-1].kind == "sar:letter:made"
    text = made_pdf(db, keyring, officer.actor, request.id, letter.id)
    assert "We will send our response by 2 April 2026" in text
    [row] = service.letters_of(db, officer.actor, request.id)
    assert (row.kind, row.created_by, row.sent_via) == (
        LetterKind.ACKNOWLEDGEMENT,
        officer.username,
        None,
    )
    events = db.scalars(select(AuditEvent).where(AuditEvent.tag.like("sar:letter%"))).all()
    assert {e.tag for e in events} >= {"sar:letter:made", "sar:letter:downloaded"}
    assert not any("Marsden" in json.dumps(e.details) for e in events)
    other = new_request(db, keyring, officer.actor)
    with pytest.raises(NotFound):
        service.download(db, keyring, officer.actor, other.id, letter.id)


def test_extension_and_refusal_letters_give_the_recorded_reasons(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    with pytest.raises(Conflict, match="Extend the request"):
        service.make(db, keyring, officer.actor, request.id, LetterKind.EXTENSION, organisation=ORG)
    sar.extend(
        db, keyring, officer.actor, request.id, reasons="Records are on paper in three stores."
    )
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.EXTENSION, organisation=ORG
    )
    text = made_pdf(db, keyring, officer.actor, request.id, letter.id)
    assert "Records are on paper in three stores." in text
    # Received 2 March 2026: first deadline 2 April, extended to three months from day 1.
    assert "answered by 2 April 2026" in text and "by 2 June 2026" in text

    refused = new_request(db, keyring, officer.actor)
    with pytest.raises(Conflict, match="Refuse the request"):
        service.make(db, keyring, officer.actor, refused.id, LetterKind.REFUSAL, organisation=ORG)
    sar.move(
        db,
        keyring,
        officer.actor,
        refused.id,
        Status.REFUSED,
        reasons="The same request was answered in full last month.",
    )
    letter = service.make(
        db, keyring, officer.actor, refused.id, LetterKind.REFUSAL, organisation=ORG
    )
    text = made_pdf(db, keyring, officer.actor, refused.id, letter.id)
    assert "The same request was answered in full last month." in text
    assert "Information Commissioner's Office" in text and "courts" in text


def test_a_fee_letter_needs_a_sensible_amount(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    for bad in (None, "", "lots", "-5", "0", "NaN", "1e9"):
        with pytest.raises(ValidationFailed) as refused:
            service.make(
                db,
                keyring,
                officer.actor,
                request.id,
                LetterKind.FEE,
                organisation=ORG,
                fee_amount=bad,
            )
        assert "fee_amount" in refused.value.errors
    assert service.letters_of(db, officer.actor, request.id) == []
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.FEE, organisation=ORG, fee_amount="£25"
    )
    assert "The fee for this request is £25.00." in made_pdf(
        db, keyring, officer.actor, request.id, letter.id
    )


def test_markup_in_a_name_is_printed_as_text(db: Session, keyring: FileKeyring) -> None:
    data = letters.Letter(
        organisation="A & B <Services>",
        date="1 April 2026",
        recipient_name="<b>Jo</b> & Sam",
        recipient_address=["1 <Road>"],
        reference="SAR-2026-00009",
        title="Title",
        body="Para one & <i>two</i>.\n\nPara three.",
    )
    text = flat(pdf_text(letters.pdf(data)))
    assert "<b>Jo</b> & Sam" in text and "Para one & <i>two</i>." in text


def test_a_letter_is_emailed_through_the_outbox_once(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.ACKNOWLEDGEMENT, organisation=ORG
    )
    settings = Settings(env=Environment.TEST, data_dir=tmp_path, organisation_name=ORG)
    message = service.email(db, keyring, officer.actor, request.id, letter.id, settings=settings)
    # No mail server: kept in the outbox, the letter waiting there.
    assert message.status == outbox.Status.QUEUED
    assert (letter.sent_via, letter.sent_at, letter.outbox_message_id) == (
        "email",
        None,
        message.id,
    )
    shown = outbox.message(db, keyring, officer.actor, message.id)
    assert shown.summary.recipient == "k.marsden@example.org"
    assert "SAR-2026-00001" in shown.summary.subject
    assert shown.attachments[0].filename == "SAR-2026-00001-acknowledgement.pdf"
    attached = outbox.attachment(db, keyring, officer.actor, message.id, 1).data
    assert "Our reference: SAR-2026-00001" in flat(pdf_text(attached))
    assert request.steps[-1].kind == "sar:letter:emailed"
    assert service.letters_of(db, officer.actor, request.id)[0].outbox_status == "queued"
    with pytest.raises(Conflict, match="already emailed"):
        service.email(db, keyring, officer.actor, request.id, letter.id, settings=settings)
    with pytest.raises(Conflict, match="already emailed"):
        service.mark_posted(db, keyring, officer.actor, request.id, letter.id)


def test_a_letter_goes_to_a_real_mail_server_when_one_is_set_up(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.COVERING, organisation=ORG
    )
    with smtp_server() as mailbox:
        settings = Settings(
            env=Environment.TEST,
            data_dir=tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_starttls=False,
        )
        message = service.email(
            db, keyring, officer.actor, request.id, letter.id, settings=settings
        )
    assert message.status == outbox.Status.SENT and letter.sent_at is not None
    [got] = mailbox.received
    assert got.recipients == ["k.marsden@example.org"]
    [pdf] = list(got.message.iter_attachments())
    assert "Automated decision-making" in flat(pdf_text(pdf.get_content()))


def test_no_email_address_means_post_and_posting_is_recorded(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor, email=None)
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.ID_REQUEST, organisation=ORG
    )
    settings = Settings(env=Environment.TEST, data_dir=tmp_path)
    with pytest.raises(ValidationFailed, match="no email address"):
        service.email(db, keyring, officer.actor, request.id, letter.id, settings=settings)
    assert letter.sent_via is None
    service.mark_posted(db, keyring, officer.actor, request.id, letter.id)
    assert letter.sent_via == "post" and letter.sent_at is not None
    assert request.steps[-1].kind == "sar:letter:posted"
    with pytest.raises(Conflict, match="already posted"):
        service.mark_posted(db, keyring, officer.actor, request.id, letter.id)


def test_a_decision_letter_says_what_was_asked_what_was_decided_and_why(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = make_request(
        db,
        keyring,
        officer.actor,
        right=Right.RECTIFICATION,
        requester=PersonDetails(full_name=NAME, address="12 Mill Lane, Leeds, LS1 4AB"),
        description="My date of birth is wrong",
    )
    with pytest.raises(Conflict, match="Record the decision"):
        service.make(db, keyring, officer.actor, request.id, LetterKind.DECISION, organisation=ORG)
    sar.decide(
        db,
        keyring,
        officer.actor,
        request.id,
        outcome=Outcome.PARTLY,
        reasons="The date of birth is corrected; the social worker's opinion is kept as written.",
    )
    letter = service.make(
        db, keyring, officer.actor, request.id, LetterKind.DECISION, organisation=ORG
    )
    text = made_pdf(db, keyring, officer.actor, request.id, letter.id)
    assert "Our decision on your request" in text
    assert "to correct personal information we hold about you" in text
    assert "We have done part of what you asked." in text
    assert "the social worker's opinion is kept as written" in text
    assert "Information Commissioner" in text and "Article 19" in text
