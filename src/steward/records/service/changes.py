"""Telling the domains above records that cases changed, without records knowing them.

Records sits below retention and must not import it, yet a case created, closed, reopened
or given a party needs its retention date at once (not at the next nightly sweep). So the
records use-cases announce the cases they changed here, and retention subscribes
(``steward.retention.service`` registers on import). The listeners run in the same
transaction, so a date lands with the change or not at all.

A bulk import defers the announcements and makes one per batch (``deferred``/``flush``):
dating is set-based, and a thousand cases dated at once cost little more than one.

``events`` carries dated events given with a case (the adoption order's date in an import)
to whoever records them; records keeps no such dates itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor

Events = Mapping[int, Mapping[str, date]]  # case id -> event name -> when
Listener = Callable[[Session, Actor, Sequence[int], Events], None]

_listeners: list[Listener] = []
_PENDING = "steward.records.changed_cases"


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def has_listeners() -> bool:
    return bool(_listeners)


def cases_changed(
    db: Session, actor: Actor, case_ids: Sequence[int], events: Events | None = None
) -> None:
    """Announce changed cases now, or keep them for the batch if deferred."""
    pending = db.info.get(_PENDING)
    if pending is not None:
        ids, dated, _ = pending
        ids.update(case_ids)
        for case_id, given in (events or {}).items():
            dated.setdefault(case_id, {}).update(given)
        return
    _announce(db, actor, case_ids, events or {})


def _announce(db: Session, actor: Actor, case_ids: Sequence[int], events: Events) -> None:
    if not case_ids:
        return
    for listener in _listeners:
        listener(db, actor, case_ids, events)


@contextmanager
def deferred(db: Session, actor: Actor) -> Iterator[None]:
    """Collect announcements until ``flush`` (or the end); on an error, drop them."""
    db.info[_PENDING] = (set(), {}, actor)
    try:
        yield
        flush(db)
    finally:
        db.info.pop(_PENDING, None)


def flush(db: Session) -> None:
    """Announce what was collected so far, in one call (a bulk import's batch)."""
    pending = db.info.get(_PENDING)
    if pending is None:
        return
    ids, dated, actor = pending
    db.info[_PENDING] = (set(), {}, actor)
    _announce(db, actor, sorted(ids), dated)


def discard(db: Session) -> None:
    """Forget what was collected (a dry run rolled it all back)."""
    pending = db.info.get(_PENDING)
    if pending is not None:
        db.info[_PENDING] = (set(), {}, pending[2])


# --- persons written without the ORM --------------------------------------------------------
#
# Identity keeps a match profile per person, rebuilt after every ORM flush that touches one
# (identity/indexer.py). The set-based writers (bulk.py) insert through Core, which no flush
# sees, so they announce the persons they wrote here, in their transaction, and identity
# subscribes on import: the profiles land with the persons or not at all.

PersonsListener = Callable[[Session, Sequence[int]], None]
_persons_listeners: list[PersonsListener] = []


def subscribe_persons(listener: PersonsListener) -> None:
    if listener not in _persons_listeners:
        _persons_listeners.append(listener)


def persons_written(db: Session, person_ids: Sequence[int]) -> None:
    """Announce persons created, or given a name, address or legacy identifier, in bulk."""
    if person_ids:
        for listener in _persons_listeners:
            listener(db, person_ids)


# --- corrections of a person's details ----------------------------------------------------
#
# A correction (Article 16) may concern data a partner sent, and the partner must be told
# (the ICO's data-sharing code); intake knows which persons came from a partner, records does
# not and may not import it. So records announces each correction here, in its transaction,
# with the values before and after (already in memory; never stored or logged by this), and
# intake subscribes on import (``steward.intake.service``): the partner's notice lands with
# the correction or not at all, whichever adapter made it.


@dataclass(frozen=True)
class PersonCorrected:
    correction_id: int
    person_id: int
    # Field code (first_name, date_of_birth, identifier:nhs, address:12) -> value; an
    # address's value is a mapping of its changed parts (line1, town, postcode ...).
    before: Mapping[str, object]
    after: Mapping[str, object]
    # The mail server to tell people through (None: the outbox keeps the message queued).
    settings: Settings | None = None


CorrectionListener = Callable[[Session, KeyEncryptionKeys, Actor, PersonCorrected], None]
_correction_listeners: list[CorrectionListener] = []


def subscribe_corrections(listener: CorrectionListener) -> None:
    if listener not in _correction_listeners:
        _correction_listeners.append(listener)


def unsubscribe_corrections(listener: CorrectionListener) -> None:
    if listener in _correction_listeners:
        _correction_listeners.remove(listener)


def correction_listeners() -> tuple[CorrectionListener, ...]:
    return tuple(_correction_listeners)


def person_corrected(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, corrected: PersonCorrected
) -> None:
    for listener in _correction_listeners:
        listener(db, kek, actor, corrected)
