"""The parts of assurance, in the order the sub-navigation shows them: one line per part, with
the permissions that open it (any one of them)."""

from __future__ import annotations

from dataclasses import dataclass

from steward.core.permissions import Actor, Permission


@dataclass(frozen=True)
class Section:
    href: str
    title: str
    summary: str
    permissions: tuple[Permission, ...]


SECTIONS: tuple[Section, ...] = (
    # assurance: measures and catalogue
    Section(
        "/assurance",
        "Dashboard",
        "Where the organisation stands, area by area",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/catalogue",
        "Controls",
        "The control catalogue and its versions",
        (Permission.ASSURANCE_VIEW,),
    ),
    # assurance: board report
    Section(
        "/assurance/report",
        "Board report",
        "The board's report, as an ICO audit report is laid out (PDF)",
        (Permission.ASSURANCE_VIEW,),
    ),
    # (end of assurance: board report)
    # assurance: audits and action plan
    Section(
        "/assurance/audits",
        "Audits",
        "Audits, ratings and recommendations",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/actions",
        "Action plan",
        "Open actions by priority and due date",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/self-assessment",
        "Self-assessment",
        "A rating per audit area, with its evidence",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/attestations",
        "Attestations",
        "Statements with documents and review dates",
        (Permission.ASSURANCE_VIEW,),
    ),
    # assurance: breaches
    Section(
        "/assurance/breaches",
        "Breaches",
        "Incidents and near misses, and the 72-hour clock",
        (Permission.BREACH_MANAGE, Permission.ASSURANCE_VIEW),
    ),
    # assurance: processing register
    Section(
        "/assurance/processing",
        "Record of processing",
        "Article 30 activities and their lawful bases",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/assets",
        "Information assets",
        "Paper and electronic assets and their owners",
        (Permission.ASSURANCE_VIEW,),
    ),
    Section(
        "/assurance/retention-schedule",
        "Retention schedule",
        "The schedule in print, and what changed",
        (Permission.ASSURANCE_VIEW,),
    ),
    # assurance: oversight of access
    Section(
        "/assurance/access",
        "Access history",
        "Who read or changed a case or a person's record",
        (Permission.AUDIT_READ,),
    ),
    Section(
        "/assurance/break-glass",
        "Break-glass review",
        "Emergency access and its review",
        (Permission.AUDIT_READ,),
    ),
    Section(
        "/assurance/access-review",
        "Access review",
        "Every account's role, team and sign-in, confirmed",
        (Permission.ASSURANCE_MANAGE, Permission.AUDIT_READ),
    ),
    # assurance: evidence pack
    Section(
        "/assurance/evidence-pack",
        "Evidence pack",
        "One download of the evidence for an auditor",
        (Permission.ASSURANCE_VIEW,),
    ),
)


def sections_for(actor: Actor) -> list[Section]:
    return [s for s in SECTIONS if any(map(actor.can, s.permissions))]
