"""Words the audit, action plan, attestation and self-assessment pages share."""

from __future__ import annotations

from datetime import date
from typing import Any

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.policy import ActionStatus, AttestationState, AuditKind, Priority
from steward.core.permissions import Actor, Permission
from steward.web.assurance.sections import sections_for
from steward.web.forms import read_date

MAX_FIELD = 4000


def words(actor: Actor) -> dict[str, Any]:
    return {
        "sections": sections_for(actor),
        "areas": list(Area),
        "ratings": list(Rating),
        "kinds": list(AuditKind),
        "priorities": list(Priority),
        "statuses": list(ActionStatus),
        "states": list(AttestationState),
        "rating_options": [(r.value, r.label) for r in Rating],
        "rating_radios": [(r.value, r.label, None) for r in Rating],
        "priority_options": [(p.value, p.label) for p in Priority],
        "area_options": [(a.value, a.label) for a in Area],
        "may_manage": actor.can(Permission.ASSURANCE_MANAGE),
    }


def shown(typed: dict[str, str]) -> dict[str, str]:
    """A date input's parts as typed ("started_on-day": "3") as the date_input macro shows
    them ("day": "3")."""
    return {key.rsplit("-", 1)[1]: value for key, value in typed.items()}


def typed_date(parts: dict[str, str], name: str, what: str, errors: dict[str, str]) -> date | None:
    """The date typed in a GOV.UK date input, or (when it does not make one) its error."""
    answer = read_date(parts, name, what=what)
    if answer.error:
        errors[name] = answer.error
    return answer.value
