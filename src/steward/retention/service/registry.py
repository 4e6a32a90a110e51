"""Records that other domains keep and retention governs: a registry of record kinds.

A subject access request's file is a record with a retention period like any case, but the
subject access domain sits above retention, and retention must not import it. So a domain
registers its kind of record here when its service module is imported (as records announces
case changes through a subscription): the table and columns retention dates it from, the
class of the file plan it belongs to, and how to destroy one. From then on the records of
that kind go through the same code as cases and paper files: the set-based sweep dates them
under the class's rule, the due list and disposal lists show them, a hold on their class (or,
where the domain says how, on a person they are about) keeps them, each destruction is its
own transaction that re-checks holds and dates, and the certificate and tombstone prove it.

What destroying one *means* stays with the owning domain (its rows, its data key), as
destroying a case stays with records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from steward.core.db import Base
from steward.core.permissions import Actor
from steward.records.models import RecordClass
from steward.retention.models import RecordKind

MAX_KIND = 16  # the width of every record_kind column


@dataclass(frozen=True)
class Destroyed:
    """What the tombstone keeps of a destroyed record: identifiers and dates, nothing else."""

    identifier: str
    opened_on: date | None
    closed_on: date | None


@dataclass(frozen=True)
class RegisteredKind:
    """One kind of record another domain keeps. Columns are SQLAlchemy column expressions of
    ``table``; only record dates (created, closed, last activity) and recorded events can
    trigger its rule: it has no linked persons."""

    kind: str  # stored in record_kind columns: at most 16 characters, not a built-in kind
    label: str  # "subject access request file", as people read it
    class_code: str  # the file plan class whose rule governs every record of the kind
    table: Any
    id: Any
    identifier: Any  # what people know the record by (a reference, never a name)
    created: Any
    closed: Any
    is_open: ColumnElement[bool]
    # Deletes the record and everything it owns, and destroys its data key, inside the
    # caller's transaction; returns what the tombstone keeps. Never commits.
    destroy: Callable[[Session, Actor, int], Destroyed]
    method: str  # how it is destroyed, for the certificate
    data_key: Any | None = None  # column: its data key, under which a retain reason is sealed
    # Given a SELECT of held person ids, a SELECT of this kind's record ids about them.
    held_through_persons: Callable[[Any], Any] | None = None
    link: str | None = None  # its page, with "{id}" for the record id


_KINDS: dict[str, RegisteredKind] = {}


def register(kind: RegisteredKind) -> None:
    """Idempotent: a module imported twice (tests reload) registers the same kind again."""
    if len(kind.kind) > MAX_KIND or kind.kind in {k.value for k in RecordKind}:
        raise ValueError(f"record kind {kind.kind!r} is too long or a built-in kind")
    _KINDS[kind.kind] = kind


def registered() -> tuple[RegisteredKind, ...]:
    return tuple(_KINDS[k] for k in sorted(_KINDS))


def get(kind: str) -> RegisteredKind | None:
    return _KINDS.get(str(kind))


def all_kinds() -> list[str]:
    """The built-in kinds, then every registered one."""
    return [*RecordKind, *sorted(_KINDS)]


def kind_of(value: str) -> RecordKind | str:
    """A stored record_kind as the built-in enum member, or the registered kind's name."""
    try:
        return RecordKind(value)
    except ValueError:
        return str(value)


def class_id_column(kind: RegisteredKind) -> Any:
    """The kind's record class id, as a scalar subquery (NULL if the file plan lacks it)."""
    return select(RecordClass.id).where(RecordClass.code == kind.class_code).scalar_subquery()


def class_id(db: Session, kind: RegisteredKind) -> int | None:
    return db.scalar(select(RecordClass.id).where(RecordClass.code == kind.class_code))


def class_literal(value: int) -> Any:
    return literal(value, Integer)


def exists(db: Session, kind: RegisteredKind, record_id: int) -> bool:
    return db.scalar(select(kind.id).where(kind.id == record_id)) is not None


def link(kind: str, record_id: int) -> str | None:
    found = get(kind)
    return found.link.format(id=record_id) if found and found.link else None


def tables_to_compact() -> list[str]:
    """The registered tables and every table whose rows cascade from theirs."""
    names = {k.table.name for k in _KINDS.values()}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name not in names and any(
                fk.column.table.name in names and (fk.ondelete or "").upper() == "CASCADE"
                for fk in table.foreign_keys
            ):
                names.add(table.name)
                grew = True
    return sorted(names)
