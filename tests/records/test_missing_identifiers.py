"""Identifiers a partner's row adds to persons recorded without them: added where the
person holds none of the scheme, never replacing one, and refused whole when the value is
someone else's."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.errors import Conflict
from steward.core.permissions import Actor
from steward.records import service
from steward.records.models import Identifier, IdentifierScheme
from steward.records.schemas import IdentifierIn
from tests.factories.records import make_person

NHS_A, NHS_B = "9434765919", "9434765870"


def _held(db: Session, person_id: int) -> dict[str, str]:
    rows = db.execute(
        select(Identifier.scheme, Identifier.value).where(Identifier.person_id == person_id)
    )
    return {str(scheme): value for scheme, value in rows}


def _nhs(value: str) -> IdentifierIn:
    return IdentifierIn(scheme=IdentifierScheme.NHS, value=value)


def test_a_scheme_held_none_of_is_added_and_one_held_is_never_replaced(db: Session) -> None:
    bare = make_person(db, "Mia", "Hart")
    numbered = make_person(db, "Kit", "Hart", identifiers=[_nhs(NHS_A)])
    added = service.add_missing_identifiers(
        db, Actor.system(), [(bare.id, [_nhs(NHS_B)]), (numbered.id, [_nhs("9434765927")])]
    )
    assert added == {bare.id: ["nhs"]}
    assert _held(db, bare.id) == {"nhs": NHS_B}
    assert _held(db, numbered.id) == {"nhs": NHS_A}


def test_a_value_someone_else_holds_adds_nothing(db: Session) -> None:
    holder = make_person(db, "Kit", "Hart", identifiers=[_nhs(NHS_A)])
    first, second = make_person(db, "Mia", "Hart"), make_person(db, "Ava", "Hart")
    with pytest.raises(Conflict):
        service.add_missing_identifiers(
            db, Actor.system(), [(first.id, [_nhs(NHS_B)]), (second.id, [_nhs(NHS_A)])]
        )
    with pytest.raises(Conflict):  # nor may two persons be given one value
        service.add_missing_identifiers(
            db, Actor.system(), [(first.id, [_nhs(NHS_B)]), (second.id, [_nhs(NHS_B)])]
        )
    assert _held(db, first.id) == {} and _held(db, second.id) == {}
    assert _held(db, holder.id) == {"nhs": NHS_A}
