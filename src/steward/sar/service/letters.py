"""Letters to a requester: the organisation's wording of each kind (versioned), a letter made
from it for a request (a PDF sealed under the request's key), and sending it by email through
the outbox or marking it posted. Each change is a step on the request's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto, outbox
from steward.core.auth import User
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.sar import letters
from steward.sar.events import SarEvent
from steward.sar.letters import LetterKind
from steward.sar.models import SarLetter, SarLetterTemplate, SarStep, SubjectAccessRequest
from steward.sar.policy import Right, Status
from steward.sar.service.requests import _step, clock_of, details, get
from steward.sar.service.tasks import decision_of

TEMPLATE_SUBJECT = "sar_letter_template"
MAX_FEE = Decimal("1000")


@dataclass(frozen=True)
class TemplateVersion:
    kind: LetterKind
    title: str
    body: str
    version: int  # 0: the wording shipped with Steward
    edited_by: str | None
    edited_at: datetime | None


@dataclass(frozen=True)
class LetterRow:
    id: int
    kind: LetterKind
    title: str
    created_at: datetime
    created_by: str | None
    sent_via: str | None
    sent_at: datetime | None
    outbox_status: str | None  # the email's, when sent by email: "queued" until it leaves


@dataclass(frozen=True)
class LetterFile:
    filename: str
    data: bytes
    media_type: str = "application/pdf"


def _require(actor: Actor) -> None:
    actor.require(Permission.SAR_MANAGE)


def _username(db: Session, user_id: int | None) -> str | None:
    return db.scalar(select(User.username).where(User.id == user_id)) if user_id else None


def _latest(db: Session, kind: LetterKind) -> SarLetterTemplate | None:
    return db.scalar(
        select(SarLetterTemplate)
        .where(SarLetterTemplate.kind == kind.value)
        .order_by(SarLetterTemplate.version.desc())
        .limit(1)
    )


def template(db: Session, actor: Actor, kind: LetterKind) -> TemplateVersion:
    """The wording letters of this kind are made from now."""
    _require(actor)
    row = _latest(db, kind)
    if row is None:
        return TemplateVersion(
            kind, letters.TITLES[kind], letters.default_template(kind), 0, None, None
        )
    return TemplateVersion(
        kind,
        letters.TITLES[kind],
        row.body,
        row.version,
        _username(db, row.edited_by_user_id),
        row.edited_at,
    )


def templates(db: Session, actor: Actor) -> list[TemplateVersion]:
    return [template(db, actor, kind) for kind in LetterKind]


def preview(actor: Actor, body: str) -> str:
    """The wording filled in with sample values, or ValidationFailed saying what is wrong."""
    _require(actor)
    return letters.check(body)


def save_template(db: Session, actor: Actor, kind: LetterKind, body: str) -> SarLetterTemplate:
    """A new version of the wording; refused, changing nothing, if it would not render."""
    _require(actor)
    letters.check(body)
    current = _latest(db, kind)
    if current is not None and current.body == body:
        raise Conflict("The wording is unchanged: there is nothing to save.")
    highest = db.scalar(
        select(func.max(SarLetterTemplate.version)).where(SarLetterTemplate.kind == kind.value)
    )
    row = SarLetterTemplate(
        kind=kind.value,
        version=(highest or 0) + 1,
        body=body,
        edited_by_user_id=actor.user_id,
        edited_at=clock.now(),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor,
        SarEvent.LETTER_TEMPLATE_EDITED,
        subject_type=TEMPLATE_SUBJECT,
        subject_id=row.id,
        details={"kind": kind.value, "version": row.version},
    )
    return row


def letters_of(db: Session, actor: Actor, request_id: int) -> list[LetterRow]:
    """The request's letters, newest first: what was made, when, by whom and how it went."""
    get(db, actor, request_id)
    rows = db.scalars(
        select(SarLetter)
        .where(SarLetter.request_id == request_id)
        .order_by(SarLetter.created_at.desc(), SarLetter.id.desc())
    )
    return [
        LetterRow(
            id=r.id,
            kind=LetterKind(r.kind),
            title=letters.TITLES[LetterKind(r.kind)],
            created_at=r.created_at,
            created_by=_username(db, r.created_by_user_id),
            sent_via=r.sent_via,
            sent_at=r.sent_at,
            outbox_status=_outbox_status(db, r.outbox_message_id),
        )
        for r in rows
    ]


def _outbox_status(db: Session, message_id: int | None) -> str | None:
    if message_id is None:
        return None
    return db.scalar(
        select(outbox.OutboxMessage.status).where(outbox.OutboxMessage.id == message_id)
    )


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _reasons(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, kind: LetterKind
) -> str:
    """The reasons recorded with the request's last extension or refusal: what the letter
    must tell the requester."""
    if kind is LetterKind.EXTENSION:
        steps = [s for s in request.steps if s.kind == SarEvent.EXTENDED.value]
        missing = "Extend the request, giving the reasons, before making the extension letter."
    else:
        steps = [
            s
            for s in request.steps
            if s.kind == SarEvent.MOVED.value and s.to_status == Status.REFUSED.value
        ]
        missing = "Refuse the request, giving the reasons, before making the refusal letter."
    step: SarStep | None = steps[-1] if steps else None
    if step is None or step.note_sealed is None:
        raise Conflict(missing)
    return crypto.open_sealed(
        db,
        kek,
        key_id=request.data_key_id,
        sealed=step.note_sealed,
        context=f"sar_step:{step.id}:note",
    ).decode()


def _fee(amount: str | None) -> str:
    try:
        value = Decimal((amount or "").strip().lstrip("£"))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal("0.01") <= value <= MAX_FEE:
        raise ValidationFailed(
            "Enter the fee in pounds, like 25.00.",
            errors={"fee_amount": f"Enter a fee between £0.01 and £{MAX_FEE:,.0f}, like 25.00"},
        )
    return f"{value:.2f}"


def _address(told: dict[str, object]) -> list[str]:
    address = str(told.get("address") or "").strip()
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    # An address typed on one line reads as a letter's address block with a line per part.
    return [p.strip() for p in lines[0].split(",") if p.strip()] if len(lines) == 1 else lines


def _decision(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request: SubjectAccessRequest
) -> dict[str, str]:
    """What was asked, what was decided and why: the decision recorded on the request."""
    decided = decision_of(db, kek, actor, request.id)
    if decided is None:
        raise Conflict("Record the decision, with its reasons, before making the decision letter.")
    return {
        "right": letters.RIGHT_ASKED[Right(request.right)],
        "outcome": letters.OUTCOME_SAID[decided.outcome],
        "reasons": decided.reasons,
    }


def make(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    kind: LetterKind,
    *,
    organisation: str,
    fee_amount: str | None = None,
) -> SarLetter:
    """A letter of ``kind`` for the request, from today's wording and the request's own facts,
    kept as a sealed PDF. Nothing is sent yet."""
    request = get(db, actor, request_id)
    values = dict.fromkeys(letters.PLACEHOLDERS, "")
    if kind in letters.NEEDS_REASONS:
        values["reasons"] = _reasons(db, kek, request, kind)
    if kind is LetterKind.FEE:
        values["fee_amount"] = _fee(fee_amount)
    if kind is LetterKind.DECISION:
        values |= _decision(db, kek, actor, request)
    requester = details(db, kek, actor, request_id)["requester"]
    state = clock_of(request)
    today = clock.today()
    values |= {
        "organisation": organisation,
        "reference": request.reference,
        "today": _day(today),
        "requester_name": requester["full_name"],
        "received_on": _day(request.received_on),
        "due_on": _day(state.due_on),
        "first_deadline": _day(state.first_deadline),
        "new_due_on": _day(state.due_on),
    }
    wording = template(db, actor, kind)
    text = letters.render(wording.body, values)
    pdf = letters.pdf(
        letters.Letter(
            organisation=organisation,
            date=values["today"],
            recipient_name=requester["full_name"],
            recipient_address=_address(requester),
            reference=request.reference,
            title=letters.TITLES[kind],
            body=text,
        )
    )
    letter = SarLetter(
        request_id=request.id,
        kind=kind.value,
        template_version=wording.version,
        created_at=clock.now(),
        created_by_user_id=actor.user_id,
        pdf_sealed=b"",
    )
    db.add(letter)
    db.flush()
    letter.pdf_sealed = crypto.seal(
        db, kek, key_id=request.data_key_id, plaintext=pdf, context=_pdf_context(letter)
    )
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.LETTER_MADE,
        from_status=request.status,
        details={"letter": letter.id, "kind": kind.value, "version": wording.version},
    )
    return letter


def _pdf_context(letter: SarLetter) -> str:
    return f"sar_letter:{letter.id}:pdf"


def _letter(db: Session, actor: Actor, request_id: int, letter_id: int) -> SarLetter:
    get(db, actor, request_id)
    letter = db.get(SarLetter, letter_id)
    if letter is None or letter.request_id != request_id:
        raise NotFound("This request has no letter with that number.")
    return letter


def _file(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, letter: SarLetter
) -> LetterFile:
    data = crypto.open_sealed(
        db, kek, key_id=request.data_key_id, sealed=letter.pdf_sealed, context=_pdf_context(letter)
    )
    return LetterFile(f"{request.reference}-{letter.kind.replace('_', '-')}.pdf", data)


def download(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int, letter_id: int
) -> LetterFile:
    """The letter's PDF: an audited read (it names the requester)."""
    letter = _letter(db, actor, request_id, letter_id)
    request = get(db, actor, request_id)
    found = _file(db, kek, request, letter)
    audit.record(
        db,
        actor,
        SarEvent.LETTER_DOWNLOADED,
        subject_type="sar_request",
        subject_id=request.id,
        details={"letter": letter.id},
    )
    return found


def _unsent(letter: SarLetter) -> None:
    if letter.sent_via is not None:
        how = "emailed" if letter.sent_via == "email" else "posted"
        raise Conflict(f"This letter was already {how}: make a new letter to send it again.")


def email(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    letter_id: int,
    *,
    settings: Settings,
) -> outbox.OutboxMessage:
    """Send the letter to the requester's email address, the PDF attached, through the outbox
    (sent at once when a mail server is configured, otherwise kept there sealed). A message
    the mail server refused stays in the outbox as failed and the letter stays unsent."""
    letter = _letter(db, actor, request_id, letter_id)
    _unsent(letter)
    request = get(db, actor, request_id)
    requester = details(db, kek, actor, request_id)["requester"]
    if not requester.get("email"):
        raise ValidationFailed(
            "The requester gave no email address: print the letter and post it instead.",
            errors={"email": "There is no email address for the requester"},
        )
    kind = LetterKind(letter.kind)
    found = _file(db, kek, request, letter)
    message = outbox.send(
        db,
        kek,
        actor,
        to=requester["email"],
        subject=f"Your request {request.reference}: {letters.TITLES[kind].lower()}",
        body=(
            f"Dear {requester['full_name']},\n\nPlease find attached our letter about your "
            f"request, reference {request.reference}.\n\n{settings.organisation_name}\n"
        ),
        attachments=[(found.filename, found.media_type, found.data)],
        settings=settings,
    )
    if message.status == outbox.Status.FAILED:
        # Kept in the outbox as failed (its own audit event); the letter stays unsent.
        return message
    # Queued (no mail server): it waits in the outbox, so it has no sent time yet.
    letter.sent_via, letter.sent_at = "email", message.sent_at
    letter.outbox_message_id = message.id
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.LETTER_EMAILED,
        from_status=request.status,
        details={"letter": letter.id, "kind": kind.value, "message": message.id},
    )
    return message


def mark_posted(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int, letter_id: int
) -> SarLetter:
    """Record that the printed letter went in the post today."""
    letter = _letter(db, actor, request_id, letter_id)
    _unsent(letter)
    request = get(db, actor, request_id)
    letter.sent_via, letter.sent_at = "post", clock.now()
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.LETTER_POSTED,
        from_status=request.status,
        details={"letter": letter.id, "kind": letter.kind},
    )
    return letter
