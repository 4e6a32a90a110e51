"""Attestations: a statement that an expectation of the control catalogue is met, with the
document that shows it (a policy, terms of reference, board minutes) and the date by which it
must be reviewed. Past that date it is expired, and the dashboard says so.

Recording needs assurance:manage (the DPO); reading needs assurance:view. The statement and
the document are sealed; reading either is an audited event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from steward.assurance.audits import policy
from steward.assurance.audits.events import AuditsEvent
from steward.assurance.audits.models import Attestation
from steward.assurance.audits.policy import AttestationState
from steward.assurance.audits.service import sealed
from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

SUBJECT_TYPE = "assurance_attestation"
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])
MAX_TITLE = 200
MAX_EXPECTATION = 64
MAX_STATEMENT = 4000
# Longer than a review cycle anyone keeps: a date beyond is a typing slip.
MAX_REVIEW_YEARS = 5


@dataclass(frozen=True, slots=True)
class NewAttestation:
    title: str
    expectation_id: str
    statement: str
    attested_on: date | None
    review_on: date | None
    document: bytes | None


@dataclass(frozen=True, slots=True)
class AttestationLine:
    id: int
    title: str
    expectation_id: str
    attested_on: date
    review_on: date
    state: AttestationState
    recorded_by: str | None


@dataclass(frozen=True, slots=True)
class AttestationView:
    line: AttestationLine
    statement: str
    document_name: str
    document_type: str


@dataclass(frozen=True, slots=True)
class DocumentFile:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class AttestationSummary:
    as_of: date
    current: int
    due_soon: int
    expired: int


def _checked(new: NewAttestation) -> tuple[dict[str, str], str]:
    errors: dict[str, str] = {}
    if not new.title.strip():
        errors["title"] = "Enter what is attested"
    elif len(new.title.strip()) > MAX_TITLE:
        errors["title"] = f"The title must be {MAX_TITLE} characters or fewer"
    expectation = new.expectation_id.strip()
    if not expectation:
        errors["expectation_id"] = "Enter the expectation's id in the control catalogue"
    elif len(expectation) > MAX_EXPECTATION or not all(
        c.isalnum() or c in ".-_" for c in expectation
    ):
        errors["expectation_id"] = (
            "The expectation's id must be letters, numbers, dots, hyphens or underscores, "
            f"{MAX_EXPECTATION} at most"
        )
    if not new.statement.strip():
        errors["statement"] = "Enter the statement"
    elif len(new.statement.strip()) > MAX_STATEMENT:
        errors["statement"] = f"The statement must be {MAX_STATEMENT:,} characters or fewer"
    today = clock.today()
    if new.attested_on is None:
        errors["attested_on"] = "Enter the date of the statement"
    elif new.attested_on > today:
        errors["attested_on"] = "The date of the statement must be today or in the past"
    if new.review_on is None:
        errors["review_on"] = "Enter the date it must be reviewed by"
    elif new.attested_on is not None and new.review_on <= new.attested_on:
        errors["review_on"] = "The review date must be after the date of the statement"
    elif (new.review_on - today).days > 366 * MAX_REVIEW_YEARS:
        errors["review_on"] = f"The review date must be within {MAX_REVIEW_YEARS} years"
    media_type = ""
    if not new.document:
        errors["document"] = "Select the document that shows it"
    else:
        try:
            media_type = policy.check_document(new.document, field="document")
        except ValidationFailed as exc:
            errors |= exc.errors
    return errors, media_type


def _context(row_id: int, part: str) -> str:
    return f"assurance_attestation:{row_id}:{part}"


def record_attestation(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, new: NewAttestation
) -> Attestation:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors, media_type = _checked(new)
    if errors:
        raise ValidationFailed(
            "Check the attestation's details: nothing was recorded.", errors=errors
        )
    assert new.attested_on and new.review_on and new.document
    key_id = sealed.new_key(db, kek)
    row = Attestation(
        title=new.title.strip(),
        expectation_id=new.expectation_id.strip(),
        attested_on=new.attested_on,
        review_on=new.review_on,
        recorded_by=actor.user_id,
        key_id=key_id,
        statement_sealed=b"",
        document_sealed=b"",
        document_media_type=media_type,
        document_filename="",
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    row.statement_sealed = sealed.seal_text(
        db, kek, key_id, _context(row.id, "statement"), new.statement.strip()
    )
    row.document_sealed = sealed.seal_bytes(
        db, kek, key_id, _context(row.id, "document"), new.document
    )
    row.document_filename = f"attestation-{row.id}{policy.EXTENSIONS[media_type]}"
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.ATTESTATION_RECORDED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={"review_on": new.review_on.isoformat()},
    )
    return row


def read_state(value: str) -> AttestationState | None:
    if not value:
        return None
    if value not in {s.value for s in AttestationState}:
        raise ValidationFailed(
            "Check the filters.", errors={"state": "Select a state from the list"}
        )
    return AttestationState(value)


def _in_state(query: SelectT, state: AttestationState, as_of: date) -> SelectT:
    soon = policy.due_soon_until(as_of)
    if state == AttestationState.EXPIRED:
        return query.where(Attestation.review_on < as_of)
    if state == AttestationState.DUE_SOON:
        return query.where(Attestation.review_on >= as_of, Attestation.review_on <= soon)
    return query.where(Attestation.review_on > soon)


def _line(row: Attestation, names: dict[int, str], as_of: date) -> AttestationLine:
    return AttestationLine(
        row.id,
        row.title,
        row.expectation_id,
        row.attested_on,
        row.review_on,
        policy.attestation_state(row.review_on, as_of),
        names.get(row.recorded_by) if row.recorded_by is not None else None,
    )


def list_attestations(
    db: Session,
    actor: Actor,
    request: PageRequest,
    state: AttestationState | None = None,
    as_of: date | None = None,
) -> Page[AttestationLine]:
    """Attestations, the soonest review first."""
    actor.require(Permission.ASSURANCE_VIEW)
    day = as_of or clock.today()
    query = select(Attestation).order_by(Attestation.review_on, Attestation.id)
    if state is not None:
        query = _in_state(query, state, day)
    page = paginate(db, query, request)
    names = auth.usernames(db, [r.recorded_by for r in page.items if r.recorded_by is not None])
    return page.map(lambda row: _line(row, names, day))


def _get(db: Session, attestation_id: int) -> Attestation:
    row = db.get(Attestation, attestation_id)
    if row is None:
        raise NotFound("There is no such attestation.")
    return row


def view_attestation(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, attestation_id: int
) -> AttestationView:
    actor.require(Permission.ASSURANCE_VIEW)
    row = _get(db, attestation_id)
    statement = sealed.open_text(
        db, kek, row.key_id, _context(row.id, "statement"), row.statement_sealed
    )
    audit.record(
        db, actor, AuditsEvent.ATTESTATION_READ, subject_type=SUBJECT_TYPE, subject_id=row.id
    )
    names = auth.usernames(db, [row.recorded_by] if row.recorded_by is not None else [])
    return AttestationView(
        _line(row, names, clock.today()),
        statement,
        row.document_filename,
        policy.TYPE_NAMES.get(row.document_media_type, row.document_media_type),
    )


def document(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, attestation_id: int
) -> DocumentFile:
    actor.require(Permission.ASSURANCE_VIEW)
    row = _get(db, attestation_id)
    data = sealed.open_bytes(db, kek, row.key_id, _context(row.id, "document"), row.document_sealed)
    audit.record(
        db,
        actor,
        AuditsEvent.ATTESTATION_DOCUMENT_DOWNLOADED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
    )
    return DocumentFile(row.document_filename, row.document_media_type, data)


def attestation_summary(db: Session, as_of: date) -> AttestationSummary:
    """How many attestations are current, due for review within 30 days, and expired on
    ``as_of``, for the dashboard (which checks who may see it)."""

    def counted(state: AttestationState) -> int:
        query = _in_state(select(func.count(Attestation.id)), state, as_of)
        return int(db.scalar(query) or 0)

    return AttestationSummary(
        as_of,
        counted(AttestationState.CURRENT),
        counted(AttestationState.DUE_SOON),
        counted(AttestationState.EXPIRED),
    )
