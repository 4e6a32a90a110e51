"""Who a case knows: the requester and the other parties, with their roles.

The detector classifies every mention against this. `context_from_json` reads the input
format of `steward redact detect` (and of the benchmark); the subject access service builds
the same objects from the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from steward.redaction.spans import Role


@dataclass(frozen=True)
class Party:
    """One person the case knows. The first name in `names` is the current full name;
    the rest are previous names, aliases and nicknames."""

    names: tuple[str, ...]
    role: Role
    # How a reviewer would describe them: "other parent", "social worker". Used in reasons.
    relation: str | None = None
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    # NHS, NI and other numbers, as written anywhere (spaces ignored when matching).
    identifiers: tuple[str, ...] = ()
    dob: date | None = None
    # A refuge or otherwise protected address: redacted wherever it is not the requester's.
    address_withheld: bool = False


@dataclass(frozen=True)
class CaseContext:
    requester: Party | None = None
    parties: tuple[Party, ...] = ()
    # Names that look like people or places but are not personal data here: the
    # organisation's own name, courts, local authorities. Never redacted.
    own_names: tuple[str, ...] = field(default=())


def _strings(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, ())
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}.{key} must be a list of strings")
    return tuple(v for v in value if v.strip())


def _date(obj: Mapping[str, Any], key: str, where: str) -> date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}.{key} must be a date written YYYY-MM-DD") from None


def _role(value: Any, where: str) -> Role:
    if value is None:
        return Role.THIRD_PARTY
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r is not Role.UNKNOWN)
        raise ValueError(f"{where}.role must be one of {allowed}") from None


def party_from_json(obj: Any, where: str, *, role: Role | None = None) -> Party:
    if not isinstance(obj, Mapping):
        raise ValueError(f"{where} must be an object")
    withheld = obj.get("address_withheld", False)
    if not isinstance(withheld, bool):
        raise ValueError(f"{where}.address_withheld must be true or false")
    relation = obj.get("relation")
    if relation is not None and not isinstance(relation, str):
        raise ValueError(f"{where}.relation must be a string")
    return Party(
        names=_strings(obj, "names", where),
        role=role if role is not None else _role(obj.get("role"), where),
        relation=relation,
        addresses=_strings(obj, "addresses", where),
        phones=_strings(obj, "phones", where),
        emails=_strings(obj, "emails", where),
        identifiers=_strings(obj, "identifiers", where),
        dob=_date(obj, "dob", where),
        address_withheld=withheld,
    )


def context_from_json(obj: Mapping[str, Any]) -> CaseContext:
    """The case context in a `redact detect` input line. Raises ValueError saying what is wrong."""
    requester = obj.get("requester")
    parties = obj.get("parties", [])
    if parties is None:
        parties = []
    if not isinstance(parties, list):
        raise ValueError("parties must be a list")
    return CaseContext(
        requester=(
            None
            if requester is None
            else party_from_json(requester, "requester", role=Role.REQUESTER)
        ),
        parties=tuple(party_from_json(p, f"parties[{i}]") for i, p in enumerate(parties)),
        own_names=_strings(obj, "own_names", "context"),
    )
