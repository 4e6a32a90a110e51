"""Audit tags of subject access requests. Details carry ids, codes and dates only: never the
requester's name, what they asked for, or a search term."""

from enum import StrEnum


class SarEvent(StrEnum):
    RECEIVED = "sar:request:received"
    READ = "sar:request:read"
    LISTED = "sar:request:listed"
    MOVED = "sar:request:moved"
    EXTENDED = "sar:request:extended"
    CLARIFICATION_ASKED = "sar:request:clarification_asked"
    CLARIFICATION_ANSWERED = "sar:request:clarification_answered"
    DAY_ONE_EVIDENCE = "sar:request:evidence_received"
    ASSIGNED = "sar:request:assigned"
    # Letters (sar/service/letters.py): details carry the letter's id and kind, never its text.
    LETTER_TEMPLATE_EDITED = "sar:letter_template:edited"
    LETTER_MADE = "sar:letter:made"
    LETTER_DOWNLOADED = "sar:letter:downloaded"
    LETTER_EMAILED = "sar:letter:emailed"
    LETTER_POSTED = "sar:letter:posted"
    TASK_DONE = "sar:task:done"
    DECIDED = "sar:request:decided"
    DOCUMENT_ADDED = "sar:document:added"
    DOCUMENT_DOWNLOADED = "sar:document:downloaded"
    SEARCH_STARTED = "sar:search:started"
    SEARCH_FINISHED = "sar:search:finished"
    SEARCH_READ = "sar:search:read"
    HIT_TRIAGED = "sar:search:hit_triaged"
    PAPER_REQUESTED = "sar:search:paper_requested"
    CONSULTATION_RAISED = "sar:consultation:raised"
    CONSULTATION_ANSWERED = "sar:consultation:answered"
    CONSULTATION_CHASED = "sar:consultation:chased"
    CONSULTATIONS_READ = "sar:consultation:read"
    REPORT_VIEWED = "sar:report:viewed"
    # The disclosure bundle and its delivery (sar/service/bundle.py, delivery.py): details
    # carry ids, counts, codes and times; never a token, a passcode or the bundle's content.
    BUNDLE_BUILD_STARTED = "sar:bundle:build_started"
    BUNDLE_BUILT = "sar:bundle:built"
    BUNDLE_FAILED = "sar:bundle:failed"
    BUNDLE_DOWNLOADED = "sar:bundle:downloaded"
    LINK_ISSUED = "sar:delivery:link_issued"
    LINK_REVOKED = "sar:delivery:link_revoked"
    LINK_PASSCODE_WRONG = "sar:delivery:passcode_wrong"
    LINK_LOCKED = "sar:delivery:link_locked"
    DELIVERY_DOWNLOADED = "sar:delivery:downloaded"
    BUNDLE_POSTED = "sar:delivery:posted"
