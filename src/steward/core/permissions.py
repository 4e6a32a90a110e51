"""Roles, the verbs they grant, and the Actor every service call receives.

Pure rules, no database: the one table an auditor reads to see who may do what.
Need-to-know on case content (assignment, break-glass) sits on top of these verbs in records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from steward.core.errors import Forbidden


class Role(StrEnum):
    CASEWORKER = "caseworker"
    MANAGER = "manager"
    IG_OFFICER = "ig_officer"
    DPO = "dpo"
    ADMIN = "admin"
    AUDITOR = "auditor"
    PARTNER = "partner"


class Permission(StrEnum):
    CASES_READ_ASSIGNED = "cases:read_assigned"
    CASES_READ_TEAM = "cases:read_team"
    CASES_READ_ALL = "cases:read_all"
    CASES_WRITE = "cases:write"
    CASES_BREAK_GLASS = "cases:break_glass"
    RETENTION_MANAGE = "retention:manage"
    RETENTION_APPROVE = "retention:approve"
    ARCHIVES_MANAGE = "archives:manage"
    ARCHIVES_REQUEST = "archives:request"
    SAR_MANAGE = "sar:manage"
    TRAINING_MANAGE = "training:manage"
    TRAINING_VIEW_COMPLIANCE = "training:view_compliance"
    # The organisation's training settings (the induction gate above all): the DPO's alone.
    TRAINING_SETTINGS = "training:settings"
    INTAKE_SUBMIT = "intake:submit"
    INTAKE_REVIEW = "intake:review"
    ASSURANCE_VIEW = "assurance:view"
    ASSURANCE_MANAGE = "assurance:manage"
    # Anyone on the staff can report a suspected breach; the IG team triages and decides.
    BREACH_REPORT = "breach:report"
    BREACH_MANAGE = "breach:manage"
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"
    PEOPLE_MANAGE = "people:manage"
    ROLES_APPROVE = "roles:approve"


_STAFF = frozenset({Permission.TOKENS_OWN, Permission.BREACH_REPORT})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: _STAFF
    | {
        Permission.CASES_READ_ASSIGNED,
        Permission.CASES_WRITE,
        Permission.CASES_BREAK_GLASS,
        Permission.ARCHIVES_REQUEST,
    },
    Role.MANAGER: _STAFF
    | {
        Permission.CASES_READ_ASSIGNED,
        Permission.CASES_READ_TEAM,
        Permission.CASES_WRITE,
        Permission.CASES_BREAK_GLASS,
        Permission.TRAINING_VIEW_COMPLIANCE,
        Permission.ARCHIVES_REQUEST,
    },
    Role.IG_OFFICER: _STAFF
    | {
        Permission.CASES_READ_ALL,
        Permission.RETENTION_MANAGE,
        Permission.RETENTION_APPROVE,
        Permission.ARCHIVES_MANAGE,
        Permission.ARCHIVES_REQUEST,
        Permission.SAR_MANAGE,
        Permission.PEOPLE_MANAGE,
        Permission.INTAKE_REVIEW,
        Permission.TRAINING_VIEW_COMPLIANCE,
        Permission.ASSURANCE_VIEW,
        Permission.BREACH_MANAGE,
    },
    Role.DPO: _STAFF
    | {
        Permission.CASES_READ_ALL,
        Permission.RETENTION_MANAGE,
        Permission.RETENTION_APPROVE,
        Permission.ARCHIVES_MANAGE,
        Permission.ARCHIVES_REQUEST,
        Permission.SAR_MANAGE,
        Permission.PEOPLE_MANAGE,
        Permission.INTAKE_REVIEW,
        Permission.TRAINING_MANAGE,
        Permission.TRAINING_VIEW_COMPLIANCE,
        Permission.TRAINING_SETTINGS,
        Permission.ASSURANCE_VIEW,
        Permission.ASSURANCE_MANAGE,
        Permission.BREACH_MANAGE,
        Permission.AUDIT_READ,
        Permission.ROLES_APPROVE,
    },
    # Admin runs the system (accounts, tokens) but sees no case content.
    Role.ADMIN: _STAFF | {Permission.USERS_MANAGE, Permission.TRAINING_MANAGE},
    Role.AUDITOR: _STAFF
    | {Permission.AUDIT_READ, Permission.ASSURANCE_VIEW, Permission.TRAINING_VIEW_COMPLIANCE},
    Role.PARTNER: frozenset({Permission.INTAKE_SUBMIT, Permission.TOKENS_OWN}),
}

# How a role reads on a page: never the stored code ("dpo", "ig_officer").
ROLE_NAMES: dict[Role, str] = {
    Role.CASEWORKER: "Caseworker",
    Role.MANAGER: "Manager",
    Role.IG_OFFICER: "Information governance officer",
    Role.DPO: "Data protection officer",
    Role.ADMIN: "Administrator",
    Role.AUDITOR: "Auditor",
    Role.PARTNER: "Partner organisation user",
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.CASEWORKER: "Works the cases assigned to them.",
    Role.MANAGER: "Oversees the cases of their team.",
    Role.IG_OFFICER: "Answers subject access requests and runs retention and disposal.",
    Role.DPO: "Data Protection Officer: monitors compliance and approves disposal.",
    Role.ADMIN: "Manages staff accounts and training; sees no case content.",
    Role.AUDITOR: "Reads the audit trail and the assurance evidence.",
    Role.PARTNER: "Uploads data on behalf of a partner organisation.",
}

PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    Permission.CASES_READ_ASSIGNED: "Read the cases assigned to you",
    Permission.CASES_READ_TEAM: "Read your team's cases",
    Permission.CASES_READ_ALL: "Read any case, for information-governance duties",
    Permission.CASES_WRITE: "Add to and update case records",
    Permission.CASES_BREAK_GLASS: "Open an unassigned case in an emergency, with a logged reason",
    Permission.RETENTION_MANAGE: "Manage the retention schedule, holds and disposal lists",
    Permission.RETENTION_APPROVE: "Approve retention schedules and destruction",
    Permission.ARCHIVES_MANAGE: "Run the paper archive: locations, boxes, retrievals, certificates",
    Permission.ARCHIVES_REQUEST: "Ask for a paper file of a case you may read to be retrieved",
    Permission.SAR_MANAGE: "Handle subject access requests",
    Permission.TRAINING_MANAGE: "Manage courses and training requirements",
    Permission.TRAINING_VIEW_COMPLIANCE: "See who has completed their training",
    Permission.TRAINING_SETTINGS: (
        "Change the organisation's training settings: the induction gate, deadlines and target"
    ),
    Permission.INTAKE_SUBMIT: "Submit partner data",
    Permission.INTAKE_REVIEW: "Review and accept partner data",
    Permission.ASSURANCE_VIEW: "See the assurance dashboard",
    Permission.ASSURANCE_MANAGE: "Manage controls, the action plan and breaches",
    Permission.BREACH_REPORT: "Report a suspected personal data breach",
    Permission.BREACH_MANAGE: "Triage breaches and decide on notifying the ICO and people",
    Permission.AUDIT_READ: "Read the audit trail",
    Permission.USERS_MANAGE: "Manage staff accounts",
    Permission.TOKENS_OWN: "Create and revoke your own API tokens",
    Permission.PEOPLE_MANAGE: (
        "Import the legacy person index, train matching, merge person records, correct a "
        "person's details and restrict their records"
    ),
    Permission.ROLES_APPROVE: "Approve or refuse the grant of a role that can read case content",
}

_CONTENT_PERMISSIONS = frozenset(
    {Permission.CASES_READ_ASSIGNED, Permission.CASES_READ_TEAM, Permission.CASES_READ_ALL}
)


def reads_case_content(role: Role) -> bool:
    """Whether the role opens case content: granting it needs a second person (maker-checker)."""
    return bool(ROLE_PERMISSIONS[role] & _CONTENT_PERMISSIONS)


def needs_two_factor(role: Role) -> bool:
    """Roles that read case content or manage accounts sign in with a second factor."""
    return reads_case_content(role) or Permission.USERS_MANAGE in ROLE_PERMISSIONS[role]


class ActorKind(StrEnum):
    USER = "user"
    SYSTEM = "system"
    # A member of the public using an open form (a subject access request): no account, no
    # permission; the one service that takes them reaches only their own submission.
    PUBLIC = "public"


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``SYSTEM`` is the operator at the command line, trusted because they
    hold the key file; ``PUBLIC`` is someone using a public form, with no permission at all;
    every other actor is a signed-in user with one role."""

    kind: ActorKind
    user_id: int | None
    role: Role | None

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM, user_id=None, role=None)

    @classmethod
    def public(cls) -> Actor:
        return cls(kind=ActorKind.PUBLIC, user_id=None, role=None)

    @classmethod
    def user(cls, user_id: int, role: Role) -> Actor:
        return cls(kind=ActorKind.USER, user_id=user_id, role=role)

    def can(self, permission: Permission) -> bool:
        if self.kind is ActorKind.SYSTEM:
            return True
        return self.role is not None and permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise Forbidden("Your role does not allow this.")

    @property
    def permissions(self) -> frozenset[Permission]:
        if self.kind is ActorKind.SYSTEM:
            return frozenset(Permission)
        return ROLE_PERMISSIONS[self.role] if self.role else frozenset()
