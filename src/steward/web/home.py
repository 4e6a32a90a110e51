"""The work waiting for each role on the home page, each item linking to the page that deals
with it, with how many there are.

A caseworker sees their open cases with each one's next date, the paper files they asked for
and when those are due back, and documents others added to their cases since they last
looked. A manager sees their team's caseload by worker and the team's cases nobody holds.
IG officers and the DPO see the retention work (records due, disposal lists awaiting
decisions, holds in force, records that cannot be dated), overdue paper files and suspected
duplicate records; the DPO also sees role grants, repeated refusals and break-glass openings.
The administrator sees accounts locked, without two-factor sign-in, or unused.

Every count is one SQL query and every list is capped (SHOWN), ending "and N more" with a
link to the full list, so the page stays fast whatever the size of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from steward.archives.service import worklist as archives_work
from steward.assurance.audits.service import actions as audit_actions
from steward.assurance.breaches import register as breach_register
from steward.assurance.breaches.policy import ClockState
from steward.core import audit, auth, clock
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.identity import service as identity
from steward.records import service as records
from steward.records.models import Case, CaseStatus
from steward.retention.service import worklist as retention_work
from steward.sar import service as sar
from steward.web.assurance.breaches import clock_words as breach_clock_words
from steward.web.training import gate as training_gate

REFUSAL_WINDOW = timedelta(days=7)
# A refusal or two is a mistaken click; more, in a week, is someone testing their reach.
REPEATED_REFUSALS = 3
# How many items each panel lists before "and N more".
SHOWN = 5


@dataclass(frozen=True)
class Item:
    """One line of a panel: what it is, where it is dealt with, and a date or a flag."""

    text: str
    href: str | None = None
    when: date | None = None
    when_label: str = ""
    flag: str | None = None  # a short warning, e.g. "Overdue"


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    href: str
    link_text: str
    items: list[Item] = field(default_factory=list)
    count: int | None = None  # None: a link only (nothing counted here)
    more: int = 0
    empty: str = "Nothing waiting."


def home_panels(db: Session, actor: Actor) -> list[Panel]:
    """The panels of the actor's home page. While the induction gate keeps case records
    closed to them, the panels that list cases or documents are left out (the page's banner
    says why), so their home page still works and shows the rest of their work."""
    panels: list[Panel] = []
    # The DPO's (and IG officer's, and auditor's) home leads with where the organisation stands.
    if actor.can(Permission.ASSURANCE_VIEW):
        panels.append(_assurance_panel())
    cases_open = training_gate.closed_for(db, actor) is None
    manages = cases_open and actor.can(Permission.CASES_READ_TEAM) and _team(db, actor) is not None
    if (
        cases_open
        and actor.can(Permission.CASES_READ_ASSIGNED)
        and not actor.can(Permission.CASES_READ_ALL)
    ):
        own = _caseworker_panels(db, actor)
        # A manager's own caseload is often empty: their home leads with the team's, and
        # shows their own work only where there is some.
        panels += [p for p in own if p.count] if manages else own
    if manages:
        panels += _manager_panels(db, actor)
    if actor.can(Permission.SAR_MANAGE):
        panels.append(_sar_panel(db, actor))
    if actor.can(Permission.RETENTION_MANAGE):
        panels += _governance_panels(db, actor)
    if actor.can(Permission.BREACH_MANAGE):
        panels.append(_breach_panel(db, actor))
    if actor.can(Permission.ROLES_APPROVE):
        panels += _dpo_panels(db, actor)
    if actor.can(Permission.TRAINING_VIEW_COMPLIANCE):
        panels.append(_training_panel(actor))
    if actor.can(Permission.USERS_MANAGE):
        panels += _admin_panels(db, actor)
    panels += _audit_action_panels(db, actor)
    return panels


def _team(db: Session, actor: Actor) -> str | None:
    user = db.get(auth.User, actor.user_id) if actor.user_id is not None else None
    return user.team if user is not None else None


def _caseworker_panels(db: Session, actor: Actor) -> list[Panel]:
    mine = records.my_cases(
        db,
        actor,
        PageRequest(1, SHOWN),
        records.CaseFilter(
            status=CaseStatus.OPEN, worker_id=actor.user_id, sort=records.CaseSort.NEXT_DATE
        ),
        next_date=retention_work.next_date_column(Case.id),
    )
    next_dates = retention_work.next_dates(db, [c.id for c in mine.items])
    panels = [
        Panel(
            "my-cases",
            "Your open cases",
            f"/cases?status=open&worker={actor.user_id}&sort=next_date",
            "See all your cases",
            [
                Item(
                    f"{c.case_number} ({c.case_type.replace('_', ' ')})",
                    f"/cases/{c.id}",
                    next_dates.get(c.id),
                    "retention review",
                )
                for c in mine.items
            ],
            mine.total,
            max(0, mine.total - len(mine.items)),
            "You have no open cases.",
        )
    ]
    if actor.can(Permission.ARCHIVES_REQUEST):
        loans, total = archives_work.my_loans(db, actor, limit=SHOWN)
        panels.append(
            Panel(
                "paper-files",
                "Paper files you asked for",
                "/archives/retrievals",
                "See your requests for paper files",
                [
                    Item(
                        f"{loan.file_reference} ({loan.status.value})",
                        f"/cases/{loan.case_id}"
                        if loan.case_id
                        else f"/archives/files/{loan.paper_file_id}",
                        loan.due_back_on,
                        "due back",
                        "Overdue" if loan.overdue else None,
                    )
                    for loan in loans
                ],
                total,
                max(0, total - len(loans)),
                "You have no paper files out or asked for.",
            )
        )
    new = records.new_documents(db, actor, limit=SHOWN)
    panels.append(
        Panel(
            "new-documents",
            "Documents added to your cases since you last looked",
            f"/cases?status=open&worker={actor.user_id}",
            "See your cases",
            [Item(f"{d.case_number}: {d.title}", f"/documents/{d.document_id}") for d in new.items],
            new.total,
            new.more,
            "Nothing new since you last looked at your cases.",
        )
    )
    return panels


def _manager_panels(db: Session, actor: Actor) -> list[Panel]:
    loads = records.caseload(db, actor)
    free = records.unallocated(db, actor, limit=SHOWN)
    return [
        Panel(
            "caseload",
            "Open cases by worker in your team",
            "/cases?status=open",
            "See your team's cases",
            [
                Item(
                    f"{w.username}: {w.open_cases} open case{'s' if w.open_cases != 1 else ''}",
                    f"/cases?status=open&worker={w.user_id}",
                )
                for w in loads
            ],
            sum(w.open_cases for w in loads),
            0,
            "Nobody in your team works cases yet.",
        ),
        Panel(
            "unallocated",
            "Open cases nobody is allocated to",
            "/cases?status=open",
            "See your team's cases",
            [
                Item(c.case_number, f"/cases/{c.case_id}/reassign", flag="Allocate")
                for c in free.items
            ],
            free.total,
            free.more,
            "Every open case of your team has a worker.",
        ),
    ]


def _sar_panel(db: Session, actor: Actor) -> Panel:
    due = sar.due_counts(db, actor)
    return Panel(
        "sar",
        "Subject access requests",
        "/sar",
        "See the queue of requests",
        [
            Item(f"{due.overdue:,} overdue", "/sar?overdue=yes"),
            Item(
                f"{due.due_soon:,} due in the next {sar.work.SOON_DAYS} days",
                "/sar?due=week",
            ),
        ],
    )


def _governance_panels(db: Session, actor: Actor) -> list[Panel]:
    work = retention_work.work(db, actor)
    panels = [
        Panel(
            "retention-due",
            "Records due for retention review",
            "/retention/due",
            "Review records that are due",
            count=work.due,
            empty="No record is due for review."
            if work.schedule_approved
            else "No retention schedule is approved yet.",
        ),
        Panel(
            "disposal-lists",
            "Disposal lists awaiting decisions",
            "/retention/disposal",
            "See disposal lists",
            [Item(ref, f"/retention/disposal/{list_id}") for list_id, ref in work.lists_in_review],
            len(work.lists_in_review),
            empty="No disposal list is waiting.",
        ),
        Panel(
            "holds",
            "Holds in force",
            "/retention/holds",
            "See holds",
            count=work.holds_in_force,
            empty="No hold is in force.",
        ),
        Panel(
            "undatable",
            "Records that cannot be dated",
            "/retention/undatable",
            "See what each record lacks",
            count=work.undatable,
            empty="Every record can be dated.",
        ),
    ]
    if actor.can(Permission.ARCHIVES_MANAGE):
        panels.append(
            Panel(
                "paper-overdue",
                "Paper files overdue back to the archive",
                "/archives/retrievals?overdue=true",
                "See overdue paper files",
                count=archives_work.overdue_count(db, actor),
                empty="No paper file is overdue.",
            )
        )
    if actor.can(Permission.PEOPLE_MANAGE):
        panels.append(
            Panel(
                "duplicates",
                "Suspected duplicate records",
                "/people/duplicates",
                "Compare and merge suspected duplicates",
                count=identity.pending_duplicates_count(db, actor),
                empty="No suspected duplicates wait for a decision (the check runs on that page).",
            )
        )
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
            "Role grants awaiting your approval",
            "/role-grants",
            "Approve or refuse role grants",
            [
                Item(f"{names.get(g.user_id, '?')}: {g.role.replace('_', ' ')}")
                for g in grants[:SHOWN]
            ],
            len(grants),
            max(0, len(grants) - SHOWN),
        ),
        Panel(
            "refusals",
            "Staff refused access repeatedly in the last 7 days",
            "/audit",
            "Read the audit trail",
            [Item(f"{names.get(user_id, '?')}: {n} refusals") for user_id, n in refused[:SHOWN]],
            len(refused),
            max(0, len(refused) - SHOWN),
        ),
        Panel(
            "break-glass",
            "Break-glass openings to review",
            "/assurance/break-glass?show=unreviewed",
            "Review break-glass uses",
            count=records.unreviewed_break_glass_count(db),
        ),
    ]


def _breach_panel(db: Session, actor: Actor) -> Panel:
    """Open breaches, the ones whose ICO decision waits listed with their 72-hour clock."""
    waiting, open_total = breach_register.open_clocks(db, actor, SHOWN)
    return Panel(
        "breaches",
        "Open breaches",
        "/assurance/breaches?status=open",
        "See the breach register",
        [
            Item(
                f"{row.reference}: {breach_clock_words(row.clock)}",
                f"/assurance/breaches/{row.id}",
                flag="Overdue" if row.clock.state is ClockState.OVERDUE else None,
            )
            for row in waiting
        ],
        open_total,
        max(0, open_total - len(waiting)) if len(waiting) == SHOWN else 0,
        "No breach is open.",
    )


def _assurance_panel() -> Panel:
    """A link only: the measures are the dashboard's to compute, not the home page's."""
    return Panel(
        "assurance",
        "Assurance dashboard",
        "/assurance",
        "Open the assurance dashboard: every audit area's measures, green, amber or red",
    )


def _training_panel(actor: Actor) -> Panel:
    """A link only: the compliance figures take the whole workforce to count, which is the
    dashboard's work, not the home page's."""
    whole = actor.can(Permission.TRAINING_MANAGE) or actor.can(Permission.ASSURANCE_VIEW)
    return Panel(
        "training",
        "Staff training compliance" if whole else "Training of the people who report to you",
        "/training/dashboard",
        "See the training compliance dashboard",
    )


def _admin_panels(db: Session, actor: Actor) -> list[Panel]:
    concerns = auth.account_concerns(db, actor)

    def panel(key: str, title: str, users: list[auth.User], status: str) -> Panel:
        # The link names its list: three "See them all" on one page read alike out of context.
        return Panel(
            key,
            title,
            f"/users?status={status}",
            f"See all {title[0].lower()}{title[1:]}",
            [Item(u.username, f"/users/{u.id}") for u in users[:SHOWN]],
            len(users),
            max(0, len(users) - SHOWN),
        )

    return [
        panel("locked", "Accounts locked after failed sign-ins", concerns.locked, "locked"),
        panel(
            "without-two-factor",
            "Accounts without two-factor sign-in",
            concerns.without_two_factor,
            "no_two_factor",
        ),
        panel("unused", f"Accounts unused for {auth.UNUSED_DAYS} days", concerns.unused, "unused"),
    ]


def _audit_action_panels(db: Session, actor: Actor) -> list[Panel]:
    """Audit actions the actor owns and has not finished: any member of staff may own one,
    and this is where they find it (only those with some see the panel)."""
    open_items, total = audit_actions.my_open_actions(db, actor, SHOWN)
    if not total:
        return []
    return [
        Panel(
            key="audit-actions",
            title="My audit actions",
            href="/assurance/actions/mine",
            link_text="All my audit actions",
            items=[
                Item(
                    f"{a.reference}: {a.text[:80]}",
                    href=f"/assurance/actions/{a.id}",
                    when=a.agreed_on,
                    when_label="Agreed for",
                    flag="Overdue" if a.overdue else None,
                )
                for a in open_items
            ],
            count=total,
            more=total - len(open_items),
        )
    ]
