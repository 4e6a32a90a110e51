"""The audit trail: append-only and chained with a key that is not in the database.

Each event stores the hash of the event before it and its own hash,
``HMAC-SHA256(chain key, prev_hash + canonical_json(event))``. Altering, deleting or reordering
any event breaks the chain at that event, and ``verify`` names it. A one-row head table holds
the last sequence number and hash: appenders lock it, so the chain has one order, and a deleted
tail is detected too.

The chain key is derived from the key file (``audit_keys``; never stored in the database), so
someone who can write to the database but has not got the key file cannot recompute the hashes
after a rewrite. Someone who has both can; ``audit_anchor`` bounds that by signed heads kept
outside.

Events carry ids and tags, never names or content: ``details`` values are checked for that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.core import clock
from steward.core.audit_keys import PLAIN as PLAIN
from steward.core.audit_keys import AuditKeys as AuditKeys
from steward.core.audit_keys import ChainKey as ChainKey
from steward.core.audit_keys import key_id as key_id
from steward.core.audit_keys import keys_for as keys_for
from steward.core.db import Base, UTCDateTime, is_read_only, write_after_read
from steward.core.errors import DomainError
from steward.core.paging import COUNT_CAP, Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

GENESIS_HASH = "0" * 64
# \Z, not $: "$" would also accept a trailing newline.
_TAG_FORMAT = re.compile(r"^[a-z_]+(:[a-z_]+){1,3}\Z")
# Ids, uuids, tags, counts and ISO dates pass; anything with capitals or spaces (a name,
# a sentence) does not, so personal data cannot slip into the trail by accident.
_SAFE_VALUE = re.compile(r"^[a-z0-9_:.\-]{0,80}\Z")

DetailValue = int | bool | str | None
Details = Mapping[str, DetailValue | Sequence[DetailValue]]


class EventTag(StrEnum):
    """Tags of the platform's own events. Each domain keeps its own StrEnum of tags."""

    SIGNIN_SUCCEEDED = "auth:signin:succeeded"
    SIGNIN_FAILED = "auth:signin:failed"
    ACCOUNT_LOCKED = "auth:account:locked"
    SIGNED_OUT = "auth:signout"
    USER_CREATED = "user:created"
    USER_DEACTIVATED = "user:deactivated"
    USER_PASSWORD_CHANGED = "user:password:changed"
    USER_TOTP_ENABLED = "user:totp:enabled"
    USER_TOTP_RESET = "user:totp:reset"
    USER_ROLE_CHANGED = "user:role:changed"
    ROLE_GRANT_REQUESTED = "user:role_grant:requested"
    ROLE_GRANT_APPROVED = "user:role_grant:approved"
    ROLE_GRANT_REFUSED = "user:role_grant:refused"
    # Administrators' account actions (issue 15: accounts screens).
    USER_PASSWORD_RESET = "user:password:reset"
    USER_UNLOCKED = "user:unlocked"
    USER_REACTIVATED = "user:reactivated"
    USER_TEAM_CHANGED = "user:team:changed"
    USER_TOTP_REQUIRED = "user:totp:required"
    TOKEN_CREATED = "token:created"
    TOKEN_REVOKED = "token:revoked"
    KEK_ROTATED = "crypto:kek:rotated"
    DATA_KEY_DESTROYED = "crypto:key:destroyed"
    AUDIT_LOG_READ = "audit:log:read"
    AUDIT_LOG_EXPORTED = "audit:log:exported"
    AUDIT_CHAIN_KEYED = "audit:chain:keyed"
    AUDIT_CHAIN_ANCHORED = "audit:chain:anchored"
    ACCESS_REFUSED = "access:refused"
    # The outbox (core/outbox.py): details hold the message's id and status, never its text.
    OUTBOX_QUEUED = "outbox:message:queued"
    OUTBOX_SENT = "outbox:message:sent"
    OUTBOX_FAILED = "outbox:message:failed"
    OUTBOX_LISTED = "outbox:messages:listed"
    OUTBOX_READ = "outbox:message:read"
    OUTBOX_ATTACHMENT_DOWNLOADED = "outbox:attachment:downloaded"
    OUTBOX_SHREDDED = "outbox:message:shredded"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # For the trail's filters at millions of events: events about one case or person, and a
    # date range (without them each reads the whole trail). Neither is part of the chain.
    # ``seq`` in the subject's index: a record's history reads newest first from the index
    # alone, without sorting every event about a busy case.
    __table_args__ = (
        Index("ix_audit_events_subject_seq", "subject_type", "subject_id", "seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    tag: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    # Which key the chain is under (AuditKeys.key_id, public): a wrong key file is then
    # named as such rather than reported as tampering at event 1.
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditKeyMismatch(DomainError):
    """The key file in use is not the one the audit trail was chained with."""


class ChainBroken(DomainError):
    """The chain does not verify, so it cannot be re-hashed (under a new key) as it stands."""


def canonical_details(details: Details | None) -> str:
    details = details or {}
    for key, value in details.items():
        # Keys are checked too: a name used as a key would otherwise land in the trail.
        if not isinstance(key, str) or not _SAFE_VALUE.match(key):
            raise ValueError(f"audit detail key {key!r} must be an identifier")
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, str) and not _SAFE_VALUE.match(item):
                raise ValueError(f"audit detail {key!r} must be an id or tag, not free text")
            if not isinstance(item, int | str | None):
                raise ValueError(f"audit detail {key!r} has unsupported type")
    return json.dumps(details, sort_keys=True, separators=(",", ":"))


# One encoder for every event: json.dumps would build a new one per call, a third of the
# hashing time over a million events. Same output as json.dumps(separators=(",", ":")).
_compact_json = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def chain_hash(
    key: ChainKey,
    prev_hash: str,
    *,
    seq: int,
    occurred_at: datetime,
    actor_kind: str,
    actor_id: int | None,
    tag: str,
    subject_type: str | None,
    subject_id: str | None,
    details: str,
) -> str:
    body = _compact_json(
        [seq, occurred_at.isoformat(), actor_kind, actor_id, tag, subject_type, subject_id, details]
    )
    return key.digest((prev_hash + body).encode())


def row_hash(key: ChainKey, prev_hash: str, event: Any) -> str:
    """``chain_hash`` of a stored event (a row or an ``AuditEvent``), for whoever re-walks
    the chain: re-keying, and tests that forge a rewrite."""
    return chain_hash(
        key,
        prev_hash,
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        tag=event.tag,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        details=event.details,
    )


# Built once: appending is on every request's path, and building statements per event
# costs more than running them.
_events = cast(Table, AuditEvent.__table__)
_head = cast(Table, AuditHead.__table__)
_SELECT_HEAD = (
    select(_head.c.seq, _head.c.hash, _head.c.key_id).where(_head.c.id == 1).with_for_update()
)
_INSERT_EVENT = insert(_events)
_MOVE_HEAD = (
    update(_head)
    .where(
        _head.c.id == 1, _head.c.seq == bindparam("old_seq"), _head.c.hash == bindparam("old_hash")
    )
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
CHAIN_COLUMNS = [
    _events.c[name]
    for name in (
        "seq",
        "occurred_at",
        "actor_kind",
        "actor_id",
        "tag",
        "subject_type",
        "subject_id",
        "details",
        "prev_hash",
        "hash",
    )
]
# The head this process last wrote, per engine: usually still the head, which saves a SELECT
# per transaction. It is only a guess: _MOVE_HEAD's WHERE checks it, and on a miss (another
# process appended, or a transaction rolled back) the head is read again under lock.
_last_head: WeakKeyDictionary[Engine, tuple[int, str]] = WeakKeyDictionary()


def forget_head(engine: Engine) -> None:
    """Drop the remembered head, after the chain was re-hashed under it."""
    _last_head.pop(engine, None)


def _wrong_key(stored: str | None, keys: AuditKeys) -> str | None:
    if stored == keys.key_id:
        return None
    if stored is None:
        return "the audit trail records no chain key (its record was removed); it cannot be trusted"
    return (
        f"this key file is not the one the audit trail was chained with (the trail's key is "
        f"{stored}, this key file's is {keys.key_id}): use the key file the trail was written with"
    )


def _read_head(connection: Connection, keys: AuditKeys) -> tuple[int, str]:
    row = connection.execute(_SELECT_HEAD).first()
    if row is None:
        raise RuntimeError("the audit trail's head row is missing; run `steward db upgrade`")
    # Checked before the first append of each engine: events chained under another key
    # would read as tampering to every later verify.
    problem = _wrong_key(row.key_id, keys)
    if problem is not None:
        raise AuditKeyMismatch(f"Steward will not append to the audit trail: {problem}.")
    return int(row.seq), str(row.hash)


def append_to_chain(
    connection: Connection, key: ChainKey, prev: tuple[int, str], fields: dict[str, Any]
) -> str | None:
    """Chain the event onto ``prev`` and move the head; None if ``prev`` is not the head."""
    head = append_all_to_chain(connection, key, prev, [fields])
    return None if head is None else head[1]


def append_all_to_chain(
    connection: Connection, key: ChainKey, prev: tuple[int, str], many: Sequence[dict[str, Any]]
) -> tuple[int, str] | None:
    """Chain the events onto ``prev`` in order, moving the head once and inserting them in
    one statement; the new head, or None if ``prev`` is not the head."""
    seq, digest = prev
    rows = []
    for fields in many:
        seq += 1
        hashed = chain_hash(key, digest, seq=seq, **fields)
        rows.append({**fields, "seq": seq, "prev_hash": digest, "hash": hashed})
        digest = hashed
    moved = connection.execute(
        _MOVE_HEAD, {"old_seq": prev[0], "old_hash": prev[1], "new_seq": seq, "new_hash": digest}
    )
    if moved.rowcount != 1:
        return None
    connection.execute(_INSERT_EVENT, rows)
    return seq, digest


def event_fields(
    actor: Actor,
    tag: StrEnum,
    *,
    subject_type: str | None,
    subject_id: int | str | None,
    details: Details | None,
) -> dict[str, Any]:
    if not _TAG_FORMAT.match(tag.value):
        raise ValueError(f"malformed audit tag {tag.value!r}")
    return {
        "occurred_at": clock.now(),
        "actor_kind": actor.kind.value,
        "actor_id": actor.user_id,
        "tag": tag.value,
        "subject_type": subject_type,
        "subject_id": None if subject_id is None else str(subject_id),
        "details": canonical_details(details),
    }


def record(
    db: Session,
    actor: Actor,
    tag: StrEnum,
    *,
    subject_type: str | None = None,
    subject_id: int | str | None = None,
    details: Details | None = None,
) -> int | None:
    """Append one event in the caller's transaction and return its sequence number.

    In a read-only unit of work the event is appended once the reads are done, in a short
    transaction of its own (``None`` is returned): a slow read then never holds the head of
    the chain, which every other request needs."""
    fields = event_fields(
        actor, tag, subject_type=subject_type, subject_id=subject_id, details=details
    )
    if is_read_only(db):
        write_after_read(db, lambda writer: _append_events(writer, [fields]))
        return None
    return _append_events(db, [fields])


@dataclass(frozen=True)
class Entry:
    """One event of ``record_many``: what it is about, and its details."""

    subject_type: str | None = None
    subject_id: int | str | None = None
    details: Details | None = None


def record_many(db: Session, actor: Actor, tag: StrEnum, entries: Sequence[Entry]) -> None:
    """Append one event per entry, in order, in the caller's transaction: the same events as
    ``record`` called for each, chained in one go (one head move, one insert), for a use-case
    that changes hundreds of things at once."""
    many = [
        event_fields(
            actor, tag, subject_type=e.subject_type, subject_id=e.subject_id, details=e.details
        )
        for e in entries
    ]
    if not many:
        return
    if is_read_only(db):
        write_after_read(db, lambda writer: _append_events(writer, many))
        return
    _append_events(db, many)


def _append_events(db: Session, many: Sequence[dict[str, Any]]) -> int:
    connection = db.connection()
    keys = keys_for(connection.engine)
    prev = _last_head.get(connection.engine)
    head = append_all_to_chain(connection, keys.chain, prev, many) if prev else None
    if head is None:
        prev = _read_head(connection, keys)  # locks the head row until the transaction ends
        head = append_all_to_chain(connection, keys.chain, prev, many)
    if head is None:
        raise RuntimeError("the audit head moved while locked")
    _last_head[connection.engine] = head
    return head[0]


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None
    anchors_matched: int = 0


class ChainWalk:
    """Recomputes the chain under one key, event by event, and names the first thing wrong.
    Shared by ``verify`` and ``audit_rekey``, so re-keying checks exactly what verify does."""

    __slots__ = ("anchors", "expected_seq", "head_hash", "head_seq", "key", "running")

    def __init__(
        self, key: ChainKey, head: tuple[int, str], anchors: Mapping[int, str] | None = None
    ) -> None:
        self.key, (self.head_seq, self.head_hash) = key, head
        self.anchors = anchors or {}
        self.expected_seq, self.running = 1, GENESIS_HASH

    def step(self, row: Sequence[Any]) -> Verification | None:
        seq, at, kind, actor_id, tag, s_type, s_id, details, prev_hash, stored = row
        if seq != self.expected_seq:
            expected = self.expected_seq
            return Verification(
                False, expected - 1, expected, f"event {expected} is missing (deleted)"
            )
        if prev_hash != self.running:
            return Verification(
                False,
                seq - 1,
                seq,
                f"event {seq} does not follow event {seq - 1} (reordered or altered)",
            )
        self.running = chain_hash(
            self.key,
            self.running,
            seq=seq,
            occurred_at=at,
            actor_kind=kind,
            actor_id=actor_id,
            tag=tag,
            subject_type=s_type,
            subject_id=s_id,
            details=details,
        )
        if self.running != stored:
            return Verification(False, seq - 1, seq, f"event {seq} was altered")
        if seq == self.head_seq and self.running != self.head_hash:
            return Verification(
                False, seq, seq + 1, f"events after event {seq} were deleted or replaced"
            )
        if self.anchors.get(seq, self.running) != self.running:
            return Verification(
                False,
                seq - 1,
                seq,
                f"event {seq} differs from its anchor kept outside the database: the trail "
                "was rewritten after the anchor was taken",
            )
        self.expected_seq += 1
        return None

    def finish(self) -> Verification:
        count = self.expected_seq - 1
        if count < self.head_seq:
            return Verification(False, count, count + 1, f"events after event {count} were deleted")
        beyond = [seq for seq in self.anchors if seq > count]
        if beyond:
            return Verification(
                False,
                count,
                count + 1,
                f"event {min(beyond)} was anchored outside the database but is not in the trail "
                "(the trail was cut short or replaced)",
            )
        return Verification(True, count, anchors_matched=len(self.anchors))


def verify(
    db: Session, *, batch: int = 10_000, anchors: Mapping[int, str] | None = None
) -> Verification:
    """Recompute the whole chain under the key file's chain key. Read-only: it records nothing.

    ``anchors`` (sequence number to hash, from heads signed and kept outside the database)
    must each match the chain: a rewrite by someone who also had the key file is caught by
    any anchor taken before it.

    The head is read first: events appended while the scan runs (by a live application)
    simply continue the chain, and are checked like the rest."""
    connection = db.connection()
    keys = keys_for(connection.engine)
    head = connection.execute(
        select(_head.c.seq, _head.c.hash, _head.c.key_id).where(_head.c.id == 1)
    ).first()
    if head is None:
        return Verification(False, 0, 1, "the audit trail's head row is missing")
    head_seq, head_hash = int(head.seq), str(head.hash)
    problem = _wrong_key(head.key_id, keys)
    if problem is not None:
        return Verification(False, 0, None, problem)
    walk = ChainWalk(keys.chain, (head_seq, head_hash), anchors)
    # Core rows from the table, not ORM rows: half the time over a million events.
    rows = connection.execute(
        select(*CHAIN_COLUMNS).order_by(_events.c.seq).execution_options(yield_per=batch)
    )
    for row in rows:
        broken = walk.step(row)
        if broken is not None:
            return broken
    return walk.finish()


def list_events(
    db: Session, actor: Actor, *, limit: int = 100, before_seq: int | None = None
) -> list[AuditEvent]:
    """The most recent events, newest first. Reading the trail is itself recorded."""
    actor.require(Permission.AUDIT_READ)
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(max(1, min(limit, 10_000)))
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    events = list(db.scalars(query))
    record(db, actor, EventTag.AUDIT_LOG_READ, details={"count": len(events)})
    return events


@dataclass(frozen=True)
class EventFilter:
    """Which events a reader of the trail wants: every field optional, all must hold.

    Nothing here is personal data (ids, tags, dates), so a filter may sit in a URL."""

    user_id: int | None = None
    tag: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: date | None = None  # from the start of this day (UTC)
    until: date | None = None  # to the end of this day (UTC)
    # Only events numbered below this: a reader paging a trail that grows as it is read
    # (each reading is an event) pins the stretch it pages through.
    before_seq: int | None = None

    def as_details(self) -> dict[str, DetailValue]:
        """The filter as audit details (ids, tags and ISO dates only), so a reading of the
        trail says what was looked at."""
        details: dict[str, DetailValue] = {
            "user_id": self.user_id,
            "tag": self.tag,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "before_seq": self.before_seq,
        }
        return {k: v for k, v in details.items() if v is not None}


def _filtered(query: Any, f: EventFilter) -> Any:
    if f.user_id is not None:
        query = query.where(AuditEvent.actor_id == f.user_id)
    if f.tag:
        query = query.where(AuditEvent.tag == f.tag)
    if f.subject_type:
        query = query.where(AuditEvent.subject_type == f.subject_type)
    if f.subject_id:
        query = query.where(AuditEvent.subject_id == f.subject_id)
    if f.since is not None:
        query = query.where(
            AuditEvent.occurred_at >= datetime.combine(f.since, time.min, tzinfo=UTC)
        )
    if f.until is not None:
        after = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at < after)
    if f.before_seq is not None:
        query = query.where(AuditEvent.seq < f.before_seq)
    return query


def search_events(
    db: Session, actor: Actor, f: EventFilter, page: PageRequest = PageRequest()
) -> Page[AuditEvent]:
    """One page of the events the filter picks, newest first, with how many there are in
    all. Reading the trail is itself recorded, with the filter used."""
    actor.require(Permission.AUDIT_READ)
    query = _filtered(select(AuditEvent), f).order_by(AuditEvent.seq.desc())
    if f == EventFilter():
        # The whole trail: its events are numbered 1, 2, 3 ... with no gap (verify checks
        # it), so the head's number is the exact count, without reading millions of rows.
        head = db.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
        found = paginate(db, query, page, total=(int(head), False))
    else:
        found = paginate(db, query, page, cap=COUNT_CAP)
    record(
        db,
        actor,
        EventTag.AUDIT_LOG_READ,
        details={"count": len(found.items), "total": found.total, **f.as_details()},
    )
    return found


def start_export(db: Session, actor: Actor, f: EventFilter) -> int:
    """Record the export of the filtered events and return the last sequence number it covers:
    events appended while the file streams are not in it, so it is one consistent extract."""
    actor.require(Permission.AUDIT_READ)
    upto = int(db.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)
    record(db, actor, EventTag.AUDIT_LOG_EXPORTED, details={"upto_seq": upto, **f.as_details()})
    return upto


def export_batches(
    db: Session, f: EventFilter, *, upto_seq: int, batch: int = 2_000
) -> Iterator[list[AuditEvent]]:
    """The filtered events up to ``upto_seq``, newest first, a batch at a time (keyset paging
    on seq: memory holds one batch however long the trail). Called after ``start_export``
    checked the reader and recorded the export."""
    below = upto_seq + 1
    while True:
        rows = list(
            db.scalars(
                _filtered(select(AuditEvent), f)
                .where(AuditEvent.seq < below)
                .order_by(AuditEvent.seq.desc())
                .limit(batch)
            )
        )
        if not rows:
            return
        yield rows
        below = rows[-1].seq


def refusals_by_user(db: Session, *, since: datetime, at_least: int = 1) -> list[tuple[int, int]]:
    """(user id, refusals) for each user refused at least ``at_least`` times since ``since``,
    most refused first: the DPO looks at whoever keeps knocking on doors not theirs."""
    refusals = func.count().label("refusals")
    rows = db.execute(
        select(AuditEvent.actor_id, refusals)
        .where(
            AuditEvent.tag == EventTag.ACCESS_REFUSED.value,
            AuditEvent.occurred_at >= since,
            AuditEvent.actor_id.is_not(None),
        )
        .group_by(AuditEvent.actor_id)
        .having(refusals >= at_least)
        .order_by(refusals.desc(), AuditEvent.actor_id)
    )
    return [(int(row.actor_id or 0), int(row.refusals)) for row in rows]


def last_anchor(db: Session) -> AuditEvent | None:
    """The latest ``steward audit anchor``, as the trail itself recorded it."""
    return db.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == EventTag.AUDIT_CHAIN_ANCHORED.value)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
