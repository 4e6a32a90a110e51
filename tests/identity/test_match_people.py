"""Many lookups at once (a partner's file): the same candidates, in the same order, with the
same bands and scores as one lookup each, in one statement and one search event."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.permissions import Actor
from steward.identity import PersonQuery, find_people
from steward.identity.events import IdentityEvent
from steward.identity.keys import match_keys
from steward.identity.service import match_people
from steward.identity.service.search import (
    query_profile,
    ranked_candidate_ids,
    ranked_candidate_ids_many,
)
from tests.factories.records import make_person

SYSTEM = Actor.system()
LEEDS = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS1 4AB"}


def _people(db: Session) -> None:
    for i in range(8):
        make_person(db, "John", "Smith", date(1950 + i, 1, 1 + i))
    make_person(db, "Jon", "Smyth", date(1980, 3, 5), addresses=[LEEDS])
    make_person(db, "Ava", "Zielinska", date(2015, 3, 2))
    make_person(db, "Ava", "Zielinski", date(2015, 2, 3))
    make_person(db, "Amara", "Okoye", date(2012, 7, 7), addresses=[LEEDS])


QUERIES = [
    PersonQuery("John", "Smith", dob=date(1980, 3, 5), postcode="LS1 4AB"),
    PersonQuery("Ava", "Zielinska", dob=date(2015, 3, 2)),
    PersonQuery("Nobody", "Atall", dob=date(2001, 1, 1)),
    PersonQuery("", "Smith"),  # no first name: no candidates, not an error
    PersonQuery("Amara", "Okoye"),
    PersonQuery("John", "Smith", dob=date(1980, 3, 5), postcode="LS1 4AB"),  # asked twice
]


def test_many_lookups_rank_as_one_lookup_each(db: Session) -> None:
    _people(db)
    asked = [q for q in QUERIES if q.first_name]
    keys = [match_keys(query_profile(q), dob_errors=True) for q in asked]
    for cap in (3, 250):
        assert ranked_candidate_ids_many(db, keys, cap=cap) == [
            ranked_candidate_ids(db, k, cap=cap) for k in keys
        ]
    assert ranked_candidate_ids_many(db, []) == []


def test_many_lookups_find_what_each_lookup_finds_with_one_event(db: Session) -> None:
    _people(db)
    one_by_one = [
        find_people(db, q, actor=SYSTEM, limit=5) if q.first_name else [] for q in QUERIES
    ]
    before = len(
        db.scalars(select(AuditEvent).where(AuditEvent.tag == IdentityEvent.SEARCH_RUN)).all()
    )
    together = match_people(db, QUERIES, actor=SYSTEM, limit=5)
    assert together == one_by_one
    assert together[1][0].band == "match" and together[2] == [] and together[3] == []
    events = db.scalars(
        select(AuditEvent.details).where(AuditEvent.tag == IdentityEvent.SEARCH_RUN)
    ).all()
    assert len(events) == before + 1
    assert json.loads(events[-1] or "{}")["lookups"] == 6
