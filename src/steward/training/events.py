"""Audit tags of staff training. Details carry ids, codes, counts and dates only: never a
member of staff's name or email, nor an answer given in a quiz."""

from enum import StrEnum


class TrainingEvent(StrEnum):
    STAFF_IMPORTED = "training:staff:imported"
    STAFF_LINKED = "training:staff:linked"
    STAFF_UNLINKED = "training:staff:unlinked"
    STAFF_LISTED = "training:staff:listed"
    STAFF_VIEWED = "training:staff:viewed"
    COURSE_CREATED = "training:course:created"
    COURSE_CHANGED = "training:course:changed"
    COURSE_VERSION_RELEASED = "training:course:version_released"
    COURSE_RETIRED = "training:course:retired"
    REQUIREMENT_SET = "training:requirement:set"
    REQUIREMENT_ENDED = "training:requirement:ended"
    COMPLETIONS_IMPORTED = "training:completions:imported"
    COMPLETION_RECORDED = "training:completion:recorded"
    EVIDENCE_DOWNLOADED = "training:evidence:downloaded"
    ATTEMPT_STARTED = "training:attempt:started"
    ATTEMPT_SUBMITTED = "training:attempt:submitted"
    CERTIFICATE_ISSUED = "training:certificate:issued"
    CERTIFICATE_CHECKED = "training:certificate:checked"
    REMINDER_SENT = "training:reminder:sent"
    ESCALATION_SENT = "training:escalation:sent"
    TEAM_READ = "training:team:read"  # a manager's team page, or one of their reports
    REMINDERS_LISTED = "training:reminders:listed"
    REPORT_READ = "training:report:read"
    REPORT_EXPORTED = "training:report:exported"
    GATE_CLOSED = "training:gate:closed"
    # The organisation's training settings; turning the gate off or on is tagged as such, so
    # an auditor finds it without reading every settings change.
    SETTINGS_CHANGED = "training:settings:changed"
    GATE_TURNED_OFF = "training:gate:turned_off"
    GATE_TURNED_ON = "training:gate:turned_on"
