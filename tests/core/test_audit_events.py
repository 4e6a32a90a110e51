"""What may go into an audit event (ids and tags, never names or content) and who may read
the trail. Tamper detection is in test_audit_chain.py."""

from __future__ import annotations

import string
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.audit import AuditEvent, EventTag
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role

_ALLOWED = set(string.ascii_lowercase + string.digits + "_:.-")


def _last_seq(db: Session) -> int:
    return int(db.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)


@given(st.text(min_size=1, max_size=40).filter(lambda s: not set(s) <= _ALLOWED))
def test_any_value_with_capitals_spaces_or_symbols_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="id or tag"):
        audit.canonical_details({"note": value})


@given(st.text(alphabet=sorted(_ALLOWED), max_size=80))
def test_ids_and_tags_are_accepted(value: str) -> None:
    assert value in audit.canonical_details({"ref": value})


@pytest.mark.parametrize(
    "value",
    [
        42,
        True,
        None,
        "",
        str(uuid.uuid4()),
        "2026-03-02",
        "sar:request:extended",
        "document.pdf",
        [1, 2, 3],
        ("a", "b"),
    ],
)
def test_safe_values_are_kept(value: Any) -> None:
    assert audit.canonical_details({"v": value})


@pytest.mark.parametrize(
    "value",
    [
        "jane\n",
        "x" * 81,
        ["ok", "Jane Smith"],
        1.5,
        b"bytes",
        {"nested": "dict"},
        date(2026, 3, 2),
        datetime(2026, 3, 2, 9, 0),
        {"a", "b"},
    ],
)
def test_unsafe_values_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="audit detail"):
        audit.canonical_details({"v": value})


@pytest.mark.parametrize("key", ["Jane Smith", "jane smith", "note\n", "<script>"])
def test_free_text_in_a_key_is_refused_too(key: str) -> None:
    with pytest.raises(ValueError, match="audit detail"):
        audit.canonical_details({key: 1})


def test_details_are_canonical_whatever_the_order_given() -> None:
    assert audit.canonical_details({"b": 1, "a": "x"}) == audit.canonical_details(
        {"a": "x", "b": 1}
    )
    assert audit.canonical_details(None) == audit.canonical_details({}) == "{}"


class _BadTag(StrEnum):
    SPACES = "user created"
    CAPITALS = "User:Created"
    NO_SCOPE = "created"
    TRAILING_NEWLINE = "user:created\n"
    TOO_DEEP = "a:b:c:d:e"


@pytest.mark.parametrize("tag", list(_BadTag))
def test_a_malformed_tag_is_refused_and_nothing_is_written(db: Session, tag: _BadTag) -> None:
    before = _last_seq(db)
    with pytest.raises(ValueError, match="malformed audit tag"):
        audit.record(db, Actor.system(), tag)
    assert _last_seq(db) == before


def test_a_refused_event_leaves_the_chain_whole(db: Session) -> None:
    before = _last_seq(db)
    with pytest.raises(ValueError):
        audit.record(db, Actor.system(), EventTag.USER_CREATED, details={"name": "Jane Smith"})
    seq = audit.record(db, Actor.system(), EventTag.USER_CREATED, details={"role": "dpo"})
    assert seq == before + 1
    assert audit.verify(db).ok


def test_an_event_records_who_did_what_to_which_record(db: Session) -> None:
    seq = audit.record(
        db,
        Actor.user(12, Role.IG_OFFICER),
        EventTag.TOKEN_REVOKED,
        subject_type="api_token",
        subject_id=99,
        details={"user_id": 5},
    )
    event = db.get(AuditEvent, seq)
    assert event is not None
    assert (event.actor_kind, event.actor_id, event.tag) == ("user", 12, "token:revoked")
    assert (event.subject_type, event.subject_id) == ("api_token", "99")
    assert event.details == '{"user_id":5}'
    assert event.occurred_at.utcoffset() is not None


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.PARTNER])
def test_only_those_granted_it_read_the_trail(db: Session, role: Role) -> None:
    before = _last_seq(db)
    with pytest.raises(Forbidden):
        audit.list_events(db, Actor.user(1, role))
    assert _last_seq(db) == before


def test_reading_the_trail_is_itself_recorded(db: Session) -> None:
    actor = Actor.system()
    first = [audit.record(db, actor, EventTag.USER_CREATED) for _ in range(3)]
    auditor = Actor.user(77, Role.AUDITOR)
    page = audit.list_events(db, auditor, limit=2, before_seq=first[-1] + 1)
    assert [e.seq for e in page] == [first[2], first[1]]  # newest first
    older = audit.list_events(db, auditor, limit=1, before_seq=first[1])
    assert [e.seq for e in older] == [first[0]]
    reads = db.scalars(
        select(AuditEvent).where(
            AuditEvent.tag == EventTag.AUDIT_LOG_READ.value, AuditEvent.seq > first[-1]
        )
    ).all()
    assert [(r.actor_id, r.details) for r in reads] == [(77, '{"count":2}'), (77, '{"count":1}')]
