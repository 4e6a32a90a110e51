"""Receiving a partner's file: refused whole, or stored sealed and checked row by row.

Before anything is stored the file meets every file-level check: the partner's agreement
in force today covers the data set (no agreement, no processing: the file is not even
opened), its size, its format, its encoding and header, that it is no zip bomb and not
empty (reading.py), and that this partner has not sent this very file for this data set
before. Any of them raises ``Refused`` and nothing is recorded.

Refusals are not kept by the service: the caller's unit of work rolls back on the error,
taking any event with it. An adapter that wants the refusal on the audit trail records it
after the rollback, in a unit of work of its own, with ``note_refusal`` (the code and the
partner only, never the file); the command line does.

A file that passes is stored sealed under a data key of its own (crypto-shredded when its
retention ends: retention.py) and processed: in the same request when it is small, else in
the background (processing.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto, jobs
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.intake import datasets, reading
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner, RowIssue, Submission, SubmissionFile
from steward.intake.policy import MESSAGES, Code, SubmissionStatus, file_context
from steward.intake.service import partners, processing
from steward.records import service as records

DEFAULT_MAX_BYTES = 25 * 2**20
DEFAULT_MAX_ROWS = 1_000_000
# Files up to this many rows are checked and recorded in the request that brought them (a
# second or two); larger ones in the background, with progress on the page.
INLINE_ROWS = 300
FILE_KEY_LABEL = b"steward intake files v1"


def submitting_partner(db: Session, actor: Actor, partner_id: int | None) -> Partner:
    """The partner a file is submitted for. A partner's account submits for its own partner
    only (another partner's, even named, is "no such partner"); staff who review intake
    (a file that came by secure email) and the command line name the partner."""
    if actor.can(Permission.INTAKE_REVIEW):
        if partner_id is None:
            raise ValidationFailed(
                "Choose the partner the file came from.", errors={"partner": "Choose a partner"}
            )
        return partners.get_partner(db, partner_id)
    actor.require(Permission.INTAKE_SUBMIT)
    own = partners.partner_of(db, actor)
    if own is None:
        raise Forbidden(
            "Your account is not linked to a partner organisation. Ask the organisation's "
            "information governance team to link it."
        )
    if partner_id is not None and partner_id != own.id:
        raise NotFound("There is no such partner.")
    return own


def file_digest(db: Session, data: bytes) -> str:
    """A keyed hash of the file (HMAC under a key derived from the key file), never a plain
    digest: the file is personal data, and a plain digest would confirm a guess at it."""
    return crypto.keyed_hash(crypto.hash_key(db, FILE_KEY_LABEL), data)


def _safe_filename(filename: str, file_format: str) -> str:
    # records.safe_filename names a file by its real type; a partner's table is text.
    return records.safe_filename(filename, "text/plain").removesuffix(".txt") + f".{file_format}"


def submit(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    dataset: str,
    filename: str,
    data: bytes,
    partner_id: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    inline_rows: int = INLINE_ROWS,
    queue: jobs.JobQueue | None = None,
) -> Submission:
    """Receive a file (see the module's docstring). A file of up to ``inline_rows`` rows is
    processed before this returns; a larger one is handed to ``queue`` as a background job,
    or, with no queue (the command line, which processes it itself batch by batch), left
    RECEIVED for ``processing.process``."""
    partner = submitting_partner(db, actor, partner_id)
    schema = datasets.get(dataset)
    if not partner.active:
        raise Refused(Code.AGREEMENT_NONE)
    agreement = partners.agreement_for(
        db, partner_id=partner.id, dataset=schema.name, on=clock.today()
    )
    if len(data) > max_bytes:
        raise Refused(
            Code.FILE_TOO_LARGE,
            f"The file is larger than the {max_bytes / 2**20:g} MB limit. Split it into "
            "smaller files.",
        )
    file_format = reading.detect_format(filename, data)
    table = reading.read_table(data, file_format=file_format, dataset=schema, max_rows=max_rows)
    digest = file_digest(db, data)
    earlier = db.scalar(
        select(Submission).where(
            Submission.partner_id == partner.id,
            Submission.dataset == schema.name,
            Submission.file_sha256 == digest,
        )
    )
    if earlier is not None:
        raise Refused(
            Code.FILE_REPEATED,
            f"This exact file was submitted before, as submission {earlier.id} on "
            f"{earlier.submitted_at.astimezone(clock.UK):%-d %B %Y}. Nothing was recorded twice.",
        )
    key = crypto.create_data_key(db, kek, purpose="intake-submission")
    submission = Submission(
        partner_id=partner.id,
        agreement_id=agreement.id,
        dataset=schema.name,
        dataset_version=schema.version,
        file_format=file_format,
        filename=_safe_filename(filename, file_format),
        size_bytes=len(data),
        file_sha256=digest,
        status=SubmissionStatus.RECEIVED,
        rows=table.height,
        rows_done=0,
        accepted=0,
        unchanged=0,
        quarantined=0,
        rejected=0,
        data_key_id=key.id,
        submitted_by_user_id=actor.user_id,
        submitted_at=clock.now(),
    )
    db.add(submission)
    db.flush()
    db.add(
        SubmissionFile(
            submission_id=submission.id,
            body=crypto.seal(
                db, kek, key_id=key.id, plaintext=data, context=file_context(submission.id)
            ),
        )
    )
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_RECEIVED,
        subject_type="submission",
        subject_id=submission.id,
        details={
            "partner_id": partner.id,
            "agreement_id": agreement.id,
            "dataset": schema.name,
            "version": schema.version,
            "format": file_format,
            "rows": table.height,
            "size_bytes": len(data),
        },
    )
    if table.height <= inline_rows:
        processing.process_here(db, kek, actor, submission, table=table)
    elif queue is not None:
        processing.start_processing(db, actor, queue, submission)
    return submission


def note_refusal(
    db: Session, actor: Actor, *, partner_id: int | None, dataset: str, code: Code
) -> None:
    """Keep a refusal on the audit trail, in a unit of work of its own after the refused
    one rolled back: the partner, the data set and the code, nothing of the file."""
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_REFUSED,
        subject_type="partner" if partner_id is not None else None,
        subject_id=partner_id,
        details={"dataset": dataset, "code": code.value},
    )


def get_submission(db: Session, actor: Actor, submission_id: int) -> Submission:
    """One submission, for its partner's accounts and for staff who review intake (another
    partner's is "no such submission"); a read event."""
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise NotFound("There is no such submission.")
    partners.require_partner_scope(db, actor, submission.partner_id)
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_READ,
        subject_type="submission",
        subject_id=submission.id,
    )
    return submission


def outcome_json(db: Session, submission: Submission) -> dict[str, Any]:
    """The submission's outcome as the API and the command line give it: counts, and every
    issue by row, field and code with its message; never a value."""
    issues = db.execute(
        select(RowIssue.row_number, RowIssue.field, RowIssue.code)
        .where(RowIssue.submission_id == submission.id)
        .order_by(RowIssue.row_number, RowIssue.id)
    ).all()
    return {
        "submission_id": submission.id,
        "status": submission.status,
        "rows": submission.rows,
        "accepted": submission.accepted,
        "quarantined": submission.quarantined,
        "rejected": submission.rejected,
        "unchanged": submission.unchanged,
        "issues": [
            {"row": row, "field": name, "code": code, "message": MESSAGES[Code(code)]}
            for row, name, code in issues
        ],
    }


def refusal_json(exc: Refused) -> dict[str, Any]:
    return {
        "status": SubmissionStatus.REFUSED.value,
        "code": exc.code.value,
        "message": exc.message,
    }
