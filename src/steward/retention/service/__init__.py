"""The retention domain's use-cases, one module per use-case. Adapters and other domains
(the subject access request domain's automatic hold, and its request files registered as a
kind of record through ``registry``) import from here."""

from steward.records.service import changes as _record_changes
from steward.retention.service import (
    certificates,
    dates,
    destruction,
    disposal,
    holds,
    jobs,
    rectification,
    registry,
    report,
    schedule_print,
    schedules,
    sealing,
    undatable,
)
from steward.retention.service.holds import hold_for_subject_access, release_subject_access

# New, closed and reopened cases are dated as they change (records cannot call retention).
_record_changes.subscribe(dates.on_cases_changed)

__all__ = [
    "certificates",
    "dates",
    "destruction",
    "disposal",
    "hold_for_subject_access",
    "holds",
    "jobs",
    "rectification",
    "registry",
    "release_subject_access",
    "report",
    "schedule_print",
    "schedules",
    "sealing",
    "undatable",
]
