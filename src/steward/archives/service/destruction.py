"""Sending paper files for destruction, and reconciling the contractor's certificate per file.

A certificate lists box barcodes and/or file references. It is read whole and checked before
anything changes: a malformed certificate is refused with line numbers and leaves every file
as it was. Reconciled, each file is destroyed (sent and certified), missing (sent, not
certified) or unexpected (certified, never sent, or not known here at all).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from steward.archives import policy
from steward.archives.events import ArchivesEvent
from steward.archives.models import (
    ArchiveBox,
    BoxStatus,
    CertificateLine,
    CertificateOutcome,
    DestructionCertificate,
    PaperFile,
    PaperFileName,
    PaperFileStatus,
    Retrieval,
)
from steward.archives.schemas import ReconciliationRead
from steward.archives.service.access import require_manage
from steward.core import audit, clock
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import Actor, Permission

MAX_CERTIFICATE_BYTES = 20 * 1024 * 1024
MAX_REFERENCE = 64
CERTIFICATE_COLUMNS = ("box_barcode", "file_reference")


def _require_destruction_rights(actor: Actor) -> None:
    # The retention disposal calls this under its approver; archive staff may too.
    if not (actor.can(Permission.ARCHIVES_MANAGE) or actor.can(Permission.RETENTION_APPROVE)):
        actor.require(Permission.ARCHIVES_MANAGE)


def _clean_reference(reference: str) -> str:
    ref = reference.strip()
    if not ref or len(ref) > MAX_REFERENCE or not ref.isprintable():
        raise ValidationFailed(
            "The destruction reference must be 1 to 64 printable characters.",
            errors={"reference": "Enter the disposal reference"},
        )
    return ref


def mark_for_destruction(
    db: Session, *, actor: Actor, file_ids: Iterable[int], reference: str
) -> list[PaperFile]:
    """Send files for destruction under ``reference``: all of them, or (on any problem) none."""
    _require_destruction_rights(actor)
    ref = _clean_reference(reference)
    ids = sorted(set(file_ids))
    files = list(db.scalars(select(PaperFile).where(PaperFile.id.in_(ids)))) if ids else []
    unknown = sorted(set(ids) - {f.id for f in files})
    if unknown:
        raise ValidationFailed(f"No paper file has id {', '.join(map(str, unknown[:20]))}.")
    not_active = sorted(
        f.file_reference for f in files if not policy.markable(PaperFileStatus(f.status))
    )
    if not_active:
        raise Conflict(
            "Nothing was sent for destruction. These paper files were already sent or are "
            "destroyed: " + ", ".join(not_active[:20]) + "."
        )
    _refuse_if_out(db, files)
    now = clock.now()
    for paper_file in files:
        paper_file.status = PaperFileStatus.MARKED_FOR_DESTRUCTION
        paper_file.destruction_reference = ref
        paper_file.marked_at = now
        paper_file.updated_at = now
        audit.record(
            db,
            actor,
            ArchivesEvent.FILE_MARKED,
            subject_type="paper_file",
            subject_id=paper_file.id,
        )
    db.flush()
    return files


def out_of_store(db: Session, files: list[PaperFile]) -> tuple[set[int], set[int]]:
    """Of these files, the ids of those asked for or out on their own, and of those inside a
    box that is asked for or out. Retention's disposal asks before sending a file."""
    box_ids = {f.box_id for f in files if f.box_id is not None}
    open_ = Retrieval.status.in_(policy.OPEN_RETRIEVAL)
    loose = set(
        db.scalars(
            select(Retrieval.paper_file_id).where(
                open_, Retrieval.paper_file_id.in_([f.id for f in files])
            )
        )
    )
    boxes_out = set(
        db.scalars(select(Retrieval.box_id).where(open_, Retrieval.box_id.in_(box_ids)))
    )
    return {f.id for f in files if f.id in loose}, {f.id for f in files if f.box_id in boxes_out}


def _refuse_if_out(db: Session, files: list[PaperFile]) -> None:
    """A file asked for or out of the store, on its own or in its box, cannot be sent: the
    contractor would destroy a box with someone's file missing from it, or a file in use."""
    loose, boxed = out_of_store(db, files)
    files_out = sorted(f.file_reference for f in files if f.id in loose)
    in_boxes_out = sorted(f.file_reference for f in files if f.id in boxed)
    problems = []
    if files_out:
        problems.append("asked for or out of the store: " + ", ".join(files_out[:20]))
    if in_boxes_out:
        problems.append(
            "in a box that is asked for or out of the store: " + ", ".join(in_boxes_out[:20])
        )
    if problems:
        raise Conflict(
            "Nothing was sent for destruction. These paper files are "
            + "; ".join(problems)
            + ". Have them returned first, or cancel the requests."
        )


# --- reading a certificate ----------------------------------------------------------------


@dataclass
class CertificateRows:
    boxes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def read_certificate(content: bytes) -> CertificateRows:
    """Parse the whole certificate or raise ValidationFailed naming each bad line."""
    if len(content) > MAX_CERTIFICATE_BYTES:
        raise ValidationFailed("The certificate is larger than 20 MB; split it.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The certificate is not UTF-8 text; save it as CSV UTF-8.") from None
    if "\x00" in text:
        raise ValidationFailed("The certificate contains NUL bytes; it is not a CSV file.")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not any(c in header for c in CERTIFICATE_COLUMNS):
        raise ValidationFailed(
            "The certificate's first line must name its columns: box_barcode and/or "
            "file_reference (see docs/archives.md)."
        )
    reader.fieldnames = header
    rows, errors, started = CertificateRows(), {}, reader.line_num + 1
    try:
        for row in reader:
            problem = _read_row(row, rows)
            if problem:
                errors[f"line {started}"] = problem
            started = reader.line_num + 1
    except csv.Error as exc:
        # Named by the line the broken record starts on: a quote left open runs to the end.
        errors[f"line {started}"] = f"not valid CSV ({exc}); is a quote left open?"
    if errors:
        raise ValidationFailed(
            "The certificate has errors; nothing was changed. Fix these lines and try again.",
            errors=dict(list(errors.items())[:50]),
        )
    if not rows.boxes and not rows.files:
        raise ValidationFailed("The certificate lists no boxes or files.")
    return rows


def _read_row(row: dict[str | None, object], rows: CertificateRows) -> str | None:
    if None in row:
        return "more values than the header has columns"
    box = str(row.get("box_barcode") or "").strip()
    ref = str(row.get("file_reference") or "").strip()
    if not box and not ref:
        return "give a box_barcode or a file_reference"
    for value in (box, ref):
        if len(value) > MAX_REFERENCE or not value.isprintable():
            return "a barcode or reference longer than 64 characters or with control characters"
    if ref:
        rows.files.append(ref)  # a file named with its box certifies that file only
    else:
        rows.boxes.append(box)
    return None


# --- reconciling ---------------------------------------------------------------------------


def reconcile_certificate(
    db: Session, *, actor: Actor, reference: str, content: bytes
) -> ReconciliationRead:
    require_manage(actor)
    ref = _clean_reference(reference)
    rows = read_certificate(content)
    if (
        db.scalar(select(PaperFile.id).where(PaperFile.destruction_reference == ref).limit(1))
        is None
    ):
        # A mistyped reference would otherwise file every certified file as "unexpected".
        raise ValidationFailed(
            "No paper files were sent for destruction under that reference; nothing was "
            "changed. Check the reference the files were sent under.",
            errors={"reference": "No files were sent for destruction under this reference"},
        )
    digest = hashlib.sha256(content).hexdigest()
    seen = select(DestructionCertificate.id).where(
        DestructionCertificate.reference == ref, DestructionCertificate.sha256 == digest
    )
    if db.scalar(seen) is not None:
        raise Conflict("This certificate has already been reconciled for that reference.")

    boxes = {
        b.barcode: b
        for b in db.scalars(select(ArchiveBox).where(ArchiveBox.barcode.in_(set(rows.boxes))))
    }
    by_ref = {
        f.file_reference: f
        for f in db.scalars(select(PaperFile).where(PaperFile.file_reference.in_(set(rows.files))))
    }
    in_boxes = list(
        db.scalars(select(PaperFile).where(PaperFile.box_id.in_([b.id for b in boxes.values()])))
    )
    certified = {f.id: f for f in [*by_ref.values(), *in_boxes]}
    sent = {
        f.id: f
        for f in db.scalars(
            select(PaperFile).where(
                PaperFile.destruction_reference == ref,
                PaperFile.status.in_(
                    [PaperFileStatus.MARKED_FOR_DESTRUCTION, PaperFileStatus.DESTROYED]
                ),
            )
        )
    }
    outcome = policy.reconcile(sent, certified)
    still_expected = {i for i in outcome.missing if sent[i].status != PaperFileStatus.DESTROYED}
    unknown = sorted(
        {r for r in rows.files if r not in by_ref}
        | {b for b in rows.boxes if b not in boxes}
        | {b.barcode for b in boxes.values() if not b.files}
    )
    certificate = DestructionCertificate(
        reference=ref,
        sha256=digest,
        received_at=clock.now(),
        received_by_user_id=actor.user_id,
        destroyed_count=len(outcome.destroyed),
        missing_count=len(still_expected),
        unexpected_count=len(outcome.unexpected) + len(unknown),
    )
    files = {**sent, **certified}
    for file_ids, kind in (
        (outcome.destroyed, CertificateOutcome.DESTROYED),
        (still_expected, CertificateOutcome.MISSING),
        (outcome.unexpected, CertificateOutcome.UNEXPECTED),
    ):
        for file_id in sorted(file_ids):
            f = files[file_id]
            certificate.lines.append(
                CertificateLine(
                    paper_file_id=f.id,
                    box_id=f.box_id,
                    identifier=f.file_reference,
                    outcome=kind,
                )
            )
    for identifier in unknown:
        certificate.lines.append(
            CertificateLine(identifier=identifier, outcome=CertificateOutcome.UNEXPECTED)
        )
    db.add(certificate)
    db.flush()
    destroyed_boxes = _apply(db, actor, [files[i] for i in sorted(outcome.destroyed)])
    audit.record(
        db,
        actor,
        ArchivesEvent.CERTIFICATE_RECONCILED,
        subject_type="archive_certificate",
        subject_id=certificate.id,
        details={
            "destroyed": certificate.destroyed_count,
            "missing": certificate.missing_count,
            "unexpected": certificate.unexpected_count,
        },
    )
    return ReconciliationRead(
        certificate_id=certificate.id,
        reference=ref,
        sha256=digest,
        destroyed=sorted(files[i].file_reference for i in outcome.destroyed),
        missing=sorted(files[i].file_reference for i in still_expected),
        unexpected=sorted([files[i].file_reference for i in outcome.unexpected] + unknown),
        boxes_destroyed=sorted(b.barcode for b in destroyed_boxes),
    )


def _apply(db: Session, actor: Actor, destroyed: list[PaperFile]) -> list[ArchiveBox]:
    """Certified files become destroyed; a box whose every file is destroyed goes with them."""
    now = clock.now()
    touched: set[int] = set()
    for f in destroyed:
        if f.status == PaperFileStatus.DESTROYED:
            continue  # certified again by a later certificate: already recorded
        f.status = PaperFileStatus.DESTROYED
        f.destroyed_at = now
        f.updated_at = now
        if f.box_id is not None:
            touched.add(f.box_id)
        audit.record(
            db, actor, ArchivesEvent.FILE_DESTROYED, subject_type="paper_file", subject_id=f.id
        )
    db.flush()
    _forget_people(db, destroyed)
    gone = []
    for box in db.scalars(select(ArchiveBox).where(ArchiveBox.id.in_(touched))):
        statuses = db.scalars(select(PaperFile.status).where(PaperFile.box_id == box.id))
        if policy.box_fully_destroyed(PaperFileStatus(s) for s in statuses):
            box.status = BoxStatus.DESTROYED
            box.destroyed_at = now
            box.updated_at = now
            gone.append(box)
            audit.record(
                db,
                actor,
                ArchivesEvent.BOX_DESTROYED,
                subject_type="archive_box",
                subject_id=box.id,
            )
    db.flush()
    return gone


def _forget_people(db: Session, files: list[PaperFile]) -> None:
    """Once the paper is gone, so is the index of who was on it: keeping names and birth
    dates of a destroyed file would keep the personal data its disposal was for. What stays
    is the tombstone: reference, case number, class, dates, box, and the certificate line.
    Loan notes (free text that may name people) go too."""
    file_ids = [f.id for f in files]
    if not file_ids:
        return
    db.execute(delete(PaperFileName).where(PaperFileName.paper_file_id.in_(file_ids)))
    db.execute(
        update(Retrieval)
        .where(Retrieval.paper_file_id.in_(file_ids))
        .values(note_sealed=None, legacy_note=None)
    )
    for f in files:
        db.expire(f, ["names"])
