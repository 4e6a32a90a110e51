"""Merging two person records as one human, and undoing it: the rules a reviewer relies on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.identity.service import merge_persons, merges_of, unmerge_persons
from tests.factories.records import make_person

SYSTEM = Actor.system()


def test_a_merge_links_both_ways_and_is_undone_once(db: Session) -> None:
    a = make_person(db, "Robert", "Zielinski", date(1980, 3, 5))
    b = make_person(db, "Bob", "Zielinski", date(1980, 3, 5))
    merge = merge_persons(db, actor=SYSTEM, person_id=b.id, other_person_id=a.id)
    assert [m.other_person_id for m in merges_of(db, person_id=a.id)] == [b.id]
    assert [m.other_person_id for m in merges_of(db, person_id=b.id)] == [a.id]
    with pytest.raises(Conflict):
        merge_persons(db, actor=SYSTEM, person_id=a.id, other_person_id=b.id)
    unmerge_persons(db, actor=SYSTEM, merge_id=merge.id)
    assert merges_of(db, person_id=a.id) == []
    with pytest.raises(NotFound):
        unmerge_persons(db, actor=SYSTEM, merge_id=merge.id)
    events = db.execute(
        select(AuditEvent.tag, AuditEvent.details).where(AuditEvent.tag.like("identity:person:%"))
    ).all()
    assert [tag for tag, _ in events] == ["identity:person:merged", "identity:person:unmerged"]
    assert all("zielinski" not in (details or "").lower() for _, details in events)


def test_merges_refuse_nonsense_and_the_unauthorised(db: Session) -> None:
    a = make_person(db, "Robert", "Zielinski", date(1980, 3, 5))
    with pytest.raises(ValidationFailed):
        merge_persons(db, actor=SYSTEM, person_id=a.id, other_person_id=a.id)
    with pytest.raises(NotFound):
        merge_persons(db, actor=SYSTEM, person_id=a.id, other_person_id=a.id + 999)
    with pytest.raises(Forbidden):
        merge_persons(
            db, actor=Actor.user(1, Role.CASEWORKER), person_id=a.id, other_person_id=a.id + 1
        )
