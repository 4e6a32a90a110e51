"""Telling a partner when the organisation corrects data it sent (the ICO's data-sharing
code: a partner told of a correction can put its own records right).

Two ways data a partner sent is corrected:

- an officer decides a held row with corrected values (service/decisions.py), and
- a person recorded from a partner's row is corrected later on their record (Article 16,
  records.correct_person). Records announces each correction in its own transaction
  (records/service/changes.py) and ``on_person_corrected`` is subscribed to it when this
  package is imported: the notice lands with the correction or not at all, whatever adapter
  made it (page, API, command line), and cannot be made twice for one correction. A
  partner is told only of a value it sent that was corrected: a value sent that equals
  the value corrected away. Telling it a value it never held (a new address) would itself
  be a disclosure.

A notice (``PartnerNotice``) holds the field names only, with the submission and row; the
values before and after go in the email to each of the partner's contacts who receive
notices, sealed in the outbox like every message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock, outbox
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import ValidationFailed
from steward.core.outbox import OutboxMessage
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.intake import datasets
from steward.intake.datasets import Dataset, FieldType
from steward.intake.events import IntakeEvent
from steward.intake.models import (
    Agreement,
    Partner,
    PartnerContact,
    PartnerNotice,
    Submission,
    SubmissionRow,
)
from steward.intake.policy import RowOutcome
from steward.intake.service.partners import partner_of
from steward.intake.service.values import Values, blank, normalised, open_values
from steward.records.service.changes import PersonCorrected

SUBJECT = "partner_notice"
# Why the notice was made, in words (no personal data): shown on the notices' lists.
FROM_REVIEW = "Corrected when a held row was decided"
FROM_RECORD = "Corrected later on the person's record"

Change = tuple[str | None, str | None]  # (as sent, as corrected)


@dataclass(frozen=True)
class Told:
    notice: PartnerNotice
    messages: int  # emails put in the outbox (one per contact who receives notices)


def _dataset(submission: Submission) -> Dataset | None:
    try:
        return datasets.get(submission.dataset, submission.dataset_version)
    except Exception:  # a retired data set version: names still read as words
        return None


def field_label(dataset: Dataset | None, name: str) -> str:
    if dataset is not None:
        try:
            return dataset.field(name).label
        except KeyError:
            pass
    return name.replace("_", " ").capitalize()


def _body(
    contact: PartnerContact,
    partner: Partner,
    agreement: Agreement | None,
    submission: Submission,
    row_number: int,
    changes: Mapping[str, Change],
    how: str,
) -> str:
    dataset = _dataset(submission)
    title = dataset.title if dataset else submission.dataset
    sent_on = submission.submitted_at.astimezone(clock.UK).date().isoformat()
    under = f" under data-sharing agreement {agreement.reference}" if agreement else ""
    lines = [
        f"Dear {contact.name},",
        "",
        f"We have corrected data that {partner.name} sent us{under}.",
        "",
        f"Submission {submission.id} ({title}), sent on {sent_on}: row {row_number}.",
        how,
        "",
    ]
    for name, (before, after) in changes.items():
        lines.append(
            f"- {field_label(dataset, name)}: you sent {_quoted(before)}; "
            f"corrected to {_quoted(after)}."
        )
    lines += [
        "",
        "Please check your own records and correct them if they hold the same value, so "
        "that what you send us next time is right.",
        "",
        "This email contains personal data. Keep it securely and delete it once your "
        "records are checked.",
    ]
    return "\n".join(lines) + "\n"


def _quoted(value: str | None) -> str:
    return f'"{value}"' if not blank(value) else "nothing"


def tell(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    partner: Partner,
    submission: Submission,
    row_number: int,
    changes: Mapping[str, Change],
    origin: str,
    how: str,
    settings: Settings | None = None,
    correction_id: int | None = None,
) -> Told:
    """Make the notice (field names only) and email each contact who receives notices."""
    now = clock.now()
    notice = PartnerNotice(
        partner_id=partner.id,
        submission_id=submission.id,
        row_number=row_number,
        fields=",".join(changes)[:500],
        created_at=now,
        note=origin,
    )
    db.add(notice)
    db.flush()
    agreement = db.get(Agreement, submission.agreement_id) if submission.agreement_id else None
    contacts = list(
        db.scalars(
            select(PartnerContact)
            .where(PartnerContact.partner_id == partner.id, PartnerContact.receives_notices)
            .order_by(PartnerContact.id)
        )
    )
    sent: list[OutboxMessage] = []
    skipped = 0
    for contact in contacts:
        body = _body(contact, partner, agreement, submission, row_number, changes, how)
        try:
            message = outbox.send(
                db,
                kek,
                actor,
                to=contact.email,
                subject=f"Correction to data you sent: submission {submission.id}, "
                f"row {row_number}",
                body=body,
                settings=settings,
            )
        except ValidationFailed:
            skipped += 1  # an address the outbox cannot use: the notice's list shows it
            continue
        sent.append(message)
    if sent:
        notice.outbox_id = sent[0].id
        if any(m.status == outbox.Status.SENT.value for m in sent):
            notice.sent_at = now
    db.flush()
    details: dict[str, audit.DetailValue | list[str]] = {
        "partner_id": partner.id,
        "submission_id": submission.id,
        "row_number": row_number,
        "fields": sorted(changes),
        "messages": len(sent),
        "skipped": skipped,
    }
    if correction_id is not None:
        details["correction_id"] = correction_id
    audit.record(
        db,
        actor,
        IntakeEvent.NOTICE_SENT,
        subject_type=SUBJECT,
        subject_id=notice.id,
        details=details,
    )
    return Told(notice, len(sent))


# --- corrections on the record ---------------------------------------------------------------

# A records correction's field code, as the data set fields it corrects; an address's parts.
_SCALAR_FIELDS = {
    "first_name": "first_name",
    "middle_names": "middle_names",
    "last_name": "last_name",
    "date_of_birth": "date_of_birth",
    "identifier:nhs": "nhs_number",
    "identifier:nino": "ni_number",
}
_ADDRESS_FIELDS = {"line1": "address_line", "town": "town", "postcode": "postcode"}
_TYPES = {
    "nhs_number": FieldType.NHS_NUMBER,
    "ni_number": FieldType.NI_NUMBER,
    "postcode": FieldType.POSTCODE,
    "date_of_birth": FieldType.DATE,
}


def _as_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def corrected_fields(corrected: PersonCorrected) -> list[tuple[str, str | None, str | None]]:
    """(data set field, value before, value after) for each part of the correction that a
    partner's row can carry."""
    found: list[tuple[str, str | None, str | None]] = []
    for code, before in corrected.before.items():
        after = corrected.after.get(code)
        if code in _SCALAR_FIELDS:
            found.append((_SCALAR_FIELDS[code], _as_text(before), _as_text(after)))
        elif code.startswith("address:") and isinstance(before, Mapping):
            new = after if isinstance(after, Mapping) else {}
            for part, name in _ADDRESS_FIELDS.items():
                if part in before or part in new:
                    found.append((name, _as_text(before.get(part)), _as_text(new.get(part))))
    return found


def _sent_this(values: Values, name: str, before: str | None) -> bool:
    sent = values.get(name)
    return not blank(sent) and normalised(_TYPES.get(name), sent) == normalised(
        _TYPES.get(name), before
    )


def on_person_corrected(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, corrected: PersonCorrected
) -> None:
    """Records' announcement of a correction: tell each partner whose accepted row sent a
    value that was corrected (one notice per partner, naming its latest such row)."""
    notices_for_correction(db, kek, actor, corrected)


def notices_for_correction(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, corrected: PersonCorrected
) -> list[Told]:
    parts = corrected_fields(corrected)
    if not parts:
        return []
    rows = db.execute(
        select(SubmissionRow, Submission)
        .join(Submission, Submission.id == SubmissionRow.submission_id)
        .where(
            SubmissionRow.person_id == corrected.person_id,
            SubmissionRow.outcome == RowOutcome.ACCEPTED.value,
            SubmissionRow.values_sealed.is_not(None),
            Submission.shredded_at.is_(None),
        )
        .order_by(Submission.submitted_at.desc(), SubmissionRow.id.desc())
    ).all()
    # Per partner, newest row first: each corrected field is matched to the newest row that
    # sent the value corrected away.
    matched: dict[int, tuple[SubmissionRow, Submission, dict[str, Change]]] = {}
    for row, submission in rows:
        values = open_values(db, kek, row)
        for name, before, after in parts:
            if not _sent_this(values, name, before):
                continue
            entry = matched.setdefault(row.partner_id, (row, submission, {}))
            entry[2].setdefault(name, (values.get(name), after))
    told = []
    for partner_id, (row, submission, changes) in matched.items():
        partner = db.get(Partner, partner_id)
        assert partner is not None
        told.append(
            tell(
                db,
                kek,
                actor,
                partner=partner,
                submission=submission,
                row_number=row.row_number,
                changes=changes,
                origin=FROM_RECORD,
                how="We found the value was wrong after recording it, and corrected our record.",
                settings=corrected.settings,
                correction_id=corrected.correction_id,
            )
        )
    return told


# --- the lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLine:
    notice_id: int
    partner_id: int
    partner_name: str
    submission_id: int | None
    dataset_title: str | None
    submitted_at: datetime | None
    row_number: int | None
    field_names: list[str]
    fields: list[str]  # as words
    created_at: datetime
    sent_at: datetime | None
    email: str  # "sent", "queued", "failed" or "none" (no contact receives notices)
    origin: str | None


def _query() -> Select[PartnerNotice, str, Submission, str]:
    return (
        select(PartnerNotice, Partner.name, Submission, OutboxMessage.status)
        .join(Partner, Partner.id == PartnerNotice.partner_id)
        .outerjoin(Submission, Submission.id == PartnerNotice.submission_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == PartnerNotice.outbox_id)
        .order_by(PartnerNotice.created_at.desc(), PartnerNotice.id.desc())
    )


def _line(found: Sequence[object]) -> NoticeLine:
    notice, partner_name, submission, status = found
    assert isinstance(notice, PartnerNotice)
    dataset = _dataset(submission) if isinstance(submission, Submission) else None
    names = [n for n in notice.fields.split(",") if n]
    return NoticeLine(
        notice_id=notice.id,
        partner_id=notice.partner_id,
        partner_name=str(partner_name),
        submission_id=notice.submission_id,
        dataset_title=dataset.title if dataset else None,
        submitted_at=submission.submitted_at if isinstance(submission, Submission) else None,
        row_number=notice.row_number,
        field_names=names,
        fields=[field_label(dataset, n) for n in names],
        created_at=notice.created_at,
        sent_at=notice.sent_at,
        email=str(status) if status else "none",
        origin=notice.note,
    )


def notices(
    db: Session,
    actor: Actor,
    page: PageRequest = PageRequest(),
    *,
    partner_id: int | None = None,
) -> Page[NoticeLine]:
    """Every notice of a correction, newest first, for the information-governance team;
    field names only (the values are in the emails)."""
    actor.require(Permission.INTAKE_REVIEW)
    query = _query()
    if partner_id is not None:
        query = query.where(PartnerNotice.partner_id == partner_id)
    found: Page[Sequence[object]] = paginate(db, query, page, scalars=False)
    return found.map(_line)


def notice_partners(db: Session, actor: Actor) -> list[tuple[int, str, int]]:
    """(id, name, notices) of each partner told of a correction: the list's filter."""
    actor.require(Permission.INTAKE_REVIEW)
    return [
        (int(pid), str(name), int(count))
        for pid, name, count in db.execute(
            select(Partner.id, Partner.name, func.count(PartnerNotice.id))
            .join(PartnerNotice, PartnerNotice.partner_id == Partner.id)
            .group_by(Partner.id, Partner.name)
            .order_by(Partner.name)
        )
    ]


@dataclass(frozen=True)
class PartnerCorrections:
    partner_name: str | None  # None: the account is not linked to a partner
    page: Page[NoticeLine]


def corrections_for_partner(
    db: Session, actor: Actor, page: PageRequest = PageRequest()
) -> PartnerCorrections:
    """ "Corrections to your data", for a partner account: its own partner's notices only."""
    actor.require(Permission.INTAKE_SUBMIT)
    partner = partner_of(db, actor)
    if partner is None:
        return PartnerCorrections(None, Page([], 0, page.number, page.size))
    query = _query().where(PartnerNotice.partner_id == partner.id)
    found: Page[Sequence[object]] = paginate(db, query, page, scalars=False)
    return PartnerCorrections(partner.name, found.map(_line))
