"""What the home page asks each role to look at, each item linking to the page that deals
with it: for the DPO, role grants to decide and users refused again and again; for the
administrator, accounts locked, without two-factor sign-in, or unused. The DPO also sees
break-glass openings waiting for review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.permissions import Actor, Permission
from steward.records import service as records

REFUSAL_WINDOW = timedelta(days=7)
# A refusal or two is a mistaken click; more, in a week, is someone testing their reach.
REPEATED_REFUSALS = 3


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    href: str
    link_text: str
    items: list[str] = field(default_factory=list)


def home_panels(db: Session, actor: Actor) -> list[Panel]:
    panels: list[Panel] = []
    if actor.can(Permission.ROLES_APPROVE):
        panels += _dpo_panels(db, actor)
    if actor.can(Permission.USERS_MANAGE):
        panels += _admin_panels(db, actor)
    return panels


def _dpo_panels(db: Session, actor: Actor) -> list[Panel]:
    grants = auth.pending_grants(db, actor)
    refused = audit.refusals_by_user(
        db, since=clock.now() - REFUSAL_WINDOW, at_least=REPEATED_REFUSALS
    )
    names = auth.usernames(db, [g.user_id for g in grants] + [u for u, _ in refused])
    return [
        Panel(
            "role-grants",
            f"Role grants awaiting your approval ({len(grants)})",
            "/role-grants",
            "Approve or refuse role grants",
            [f"{names.get(g.user_id, '?')}: {g.role.replace('_', ' ')}" for g in grants],
        ),
        Panel(
            "refusals",
            f"Staff refused access repeatedly in the last 7 days ({len(refused)})",
            "/audit",
            "Read the audit trail",
            [f"{names.get(user_id, '?')}: {n} refusals" for user_id, n in refused],
        ),
        Panel(
            "break-glass",
            f"Break-glass openings to review ({records.unreviewed_break_glass_count(db)})",
            "/break-glass",
            "Review break-glass reasons",
        ),
    ]


def _admin_panels(db: Session, actor: Actor) -> list[Panel]:
    concerns = auth.account_concerns(db, actor)
    return [
        Panel(
            "locked",
            f"Accounts locked after failed sign-ins ({len(concerns.locked)})",
            "/users",
            "Manage staff accounts",
            [u.username for u in concerns.locked],
        ),
        Panel(
            "without-two-factor",
            f"Accounts without two-factor sign-in ({len(concerns.without_two_factor)})",
            "/users",
            "Manage staff accounts",
            [u.username for u in concerns.without_two_factor],
        ),
        Panel(
            "unused",
            f"Accounts unused for {auth.UNUSED_DAYS} days ({len(concerns.unused)})",
            "/users",
            "Manage staff accounts",
            [u.username for u in concerns.unused],
        ),
    ]
