"""What each figure of the compliance report counts, said once: the page shows it beside
the figure, the API and the command line's JSON carry it, the CSV's columns follow it. And
the words the report reads in (statuses, employment types, topics), never the stored codes."""

from __future__ import annotations

from steward.training.policy import EmploymentType, Status, Topic

TARGET_LABEL = "The organisation's target (its own choice, not a legal requirement)"
NO_TEAM = "No team"

DEFINITIONS: dict[str, str] = {
    "organisation": (
        "Staff in scope who are compliant, out of all staff in scope, leaving out those still "
        "inside their first window for everything they lack (a new starter before their "
        "induction deadline, everyone before a new version's redo deadline). In scope: "
        "started on or before the date and not yet left. Compliant: no course that applies "
        "to them is overdue or never done; someone no course applies to lacks nothing."
    ),
    "team": "The organisation's figure for the members of one team, as HR lists them.",
    "employment_type": (
        "The organisation's figure for one employment type. Temporary workers, contractors "
        "and volunteers count exactly as permanent staff do."
    ),
    "topic": (
        "Of the staff at least one course of the topic applies to, those with none of its "
        "courses overdue or never done, leaving out those inside their first window for "
        "every course of the topic they lack."
    ),
    "course": (
        "The staff the course applies to, by where they stand. Its percentage is current and "
        "due soon, out of those it applies to, leaving out those not yet due."
    ),
    "current": "Completed, and not lapsing within the due-soon window.",
    "due_soon": "Completed, and lapsing within the due-soon window: a reminder goes.",
    "overdue": "The last completion has lapsed: the refresher interval has passed.",
    "never_done": "Never completed (or not since a new version everyone must redo), and "
    "the deadline to do it the first time has passed.",
    "not_yet_due": "Not completed yet, but still inside the first window to do it: a new "
    "starter's induction window, a new version's redo window or a newly required course.",
    "target": (
        "The organisation's own target for the share of staff trained, set on the training "
        "settings page. 95% is a common yardstick (long the NHS Data Security and Protection "
        "Toolkit's rule); it is not a requirement of the law."
    ),
    "trend": (
        "The organisation's figure as it stood at the end of each of the last twelve months, "
        "counted from the records as they are now: a completion recorded late counts from "
        "the day it was completed, a leaver up to their leaving date."
    ),
    "non_compliant": "Everyone in scope with a course overdue or never done, and what they lack.",
}

STATUS_LABELS: dict[Status, str] = {
    Status.CURRENT: "Current",
    Status.DUE_SOON: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.NEVER_DONE: "Never done",
    Status.NOT_YET_DUE: "Not yet due",
}
EMPLOYMENT_LABELS: dict[EmploymentType, str] = {
    EmploymentType.PERMANENT: "Permanent",
    EmploymentType.TEMPORARY: "Temporary",
    EmploymentType.CONTRACTOR: "Contractor",
    EmploymentType.VOLUNTEER: "Volunteer",
}
TOPIC_LABELS: dict[str, str] = {
    Topic.DATA_PROTECTION: "Data protection",
    Topic.CYBER_SECURITY: "Cyber security",
    Topic.REMOTE_WORKING: "Remote working",
    Topic.RECORDS_MANAGEMENT: "Records management",
    Topic.SAR_HANDLING: "Subject access request handling",
    Topic.INFORMATION_SHARING: "Information sharing",
    Topic.MANAGEMENT: "Management",
    Topic.OTHER: "Other",
}


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic.replace("_", " ").capitalize())
