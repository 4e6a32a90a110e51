"""Keeping every person's match profile and keys in step with the records domain.

Identity sits above records, so records cannot call in here. Instead this module registers an
``after_flush`` hook on every SQLAlchemy Session: whenever a flush writes a Person, one of its
names or addresses, or its legacy identifier, the person's profile and keys are rebuilt in the
same transaction. Whatever creates persons through the ORM (the web pages, the API, the
records importer, the demo) is covered without knowing identity exists. The records' own
set-based writers (partner intake's persons, through Core) announce the persons they wrote
(``records.service.changes.persons_written``), and this module subscribes to that too.
Identity's own bulk import (``import_people_csv``) writes profiles itself through
``write_index``; ``index_missing`` repairs anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, event, select
from sqlalchemy.orm import Session, UOWTransaction

from steward.identity.keys import Facts, Profile, match_keys, profile_of
from steward.identity.models import MatchKey, MatchProfile
from steward.records.models import (
    Address,
    Identifier,
    IdentifierScheme,
    NameKind,
    Person,
    PersonName,
)
from steward.records.service import changes as record_changes

_CHUNK = 500  # ids per IN (...) list: well under every backend's bound-parameter limit


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def profile_row(person_id: int, record_id: str | None, profile: Profile) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "record_id": record_id,
        "first_name": profile.first_name[:100],
        "middle_names": profile.middle_names[:200],
        "last_name": profile.last_name[:100],
        "surnames": " ".join(sorted(profile.surnames))[:400],
        "dob": profile.dob,
        "postcodes": "|".join(profile.postcodes)[:200],
        "address": profile.address[:300],
        "other_first_names": " ".join(sorted(profile.other_first_names))[:200],
    }


def bulk_insert(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Multi-row insert straight through the driver: at a million rows, SQLAlchemy's per-row
    parameter handling would cost more than the database's own work."""
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(columns)
    marks = ", ".join([mark] * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - fixed names only
        list(rows),
    )


_PROFILE_COLUMNS = (
    "person_id",
    "record_id",
    "first_name",
    "middle_names",
    "last_name",
    "surnames",
    "dob",
    "postcodes",
    "address",
    "other_first_names",
)


def write_index(
    connection: Connection,
    entries: Sequence[tuple[int, str | None, Profile]],
    *,
    replace: bool = True,
) -> None:
    """Write profiles and keys for these persons; ``replace`` first drops what they had."""
    if not entries:
        return
    if replace:
        ids = [person_id for person_id, _, _ in entries]
        for chunk in _chunks(ids):
            connection.execute(delete(MatchKey).where(MatchKey.person_id.in_(chunk)))
            connection.execute(delete(MatchProfile).where(MatchProfile.person_id.in_(chunk)))
    bulk_insert(
        connection,
        "identity_profiles",
        _PROFILE_COLUMNS,
        [tuple(profile_row(*entry).values()) for entry in entries],
    )
    # Person by person: the primary key leads with the person, so these append in order.
    keys = [(key, person_id) for person_id, _, profile in entries for key in match_keys(profile)]
    bulk_insert(connection, "identity_match_keys", ("key", "person_id"), keys)


def _facts(connection: Connection, ids: Sequence[int]) -> list[tuple[int, str | None, Facts]]:
    """The Facts of these persons as stored now, in four queries per chunk."""
    out: list[tuple[int, str | None, Facts]] = []
    for chunk in _chunks(ids):
        previous: dict[int, list[str]] = defaultdict(list)
        aliases: dict[int, list[str]] = defaultdict(list)
        for pid, kind, first, last in connection.execute(
            select(
                PersonName.person_id, PersonName.kind, PersonName.first_name, PersonName.last_name
            ).where(PersonName.person_id.in_(chunk))
        ):
            if last:
                previous[pid].append(last)
            if first and kind == NameKind.ALIAS:
                aliases[pid].append(first)
        places: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
        for pid, line1, town, postcode in connection.execute(
            select(Address.person_id, Address.line1, Address.town, Address.postcode)
            .where(Address.person_id.in_(chunk))
            # current address first: the open-ended one, then the most recent
            .order_by(Address.person_id, Address.to_date.is_(None).desc(), Address.id.desc())
        ):
            # Written as the legacy index writes it ("line, town"), so the two compare equal.
            places[pid].append((postcode, f"{line1}, {town}" if town else line1))
        # Every person of an imported index has a legacy identifier: asked for by scheme as
        # well, SQLite's planner walks the (scheme, value) index over all of them (seconds at
        # a million) instead of the person's few, so the scheme is picked out here.
        legacy = {
            pid: value
            for pid, scheme, value in connection.execute(
                select(Identifier.person_id, Identifier.scheme, Identifier.value).where(
                    Identifier.person_id.in_(chunk)
                )
            )
            if scheme == IdentifierScheme.LEGACY
        }
        for pid, first, middle, last, dob in connection.execute(
            select(
                Person.id,
                Person.first_name,
                Person.middle_names,
                Person.last_name,
                Person.date_of_birth,
            ).where(Person.id.in_(chunk), Person.is_professional.is_(False))
        ):
            facts = Facts(
                first_name=first,
                middle_names=middle,
                last_name=last,
                other_last_names=tuple(previous[pid]),
                other_first_names=tuple(aliases[pid]),
                dob=dob,
                postcodes=tuple(pc for pc, _ in places[pid] if pc),
                address=places[pid][0][1] if places[pid] else None,
            )
            out.append((pid, legacy.get(pid), facts))
    return out


def index_persons(connection: Connection, person_ids: Iterable[int]) -> int:
    """Rebuild the profiles and keys of these persons from the records tables; returns how many.

    Professionals (social workers, solicitors) are not indexed: nobody's subject access request
    is answered by matching the officer who wrote the report."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    found = _facts(connection, ids)
    for chunk in _chunks(ids):
        connection.execute(delete(MatchKey).where(MatchKey.person_id.in_(chunk)))
        connection.execute(delete(MatchProfile).where(MatchProfile.person_id.in_(chunk)))
    write_index(connection, [(pid, rid, profile_of(f)) for pid, rid, f in found], replace=False)
    return len(found)


def index_missing(connection: Connection, *, batch: int = 5_000) -> int:
    """Index every person that has no profile yet (e.g. rows written before identity existed)."""
    done = 0
    while True:
        ids = list(
            connection.scalars(
                select(Person.id)
                .outerjoin(MatchProfile, MatchProfile.person_id == Person.id)
                .where(MatchProfile.person_id.is_(None), Person.is_professional.is_(False))
                .limit(batch)
            )
        )
        if not ids:
            return done
        done += index_persons(connection, ids)


def _touched_persons(session: Session) -> set[int]:
    touched: set[int] = set()
    deleted_persons = {o.id for o in session.deleted if isinstance(o, Person)}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Person):
            if obj.id is not None and obj not in session.deleted:
                touched.add(obj.id)
        elif isinstance(obj, PersonName | Address | Identifier) and obj.person_id is not None:
            touched.add(obj.person_id)
    return touched - deleted_persons


def _reindex_written(session: Session, person_ids: Sequence[int]) -> None:
    index_persons(session.connection(), person_ids)


record_changes.subscribe_persons(_reindex_written)


@event.listens_for(Session, "after_flush")
def _reindex_after_flush(session: Session, _flush: UOWTransaction) -> None:
    touched = _touched_persons(session)
    if touched:
        index_persons(session.connection(), touched)
