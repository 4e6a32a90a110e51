"""Audit tags of oversight of access."""

from enum import StrEnum


class OversightEvent(StrEnum):
    ACCESS_HISTORY_READ = "assurance:access_history:read"
    ACCESS_HISTORY_EXPORTED = "assurance:access_history:exported"
    BREAK_GLASS_LISTED = "assurance:break_glass:listed"
    BREAK_GLASS_READ = "assurance:break_glass:read"
    BREAK_GLASS_EXPORTED = "assurance:break_glass:exported"
    BREAK_GLASS_OUTCOME = "assurance:break_glass:outcome_recorded"
    ACCESS_REVIEW_OPENED = "assurance:access_review:opened"
    ACCESS_REVIEW_READ = "assurance:access_review:read"
    ACCESS_REVIEW_DECIDED = "assurance:access_review:account_decided"
    ACCESS_REVIEW_CLOSED = "assurance:access_review:closed"
