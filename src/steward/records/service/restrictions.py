"""Restricting the processing of a person's records (Article 18), and lifting it.

While a restriction stands, every case the person is a party to can be read by the
information-governance team only: enforced in the need-to-know check itself
(``access.visible_cases`` and ``access.access_to_case``), so pages, the API, search, the
archive and every other reader are covered, and break-glass does not override it (see
``records.policy.case_access`` for why). Restricting and lifting are each one audited
action; the reasons are sealed under the restriction's own data key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import Person, PersonRestriction
from steward.records.schemas import LiftIn, RestrictionIn
from steward.records.service import access


@dataclass(frozen=True)
class RestrictionStatus:
    """What a page may show of a standing restriction: no reasons."""

    id: int
    restricted_at: datetime
    sar_reference: str | None


def _context(restriction_id: int, part: str) -> str:
    return f"person_restriction:{restriction_id}:{part}"


def _reason(text: str, field: str = "reason") -> str:
    reason = text.strip()
    if not reason:
        raise ValidationFailed("Give the reason.", errors={field: "Enter the reason"})
    return reason


def active_restriction(db: Session, person_id: int) -> PersonRestriction | None:
    return db.scalar(
        select(PersonRestriction).where(
            PersonRestriction.person_id == person_id, PersonRestriction.lifted_at.is_(None)
        )
    )


def restriction_status(db: Session, person_id: int) -> RestrictionStatus | None:
    row = active_restriction(db, person_id)
    if row is None:
        return None
    return RestrictionStatus(row.id, row.restricted_at, row.sar_reference)


def restrict_person(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    person_id: int,
    data: RestrictionIn,
) -> PersonRestriction:
    actor.require(Permission.PEOPLE_MANAGE)
    access.require_induction(db, actor)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound("There is no such person.")
    reason = _reason(data.reason)
    if active_restriction(db, person.id) is not None:
        raise Conflict("This person's records are already restricted.")
    key = crypto.create_data_key(db, kek, purpose="person_restriction")
    row = PersonRestriction(
        person_id=person.id,
        restricted_at=clock.now(),
        restricted_by_user_id=actor.user_id,
        data_key_id=key.id,
        reason=b"",
        sar_reference=data.sar_reference,
    )
    db.add(row)
    db.flush()
    row.reason = crypto.seal(
        db, kek, key_id=key.id, plaintext=reason.encode(), context=_context(row.id, "reason")
    )
    db.flush()
    details: dict[str, int | str] = {"restriction_id": row.id}
    if data.sar_reference:
        details["sar_reference"] = data.sar_reference.lower()
    audit.record(
        db,
        actor,
        RecordsEvent.PERSON_RESTRICTED,
        subject_type="person",
        subject_id=person.id,
        details=details,
    )
    return row


def lift_restriction(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    person_id: int,
    data: LiftIn,
) -> PersonRestriction:
    actor.require(Permission.PEOPLE_MANAGE)
    access.require_induction(db, actor)
    if db.get(Person, person_id) is None:
        raise NotFound("There is no such person.")
    reason = _reason(data.reason)
    row = active_restriction(db, person_id)
    if row is None:
        raise Conflict("This person's records are not restricted.")
    row.lifted_at = clock.now()
    row.lifted_by_user_id = actor.user_id
    row.lift_reason = crypto.seal(
        db,
        kek,
        key_id=row.data_key_id,
        plaintext=reason.encode(),
        context=_context(row.id, "lift_reason"),
    )
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.PERSON_RESTRICTION_LIFTED,
        subject_type="person",
        subject_id=person_id,
        details={"restriction_id": row.id},
    )
    return row
