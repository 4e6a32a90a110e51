"""What each audit tag and subject type is called on a page: "Case read", not "records:case:viewed".

Core cannot import the domains (they import core), so the labels are keyed by the tags'
values; tests/core/test_event_labels.py fails when any domain's tag has no label here, so a new
tag cannot reach the audit trail page unnamed.
"""

from __future__ import annotations

EVENT_LABELS: dict[str, str] = {
    # platform
    "auth:signin:succeeded": "Signed in",
    "auth:signin:failed": "Sign-in failed",
    "auth:account:locked": "Account locked",
    "auth:signout": "Signed out",
    "user:created": "Account created",
    "user:deactivated": "Account deactivated",
    "user:password:changed": "Password changed",
    "user:totp:enabled": "Two-factor sign-in set up",
    "user:totp:reset": "Two-factor sign-in reset",
    "user:role:changed": "Role changed",
    "user:password:reset": "Password reset by an administrator",
    "user:unlocked": "Account unlocked",
    "user:reactivated": "Account reactivated",
    "user:team:changed": "Team changed",
    "user:totp:required": "Two-factor sign-in required",
    "user:role_grant:requested": "Role grant requested",
    "user:role_grant:approved": "Role grant approved",
    "user:role_grant:refused": "Role grant refused",
    "token:created": "API token created",
    "token:revoked": "API token revoked",
    "crypto:kek:rotated": "Key-encryption key rotated",
    "crypto:key:destroyed": "Case data key destroyed",
    "audit:log:read": "Audit trail read",
    "audit:log:exported": "Audit trail exported",
    "audit:chain:keyed": "Audit chain re-keyed",
    "audit:chain:anchored": "Audit chain anchored",
    "access:refused": "Access refused",
    # records
    "records:case:created": "Case created",
    "records:case:viewed": "Case read",
    "records:cases:listed": "Cases listed",
    "records:case:closed": "Case closed",
    "records:case:reopened": "Case reopened",
    "records:case:assigned": "Case assigned",
    "records:case:unassigned": "Case unassigned",
    "records:case:break_glass": "Case opened by break-glass",
    "records:case:imported": "Case imported",
    "records:person:created": "Person created",
    "records:person:viewed": "Person read",
    "records:person:updated": "Person updated",
    "records:party:added": "Person added to case",
    "records:document:added": "Document added",
    "records:document:viewed": "Document read",
    "records:document:downloaded": "Document downloaded",
    "records:document:text_extraction_started": "Document text extraction started",
    "records:document:text_extracted": "Document text extracted",
    "records:document:text_not_extracted": "Document text could not be extracted",
    "records:documents:unextracted_listed": "Documents without text listed",
    "records:search:run": "Records searched",
    "records:break_glass:reviewed": "Break-glass use reviewed",
    "records:break_glass:marked_reviewed": "Break-glass use marked reviewed",
    "records:break_glass:alert": "Break-glass alert raised",
    "records:break_glass:limited": "Break-glass refused, limit reached",
    "records:break_glass:no_case": "Break-glass refused, no such case",
    # identity
    "identity:people:imported": "Person index imported",
    "identity:people:reindexed": "People re-indexed for matching",
    "identity:model:trained": "Matching model trained",
    "identity:search:run": "People searched",
    "identity:duplicates:listed": "Duplicates listed",
    "identity:duplicates:checked": "Duplicates checked across all people",
    "identity:pair:not_same": "Recorded as not the same person",
    "identity:person:merged": "Person records merged",
    "identity:person:unmerged": "Person records un-merged",
    # retention
    "retention:schedule:loaded": "Retention schedule loaded",
    "retention:schedule:approved": "Retention schedule approved",
    "retention:schedule:withdrawn": "Retention schedule withdrawn",
    "retention:sweep:run": "Retention dates recalculated",
    "retention:due:listed": "Records due listed",
    "retention:case:explained": "Case retention explained",
    "retention:event:recorded": "Retention event recorded",
    "retention:holds:listed": "Holds listed",
    "retention:hold:placed": "Hold placed",
    "retention:hold:released": "Hold released",
    "retention:disposal:proposed": "Disposal list proposed",
    "retention:disposal:decided": "Disposal decision made",
    "retention:disposal:approved": "Disposal approved",
    "retention:disposal:cancelled": "Disposal cancelled",
    "retention:disposal:started": "Disposal started",
    "retention:item:destroyed": "Record destroyed",
    "retention:item:marked": "Paper file marked for destruction by a disposal",
    "retention:item:kept": "Record kept",
    "retention:disposal:completed": "Disposal completed",
    "retention:database:compacted": "Database compacted",
    "retention:report:viewed": "Retention report read",
    "retention:undatable:listed": "Records that cannot be dated listed",
    "retention:reasons:sealed": "Decision reasons sealed",
    # archives
    "archives:location:created": "Archive location created",
    "archives:box:created": "Archive box created",
    "archives:box:moved": "Archive box moved",
    "archives:box:updated": "Archive box updated",
    "archives:box:destroyed": "Archive box destroyed",
    "archives:file:added": "Paper file added",
    "archives:file:updated": "Paper file updated",
    "archives:file:viewed": "Paper file read",
    "archives:file:marked_for_destruction": "Paper file marked for destruction",
    "archives:file:destroyed": "Paper file destroyed",
    "archives:retrieval:requested": "Paper file requested",
    "archives:retrieval:out": "Paper file sent out",
    "archives:retrieval:returned": "Paper file returned",
    "archives:retrieval:cancelled": "Paper file request cancelled",
    "archives:import:run": "Archive inventory imported",
    "archives:certificate:reconciled": "Destruction certificate reconciled",
    "archives:search:run": "Paper archive searched",
    "archives:inventory:exported": "Archive inventory exported",
    "archives:names:linked": "Names on paper files linked",
    "archives:notes:sealed": "Paper file notes sealed",
    # subject access requests
    "sar:request:received": "Request received",
    "sar:request:read": "Request read",
    "sar:request:listed": "Requests listed",
    "sar:request:moved": "Request moved on",
    "sar:request:extended": "Request extended",
    "sar:request:clarification_asked": "Clarification asked for (clock stopped)",
    "sar:request:clarification_answered": "Clarification received (clock restarted)",
    "sar:request:evidence_received": "ID, authority or fee received",
    "sar:request:assigned": "Request assigned",
    "sar:consultation:raised": "Consultation raised",
    "sar:consultation:answered": "Consultation answered",
    "sar:consultation:chased": "Consultation chased",
    "sar:consultation:read": "Consultations read",
    "sar:report:viewed": "Subject access performance report viewed",
}

# What a subject_type names, for "Disposal list 3" in a sentence.
SUBJECT_LABELS: dict[str, str] = {
    "sar_request": "Subject access request",
    "api_token": "API token",
    "archive_box": "Archive box",
    "archive_certificate": "Destruction certificate",
    "archive_location": "Archive location",
    "archive_retrieval": "Paper file request",
    "case": "Case",
    "disposal_item": "Disposal item",
    "disposal_list": "Disposal list",
    "document": "Document",
    "identity_model": "Matching model",
    "paper_file": "Paper file",
    "person": "Person record",
    "retention_hold": "Hold",
    "retention_schedule": "Retention schedule",
    "user": "Account",
}


def _words(code: str) -> str:
    text = code.replace("_", " ").replace(":", " ").strip()
    return text[:1].upper() + text[1:]


def event_label(tag: str) -> str:
    """The tag's label; an unknown tag (written by a newer version) still reads as words."""
    return EVENT_LABELS.get(tag) or _words(tag)


def subject_label(subject_type: str) -> str:
    return SUBJECT_LABELS.get(subject_type) or _words(subject_type)
