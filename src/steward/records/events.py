"""Audit tags of the records domain."""

from enum import StrEnum


class RecordsEvent(StrEnum):
    CASE_CREATED = "records:case:created"
    CASE_VIEWED = "records:case:viewed"
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
    DOCUMENT_TEXT_STARTED = "records:document:text_extraction_started"
    DOCUMENT_TEXT_EXTRACTED = "records:document:text_extracted"
    DOCUMENT_TEXT_NOT_EXTRACTED = "records:document:text_not_extracted"
    DOCUMENTS_UNEXTRACTED_LISTED = "records:documents:unextracted_listed"
    SEARCH_RUN = "records:search:run"
    BREAK_GLASS_REVIEWED = "records:break_glass:reviewed"
