"""Audit tags of audits, the action plan, attestations and self-assessment. Details carry
ids, codes and dates only: never a statement, a note or a reason (those are sealed)."""

from enum import StrEnum


class AuditsEvent(StrEnum):
    AUDIT_RECORDED = "assurance:audit:recorded"
    FOLLOW_UP_RECORDED = "assurance:audit:follow_up_recorded"
    RECOMMENDATION_ADDED = "assurance:action:added"
    RECOMMENDATION_CHANGED = "assurance:action:changed"
    ACTION_UPDATED = "assurance:action:updated"
    ACTION_PLAN_EXPORTED = "assurance:action_plan:exported"
    EVIDENCE_DOWNLOADED = "assurance:action:evidence_downloaded"
    ATTESTATION_RECORDED = "assurance:attestation:recorded"
    ATTESTATION_READ = "assurance:attestation:read"
    ATTESTATION_DOCUMENT_DOWNLOADED = "assurance:attestation:document_downloaded"
    SELF_ASSESSMENT_RECORDED = "assurance:self_assessment:recorded"
