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
    "outbox:message:queued": "Email kept in the outbox",
    "outbox:message:sent": "Email sent",
    "outbox:message:failed": "Email could not be sent",
    "outbox:messages:listed": "Outbox listed",
    "outbox:message:read": "Outbox message read",
    "outbox:attachment:downloaded": "Outbox attachment downloaded",
    "outbox:message:shredded": "Outbox message destroyed",
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
    "records:person:corrected": "Person's details corrected",
    "records:person:corrections_read": "Person's earlier details read",
    "records:person:restricted": "Person's records restricted",
    "records:person:restriction_lifted": "Restriction on person's records lifted",
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
    "sar:letter_template:edited": "Letter template edited",
    "sar:letter:made": "Letter made",
    "sar:letter:downloaded": "Letter downloaded",
    "sar:letter:emailed": "Letter sent by email",
    "sar:letter:posted": "Letter marked as posted",
    "sar:task:done": "Task done",
    "sar:request:decided": "Decision recorded",
    "sar:document:added": "Request document added",
    "sar:document:downloaded": "Request document downloaded",
    "sar:search:started": "Search for a request's subject started",
    "sar:search:finished": "Search for a request's subject finished",
    "sar:search:read": "Search results of a request read",
    "sar:search:hit_triaged": "Search result triaged",
    "sar:search:paper_requested": "Paper file asked for, for a request",
    "sar:consultation:raised": "Consultation raised",
    "sar:consultation:answered": "Consultation answered",
    "sar:consultation:chased": "Consultation chased",
    "sar:consultation:read": "Consultations read",
    "sar:report:viewed": "Subject access performance report viewed",
    "sar:bundle:build_started": "Disclosure bundle build started",
    "sar:bundle:built": "Disclosure bundle built",
    "sar:bundle:failed": "Disclosure bundle failed its build",
    "sar:bundle:downloaded": "Disclosure bundle downloaded by staff",
    "sar:delivery:link_issued": "Disclosure download link issued",
    "sar:delivery:link_revoked": "Disclosure download link revoked",
    "sar:delivery:passcode_wrong": "Wrong passcode for a disclosure link",
    "sar:delivery:link_locked": "Disclosure link locked after wrong passcodes",
    "sar:delivery:downloaded": "Disclosure bundle downloaded by the requester",
    "sar:delivery:posted": "Disclosure bundle marked as posted",
    "sar:disclosure:proposed": "Redactions looked for in a request's documents",
    "sar:disclosure:detected": "Redactions proposed for a request's documents",
    "sar:disclosure:read": "Disclosure review read",
    "sar:redaction:decided": "Redaction accepted or rejected",
    "sar:redaction:added": "Redaction added by a reviewer",
    "sar:redaction:bulk_accepted": "Redactions of one person accepted together",
    "sar:redaction:area_added": "Area of a scanned page redacted",
    "sar:disclosure:withheld": "Document withheld from a disclosure",
    "sar:disclosure:restored": "Withheld document put back in a disclosure",
    "sar:disclosure:submitted": "Disclosure sent for approval",
    "sar:disclosure:approved": "Disclosure approved",
    "sar:disclosure:reopened": "Disclosure reopened",
    "sar:disclosure:planned": "Disclosure bundle's contents read",
    # staff training
    "training:staff:imported": "Staff imported from HR",
    "training:staff:linked": "Member of staff linked to an account",
    "training:staff:unlinked": "Member of staff unlinked from their account",
    "training:staff:listed": "Staff listed",
    "training:staff:viewed": "Member of staff's training read",
    "training:completions:imported": "Completions imported from a learning system",
    "training:completion:recorded": "Training completion recorded",
    "training:evidence:downloaded": "Training evidence downloaded",
    "training:attempt:started": "Training quiz started",
    "training:attempt:submitted": "Training quiz submitted",
    "training:certificate:issued": "Training certificate issued",
    "training:reminder:sent": "Training reminder sent",
    "training:escalation:sent": "Overdue training escalated to a manager",
    "training:report:read": "Training report read",
    "training:report:exported": "Training report exported",
    # staff training: the course catalogue, requirements and the organisation's settings
    "training:course:created": "Training course added",
    "training:course:changed": "Training course changed",
    "training:course:version_released": "New version of a training course released",
    "training:course:retired": "Training course retired",
    "training:requirement:set": "Training requirement set",
    "training:requirement:ended": "Training requirement ended",
    "training:settings:changed": "Training settings changed",
    "training:gate:turned_off": "Induction gate turned off",
    "training:gate:turned_on": "Induction gate turned back on",
    "training:team:read": "Team's training read",
    "training:reminders:listed": "Training reminders listed",
    # staff training: the built-in e-learning modules and certificates
    "training:certificate:checked": "Training certificate checked",
    # training: the induction gate
    "training:gate:closed": "Case records refused until induction is complete",
    # training: the compliance report
    # partner-data intake
    "intake:partner:created": "Partner organisation added",
    "intake:partner:changed": "Partner organisation changed",
    "intake:contact:added": "Partner contact added",
    "intake:contact:removed": "Partner contact removed",
    "intake:user:linked": "Account linked to a partner",
    "intake:user:unlinked": "Account unlinked from a partner",
    "intake:agreement:created": "Data-sharing agreement recorded",
    "intake:agreement:ended": "Data-sharing agreement ended",
    "intake:submission:received": "Partner submission received",
    "intake:submission:refused": "Partner submission refused",
    "intake:submission:validated": "Partner submission checked",
    "intake:submission:read": "Partner submission read",
    "intake:report:exported": "Submission feedback report exported",
    "intake:row:recorded": "Partner data recorded",
    "intake:row:read": "Held partner row read",
    "intake:row:accepted": "Held partner row accepted",
    "intake:row:corrected": "Held partner row corrected and accepted",
    "intake:row:rejected": "Held partner row rejected",
    "intake:notice:sent": "Partner told of a correction",
    "intake:quality:read": "Partner data quality read",
    "intake:submission:shredded": "Partner submission's data destroyed at end of retention",
    # assurance: measures and catalogue
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    # (end of assurance: audits and action plan)
    # assurance: breaches
    # (end of assurance: breaches)
    # assurance: processing register
    # (end of assurance: processing register)
    # assurance: oversight of access
    "assurance:access_history:read": "Record's access history read",
    "assurance:access_history:exported": "Record's access history downloaded",
    "assurance:break_glass:listed": "Break-glass uses listed for review",
    "assurance:break_glass:read": "Break-glass use opened for review",
    "assurance:break_glass:exported": "Break-glass uses downloaded",
    "assurance:break_glass:outcome_recorded": "Break-glass use reviewed, outcome recorded",
    "assurance:access_review:opened": "Access review started",
    "assurance:access_review:read": "Access review read",
    "assurance:access_review:account_decided": "Account confirmed or changed in access review",
    "assurance:access_review:closed": "Access review closed",
    # (end of assurance: oversight of access)
}

# What a subject_type names, for "Disposal list 3" in a sentence.
SUBJECT_LABELS: dict[str, str] = {
    "sar_request": "Subject access request",
    "training_course": "Training course",
    "training_requirement": "Training requirement",
    "training_policy": "Training settings",
    "sar_letter_template": "Letter template",
    "api_token": "API token",
    "archive_box": "Archive box",
    "archive_certificate": "Destruction certificate",
    "archive_location": "Archive location",
    "archive_retrieval": "Paper file request",
    "outbox_message": "Outbox message",
    "case": "Case",
    "disposal_item": "Disposal item",
    "disposal_list": "Disposal list",
    "document": "Document",
    "identity_model": "Matching model",
    "paper_file": "Paper file",
    "person": "Person record",
    "retention_hold": "Hold",
    "retention_schedule": "Retention schedule",
    "training_staff": "Member of staff",
    "training_completion": "Training completion",
    "user": "Account",
    # training: follow-up
    "training_reminder": "Training reminder",
    "training_attempt": "Training module attempt",
    # partner-data intake
    "submission": "Partner submission",
    # assurance: measures and catalogue
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    # (end of assurance: audits and action plan)
    # assurance: breaches
    # (end of assurance: breaches)
    # assurance: processing register
    # (end of assurance: processing register)
    # assurance: oversight of access
    # (end of assurance: oversight of access)
}


def _words(code: str) -> str:
    text = code.replace("_", " ").replace(":", " ").strip()
    return text[:1].upper() + text[1:]


def event_label(tag: str) -> str:
    """The tag's label; an unknown tag (written by a newer version) still reads as words."""
    return EVENT_LABELS.get(tag) or _words(tag)


def subject_label(subject_type: str) -> str:
    return SUBJECT_LABELS.get(subject_type) or _words(subject_type)
