"""Audit tags of the records domain."""

from enum import StrEnum


class RecordsEvent(StrEnum):
    CASE_CREATED = "records:case:created"
    CASE_VIEWED = "records:case:viewed"
    CASES_LISTED = "records:cases:listed"
    CASE_CLOSED = "records:case:closed"
    CASE_REOPENED = "records:case:reopened"
    CASE_ASSIGNED = "records:case:assigned"
    CASE_BREAK_GLASS = "records:case:break_glass"
    CASE_IMPORTED = "records:case:imported"
    PERSON_CREATED = "records:person:created"
    PERSON_VIEWED = "records:person:viewed"
    PERSON_UPDATED = "records:person:updated"
    PARTY_ADDED = "records:party:added"
    DOCUMENT_ADDED = "records:document:added"
    DOCUMENT_VIEWED = "records:document:viewed"
    DOCUMENT_DOWNLOADED = "records:document:downloaded"
    SEARCH_RUN = "records:search:run"
    BREAK_GLASS_REVIEWED = "records:break_glass:reviewed"
    BREAK_GLASS_MARKED_REVIEWED = "records:break_glass:marked_reviewed"
    BREAK_GLASS_ALERT = "records:break_glass:alert"
    BREAK_GLASS_LIMITED = "records:break_glass:limited"
    BREAK_GLASS_NO_CASE = "records:break_glass:no_case"
