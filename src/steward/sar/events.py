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
    CONSULTATION_RAISED = "sar:consultation:raised"
    CONSULTATION_ANSWERED = "sar:consultation:answered"
    CONSULTATION_CHASED = "sar:consultation:chased"
    CONSULTATIONS_READ = "sar:consultation:read"
    REPORT_VIEWED = "sar:report:viewed"
