"""Audit tags of partner-data intake. Details carry ids, codes, counts and dates only: never
a value a partner sent, nor an officer's reason (sealed on the row)."""

from enum import StrEnum


class IntakeEvent(StrEnum):
    PARTNER_CREATED = "intake:partner:created"
    PARTNER_CHANGED = "intake:partner:changed"
    CONTACT_ADDED = "intake:contact:added"
    CONTACT_REMOVED = "intake:contact:removed"
    USER_LINKED = "intake:user:linked"
    USER_UNLINKED = "intake:user:unlinked"
    AGREEMENT_CREATED = "intake:agreement:created"
    AGREEMENT_ENDED = "intake:agreement:ended"
    SUBMISSION_RECEIVED = "intake:submission:received"
    SUBMISSION_REFUSED = "intake:submission:refused"
    SUBMISSION_VALIDATED = "intake:submission:validated"
    SUBMISSION_READ = "intake:submission:read"
    REPORT_EXPORTED = "intake:report:exported"
    ROW_RECORDED = "intake:row:recorded"
    ROW_READ = "intake:row:read"  # an officer opened a held row's values
    ROW_ACCEPTED = "intake:row:accepted"
    ROW_CORRECTED = "intake:row:corrected"
    ROW_REJECTED = "intake:row:rejected"
    NOTICE_SENT = "intake:notice:sent"
    QUALITY_READ = "intake:quality:read"
    SUBMISSION_SHREDDED = "intake:submission:shredded"
