"""Finding every person record that may be the person asked about."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.keys import Facts, Profile, match_keys, profile_of
from steward.identity.models import MatchKey, MatchProfile
from steward.identity.normalise import normalise_name
from steward.identity.service.scoring import ActiveModel, Scored, active_model, score
from steward.identity.service.types import Candidate, PersonQuery

# Searching everyone's records is an information-governance duty, not casework: any of these.
SEARCH_PERMISSIONS = (Permission.CASES_READ_ALL, Permission.SAR_MANAGE, Permission.INTAKE_REVIEW)
_CHUNK = 500


def require_search(actor: Actor) -> None:
    if not any(actor.can(p) for p in SEARCH_PERMISSIONS):
        raise Forbidden("Your role does not allow searching people across all cases.")


def query_profile(query: PersonQuery) -> Profile:
    if not normalise_name(query.first_name) or not normalise_name(query.last_name):
        raise ValidationFailed(
            "Give at least a first name and a last name.",
            errors={"first_name": "Enter a first name", "last_name": "Enter a last name"},
        )
    return profile_of(
        Facts(
            first_name=query.first_name,
            last_name=query.last_name,
            middle_names=query.middle_names,
            other_last_names=tuple(query.previous_last_names),
            dob=query.dob,
            postcodes=tuple(p for p in (query.postcode, *query.previous_postcodes) if p),
            address=query.address,
        )
    )


def profile_from_row(row: MatchProfile) -> Profile:
    return Profile(
        first_name=row.first_name,
        middle_names=row.middle_names,
        last_name=row.last_name,
        surnames=frozenset(row.surnames.split()),
        dob=row.dob,
        postcodes=tuple(p for p in row.postcodes.split("|") if p),
        address=row.address,
    )


def candidate_ids(db: Session, keys: Iterable[int]) -> set[int]:
    ordered = sorted(keys)
    ids: set[int] = set()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        ids.update(db.scalars(select(MatchKey.person_id).where(MatchKey.key.in_(chunk))))
    return ids


def load_profiles(db: Session, ids: Iterable[int]) -> list[MatchProfile]:
    ordered = sorted(ids)
    rows: list[MatchProfile] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        rows.extend(db.scalars(select(MatchProfile).where(MatchProfile.person_id.in_(chunk))))
    return rows


def rank(
    model: ActiveModel,
    q: Profile,
    rows: Sequence[MatchProfile],
    *,
    previous: frozenset[str],
    limit: int,
) -> list[tuple[MatchProfile, Scored]]:
    scored = [(row, score(model, q, profile_from_row(row), previous=previous)) for row in rows]
    kept = [(row, s) for row, s in scored if s.band is not None]
    kept.sort(key=lambda item: (-item[1].weight, item[0].person_id))
    return kept[:limit]


def find_people(
    session: Session, query: PersonQuery, *, actor: Actor, limit: int = 50
) -> list[Candidate]:
    """Every person record that may be this person, best first: "match" or "possible".

    One search event is recorded, with the number of candidates only: the words searched for
    are personal data and stay out of the audit trail."""
    require_search(actor)
    q = query_profile(query)
    previous = frozenset(
        t for name in query.previous_last_names for t in normalise_name(name).split()
    )
    model = active_model(session)
    rows = load_profiles(session, candidate_ids(session, match_keys(q, dob_errors=True)))
    ranked = rank(model, q, rows, previous=previous, limit=limit)
    audit.record(
        session,
        actor,
        IdentityEvent.SEARCH_RUN,
        details={
            "candidates": len(ranked),
            "matches": sum(1 for _, s in ranked if s.band == "match"),
        },
    )
    return [
        Candidate(
            person_id=row.person_id,
            record_id=row.record_id,
            score=s.probability,
            band=s.band or "possible",
            reasons=s.reasons,
        )
        for row, s in ranked
    ]


def parse_dob(text: str | None) -> date | None:
    """An ISO date, or None if empty; a clear error otherwise (the value is not repeated)."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationFailed(
            "Date of birth must be written YYYY-MM-DD.", errors={"dob": "Use YYYY-MM-DD"}
        ) from exc
