"""Correcting a person's details (Article 16): the records domain's part.

This module persists a correction: it changes the person's names, dates, addresses or
identifiers, keeps the values before and after and the reason sealed in
``person_corrections`` (the person's history, for accountability), re-indexes the person's
names for records' own search and records one audit event with ids and field codes only.

What is derived from a person lives in domains above records (identity's match index,
retention's dates), which records may not import. So the use-case every adapter calls is
``steward.retention.service.rectification.correct_person``: it calls this, then rebuilds the
identity index and re-dates the person's cases in the same transaction. Call this directly
only from there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, crypto
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import (
    Address,
    Identifier,
    IdentifierScheme,
    Party,
    Person,
    PersonCorrection,
)
from steward.records.schemas import CorrectionRead, PersonCorrectionIn
from steward.records.service import access, search
from steward.records.service.changes import PersonCorrected, person_corrected
from steward.records.service.persons import searchable_names

Value = str | None | dict[str, str | None]
_SCALARS = ("first_name", "middle_names", "last_name", "date_of_birth", "date_of_death")
_REQUIRED = {"first_name": "Enter the first name", "last_name": "Enter the last name"}
_ADDRESS_FIELDS = ("line1", "line2", "town", "postcode", "from_date", "to_date")

# How a field code reads on a page.
FIELD_LABELS = {
    "first_name": "First name",
    "middle_names": "Middle names",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "date_of_death": "Date of death",
    "address": "Address",
    "identifier": "Identifier",
}


def field_label(code: str) -> str:
    kind, _, detail = code.partition(":")
    if kind == "identifier" and detail:
        return f"{detail.upper()} number" if detail in ("nhs", "nino") else f"Identifier ({detail})"
    return FIELD_LABELS.get(kind, code)


@dataclass(frozen=True)
class Corrected:
    correction: PersonCorrection
    case_ids: list[int]  # the cases the person is a party to: what must be re-dated


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _scalar_changes(person: Person, data: PersonCorrectionIn) -> dict[str, tuple[Value, Value]]:
    found: dict[str, tuple[Value, Value]] = {}
    for name in _SCALARS:
        if name not in data.model_fields_set:
            continue
        new = getattr(data, name)
        if name in _REQUIRED and not new:
            raise ValidationFailed(
                "A person must keep a first and a last name.", errors={name: _REQUIRED[name]}
            )
        before, after = _text(getattr(person, name)), _text(new)
        if before != after:
            found[name] = (before, after)
    return found


def _address_changes(
    db: Session, person: Person, data: PersonCorrectionIn
) -> dict[str, tuple[Value, Value]]:
    found: dict[str, tuple[Value, Value]] = {}
    for item in data.addresses:
        address = db.get(Address, item.address_id)
        if address is None or address.person_id != person.id:
            raise ValidationFailed(
                "That address is not one of this person's.",
                errors={"addresses": "Choose one of the person's addresses"},
            )
        given = item.model_fields_set & set(_ADDRESS_FIELDS)
        if "line1" in given and not item.line1:
            raise ValidationFailed(
                "An address needs its first line.",
                errors={"line1": "Enter the first line of the address"},
            )
        before = {f: _text(getattr(address, f)) for f in sorted(given)}
        after = {f: _text(getattr(item, f)) for f in sorted(given)}
        start = item.from_date if "from_date" in given else address.from_date
        end = item.to_date if "to_date" in given else address.to_date
        if start and end and end < start:
            raise ValidationFailed(
                "The address's end date is before its start date.",
                errors={"to_date": "The end date must be after the start date"},
            )
        changed = {f for f in given if before[f] != after[f]}
        if changed:
            found[f"address:{address.id}"] = (
                {f: before[f] for f in sorted(changed)},
                {f: after[f] for f in sorted(changed)},
            )
    return found


def _identifier_changes(
    db: Session, person: Person, data: PersonCorrectionIn
) -> dict[str, tuple[Value, Value]]:
    found: dict[str, tuple[Value, Value]] = {}
    held = {IdentifierScheme(i.scheme): i for i in person.identifiers}
    for item in data.identifiers:
        before = held[item.scheme].value if item.scheme in held else None
        after = item.value or None
        if before == after:
            continue
        if after is not None:
            taken = db.scalar(
                select(Identifier.person_id).where(
                    and_(Identifier.scheme == item.scheme, Identifier.value == after)
                )
            )
            if taken is not None and taken != person.id:
                raise Conflict(
                    f"Another person already has that {item.scheme.value.upper()} identifier.",
                    field="identifiers",
                )
        found[f"identifier:{item.scheme.value}"] = (before, after)
    return found


def _check_dates(person: Person, changes: dict[str, tuple[Value, Value]]) -> None:
    def resulting(name: str) -> date | None:
        if name in changes:
            value = changes[name][1]
            return date.fromisoformat(value) if isinstance(value, str) else None
        current: date | None = getattr(person, name)
        return current

    born, died = resulting("date_of_birth"), resulting("date_of_death")
    if born and born.year < 1880:
        raise ValidationFailed(
            "The date of birth is before 1880.",
            errors={"date_of_birth": "Date of birth must be after 1880"},
        )
    if born and died and died < born:
        raise ValidationFailed(
            "The date of death is before the date of birth.",
            errors={"date_of_death": "Date of death must be on or after the date of birth"},
        )


def _apply(db: Session, person: Person, changes: dict[str, tuple[Value, Value]]) -> None:
    for code, (_, after) in changes.items():
        kind, _, detail = code.partition(":")
        if kind in _SCALARS:
            value: Any = after
            if kind.startswith("date_") and isinstance(after, str):
                value = date.fromisoformat(after)
            setattr(person, kind, value)
        elif kind == "address":
            address = db.get(Address, int(detail))
            assert address is not None and isinstance(after, dict)
            for name, text in after.items():
                is_date = name.endswith("_date") and text is not None
                setattr(address, name, date.fromisoformat(text) if is_date and text else text)
        elif kind == "identifier":
            _apply_identifier(db, person, IdentifierScheme(detail), after)
    person.updated_at = clock.now()


def _apply_identifier(db: Session, person: Person, scheme: IdentifierScheme, value: Value) -> None:
    current = next((i for i in person.identifiers if i.scheme == scheme), None)
    if value is None:
        if current is not None:
            person.identifiers.remove(current)
    elif current is not None:
        current.value = str(value)
    else:
        person.identifiers.append(Identifier(scheme=scheme, value=str(value)))


def _context(correction_id: int, part: str) -> str:
    return f"person_correction:{correction_id}:{part}"


def _seal_json(
    db: Session, kek: KeyEncryptionKeys, key_id: str, value: object, context: str
) -> bytes:
    plain = json.dumps(value, sort_keys=True).encode()
    return crypto.seal(db, kek, key_id=key_id, plaintext=plain, context=context)


def correct_person(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    person_id: int,
    data: PersonCorrectionIn,
    settings: Settings | None = None,
) -> Corrected:
    """Persist a correction (see the module's docstring: adapters call retention's
    ``rectification.correct_person``). Nothing given that differs from the record, an
    impossible date or an identifier another person holds changes nothing. Those who
    subscribe to corrections (intake, to tell the partner who sent the data) are told in the
    same transaction; ``settings`` name the mail server they may tell people through."""
    actor.require(Permission.PEOPLE_MANAGE)
    access.require_induction(db, actor)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound("There is no such person.")
    reason = data.reason.strip()
    if not reason:
        raise ValidationFailed(
            "Say why the details are being corrected.",
            errors={"reason": "Enter the reason for the correction"},
        )
    changes = {
        **_scalar_changes(person, data),
        **_address_changes(db, person, data),
        **_identifier_changes(db, person, data),
    }
    if not changes:
        raise ValidationFailed(
            "Nothing to correct: the details given are the same as those recorded.",
            errors={"first_name": "Change at least one detail"},
        )
    _check_dates(person, changes)
    _apply(db, person, changes)
    key = crypto.create_data_key(db, kek, purpose="person_correction")
    row = PersonCorrection(
        person_id=person.id,
        corrected_at=clock.now(),
        corrected_by_user_id=actor.user_id,
        fields=" ".join(changes),
        data_key_id=key.id,
        previous_values=b"",
        new_values=b"",
        reason=b"",
        sar_reference=data.sar_reference,
    )
    db.add(row)
    db.flush()
    before = {code: old for code, (old, _) in changes.items()}
    after = {code: new for code, (_, new) in changes.items()}
    row.previous_values = _seal_json(db, kek, key.id, before, _context(row.id, "previous"))
    row.new_values = _seal_json(db, kek, key.id, after, _context(row.id, "new"))
    row.reason = crypto.seal(
        db, kek, key_id=key.id, plaintext=reason.encode(), context=_context(row.id, "reason")
    )
    db.flush()
    search.index(db, kind="person", ref_id=person.id, case_id=None, body=searchable_names(person))
    details: dict[str, Any] = {"correction_id": row.id, "fields": sorted(changes)}
    if data.sar_reference:
        details["sar_reference"] = data.sar_reference.lower()
    audit.record(
        db,
        actor,
        RecordsEvent.PERSON_CORRECTED,
        subject_type="person",
        subject_id=person.id,
        details=details,
    )
    person_corrected(
        db, kek, actor, PersonCorrected(row.id, person.id, before, after, settings=settings)
    )
    case_ids = sorted(set(db.scalars(select(Party.case_id).where(Party.person_id == person.id))))
    return Corrected(row, case_ids)


def _visible_person(db: Session, actor: Actor, person_id: int) -> Person:
    access.require_any_case_access(db, actor)
    visible = access.visible_person(db, actor, Person.id)
    person = db.get(Person, person_id)
    if (
        person is None
        or db.scalar(select(Person.id).where(Person.id == person_id, visible)) is None
    ):
        raise NotFound("There is no such person, or they are not in any case you can see.")
    return person


def correction_history(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, *, person_id: int
) -> list[CorrectionRead]:
    """The person's corrections, newest first, to anyone who may see the person: when, by
    whom, which fields. The values before and after and the reason are opened for the
    information-governance team only (PEOPLE_MANAGE), and that read is recorded."""
    person = _visible_person(db, actor, person_id)
    rows = list(
        db.scalars(
            select(PersonCorrection)
            .where(PersonCorrection.person_id == person.id)
            .order_by(PersonCorrection.corrected_at.desc(), PersonCorrection.id.desc())
        )
    )
    names = auth.usernames(db, [r.corrected_by_user_id for r in rows if r.corrected_by_user_id])
    unseal = actor.can(Permission.PEOPLE_MANAGE)
    read = [_read(db, kek, row, names, unseal) for row in rows]
    if unseal and rows:
        audit.record(
            db,
            actor,
            RecordsEvent.PERSON_CORRECTIONS_READ,
            subject_type="person",
            subject_id=person.id,
            details={
                "corrections": len(rows),
                "access": access.access_to_person(db, actor, person.id).value,
            },
        )
    return read


def _read(
    db: Session,
    kek: KeyEncryptionKeys,
    row: PersonCorrection,
    names: dict[int, str],
    unseal: bool,
) -> CorrectionRead:
    by = names.get(row.corrected_by_user_id) if row.corrected_by_user_id else "System"
    item = CorrectionRead(
        id=row.id,
        corrected_at=row.corrected_at,
        corrected_by=by,
        fields=row.field_codes,
        sar_reference=row.sar_reference,
    )
    if not unseal:
        return item

    def opened(sealed: bytes, part: str, parse: Callable[[bytes], Any]) -> Any:
        return parse(
            crypto.open_sealed(
                db, kek, key_id=row.data_key_id, sealed=sealed, context=_context(row.id, part)
            )
        )

    item.previous = opened(row.previous_values, "previous", json.loads)
    item.new = opened(row.new_values, "new", json.loads)
    item.reason = opened(row.reason, "reason", bytes.decode)
    return item
