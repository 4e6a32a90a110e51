"""The training demo's catalogue: the courses it adds beside Steward's built-in modules, the
LMS ids the organisation's LMSs name them by, and the requirements the DPO sets (the plan in
``demo.training_plan`` follows the same filters, so its history is judged by them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from steward.core.permissions import Role
from steward.training import policy
from steward.training.catalogue_schemas import CourseCreate
from steward.training.policy import Delivery, EmploymentType, RequirementKind, Topic

PERMANENT = EmploymentType.PERMANENT
TEMPORARY = EmploymentType.TEMPORARY
CONTRACTOR = EmploymentType.CONTRACTOR
VOLUNTEER = EmploymentType.VOLUNTEER

# Codes of the built-in modules (training/modules/*.md) and of the demo's own courses.
DP = "DP-INDUCTION"
CYBER = "CYBER-SECURITY"
REMOTE = "REMOTE-WORKING"
RECORDS = "RECORDS-MGMT"
SAR = "SAR-HANDLING"
SAFEGUARDING = "SAFEGUARDING-SHARING"
ARCHIVE = "RECORDS-ARCHIVE"
INFOSEC = "INFOSEC-POLICY"
MANAGING = "MANAGING-INFO"

CYBER_ACTIVITY = "https://learn.cyber-provider.example/xapi/activities/cyber-security-awareness"
# How the LMSs name the built-in modules' courses (added to the modules' courses' LMS ids),
# the example files' ids among them (docs/examples/training/), so those import here too.
MODULE_LMS_IDS: dict[str, list[str]] = {
    DP: ["dp-induction", "dp-refresher", "https://lms.example.org/xapi/activities/dp-induction"],
    CYBER: [CYBER_ACTIVITY, "cyber-2025", "https://lms.example.org/xapi/activities/cyber-2025"],
    REMOTE: ["remote-working"],
    RECORDS: ["records-mgmt"],
    SAR: ["sar-handling"],
}

COURSES: tuple[CourseCreate, ...] = (
    CourseCreate(
        code=SAFEGUARDING,
        title="Safeguarding and information sharing",
        topic=Topic.INFORMATION_SHARING,
        delivery=Delivery.CLASSROOM,
        duration_minutes=180,
        description="When and how to share information to keep a child safe: the seven golden "
        "rules, consent and when it is not needed, recording what was shared and why.",
        validity_months=36,
        lms_ids=["safeguarding-sharing"],
    ),
    CourseCreate(
        code=ARCHIVE,
        title="Records management for archive staff",
        topic=Topic.RECORDS_MANAGEMENT,
        delivery=Delivery.CLASSROOM,
        duration_minutes=240,
        description="Boxing, listing and moving paper files; retrievals and loans; holds; "
        "the disposal run and its certificates.",
        validity_months=24,
        lms_ids=["records-archive"],
    ),
    CourseCreate(
        code=INFOSEC,
        title="Information security policy",
        topic=Topic.CYBER_SECURITY,
        delivery=Delivery.READING,
        duration_minutes=30,
        description="Read the information security policy and acknowledge that you have read "
        "and will follow it.",
        validity_months=24,
        lms_ids=["infosec-policy"],
    ),
    CourseCreate(
        code=MANAGING,
        title="Managing information in your team",
        topic=Topic.MANAGEMENT,
        delivery=Delivery.WEBINAR,
        duration_minutes=90,
        description="For line managers: starters' induction, leavers' access, checking your "
        "team's training, handling a breach reported to you.",
        validity_months=36,
        lms_ids=["managing-info"],
    ),
)


@dataclass(frozen=True)
class RequirementSpec:
    """A requirement the demo sets, and the rule the plan follows for it: the same filters
    (``audience``) compliance will match people with."""

    course: str
    kind: RequirementKind
    due_within_days: int | None  # None: the organisation's induction days
    teams: tuple[str, ...] | None = None
    job_roles: tuple[str, ...] | None = None
    employment_types: tuple[EmploymentType, ...] | None = None
    account_roles: tuple[Role, ...] | None = None

    def audience(self) -> policy.Audience:
        def allowed(values: Sequence[str] | None) -> frozenset[str] | None:
            return None if values is None else frozenset(str(v) for v in values)

        return policy.Audience(
            job_roles=allowed(self.job_roles),
            teams=allowed(self.teams),
            employment_types=allowed(self.employment_types),
            account_roles=allowed(self.account_roles),
        )


MANAGER_ROLES = ("Team manager", "Service manager")
IG_ROLE = "Information governance officer"
REQUIREMENTS: tuple[RequirementSpec, ...] = (
    RequirementSpec(DP, RequirementKind.INDUCTION, None),
    RequirementSpec(CYBER, RequirementKind.MANDATORY, 30),
    RequirementSpec(
        REMOTE, RequirementKind.MANDATORY, 30, employment_types=(PERMANENT, TEMPORARY, CONTRACTOR)
    ),
    RequirementSpec(RECORDS, RequirementKind.MANDATORY, 60),
    # Staff not employed by the organisation acknowledge its information security policy
    # (employees agree to it in their contract).
    RequirementSpec(
        INFOSEC, RequirementKind.MANDATORY, 30, employment_types=(TEMPORARY, CONTRACTOR, VOLUNTEER)
    ),
    RequirementSpec(SAFEGUARDING, RequirementKind.MANDATORY, 90, teams=("north", "south")),
    RequirementSpec(SAR, RequirementKind.SPECIALIST, 60, account_roles=(Role.IG_OFFICER,)),
    RequirementSpec(SAR, RequirementKind.SPECIALIST, 60, job_roles=(IG_ROLE,)),
    RequirementSpec(MANAGING, RequirementKind.SPECIALIST, 90, account_roles=(Role.MANAGER,)),
    RequirementSpec(MANAGING, RequirementKind.SPECIALIST, 90, job_roles=MANAGER_ROLES),
    RequirementSpec(ARCHIVE, RequirementKind.SPECIALIST, 120, teams=("archive",)),
)


# Sessions of the courses recorded by hand: (first session, every so many days). Completions
# of them fall on session days.
SESSIONS: dict[str, tuple[date, int]] = {
    SAFEGUARDING: (date(2020, 1, 7), 21),  # a Tuesday, every three weeks
    ARCHIVE: (date(2020, 1, 9), 91),  # a Thursday, every quarter
    MANAGING: (date(2020, 1, 15), 28),  # a Wednesday webinar, every four weeks
    INFOSEC: (date(2020, 1, 31), 28),  # volunteers' paper forms, entered every four weeks
}
