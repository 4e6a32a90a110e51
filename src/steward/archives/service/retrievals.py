"""Retrievals with chain of custody: requested -> out -> returned (or cancelled).

Every change of state goes through ``_move``, which asks ``policy.ALLOWED``, writes a
custody event (who, when, from, to) and one audit event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from steward.archives import policy
from steward.archives.events import ArchivesEvent
from steward.archives.models import (
    ArchiveBox,
    BoxStatus,
    CustodyEvent,
    PaperFile,
    PaperFileStatus,
    Retrieval,
    RetrievalStatus,
)
from steward.archives.schemas import RetrievalRead, RetrievalRequest
from steward.archives.service.access import readable_file, require_manage
from steward.core import audit, clock, crypto
from steward.core.crypto import DataKey, KeyDestroyed, KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records.models import Case

_TAGS = {
    RetrievalStatus.OUT: ArchivesEvent.RETRIEVAL_OUT,
    RetrievalStatus.RETURNED: ArchivesEvent.RETRIEVAL_RETURNED,
    RetrievalStatus.CANCELLED: ArchivesEvent.RETRIEVAL_CANCELLED,
}


def request_retrieval(
    db: Session, actor: Actor, kek: KeyEncryptionKeys, data: RetrievalRequest
) -> Retrieval:
    """Ask for a file (a caseworker, for a case they may read) or a box (archive staff)."""
    actor.require(Permission.ARCHIVES_REQUEST)
    if data.box_id is not None:
        require_manage(actor)  # a box holds many cases' files
        box = db.get(ArchiveBox, data.box_id)
        if box is None:
            raise NotFound("There is no such box.")
        if box.status == BoxStatus.DESTROYED:
            raise Conflict("That box has been destroyed.")
        clash = Retrieval.box_id == box.id
    else:
        assert data.paper_file_id is not None
        paper_file = readable_file(db, actor, data.paper_file_id)
        if paper_file.status != PaperFileStatus.ACTIVE:
            raise Conflict("That file has been sent for destruction or destroyed.")
        clash = Retrieval.paper_file_id == paper_file.id
    open_one = select(Retrieval.id).where(clash, Retrieval.status.in_(policy.OPEN_RETRIEVAL))
    if db.scalar(open_one) is not None:
        raise Conflict("It has already been asked for and is not back yet.")
    now = clock.now()
    if data.due_back_on is not None:
        _due_back(data.due_back_on)
    retrieval = Retrieval(
        paper_file_id=data.paper_file_id,
        box_id=data.box_id,
        requested_by_user_id=actor.user_id,
        purpose=data.purpose,
        status=RetrievalStatus.REQUESTED,
        requested_at=now,
        due_back_on=data.due_back_on,
    )
    retrieval.custody.append(
        CustodyEvent(to_status=RetrievalStatus.REQUESTED, at=now, by_user_id=actor.user_id)
    )
    db.add(retrieval)
    db.flush()
    if data.note:
        _seal_note(db, kek, retrieval, data.note)
        db.flush()
    audit.record(
        db,
        actor,
        ArchivesEvent.RETRIEVAL_REQUESTED,
        subject_type="archive_retrieval",
        subject_id=retrieval.id,
        details={
            "paper_file": data.paper_file_id,
            "box": data.box_id,
            "purpose": data.purpose.value,
        },
    )
    return retrieval


def _due_back(requested: date | None) -> date:
    try:
        return policy.due_back(clock.today(), requested)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors={"due_back_on": str(exc)}) from None


def _retrieval(db: Session, retrieval_id: int) -> Retrieval:
    retrieval = db.get(Retrieval, retrieval_id)
    if retrieval is None:
        raise NotFound("There is no such retrieval.")
    return retrieval


def _move(db: Session, actor: Actor, retrieval: Retrieval, target: RetrievalStatus) -> Retrieval:
    current = RetrievalStatus(retrieval.status)
    policy.check_transition(current, target)
    now = clock.now()
    retrieval.status = target
    retrieval.custody.append(
        CustodyEvent(from_status=current, to_status=target, at=now, by_user_id=actor.user_id)
    )
    db.flush()
    audit.record(
        db, actor, _TAGS[target], subject_type="archive_retrieval", subject_id=retrieval.id
    )
    return retrieval


def hand_out(
    db: Session,
    actor: Actor,
    retrieval_id: int,
    *,
    due_back_on: date | None = None,
    custodian_user_id: int | None = None,
) -> Retrieval:
    """The file leaves the store: to whom, and when it is due back."""
    require_manage(actor)
    retrieval = _retrieval(db, retrieval_id)
    policy.check_transition(RetrievalStatus(retrieval.status), RetrievalStatus.OUT)
    retrieval.due_back_on = _due_back(due_back_on or retrieval.due_back_on)
    retrieval.out_at = clock.now()
    retrieval.custodian_user_id = custodian_user_id or retrieval.requested_by_user_id
    return _move(db, actor, retrieval, RetrievalStatus.OUT)


def return_retrieval(db: Session, actor: Actor, retrieval_id: int) -> Retrieval:
    require_manage(actor)
    retrieval = _retrieval(db, retrieval_id)
    policy.check_transition(RetrievalStatus(retrieval.status), RetrievalStatus.RETURNED)
    retrieval.returned_at = clock.now()
    return _move(db, actor, retrieval, RetrievalStatus.RETURNED)


def cancel_retrieval(db: Session, actor: Actor, retrieval_id: int) -> Retrieval:
    """The requester, or archive staff, withdraw a request before the file goes out."""
    return _move(db, actor, _own_or_managed(db, actor, retrieval_id), RetrievalStatus.CANCELLED)


def get_retrieval(db: Session, actor: Actor, retrieval_id: int) -> Retrieval:
    return _own_or_managed(db, actor, retrieval_id)


def _own_or_managed(db: Session, actor: Actor, retrieval_id: int) -> Retrieval:
    """A retrieval the actor asked for themselves, or any one for archive staff."""
    actor.require(Permission.ARCHIVES_REQUEST)
    retrieval = _retrieval(db, retrieval_id)
    own = actor.user_id is not None and retrieval.requested_by_user_id == actor.user_id
    if not own:
        require_manage(actor)
    return retrieval


def list_retrievals(
    db: Session, actor: Actor, *, overdue_only: bool = False, open_only: bool = False
) -> list[RetrievalRead]:
    """Archive staff see every retrieval; anyone else sees their own requests."""
    actor.require(Permission.ARCHIVES_REQUEST)
    query = select(Retrieval).options(
        selectinload(Retrieval.paper_file), selectinload(Retrieval.box)
    )
    if not actor.can(Permission.ARCHIVES_MANAGE):
        query = query.where(Retrieval.requested_by_user_id == actor.user_id)
    today = clock.today()
    if overdue_only:
        query = query.where(Retrieval.status == RetrievalStatus.OUT, Retrieval.due_back_on < today)
    elif open_only:
        query = query.where(Retrieval.status.in_(policy.OPEN_RETRIEVAL))
    query = query.order_by(Retrieval.due_back_on, Retrieval.requested_at).limit(1000)
    return [read_retrieval(r) for r in db.scalars(query)]


RETRIEVAL_VIEWS = ("open", "overdue", "requested", "out", "returned", "cancelled", "all")


def retrievals_page(
    db: Session, actor: Actor, page: PageRequest, *, view: str = "open"
) -> Page[RetrievalRead]:
    """One page of retrievals in a view (open, overdue, one status or all), soonest due
    first. Archive staff see every retrieval; anyone else sees their own requests."""
    actor.require(Permission.ARCHIVES_REQUEST)
    query = select(Retrieval).options(
        selectinload(Retrieval.paper_file), selectinload(Retrieval.box)
    )
    if not actor.can(Permission.ARCHIVES_MANAGE):
        query = query.where(Retrieval.requested_by_user_id == actor.user_id)
    if view == "overdue":
        query = query.where(
            Retrieval.status == RetrievalStatus.OUT, Retrieval.due_back_on < clock.today()
        )
    elif view == "open":
        query = query.where(Retrieval.status.in_(policy.OPEN_RETRIEVAL))
    elif view in {s.value for s in RetrievalStatus}:
        query = query.where(Retrieval.status == view)
    query = query.order_by(Retrieval.due_back_on, Retrieval.requested_at, Retrieval.id)
    return paginate(db, query, page).map(read_retrieval)


def read_retrieval(r: Retrieval) -> RetrievalRead:
    status = RetrievalStatus(r.status)
    return RetrievalRead(
        id=r.id,
        paper_file_id=r.paper_file_id,
        file_reference=r.paper_file.file_reference if r.paper_file else None,
        box_id=r.box_id,
        box_barcode=r.box.barcode if r.box else None,
        purpose=r.purpose,
        status=status.value,
        requested_by_user_id=r.requested_by_user_id,
        requested_at=r.requested_at,
        out_at=r.out_at,
        due_back_on=r.due_back_on,
        returned_at=r.returned_at,
        overdue=policy.is_overdue(status, r.due_back_on, clock.today()),
    )


# --- sealed notes --------------------------------------------------------------------------
# A note may name people. It is sealed under the case's data key when the file belongs to a
# case (destroying the case shreds it), else under a data key of the retrieval's own.

DESTROYED = "(destroyed with the record)"


def _note_context(retrieval: Retrieval) -> str:
    return f"archive_retrieval:{retrieval.id}:note"


def _note_key(db: Session, kek: KeyEncryptionKeys, retrieval: Retrieval) -> str:
    if retrieval.paper_file_id is not None:
        key_id = db.scalar(
            select(Case.data_key_id)
            .join(PaperFile, PaperFile.case_id == Case.id)
            .where(PaperFile.id == retrieval.paper_file_id)
        )
        key = db.get(DataKey, key_id) if key_id is not None else None
        if key is not None and key.wrapped_key is not None:
            return key.id
    return crypto.create_data_key(db, kek, purpose="retrieval_note").id


def _seal_note(db: Session, kek: KeyEncryptionKeys, retrieval: Retrieval, note: str) -> None:
    """``retrieval`` must have been flushed: its id is bound into the sealed value."""
    retrieval.note_key_id = _note_key(db, kek, retrieval)
    retrieval.note_sealed = crypto.seal(
        db,
        kek,
        key_id=retrieval.note_key_id,
        plaintext=note.encode(),
        context=_note_context(retrieval),
    )


def retrieval_note(db: Session, kek: KeyEncryptionKeys, retrieval: Retrieval) -> str | None:
    """The note, opened for those who may see the retrieval."""
    if retrieval.note_sealed is None or retrieval.note_key_id is None:
        return None
    try:
        plain = crypto.open_sealed(
            db,
            kek,
            key_id=retrieval.note_key_id,
            sealed=retrieval.note_sealed,
            context=_note_context(retrieval),
        )
    except KeyDestroyed:
        return DESTROYED
    return plain.decode()


def has_legacy_notes(db: Session) -> bool:
    query = select(Retrieval.id).where(Retrieval.legacy_note.is_not(None)).limit(1)
    return db.scalar(query) is not None


def seal_legacy_notes(db: Session, kek: KeyEncryptionKeys) -> int:
    """Seal every note still in plain text (written before sealing) and clear the plain
    text, in the caller's transaction; audited with a count only. Returns how many."""
    rows = db.scalars(select(Retrieval).where(Retrieval.legacy_note.is_not(None))).all()
    for retrieval in rows:
        assert retrieval.legacy_note is not None
        _seal_note(db, kek, retrieval, retrieval.legacy_note)
        retrieval.legacy_note = None
    db.flush()
    if rows:
        audit.record(
            db, Actor.system(), ArchivesEvent.NOTES_SEALED, details={"retrievals": len(rows)}
        )
    return len(rows)
