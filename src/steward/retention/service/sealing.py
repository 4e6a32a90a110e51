"""Free-text reasons of retention, sealed like the break-glass reason.

A hold's reasons (placing and releasing) are sealed under a data key of the hold's own: a
hold covers many cases, persons or classes, and outlives any one of them. A reason for
keeping a record (on its disposal item, then on its override) is sealed under the case's
key when the record is a case or a paper file of one, so that destroying the case later
crypto-shreds why it was once kept too; otherwise under a key of that decision's own.
The associated data binds each value to its row and field.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.core import audit, crypto
from steward.core.crypto import DataKey, KeyDestroyed, KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records.models import Case
from steward.retention.events import RetentionAudit
from steward.retention.models import DisposalItem, Hold, RecordKind, RetentionOverride
from steward.retention.service import registry

DESTROYED = "(destroyed with the record)"


def _seal(db: Session, kek: KeyEncryptionKeys, key_id: str, text: str, context: str) -> bytes:
    return crypto.seal(db, kek, key_id=key_id, plaintext=text.encode(), context=context)


def _open(
    db: Session, kek: KeyEncryptionKeys, key_id: str | None, sealed: bytes | None, context: str
) -> str | None:
    if sealed is None or key_id is None:
        return None
    try:
        return crypto.open_sealed(db, kek, key_id=key_id, sealed=sealed, context=context).decode()
    except KeyDestroyed:
        return DESTROYED


# --- holds ---------------------------------------------------------------------------------


def _hold_context(hold: Hold, field: str) -> str:
    return f"retention_hold:{hold.id}:{field}"


def seal_hold_reason(db: Session, kek: KeyEncryptionKeys, hold: Hold, text: str) -> None:
    """``hold`` must have been flushed: its id is bound into the sealed value."""
    if hold.data_key_id is None:
        hold.data_key_id = crypto.create_data_key(db, kek, purpose="retention_hold").id
    hold.reason_sealed = _seal(db, kek, hold.data_key_id, text, _hold_context(hold, "reason"))


def seal_release_reason(db: Session, kek: KeyEncryptionKeys, hold: Hold, text: str) -> None:
    if hold.data_key_id is None:
        hold.data_key_id = crypto.create_data_key(db, kek, purpose="retention_hold").id
    context = _hold_context(hold, "release_reason")
    hold.release_reason_sealed = _seal(db, kek, hold.data_key_id, text, context)


def hold_reason(db: Session, kek: KeyEncryptionKeys, hold: Hold) -> str | None:
    context = _hold_context(hold, "reason")
    return _open(db, kek, hold.data_key_id, hold.reason_sealed, context)


def release_reason(db: Session, kek: KeyEncryptionKeys, hold: Hold) -> str | None:
    context = _hold_context(hold, "release_reason")
    return _open(db, kek, hold.data_key_id, hold.release_reason_sealed, context)


# --- reasons for keeping a record ----------------------------------------------------------


def _live(db: Session, key_id: str | None) -> str | None:
    if key_id is None:
        return None
    key = db.get(DataKey, key_id)
    return key_id if key is not None and key.wrapped_key is not None else None


def case_key_for(db: Session, kind: RecordKind | str, record_id: int) -> str | None:
    """The live data key of the case the record is or belongs to, if any; for a kind another
    domain registered, the record's own key (destroying the record shreds the reason too)."""
    other = registry.get(kind)
    if other is not None:
        if other.data_key is None:
            return None
        own = db.scalar(select(other.data_key).where(other.id == record_id))
        return _live(db, own)
    if RecordKind(kind) is RecordKind.CASE:
        case_id: int | None = record_id
    else:
        case_id = db.scalar(select(PaperFile.case_id).where(PaperFile.id == record_id))
    if case_id is None:
        return None
    return _live(db, db.scalar(select(Case.data_key_id).where(Case.id == case_id)))


class RetainKeys:
    """Chooses each retain reason's key; one key of its own is shared by a decision's
    records that belong to no case."""

    def __init__(self, db: Session, kek: KeyEncryptionKeys) -> None:
        self.db, self.kek = db, kek
        self._own: str | None = None

    def key_for(self, kind: RecordKind | str, record_id: int) -> str:
        found = case_key_for(self.db, kind, record_id)
        if found is not None:
            return found
        if self._own is None:
            self._own = crypto.create_data_key(self.db, self.kek, purpose="retain_reason").id
        return self._own


def _item_context(item: DisposalItem) -> str:
    return f"disposal_item:{item.id}:retain_reason"


def _override_context(row: RetentionOverride) -> str:
    return f"retention_override:{row.record_kind}:{row.record_id}:reason"


def seal_retain_reason(
    db: Session, kek: KeyEncryptionKeys, item: DisposalItem, text: str, key_id: str
) -> None:
    item.retain_key_id = key_id
    item.retain_reason_sealed = _seal(db, kek, key_id, text, _item_context(item))


def retain_reason(db: Session, kek: KeyEncryptionKeys, item: DisposalItem) -> str | None:
    return _open(db, kek, item.retain_key_id, item.retain_reason_sealed, _item_context(item))


def seal_override_reason(
    db: Session, kek: KeyEncryptionKeys, row: RetentionOverride, text: str, key_id: str
) -> None:
    row.reason_key_id = key_id
    row.reason_sealed = _seal(db, kek, key_id, text, _override_context(row))


def override_reason(db: Session, kek: KeyEncryptionKeys, row: RetentionOverride) -> str | None:
    return _open(db, kek, row.reason_key_id, row.reason_sealed, _override_context(row))


# --- plain text from before sealing --------------------------------------------------------


def has_legacy_reasons(db: Session) -> bool:
    queries = (
        select(Hold.id).where(
            Hold.legacy_reason.is_not(None) | Hold.legacy_release_reason.is_not(None)
        ),
        select(DisposalItem.id).where(DisposalItem.legacy_retain_reason.is_not(None)),
        select(RetentionOverride.id).where(RetentionOverride.legacy_reason.is_not(None)),
    )
    return any(db.scalar(q.limit(1)) is not None for q in queries)


def seal_legacy_reasons(db: Session, kek: KeyEncryptionKeys) -> int:
    """Seal every reason still in plain text (written before sealing) and clear the plain
    text, in the caller's transaction; audited with counts only. Returns how many."""
    holds = _seal_legacy_holds(db, kek)
    items = _seal_legacy_items(db, kek)
    overrides = _seal_legacy_overrides(db, kek)
    total = holds + items + overrides
    if total:
        audit.record(
            db,
            Actor.system(),
            RetentionAudit.REASONS_SEALED,
            details={"holds": holds, "disposal_items": items, "overrides": overrides},
        )
    return total


def _seal_legacy_holds(db: Session, kek: KeyEncryptionKeys) -> int:
    rows = db.scalars(
        select(Hold).where(
            Hold.legacy_reason.is_not(None) | Hold.legacy_release_reason.is_not(None)
        )
    ).all()
    for hold in rows:
        if hold.legacy_reason is not None:
            seal_hold_reason(db, kek, hold, hold.legacy_reason)
        if hold.legacy_release_reason is not None:
            seal_release_reason(db, kek, hold, hold.legacy_release_reason)
        hold.legacy_reason = hold.legacy_release_reason = None
    db.flush()
    return len(rows)


def _seal_legacy_items(db: Session, kek: KeyEncryptionKeys) -> int:
    keys = RetainKeys(db, kek)
    rows = db.scalars(
        select(DisposalItem).where(DisposalItem.legacy_retain_reason.is_not(None))
    ).all()
    for item in rows:
        assert item.legacy_retain_reason is not None
        key_id = keys.key_for(item.record_kind, item.record_id)
        seal_retain_reason(db, kek, item, item.legacy_retain_reason, key_id)
        item.legacy_retain_reason = None
    db.flush()
    return len(rows)


def _seal_legacy_overrides(db: Session, kek: KeyEncryptionKeys) -> int:
    keys = RetainKeys(db, kek)
    rows = db.scalars(
        select(RetentionOverride).where(RetentionOverride.legacy_reason.is_not(None))
    ).all()
    for row in rows:
        assert row.legacy_reason is not None
        key_id = keys.key_for(row.record_kind, row.record_id)
        seal_override_reason(db, kek, row, row.legacy_reason, key_id)
        row.legacy_reason = None
    db.flush()
    return len(rows)
