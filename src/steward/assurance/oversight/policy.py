"""Pure rules of oversight: which access an event happened under, outcomes and decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

NOTE_MAX = 2000
UNUSED_DAYS = 90


class AccessKind(StrEnum):
    """Why the reader could see the record when they did."""

    ASSIGNED = "assigned"
    TEAM = "team"
    IG_DUTY = "role"  # records.policy.Access.ROLE: the IG team read every case for their duties
    BREAK_GLASS = "break_glass"
    OVERSIGHT = "oversight"  # the audit trail and this page: not case content
    SYSTEM = "system"  # the command line, holding the key file
    NONE = "none"  # none of the above now: worth a look


ACCESS_WORDS: dict[AccessKind, str] = {
    AccessKind.ASSIGNED: "Assigned to the case",
    AccessKind.TEAM: "The case's team",
    AccessKind.IG_DUTY: "Information governance duty",
    AccessKind.BREAK_GLASS: "Break-glass",
    AccessKind.OVERSIGHT: "Audit and oversight",
    AccessKind.SYSTEM: "Steward itself (command line)",
    AccessKind.NONE: "No current access found",
}


class Outcome(StrEnum):
    JUSTIFIED = "justified"
    NOT_JUSTIFIED = "not_justified"
    REFERRED = "referred"


OUTCOME_WORDS: dict[Outcome, str] = {
    Outcome.JUSTIFIED: "Justified",
    Outcome.NOT_JUSTIFIED: "Not justified",
    Outcome.REFERRED: "Referred",
}


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    CHANGED = "changed"


DECISION_WORDS: dict[Decision, str] = {
    Decision.CONFIRMED: "Confirmed as it is",
    Decision.CHANGED: "Changed",
}


def access_kind(
    *,
    tag: str,
    actor_kind: str,
    recorded: str | None,
    reads_all: bool,
    assigned: bool,
    same_team: bool,
    break_glass_open: bool,
) -> AccessKind:
    """The access an event happened under. ``recorded``: what the event itself recorded
    (a case view records it), which wins; otherwise it is worked out from the break-glass
    windows (exact: each has its times) and the account's role, assignments and team."""
    if actor_kind == "system":
        return AccessKind.SYSTEM
    if tag.startswith(("assurance:", "audit:")):
        return AccessKind.OVERSIGHT
    if recorded:
        try:
            return AccessKind(recorded)
        except ValueError:
            pass
    if break_glass_open:
        return AccessKind.BREAK_GLASS
    if reads_all:
        return AccessKind.IG_DUTY
    if assigned:
        return AccessKind.ASSIGNED
    if same_team:
        return AccessKind.TEAM
    return AccessKind.NONE


def within(at: datetime, windows: list[tuple[datetime, datetime]]) -> bool:
    return any(opened <= at < expires for opened, expires in windows)


def text_problem(text: str, *, what: str, required: bool) -> str | None:
    if required and not text.strip():
        return f"Enter {what}"
    if len(text) > NOTE_MAX:
        return f"{what[0].upper()}{what[1:]} must be {NOTE_MAX:,} characters or fewer"
    return None
