"""Audit tags of the retention domain. Details carry ids, codes, counts and dates only."""

from enum import StrEnum


class RetentionAudit(StrEnum):
    SCHEDULE_LOADED = "retention:schedule:loaded"
    SCHEDULE_APPROVED = "retention:schedule:approved"
    SCHEDULE_WITHDRAWN = "retention:schedule:withdrawn"
    SWEEP_RUN = "retention:sweep:run"
    DUE_LISTED = "retention:due:listed"
    CASE_EXPLAINED = "retention:case:explained"
    EVENT_RECORDED = "retention:event:recorded"
    HOLD_PLACED = "retention:hold:placed"
    HOLD_RELEASED = "retention:hold:released"
    HOLDS_LISTED = "retention:holds:listed"
    DISPOSAL_PROPOSED = "retention:disposal:proposed"
    ITEM_DECIDED = "retention:disposal:decided"
    DISPOSAL_APPROVED = "retention:disposal:approved"
    DISPOSAL_CANCELLED = "retention:disposal:cancelled"
    DISPOSAL_STARTED = "retention:disposal:started"
    ITEM_DESTROYED = "retention:item:destroyed"
    ITEM_MARKED = "retention:item:marked"
    ITEM_KEPT = "retention:item:kept"
    DISPOSAL_COMPLETED = "retention:disposal:completed"
    CERTIFICATE_PRINTED = "retention:certificate:printed"  # a certificate of destruction, as PDF
    DATABASE_COMPACTED = "retention:database:compacted"
    REPORT_VIEWED = "retention:report:viewed"
    SCHEDULE_EXPORTED = "retention:schedule:exported"  # a schedule, or two compared, as PDF
    UNDATABLE_LISTED = "retention:undatable:listed"
    REASONS_SEALED = "retention:reasons:sealed"
    CLASS_REVIEWED = "retention:class:reviewed"
