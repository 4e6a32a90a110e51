"""Rebuilding every person's match profile and keys, after the key rules or nickname table change.

Keys are otherwise rebuilt only when a person is written, so a new nickname or key family
would reach people already held one by one. This rebuilds them all, a batch at a time, in
the caller's transaction: a failure leaves the old keys in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.indexer import index_persons
from steward.identity.models import MatchKey
from steward.records.models import Person

_BATCH = 5_000


@dataclass(frozen=True)
class ReindexReport:
    persons: int  # persons indexed (professionals are not)
    keys: int  # match keys held afterwards

    def as_dict(self) -> dict[str, int]:
        return {"persons": self.persons, "keys": self.keys}


def reindex_people(session: Session, *, actor: Actor) -> ReindexReport:
    """Rebuild the profile and keys of every person; audited with the counts only."""
    actor.require(Permission.PEOPLE_MANAGE)
    session.flush()
    connection = session.connection()
    done = 0
    after = 0
    while True:
        # Every person, professionals too: index_persons drops keys a professional should not have.
        ids = list(
            session.scalars(
                select(Person.id).where(Person.id > after).order_by(Person.id).limit(_BATCH)
            )
        )
        if not ids:
            break
        done += index_persons(connection, ids)
        after = ids[-1]
    keys = session.scalar(select(func.count()).select_from(MatchKey)) or 0
    report = ReindexReport(persons=done, keys=keys)
    audit.record(session, actor, IdentityEvent.PEOPLE_REINDEXED, details=report.as_dict())
    return report
