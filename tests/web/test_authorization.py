"""Walk every route with every role: each is allowed exactly where its permission says.

A new route fails this test until it is given a rule below, so no page or endpoint can
ship without a decision about who may use it. Every id the walk uses names a real row the
walker may see, so an allowed route runs its real path: a page must answer 200, and a 404,
a refusal or a server error on an allowed route fails the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import partial

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import LocationKind, RetrievalPurpose
from steward.archives.schemas import LocationCreate, PaperFileCreate, RetrievalRequest
from steward.assurance.audits.service import actions as audit_actions
from steward.assurance.controls import service as assurance_controls
from steward.assurance.oversight.models import AccessReviewEntry
from steward.assurance.oversight.service import access_review
from steward.core import auth, clock, jobs, outbox
from steward.core.crypto import FileKeyring
from steward.core.permissions import ROLE_PERMISSIONS, Actor, Permission, Role, reads_case_content
from steward.identity import service as identity
from steward.intake.models import Agreement, Partner
from steward.intake.policy import Code as IntakeCode
from steward.intake.service import contacts as intake_contacts
from steward.intake.service import partners as intake_partners
from steward.records import service
from steward.records.models import Case, PartyRole
from steward.records.service import file_plan
from steward.redaction.spans import Code, Label, Source
from steward.retention import schedule_format
from steward.retention.models import Decision, DisposalItem
from steward.retention.service import destruction, disposal, holds, schedules
from steward.retention.service import jobs as retention_jobs
from steward.sar import service as sar
from steward.sar import uploads
from steward.sar.disclosure_models import SarDisclosureItem
from steward.sar.letters import LetterKind
from steward.sar.policy import Channel, Status
from steward.sar.schemas import PersonDetails
from steward.sar.search_models import Triage
from steward.sar.service import disclosure_store
from steward.sar.service import letters as sar_letters
from steward.training.policy import Delivery, RequirementKind
from steward.training.service import certificates, elearning, manual
from steward.training.service import modules as training_modules
from steward.training.service import staff as staff_service
from steward.web.app import API_PREFIX, API_ROUTERS, PAGE_ROUTERS
from tests.assurance import breach_helpers
from tests.assurance.audits_helpers import PDF, make_action, make_attestation, make_audit
from tests.assurance.pack_helpers import stored_pack
from tests.factories.core import make_user
from tests.factories.intake import make_agreement, make_partner, make_row, make_submission
from tests.factories.processing import make_activity, make_asset
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.sar import make_request
from tests.factories.training import make_course, make_requirement, make_staff
from tests.intake.review_helpers import held_conflict
from tests.retention.helpers import case_with_children
from tests.sar import bundle_helpers
from tests.web.conftest import SignedIn, csrf_from


class Public:
    """Anyone, signed in or not."""


class SignedInOnly:
    """Any signed-in user, whatever their role."""


@dataclass(frozen=True)
class AnyOf:
    """Any one of these permissions will do (e.g. reading cases assigned, the team's or all)."""

    permissions: tuple[Permission, ...]


CASE_READ = AnyOf(
    (Permission.CASES_READ_ASSIGNED, Permission.CASES_READ_TEAM, Permission.CASES_READ_ALL)
)

PEOPLE_SEARCH = AnyOf((Permission.CASES_READ_ALL, Permission.SAR_MANAGE, Permission.INTAKE_REVIEW))

# Staff training records: those who see compliance, and those who manage training.
TRAINING_SEE = AnyOf((Permission.TRAINING_VIEW_COMPLIANCE, Permission.TRAINING_MANAGE))

# Role grants: the DPO decides them, the administrator sees what awaits.
GRANTS_SEE = AnyOf((Permission.ROLES_APPROVE, Permission.USERS_MANAGE))

# Training's follow-up: those who run training and those who watch it.
TRAINING_WATCH = AnyOf((Permission.TRAINING_MANAGE, Permission.TRAINING_VIEW_COMPLIANCE))

# Partner-data intake's register: those who keep it, and partner accounts for their own.
INTAKE_EITHER = AnyOf((Permission.INTAKE_REVIEW, Permission.INTAKE_SUBMIT))

# Partner data quality: information governance and assurance see every partner; a partner
# organisation's users see their own (the walk links a walking partner user to its partner).
QUALITY_SEE = AnyOf((Permission.INTAKE_REVIEW, Permission.ASSURANCE_VIEW, Permission.INTAKE_SUBMIT))

# The access review: the DPO runs it; auditors read it as evidence.
ACCESS_REVIEW_SEE = AnyOf((Permission.ASSURANCE_MANAGE, Permission.AUDIT_READ))
# The breach register: the IG team who triage, and assurance viewers who read it.
BREACH_SEE = AnyOf((Permission.BREACH_MANAGE, Permission.ASSURANCE_VIEW))

Rule = type[Public] | type[SignedInOnly] | Permission | AnyOf

# The retention schedule in print: assurance reads it as evidence, retention manages it.
SCHEDULE_READ = AnyOf((Permission.ASSURANCE_VIEW, Permission.RETENTION_MANAGE))


@dataclass(frozen=True)
class Call:
    """How the walk calls a route. "{name}" in the path or in a body value is filled with the
    walk's real id of that name; ``ids`` points a path parameter at another of them."""

    rule: Rule
    body: dict[str, object] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    ids: dict[str, str] | None = None


def _date(name: str, iso: str) -> dict[str, object]:
    year, month, day = iso.split("-")
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


PUBLIC = "/request-your-data"
_QUESTIONS: list[tuple[str, dict[str, object]]] = [
    ("who", {"requester_type": "data_subject"}),
    ("name", {"full_name": "Walk Through"}),
    ("date-of-birth", _date("date_of_birth", "1990-04-01")),
    ("address", {"address": "1 Walk Street"}),
    ("contact", {"email": "walk@example.com"}),
    ("about", {"subject_name": ""}),
    ("what", {"description": "Everything"}),
    ("proof-of-identity", {}),
    ("proof-of-authority", {}),
]
# (method, path, body), in the order the walk takes them: the start makes the draft every
# later page needs, and the answers make it complete to send.
PUBLIC_FORM: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", PUBLIC, None),
    ("POST", f"{PUBLIC}/start", {}),
    *[
        (method, f"{PUBLIC}/{slug}", body if method == "POST" else None)
        for slug, body in _QUESTIONS
        for method in ("GET", "POST")
    ],
    ("GET", f"{PUBLIC}/check", None),
    ("POST", f"{PUBLIC}/check", {}),
    ("GET", f"{PUBLIC}/done", None),
]

UPLOAD = {"title": "Walk", "kind": "case_note", "created_on": "2024-02-01"}
TEXT_FILE = {"file": ("walk.txt", b"A note written by the authorization walk.", "text/plain")}
REASON = {"reason": "Checking the access rules of every route"}
EMPTY_CSV = {"file": ("walk.csv", b"", "text/csv")}  # refused whole: nothing changes
DISCLOSURE_IDS = {"request_id": "disclosure_request_id", "item_id": "disclosure_item_id"}
HELD_IDS = {"row_id": "held_row_id"}
TEXT_FILE_AS_EVIDENCE = {"evidence": TEXT_FILE["file"]}  # refused: not a PDF, DOCX or image
TEXT_FILE_AS_DOCUMENT = {"document": TEXT_FILE["file"]}


RULES: dict[tuple[str, str], Call] = {
    ("GET", "/"): Call(SignedInOnly),
    ("GET", "/healthz"): Call(Public),
    ("GET", "/sign-in"): Call(Public),
    ("POST", "/sign-in"): Call(Public, {"username": "nobody", "password": "x"}),
    ("POST", "/sign-out"): Call(Public),
    ("GET", "/account"): Call(SignedInOnly),
    ("POST", "/account/tokens"): Call(Permission.TOKENS_OWN, {"name": "walk"}),
    ("POST", "/account/tokens/{token_id}/revoke"): Call(Permission.TOKENS_OWN),
    ("GET", "/account/two-factor"): Call(SignedInOnly),
    ("POST", "/account/two-factor/start"): Call(SignedInOnly),
    ("POST", "/account/two-factor"): Call(SignedInOnly, {"code": "000000"}),
    ("POST", "/account/password"): Call(
        SignedInOnly, {"current_password": "not it", "password": "walk walk walk"}
    ),
    ("POST", "/users/{user_id}/role"): Call(Permission.USERS_MANAGE, {"role": "auditor"}),
    ("GET", "/account/password"): Call(SignedInOnly),
    ("GET", "/users/{user_id}"): Call(Permission.USERS_MANAGE),
    ("POST", "/users/{user_id}/team"): Call(Permission.USERS_MANAGE, {"team": "walk"}),
    ("POST", "/users/{user_id}/unlock"): Call(Permission.USERS_MANAGE),
    ("GET", "/users/{user_id}/deactivate"): Call(Permission.USERS_MANAGE),
    ("POST", "/users/{user_id}/deactivate"): Call(Permission.USERS_MANAGE),
    ("POST", "/users/{user_id}/reactivate"): Call(Permission.USERS_MANAGE),
    ("POST", "/users/{user_id}/two-factor"): Call(Permission.USERS_MANAGE),
    # A password an administrator may reset: an account that reads no case content.
    ("GET", "/users/{user_id}/password"): Call(
        Permission.USERS_MANAGE, ids={"user_id": "plain_user_id"}
    ),
    ("POST", "/users/{user_id}/password"): Call(
        Permission.USERS_MANAGE, {"how": "generate"}, ids={"user_id": "plain_user_id"}
    ),
    ("GET", "/role-grants"): Call(GRANTS_SEE),
    ("POST", "/role-grants/{grant_id}/approve"): Call(Permission.ROLES_APPROVE),
    ("POST", "/role-grants/{grant_id}/refuse"): Call(Permission.ROLES_APPROVE),
    ("GET", "/users"): Call(Permission.USERS_MANAGE),
    ("POST", "/users"): Call(
        Permission.USERS_MANAGE, {"username": "x", "role": "dpo", "password": "short"}
    ),
    ("GET", "/audit"): Call(Permission.AUDIT_READ),
    ("POST", "/audit/verify"): Call(Permission.AUDIT_READ),
    ("GET", "/audit/export.csv"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/openapi.json"): Call(Public),
    ("GET", "/api/v1/me"): Call(SignedInOnly),
    ("GET", "/api/v1/users"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users"): Call(
        Permission.USERS_MANAGE, {"username": "x", "role": "dpo", "password": "short"}
    ),
    ("POST", "/api/v1/users/{user_id}/role"): Call(Permission.USERS_MANAGE, {"role": "auditor"}),
    # The account page's actions through the API (its page walked them first: some 409).
    ("GET", "/api/v1/users/{user_id}"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/team"): Call(Permission.USERS_MANAGE, {"team": "walk api"}),
    ("POST", "/api/v1/users/{user_id}/unlock"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/deactivate"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/reactivate"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/two-factor"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/password"): Call(
        Permission.USERS_MANAGE, {}, ids={"user_id": "plain_user_id"}
    ),
    ("GET", "/api/v1/role-grants"): Call(GRANTS_SEE),
    ("POST", "/api/v1/role-grants/{grant_id}/approve"): Call(Permission.ROLES_APPROVE, {}),
    ("POST", "/api/v1/role-grants/{grant_id}/refuse"): Call(Permission.ROLES_APPROVE, {}),
    ("GET", "/api/v1/tokens"): Call(SignedInOnly),
    ("POST", "/api/v1/tokens"): Call(Permission.TOKENS_OWN, {"name": "walk"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Call(Permission.TOKENS_OWN),
    ("GET", "/api/v1/audit/events"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/audit/verification"): Call(Permission.AUDIT_READ),
    # Case records: the walker is assigned to the case, so need-to-know lets them in when
    # their role reads cases at all. Admin, auditor and partner see no case content.
    ("GET", "/cases"): Call(CASE_READ),
    ("GET", "/cases/{case_id}"): Call(CASE_READ),
    ("GET", "/cases/{case_id}/break-glass"): Call(Permission.CASES_BREAK_GLASS),
    ("POST", "/cases/{case_id}/break-glass"): Call(Permission.CASES_BREAK_GLASS, REASON),
    ("GET", "/break-glass"): Call(Permission.AUDIT_READ),  # leads to /assurance/break-glass
    ("POST", "/break-glass/reviewed"): Call(
        Permission.ASSURANCE_MANAGE, {"break_glass_ids": "{break_glass_id}"}
    ),
    ("GET", "/documents-without-text"): Call(Permission.CASES_READ_ALL),
    ("GET", "/people/{person_id}"): Call(CASE_READ),
    ("GET", "/documents/{document_id}"): Call(CASE_READ),
    ("GET", "/documents/{document_id}/download"): Call(CASE_READ),
    ("GET", "/cases/{case_id}/documents/new"): Call(Permission.CASES_WRITE),
    ("POST", "/cases/{case_id}/documents/new"): Call(Permission.CASES_WRITE, {"title": "x"}),
    ("GET", "/search"): Call(CASE_READ),
    ("POST", "/search"): Call(CASE_READ, {"q": "Walk"}),
    # Asking for a case's paper file from the case page: staff who may ask for files (all
    # of whom read cases); the walker's case has a paper file.
    ("GET", "/cases/{case_id}/paper-files/{paper_file_id}/request"): Call(
        Permission.ARCHIVES_REQUEST
    ),
    ("POST", "/cases/{case_id}/paper-files/{paper_file_id}/request"): Call(
        Permission.ARCHIVES_REQUEST, {"purpose": "not-a-purpose"}
    ),
    # Reallocating a case is a manager's: their team's cases, to their team's workers.
    ("GET", "/cases/{case_id}/reassign"): Call(Permission.CASES_READ_TEAM),
    ("POST", "/cases/{case_id}/reassign"): Call(Permission.CASES_READ_TEAM, {"user_id": "x"}),
    ("GET", "/api/v1/team/workers"): Call(Permission.CASES_READ_TEAM),
    ("POST", "/api/v1/cases/{case_id}/reallocation"): Call(
        Permission.CASES_READ_TEAM, {"user_id": "x"}
    ),
    ("GET", "/api/v1/cases"): Call(CASE_READ),
    ("GET", "/api/v1/cases/{case_id}"): Call(CASE_READ),
    ("POST", "/api/v1/cases/{case_id}/break-glass"): Call(Permission.CASES_BREAK_GLASS, REASON),
    ("POST", "/api/v1/cases/{case_id}/documents"): Call(Permission.CASES_WRITE, UPLOAD, TEXT_FILE),
    ("GET", "/api/v1/people/{person_id}"): Call(CASE_READ),
    ("GET", "/api/v1/documents/{document_id}"): Call(CASE_READ),
    ("GET", "/api/v1/documents/{document_id}/content"): Call(CASE_READ),
    ("GET", "/api/v1/search"): Call(CASE_READ),
    ("POST", "/api/v1/search"): Call(CASE_READ, {"q": "Walk"}),
    # Paper archive: archive staff run it; a file's page (with its names) follows its case's
    # need-to-know; asking for a file is for staff who may read it; person search is IG work.
    ("GET", "/archives"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/locations"): Call(Permission.ARCHIVES_MANAGE, {"kind": "on_site"}),
    ("GET", "/archives/locations/{location_id}"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/boxes"): Call(Permission.ARCHIVES_MANAGE, {"barcode": ""}),
    ("GET", "/archives/boxes/{box_id}"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/boxes/{box_id}/move"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/boxes/{box_id}/retrievals"): Call(
        Permission.ARCHIVES_MANAGE, {"purpose": "not-a-purpose"}
    ),
    ("GET", "/archives/files/{paper_file_id}"): Call(CASE_READ),
    ("POST", "/archives/files/{paper_file_id}/retrievals"): Call(
        Permission.ARCHIVES_REQUEST, {"purpose": "not-a-purpose"}
    ),
    ("GET", "/archives/retrievals"): Call(Permission.ARCHIVES_REQUEST),
    ("POST", "/archives/retrievals/{retrieval_id}/out"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/retrievals/{retrieval_id}/return"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/retrievals/{retrieval_id}/cancel"): Call(Permission.ARCHIVES_REQUEST),
    ("GET", "/archives/inventory"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/inventory"): Call(Permission.ARCHIVES_MANAGE, {}),
    ("GET", "/archives/certificates"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/archives/certificates"): Call(Permission.ARCHIVES_MANAGE, {"reference": "W"}),
    ("GET", "/archives/certificates/{certificate_id}"): Call(Permission.ARCHIVES_MANAGE),
    ("GET", "/archives/search"): Call(
        AnyOf((Permission.ARCHIVES_MANAGE, Permission.CASES_READ_ALL))
    ),
    ("POST", "/archives/search"): Call(
        AnyOf((Permission.ARCHIVES_MANAGE, Permission.CASES_READ_ALL)), {"name": "Walk Through"}
    ),
    ("GET", "/archives/export.csv"): Call(Permission.ARCHIVES_MANAGE),
    # Identity: searching everyone is an IG duty; merging person records is people:manage.
    ("GET", "/search/people"): Call(PEOPLE_SEARCH),
    ("POST", "/search/people"): Call(PEOPLE_SEARCH, {"first_name": "Walk", "last_name": "Through"}),
    ("GET", "/people/duplicates"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/people/duplicates/check"): Call(Permission.PEOPLE_MANAGE),
    ("GET", "/people/{person_id}/compare/{other_person_id}"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/people/{person_id}/merge"): Call(
        Permission.PEOPLE_MANAGE, {"other_person_id": "{other_person_id}", "confirm": "yes"}
    ),
    ("POST", "/people/{person_id}/not-same"): Call(
        Permission.PEOPLE_MANAGE, {"other_person_id": "{other_person_id}"}
    ),
    ("POST", "/people/merges/{merge_id}/unmerge"): Call(Permission.PEOPLE_MANAGE),
    # Rectification and restriction (Art 16, 18) are the IG team's: people:manage. The walk
    # posts no reason, so nothing is corrected or restricted (a restriction would shut the
    # walker out of the person's case for the rest of the walk).
    ("GET", "/people/{person_id}/correct"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/people/{person_id}/correct"): Call(Permission.PEOPLE_MANAGE, {"reason": ""}),
    ("GET", "/people/{person_id}/restrict"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/people/{person_id}/restrict"): Call(Permission.PEOPLE_MANAGE, {"reason": ""}),
    ("GET", "/people/{person_id}/lift-restriction"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/people/{person_id}/lift-restriction"): Call(
        Permission.PEOPLE_MANAGE, {"reason": ""}
    ),
    ("POST", "/api/v1/people/{person_id}/corrections"): Call(
        Permission.PEOPLE_MANAGE, {"reason": ""}
    ),
    ("GET", "/api/v1/people/{person_id}/corrections"): Call(CASE_READ),
    ("POST", "/api/v1/people/{person_id}/restriction"): Call(
        Permission.PEOPLE_MANAGE, {"reason": ""}
    ),
    ("POST", "/api/v1/people/{person_id}/restriction/lift"): Call(
        Permission.PEOPLE_MANAGE, {"reason": ""}
    ),
    # Retention: the schedule, holds and disposal are IG work; approving is its own verb;
    # a case's retention explained follows the case's need-to-know (it names its people).
    ("GET", "/retention"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/schedule"): Call(Permission.RETENTION_MANAGE, {"source": "not: [yaml"}),
    ("POST", "/retention/schedule/{version}/approve"): Call(Permission.RETENTION_APPROVE),
    ("GET", "/retention/due"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/retention/redate"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/due/sweep"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/retention/cases/{case_id}"): Call(CASE_READ),
    ("GET", "/retention/holds"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/holds"): Call(Permission.RETENTION_MANAGE, {"kind": "police"}),
    ("POST", "/retention/holds/{hold_id}/release"): Call(
        Permission.RETENTION_MANAGE, {"reason": "The police enquiry has closed"}
    ),
    ("GET", "/retention/disposal"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/disposal"): Call(Permission.RETENTION_MANAGE, {"as_of": "not a date"}),
    ("GET", "/retention/disposal/{list_id}"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/retention/disposal/{list_id}/decide-all"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/retention/disposal/{list_id}/items/{item_id}/retain"): Call(
        Permission.RETENTION_MANAGE
    ),
    ("POST", "/retention/disposal/{list_id}/decide"): Call(Permission.RETENTION_MANAGE),
    # Approval is offered to one who decided none of the items: the walker decided none.
    ("GET", "/retention/disposal/{list_id}/approve"): Call(
        Permission.RETENTION_APPROVE, ids={"list_id": "decided_list_id"}
    ),
    ("GET", "/retention/disposal/{list_id}/carry-out"): Call(
        Permission.RETENTION_APPROVE, ids={"list_id": "approved_list_id"}
    ),
    ("POST", "/retention/disposal/{list_id}/carry-out"): Call(
        Permission.RETENTION_APPROVE, ids={"list_id": "approved_list_id"}
    ),
    # A job is seen by its starter and by those holding the permission it needed.
    ("GET", "/jobs/{job_id}"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/jobs/{job_id}/progress"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/disposal/{list_id}/approve"): Call(Permission.RETENTION_APPROVE),
    ("GET", "/retention/disposal/{list_id}/certificate"): Call(
        Permission.RETENTION_MANAGE, ids={"list_id": "executed_list_id"}
    ),
    ("GET", "/retention/disposal/{list_id}/certificate.pdf"): Call(
        Permission.RETENTION_MANAGE, ids={"list_id": "executed_list_id"}
    ),
    ("GET", "/retention/report"): Call(Permission.RETENTION_MANAGE),
    # assurance: record classes' owners and reviews (the file plan: the records manager's)
    ("GET", "/retention/classes"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/retention/classes/{class_id}"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/retention/classes/{class_id}/owner"): Call(Permission.RETENTION_MANAGE, {}),
    ("POST", "/retention/classes/{class_id}/reviews"): Call(
        Permission.RETENTION_MANAGE, {"outcome": "maybe"}
    ),
    ("GET", "/api/v1/retention/classes"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/api/v1/retention/classes/{class_id}"): Call(Permission.RETENTION_MANAGE),
    ("PUT", "/api/v1/retention/classes/{class_id}/owner"): Call(
        Permission.RETENTION_MANAGE, {"owner_user_id": None}
    ),
    ("GET", "/api/v1/retention/classes/{class_id}/reviews"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/classes/{class_id}/reviews"): Call(
        Permission.RETENTION_MANAGE, {"reviewed_on": "2026-01-01", "outcome": "maybe"}
    ),
    # (end of assurance: record classes' owners and reviews)
    ("GET", "/sar/requests/{request_id}/consultations"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/consultations"): Call(
        Permission.SAR_MANAGE, {"action": "chase", "consultation_id": "{consultation_id}"}
    ),
    ("GET", "/sar/report"): Call(Permission.SAR_MANAGE),
    ("GET", "/sar/report.csv"): Call(Permission.SAR_MANAGE),
    ("GET", "/retention/undatable"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/api/v1/retention/undatable"): Call(Permission.RETENTION_MANAGE),
    # Letters to requesters and the outbox (what was emailed to them): the IG team's.
    ("GET", "/sar/letter-templates"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/letter-templates"): Call(
        Permission.SAR_MANAGE,
        {"kind": "refusal", "body": "Dear {{ requester_name }}", "action": "preview"},
    ),
    ("GET", "/sar/requests/{request_id}/letters"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/letters"): Call(
        Permission.SAR_MANAGE, {"kind": "acknowledgement"}
    ),
    ("GET", "/sar/requests/{request_id}/letters/{letter_id}/download"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/letters/{letter_id}/email"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/letters/{letter_id}/posted"): Call(Permission.SAR_MANAGE),
    ("GET", "/outbox"): Call(Permission.SAR_MANAGE),
    ("GET", "/outbox/{message_id}"): Call(Permission.SAR_MANAGE),
    ("GET", "/outbox/{message_id}/attachments/{number}/download"): Call(Permission.SAR_MANAGE),
    # Subject access requests: the IG team's work (the bodies are refused input: no change).
    ("GET", "/sar"): Call(Permission.SAR_MANAGE),
    ("GET", "/sar/new"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/new"): Call(Permission.SAR_MANAGE, {"requester_name": ""}),
    ("GET", "/sar/requests/{request_id}"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/move"): Call(Permission.SAR_MANAGE, {"to": "nowhere"}),
    ("POST", "/sar/requests/{request_id}/extend"): Call(Permission.SAR_MANAGE, {"reasons": ""}),
    ("POST", "/sar/requests/{request_id}/clarification"): Call(Permission.SAR_MANAGE, {}),
    ("POST", "/sar/requests/{request_id}/clarification-answered"): Call(Permission.SAR_MANAGE, {}),
    ("POST", "/sar/requests/{request_id}/evidence"): Call(Permission.SAR_MANAGE, {"kind": "x"}),
    ("POST", "/sar/requests/{request_id}/assign"): Call(Permission.SAR_MANAGE, {"handler": "x"}),
    ("POST", "/sar/requests/{request_id}/tasks"): Call(Permission.SAR_MANAGE, {}),
    ("POST", "/sar/requests/{request_id}/decision"): Call(Permission.SAR_MANAGE, {"outcome": "x"}),
    ("GET", "/api/v1/sar/requests"): Call(Permission.SAR_MANAGE),
    ("POST", "/api/v1/sar/requests"): Call(Permission.SAR_MANAGE, {}),
    ("GET", "/api/v1/sar/requests/{request_id}"): Call(Permission.SAR_MANAGE),
    ("POST", "/api/v1/sar/requests/{request_id}/transitions"): Call(
        Permission.SAR_MANAGE, {"to": "nowhere"}
    ),
    # A request's documents are the IG team's; download shows a real one.
    ("GET", "/sar/requests/{request_id}/documents"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/documents"): Call(Permission.SAR_MANAGE, {"kind": "id"}),
    ("GET", "/sar/requests/{request_id}/documents/{document_id}/download"): Call(
        Permission.SAR_MANAGE, ids={"document_id": "sar_document_id"}
    ),
    ("POST", "/sar/requests/{request_id}/documents/accepted"): Call(
        Permission.SAR_MANAGE, {"what": "authority", **_date("accepted_on", "2026-03-02")}
    ),
    # The public request form is open to anyone, signed in or not.
    **{(method, path): Call(Public, body) for method, path, body in PUBLIC_FORM},
    # The search of a subject access request (bodies deliberately incomplete: nothing changes).
    ("GET", "/sar/requests/{request_id}/search"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/search"): Call(Permission.SAR_MANAGE, {"names": ""}),
    ("POST", "/sar/requests/{request_id}/search/hits/{hit_id}/triage"): Call(
        Permission.SAR_MANAGE, {"decision": "maybe"}
    ),
    ("POST", "/sar/requests/{request_id}/search/hits/{hit_id}/paper"): Call(
        Permission.SAR_MANAGE, {"hours_locating": "1"}
    ),
    # The disclosure bundle and its delivery; the requester's download page is public (the
    # walk's token is no link: the page reads the same, and a passcode is refused).
    ("GET", "/sar/requests/{request_id}/bundle"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/bundle"): Call(Permission.SAR_MANAGE, {}),
    ("GET", "/sar/requests/{request_id}/bundle/download"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/bundle/print"): Call(Permission.SAR_MANAGE, {}),
    ("GET", "/sar/requests/{request_id}/delivery"): Call(Permission.SAR_MANAGE),
    ("POST", "/sar/requests/{request_id}/delivery/links"): Call(
        Permission.SAR_MANAGE, {"expires_in": "14", "passcode_channel": "post"}
    ),
    ("POST", "/sar/requests/{request_id}/delivery/revoke"): Call(Permission.SAR_MANAGE, {}),
    ("POST", "/sar/requests/{request_id}/delivery/posted"): Call(Permission.SAR_MANAGE, {}),
    # The same through the API (the walk's request awaits no delivery: a link or a posting
    # is refused with 409, as a build is before approval; the stored bundle downloads).
    ("GET", "/api/v1/sar/requests/{request_id}/bundle"): Call(Permission.SAR_MANAGE),
    ("POST", "/api/v1/sar/requests/{request_id}/bundle"): Call(Permission.SAR_MANAGE, {}),
    ("GET", "/api/v1/sar/requests/{request_id}/bundle/download"): Call(Permission.SAR_MANAGE),
    ("GET", "/api/v1/sar/requests/{request_id}/delivery"): Call(Permission.SAR_MANAGE),
    ("POST", "/api/v1/sar/requests/{request_id}/delivery/links"): Call(
        Permission.SAR_MANAGE, {"expires_in_days": 14, "passcode_channel": "post"}
    ),
    ("POST", "/api/v1/sar/requests/{request_id}/delivery/revoke"): Call(Permission.SAR_MANAGE, {}),
    ("POST", "/api/v1/sar/requests/{request_id}/delivery/posted"): Call(Permission.SAR_MANAGE, {}),
    ("GET", "/disclosure/{token}"): Call(Public),
    ("POST", "/disclosure/{token}"): Call(Public, {"passcode": "ABCD-EFGH-JKMN"}),
    # Staff training: staff are seen by those who see compliance or manage training (who
    # import them); importing and linking accounts are training:manage. The bodies change
    # nothing (no file, no username, the walk's staff member has no account to unlink).
    ("GET", "/training/staff"): Call(TRAINING_SEE),
    ("GET", "/training/staff/{staff_id}"): Call(TRAINING_SEE),
    ("POST", "/training/staff/{staff_id}/account"): Call(
        Permission.TRAINING_MANAGE, {"username": ""}
    ),
    ("GET", "/training/imports/staff"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/imports/staff"): Call(Permission.TRAINING_MANAGE, {}),
    ("GET", "/training/imports/completions"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/imports/completions"): Call(Permission.TRAINING_MANAGE, {}),
    ("GET", "/api/v1/training/staff"): Call(TRAINING_SEE),
    ("GET", "/api/v1/training/staff/{staff_id}"): Call(TRAINING_SEE),
    ("POST", "/api/v1/training/staff/{staff_id}/account"): Call(
        Permission.TRAINING_MANAGE, {"username": "nobody-by-this-name"}
    ),
    ("DELETE", "/api/v1/training/staff/{staff_id}/account"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/api/v1/training/imports/staff"): Call(
        Permission.TRAINING_MANAGE, {}, files=EMPTY_CSV
    ),
    ("POST", "/api/v1/training/imports/completions"): Call(
        Permission.TRAINING_MANAGE, {}, files=EMPTY_CSV
    ),
    # A manager's team (training): the page is anyone's own (a line manager is whoever HR
    # names, whatever their role); one person, their reminder and their evidence are their
    # line manager's or a training administrator's (the walker manages nobody); the log of
    # reminders is for those who watch training. Bodies are incomplete: nothing is recorded.
    ("GET", "/training/team"): Call(SignedInOnly),
    ("GET", "/training/team/record"): Call(SignedInOnly),
    ("POST", "/training/team/record"): Call(SignedInOnly, {}),
    ("GET", "/training/team/{staff_id}"): Call(
        Permission.TRAINING_MANAGE, ids={"staff_id": "training_staff_id"}
    ),
    ("POST", "/training/team/{staff_id}/remind"): Call(
        Permission.TRAINING_MANAGE, {}, ids={"staff_id": "training_staff_id"}
    ),
    ("GET", "/training/completions/{completion_id}/evidence"): Call(Permission.TRAINING_MANAGE),
    ("GET", "/training/reminders"): Call(TRAINING_WATCH),
    ("GET", "/api/v1/training/team"): Call(SignedInOnly),
    ("GET", "/api/v1/training/team/{staff_id}"): Call(
        Permission.TRAINING_MANAGE, ids={"staff_id": "training_staff_id"}
    ),
    ("POST", "/api/v1/training/team/{staff_id}/reminders"): Call(
        Permission.TRAINING_MANAGE, {}, ids={"staff_id": "training_staff_id"}
    ),
    ("POST", "/api/v1/training/completions"): Call(
        Permission.TRAINING_MANAGE,
        {
            "staff_ids": "{training_staff_id}",
            "course_id": "{training_course_id}",
            "completed_on": "2026-01-05",
        },
        TEXT_FILE,
    ),
    ("GET", "/api/v1/training/completions/{completion_id}/evidence"): Call(
        Permission.TRAINING_MANAGE
    ),
    ("GET", "/api/v1/training/reminders"): Call(TRAINING_WATCH),
    # The disclosure review, on a request of its own with one document in scope and one
    # redaction proposed (bodies deliberately incomplete, or refused by the rules: the walk's
    # disclosure is never sent for approval, so nothing is approved by the one who sent it).
    **{
        (method, path): Call(Permission.SAR_MANAGE, body, ids=DISCLOSURE_IDS)
        for method, path, body in [
            ("GET", "/sar/requests/{request_id}/disclosure", None),
            ("POST", "/sar/requests/{request_id}/disclosure/propose", {}),
            ("POST", "/sar/requests/{request_id}/disclosure/submit", {}),
            ("POST", "/sar/requests/{request_id}/disclosure/approve", {}),
            ("POST", "/sar/requests/{request_id}/disclosure/reopen", {}),
            ("GET", "/sar/requests/{request_id}/disclosure/{item_id}", None),
            (
                "POST",
                "/sar/requests/{request_id}/disclosure/{item_id}/redactions/{redaction_id}",
                {"decision": "maybe"},
            ),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/add", {"text": ""}),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/accept-all", {"key": "x"}),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/withhold", {"code": ""}),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/restore", {}),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/reviewed", {}),
            ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/area", {"page": ""}),
            ("GET", "/api/v1/sar/requests/{request_id}/disclosure", None),
            ("GET", "/api/v1/sar/requests/{request_id}/disclosure/{item_id}", None),
            ("POST", "/api/v1/sar/redactions/{redaction_id}/decision", {}),
            ("POST", "/api/v1/sar/requests/{request_id}/disclosure/{item_id}/redactions", {}),
            ("POST", "/api/v1/sar/requests/{request_id}/disclosure/accept-all", {"key": "x"}),
            ("POST", "/api/v1/sar/requests/{request_id}/disclosure/{item_id}/withhold", {}),
            ("POST", "/api/v1/sar/requests/{request_id}/disclosure/submit", {}),
            ("POST", "/api/v1/sar/requests/{request_id}/disclosure/approve", {}),
        ]
    },
    # The course catalogue and requirements: changed by those who manage training; the
    # settings by the DPO alone. The bodies are refused input (nothing changes), but for a
    # preview (it reads) and retiring a course of its own.
    ("GET", "/training/courses"): Call(TRAINING_SEE),
    ("GET", "/training/courses/new"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/courses/new"): Call(Permission.TRAINING_MANAGE, {"code": ""}),
    ("GET", "/training/courses/{course_id}"): Call(TRAINING_SEE),
    ("GET", "/training/courses/{course_id}/edit"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/courses/{course_id}/edit"): Call(Permission.TRAINING_MANAGE, {"title": ""}),
    ("GET", "/training/courses/{course_id}/versions/new"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/courses/{course_id}/versions/new"): Call(
        Permission.TRAINING_MANAGE, {"note": ""}
    ),
    ("GET", "/training/courses/{course_id}/retire"): Call(
        Permission.TRAINING_MANAGE, ids={"course_id": "retired_course_id"}
    ),
    ("POST", "/training/courses/{course_id}/retire"): Call(
        Permission.TRAINING_MANAGE, {}, ids={"course_id": "retired_course_id"}
    ),
    ("GET", "/training/courses/{course_id}/requirements/new"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/courses/{course_id}/requirements/new"): Call(
        Permission.TRAINING_MANAGE, {"kind": "mandatory", "action": "preview"}
    ),
    ("GET", "/training/requirements/{requirement_id}/end"): Call(Permission.TRAINING_MANAGE),
    ("POST", "/training/requirements/{requirement_id}/end"): Call(
        Permission.TRAINING_MANAGE, _date("ends_on", "2000-01-01")
    ),
    ("GET", "/training/settings"): Call(TRAINING_SEE),
    ("POST", "/training/settings"): Call(
        Permission.TRAINING_SETTINGS, {"induction_gate": "on", "induction_days": "x"}
    ),
    ("GET", "/api/v1/training/courses"): Call(TRAINING_SEE),
    ("POST", "/api/v1/training/courses"): Call(Permission.TRAINING_MANAGE, {}),
    ("GET", "/api/v1/training/courses/{course_id}"): Call(TRAINING_SEE),
    ("PATCH", "/api/v1/training/courses/{course_id}"): Call(
        Permission.TRAINING_MANAGE, {"title": ""}
    ),
    ("POST", "/api/v1/training/courses/{course_id}/versions"): Call(Permission.TRAINING_MANAGE, {}),
    ("POST", "/api/v1/training/courses/{course_id}/retire"): Call(
        Permission.TRAINING_MANAGE, {}, ids={"course_id": "retired_course_id"}
    ),
    ("GET", "/api/v1/training/requirements"): Call(TRAINING_SEE),
    ("POST", "/api/v1/training/requirements"): Call(Permission.TRAINING_MANAGE, {}),
    ("POST", "/api/v1/training/requirements/preview"): Call(TRAINING_SEE, {}),
    ("POST", "/api/v1/training/requirements/{requirement_id}/end"): Call(
        Permission.TRAINING_MANAGE, {"ends_on": "2000-01-01"}
    ),
    ("GET", "/api/v1/training/settings"): Call(TRAINING_SEE),
    ("PATCH", "/api/v1/training/settings"): Call(
        Permission.TRAINING_SETTINGS, {"target_percent": 0}
    ),
    # My training: every signed-in account (the walker has a staff record, an attempt left
    # open, and one sent and passed); an attempt or certificate is the walker's own. The
    # catalogue's sync is the training team's; checking a certificate, compliance viewers'.
    ("GET", "/training"): Call(SignedInOnly),
    ("GET", "/training/modules"): Call(SignedInOnly),
    ("POST", "/training/modules/sync"): Call(Permission.TRAINING_MANAGE, {}),
    ("GET", "/training/modules/{slug}"): Call(SignedInOnly),
    ("POST", "/training/attempts/{attempt_id}"): Call(SignedInOnly, {}),
    ("GET", "/training/attempts/{attempt_id}"): Call(
        SignedInOnly, ids={"attempt_id": "sent_attempt_id"}
    ),
    ("GET", "/training/completions/{completion_id}/certificate"): Call(SignedInOnly),
    ("GET", "/training/certificates"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("GET", "/api/v1/training/me"): Call(SignedInOnly),
    ("POST", "/api/v1/training/modules/{slug}/attempts"): Call(SignedInOnly, {}),
    ("POST", "/api/v1/training/attempts/{attempt_id}/answers"): Call(SignedInOnly, {}),
    ("GET", "/api/v1/training/attempts/{attempt_id}"): Call(
        SignedInOnly, ids={"attempt_id": "sent_attempt_id"}
    ),
    ("GET", "/api/v1/training/completions/{completion_id}/certificate"): Call(SignedInOnly),
    ("GET", "/api/v1/training/certificates/{reference}"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("POST", "/api/v1/training/modules/sync"): Call(Permission.TRAINING_MANAGE, {}),
    # Training compliance: the DPO, IG officers and the auditor see the organisation, a
    # manager the same pages for their own people (the walker has none: empty, not refused).
    ("GET", "/training/dashboard"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("GET", "/training/dashboard/team"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("GET", "/training/dashboard/courses/{course_id}"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("GET", "/training/dashboard.csv"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    ("GET", "/api/v1/training/report"): Call(Permission.TRAINING_VIEW_COMPLIANCE),
    # The review of held partner data: the information-governance roles (INTAKE_REVIEW);
    # the decisions' bodies are incomplete, so the walk's held row stays held. A partner
    # account reads the corrections made to its own organisation's data.
    ("GET", "/intake/held"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/intake/held/{row_id}"): Call(Permission.INTAKE_REVIEW, ids=HELD_IDS),
    ("POST", "/intake/held/{row_id}"): Call(Permission.INTAKE_REVIEW, {}, ids=HELD_IDS),
    ("GET", "/intake/notices"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/intake/corrections"): Call(Permission.INTAKE_SUBMIT),
    ("GET", "/api/v1/intake/held"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/api/v1/intake/held/{row_id}"): Call(Permission.INTAKE_REVIEW, ids=HELD_IDS),
    ("POST", "/api/v1/intake/held/{row_id}/decision"): Call(
        Permission.INTAKE_REVIEW, {}, ids=HELD_IDS
    ),
    ("GET", "/api/v1/intake/notices"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/api/v1/intake/corrections"): Call(Permission.INTAKE_SUBMIT),
    # The register of partners and agreements: kept by those who review intake; a partner
    # account reads its own organisation (the walker, if a partner, sends for the walk's
    # partner) and the data sets it may send. Bodies are incomplete: nothing is recorded,
    # but for the contacts removed (one by the page, another by the API).
    ("GET", "/intake/partners"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/intake/partners/new"): Call(Permission.INTAKE_REVIEW),
    ("POST", "/intake/partners/new"): Call(Permission.INTAKE_REVIEW, {"code": ""}),
    ("GET", "/intake/partners/{partner_id}"): Call(Permission.INTAKE_REVIEW),
    ("GET", "/intake/partners/{partner_id}/edit"): Call(Permission.INTAKE_REVIEW),
    ("POST", "/intake/partners/{partner_id}/edit"): Call(Permission.INTAKE_REVIEW, {"name": ""}),
    ("POST", "/intake/partners/{partner_id}/contacts"): Call(Permission.INTAKE_REVIEW, {}),
    ("POST", "/intake/partners/{partner_id}/contacts/{contact_id}/remove"): Call(
        Permission.INTAKE_REVIEW, {}
    ),
    ("POST", "/intake/partners/{partner_id}/accounts"): Call(
        Permission.INTAKE_REVIEW, {"username": ""}
    ),
    ("POST", "/intake/partners/{partner_id}/accounts/unlink"): Call(
        Permission.INTAKE_REVIEW, {"username": ""}
    ),
    ("GET", "/intake/partners/{partner_id}/agreements/new"): Call(Permission.INTAKE_REVIEW),
    ("POST", "/intake/partners/{partner_id}/agreements/new"): Call(Permission.INTAKE_REVIEW, {}),
    ("GET", "/intake/agreements/{agreement_id}/end"): Call(Permission.INTAKE_REVIEW),
    ("POST", "/intake/agreements/{agreement_id}/end"): Call(Permission.INTAKE_REVIEW, {}),
    ("GET", "/intake/organisation"): Call(Permission.INTAKE_SUBMIT),
    ("GET", "/intake/datasets"): Call(INTAKE_EITHER),
    ("GET", "/intake/datasets/{dataset}/template.csv"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/partners"): Call(Permission.INTAKE_REVIEW),
    ("POST", "/api/v1/intake/partners"): Call(Permission.INTAKE_REVIEW, {}),
    ("GET", "/api/v1/intake/partners/{partner_id}"): Call(Permission.INTAKE_REVIEW),
    ("PATCH", "/api/v1/intake/partners/{partner_id}"): Call(Permission.INTAKE_REVIEW, {}),
    ("POST", "/api/v1/intake/partners/{partner_id}/contacts"): Call(Permission.INTAKE_REVIEW, {}),
    ("DELETE", "/api/v1/intake/partners/{partner_id}/contacts/{contact_id}"): Call(
        Permission.INTAKE_REVIEW, ids={"contact_id": "api_contact_id"}
    ),
    ("POST", "/api/v1/intake/partners/{partner_id}/accounts"): Call(Permission.INTAKE_REVIEW, {}),
    ("POST", "/api/v1/intake/partners/{partner_id}/accounts/unlink"): Call(
        Permission.INTAKE_REVIEW, {}
    ),
    ("GET", "/api/v1/intake/partners/{partner_id}/agreements"): Call(INTAKE_EITHER),
    ("POST", "/api/v1/intake/partners/{partner_id}/agreements"): Call(Permission.INTAKE_REVIEW, {}),
    ("POST", "/api/v1/intake/agreements/{agreement_id}/end"): Call(Permission.INTAKE_REVIEW, {}),
    ("GET", "/api/v1/intake/datasets"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/datasets/{dataset}/template.csv"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/organisation"): Call(Permission.INTAKE_SUBMIT),
    # Partner data quality: the walk's partner has a file of rows checked.
    ("GET", "/intake/quality"): Call(QUALITY_SEE),
    ("GET", "/intake/quality/partners/{partner_id}"): Call(QUALITY_SEE),
    ("GET", "/intake/quality.csv"): Call(QUALITY_SEE),
    ("GET", "/api/v1/intake/quality"): Call(QUALITY_SEE),
    ("GET", "/api/v1/intake/quality/partners/{partner_id}"): Call(QUALITY_SEE),
    # Partner submissions: a partner account its own partner's (the walker, when a partner,
    # is linked to the walk's partner), reviewers every partner's, nobody else any.
    ("GET", "/intake/send"): Call(INTAKE_EITHER),
    ("POST", "/intake/send"): Call(INTAKE_EITHER, {"dataset": "party_details"}),
    ("POST", "/api/v1/intake/submissions"): Call(
        INTAKE_EITHER, {"dataset": "party_details"}, files=EMPTY_CSV
    ),
    ("GET", "/intake/submissions"): Call(INTAKE_EITHER),
    ("GET", "/intake/submissions/{submission_id}"): Call(INTAKE_EITHER),
    ("GET", "/intake/submissions/{submission_id}/progress"): Call(INTAKE_EITHER),
    ("GET", "/intake/submissions/{submission_id}/report.csv"): Call(INTAKE_EITHER),
    ("GET", "/intake/submissions/{submission_id}/report.pdf"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/submissions"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/submissions/{submission_id}"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/submissions/{submission_id}/report.csv"): Call(INTAKE_EITHER),
    ("GET", "/api/v1/intake/submissions/{submission_id}/report.pdf"): Call(INTAKE_EITHER),
    # The identity API: as its pages. Ids in bodies cannot be filled as numbers, so a merge
    # and a "not the same" are refused (422) and change nothing; the API un-merges its own.
    ("POST", "/api/v1/search/people"): Call(
        PEOPLE_SEARCH, {"first_name": "Walk", "last_name": "Through"}
    ),
    ("GET", "/api/v1/people/duplicates"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/api/v1/people/duplicates/check"): Call(Permission.PEOPLE_MANAGE),
    ("GET", "/api/v1/people/{person_id}/compare/{other_person_id}"): Call(Permission.PEOPLE_MANAGE),
    ("POST", "/api/v1/people/{person_id}/merge"): Call(
        Permission.PEOPLE_MANAGE, {"other_person_id": "{other_person_id}"}
    ),
    ("POST", "/api/v1/people/{person_id}/not-same"): Call(
        Permission.PEOPLE_MANAGE, {"other_person_id": "{other_person_id}"}
    ),
    ("POST", "/api/v1/people/merges/{merge_id}/unmerge"): Call(
        Permission.PEOPLE_MANAGE, ids={"merge_id": "api_merge_id"}
    ),
    # The paper archive API: as its pages (the page already moved the walk's retrieval on,
    # so the API's out, return and cancel find it in another state: 409).
    ("GET", "/api/v1/archives/locations"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/locations"): Call(Permission.ARCHIVES_MANAGE, {"kind": "on_site"}),
    ("GET", "/api/v1/archives/locations/{location_id}"): Call(Permission.ARCHIVES_MANAGE),
    ("GET", "/api/v1/archives/locations/{location_id}/boxes"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/boxes"): Call(Permission.ARCHIVES_MANAGE, {"barcode": ""}),
    ("GET", "/api/v1/archives/boxes/{box_id}"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/boxes/{box_id}/move"): Call(Permission.ARCHIVES_MANAGE, {}),
    ("POST", "/api/v1/archives/boxes/{box_id}/retrievals"): Call(
        Permission.ARCHIVES_MANAGE, {"purpose": "not-a-purpose"}
    ),
    ("GET", "/api/v1/archives/files"): Call(Permission.ARCHIVES_MANAGE),
    ("GET", "/api/v1/archives/files/{paper_file_id}"): Call(CASE_READ),
    ("POST", "/api/v1/archives/files/{paper_file_id}/retrievals"): Call(
        Permission.ARCHIVES_REQUEST, {"purpose": "not-a-purpose"}
    ),
    ("GET", "/api/v1/archives/retrievals"): Call(Permission.ARCHIVES_REQUEST),
    ("POST", "/api/v1/archives/retrievals/{retrieval_id}/out"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/retrievals/{retrieval_id}/return"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/retrievals/{retrieval_id}/cancel"): Call(
        Permission.ARCHIVES_REQUEST
    ),
    ("GET", "/api/v1/archives/certificates"): Call(Permission.ARCHIVES_MANAGE),
    ("GET", "/api/v1/archives/certificates/{certificate_id}"): Call(Permission.ARCHIVES_MANAGE),
    # The archive's files through the API: an empty file is refused (the import's job fails).
    ("POST", "/api/v1/archives/certificates"): Call(
        Permission.ARCHIVES_MANAGE, {"reference": "W"}, files=EMPTY_CSV
    ),
    ("POST", "/api/v1/archives/inventory/check"): Call(Permission.ARCHIVES_MANAGE, {}, EMPTY_CSV),
    ("POST", "/api/v1/archives/inventory"): Call(Permission.ARCHIVES_MANAGE, {}, EMPTY_CSV),
    ("GET", "/api/v1/archives/export.csv"): Call(Permission.ARCHIVES_MANAGE),
    ("POST", "/api/v1/archives/search"): Call(
        AnyOf((Permission.ARCHIVES_MANAGE, Permission.CASES_READ_ALL)), {"names": ["Walk Through"]}
    ),
    # Retention through the API: as its pages (the bodies are refused input but for the
    # release; the page's own release, approval and run went first: 409 then).
    ("GET", "/api/v1/retention/schedules"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/schedules"): Call(
        Permission.RETENTION_MANAGE, {"source": "not: [yaml"}
    ),
    ("GET", "/api/v1/retention/schedules/{version}"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/schedules/{version}/approve"): Call(
        Permission.RETENTION_APPROVE, {}
    ),
    ("GET", "/api/v1/retention/due"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/due/sweep"): Call(Permission.RETENTION_MANAGE, {}),
    ("GET", "/api/v1/retention/cases/{case_id}"): Call(CASE_READ),
    ("GET", "/api/v1/retention/holds"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/holds"): Call(Permission.RETENTION_MANAGE, {"kind": "police"}),
    ("POST", "/api/v1/retention/holds/{hold_id}/release"): Call(
        Permission.RETENTION_MANAGE, {"reason": "The police enquiry has closed"}
    ),
    ("GET", "/api/v1/retention/disposal"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/disposal"): Call(
        Permission.RETENTION_MANAGE, {"as_of": "not a date"}
    ),
    ("GET", "/api/v1/retention/disposal/{list_id}"): Call(Permission.RETENTION_MANAGE),
    ("GET", "/api/v1/retention/disposal/{list_id}/items"): Call(Permission.RETENTION_MANAGE),
    ("POST", "/api/v1/retention/disposal/{list_id}/decisions"): Call(
        Permission.RETENTION_MANAGE, {}
    ),
    ("POST", "/api/v1/retention/disposal/{list_id}/approve"): Call(
        Permission.RETENTION_APPROVE, {}
    ),
    ("POST", "/api/v1/retention/disposal/{list_id}/carry-out"): Call(
        Permission.RETENTION_APPROVE, {}, ids={"list_id": "approved_list_id"}
    ),
    ("GET", "/api/v1/retention/disposal/{list_id}/certificate"): Call(
        Permission.RETENTION_MANAGE, ids={"list_id": "executed_list_id"}
    ),
    ("GET", "/api/v1/retention/disposal/{list_id}/certificate.pdf"): Call(
        Permission.RETENTION_MANAGE, ids={"list_id": "executed_list_id"}
    ),
    ("GET", "/api/v1/jobs/{job_id}"): Call(Permission.RETENTION_MANAGE),
    # assurance: measures and catalogue
    # The rows behind accounts_unused are for the audit trail's readers (DPO, auditor): an
    # IG officer sees its figure but not its CSV.
    ("GET", "/assurance"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/measures/{key}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/measures/{key}/export.csv"): Call(Permission.AUDIT_READ),
    ("POST", "/assurance/measures/{key}/thresholds"): Call(
        Permission.ASSURANCE_MANAGE, {"green": "x", "amber": "1"}
    ),
    ("GET", "/assurance/catalogue"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/catalogue"): Call(Permission.ASSURANCE_MANAGE, {"catalogue": "x"}),
    ("GET", "/assurance/catalogue/versions/{number}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/measures"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/measures/{key}"): Call(Permission.ASSURANCE_VIEW),
    ("PUT", "/api/v1/assurance/measures/{key}/thresholds"): Call(
        Permission.ASSURANCE_MANAGE, {"green": 5, "amber": 1}
    ),
    ("GET", "/api/v1/assurance/catalogue"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/catalogue/versions"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/catalogue"): Call(Permission.ASSURANCE_MANAGE, {"catalogue": "x"}),
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    # The walker owns no action: updating one is the DPO's (an owner's own is tested apart).
    ("GET", "/assurance/audits"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/audits/new"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/audits"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/audits/{audit_id}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/audits/{audit_id}/recommendations"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("POST", "/assurance/audits/{audit_id}/follow-ups"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/actions"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/actions.csv"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/actions/mine"): Call(SignedInOnly),
    ("GET", "/assurance/actions/{recommendation_id}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/actions/{recommendation_id}"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("POST", "/assurance/actions/{recommendation_id}/updates"): Call(
        Permission.ASSURANCE_MANAGE, {"note": ""}
    ),
    ("GET", "/assurance/actions/{recommendation_id}/updates/{update_id}/evidence"): Call(
        Permission.ASSURANCE_VIEW
    ),
    ("GET", "/assurance/attestations"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/attestations/new"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/attestations"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/attestations/{attestation_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/attestations/{attestation_id}/document"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/self-assessment"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/self-assessment/{area}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/self-assessment/{area}"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/audits"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/audits"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/audits/{audit_id}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/audits/{audit_id}/recommendations"): Call(
        Permission.ASSURANCE_MANAGE, {}
    ),
    ("POST", "/api/v1/assurance/audits/{audit_id}/follow-ups"): Call(
        Permission.ASSURANCE_MANAGE, {}
    ),
    ("GET", "/api/v1/assurance/actions"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/action-plan/summary"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/my-actions"): Call(SignedInOnly),
    ("GET", "/api/v1/assurance/actions/{recommendation_id}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/actions/{recommendation_id}"): Call(
        Permission.ASSURANCE_MANAGE, {}
    ),
    ("POST", "/api/v1/assurance/actions/{recommendation_id}/updates"): Call(
        Permission.ASSURANCE_MANAGE, {"note": "Walk"}, files=TEXT_FILE_AS_EVIDENCE
    ),
    ("GET", "/api/v1/assurance/actions/{recommendation_id}/updates/{update_id}/evidence"): Call(
        Permission.ASSURANCE_VIEW
    ),
    ("GET", "/api/v1/assurance/attestations"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/attestations/summary"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/attestations"): Call(
        Permission.ASSURANCE_MANAGE, {}, files=TEXT_FILE_AS_DOCUMENT
    ),
    ("GET", "/api/v1/assurance/attestations/{attestation_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/attestations/{attestation_id}/document"): Call(
        Permission.ASSURANCE_VIEW
    ),
    ("GET", "/api/v1/assurance/self-assessment"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/self-assessment/{area}"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/self-assessment/{area}"): Call(Permission.ASSURANCE_MANAGE, {}),
    # (end of assurance: audits and action plan)
    # assurance: breaches
    # Any member of staff reports and reads their own reports; the IG team triages and
    # decides; assurance viewers (the auditor) read the register. Bodies are refused input
    # (422): the walk must not close the walk's breach before its detail page is read.
    ("GET", "/breaches/report"): Call(Permission.BREACH_REPORT),
    ("POST", "/breaches/report"): Call(Permission.BREACH_REPORT, {"description": ""}),
    ("GET", "/breaches/mine"): Call(Permission.BREACH_REPORT),
    ("GET", "/breaches/mine/{breach_id}"): Call(
        Permission.BREACH_REPORT, ids={"breach_id": "my_breach_id"}
    ),
    ("GET", "/assurance/breaches"): Call(BREACH_SEE),
    ("GET", "/assurance/breaches.csv"): Call(BREACH_SEE),
    ("GET", "/assurance/breaches/{breach_id}"): Call(BREACH_SEE),
    ("POST", "/assurance/breaches/{breach_id}/assessment"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/assurance/breaches/{breach_id}/ico"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/assurance/breaches/{breach_id}/people"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/assurance/breaches/{breach_id}/links"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/assurance/breaches/{breach_id}/close"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/api/v1/breaches"): Call(Permission.BREACH_REPORT, {"description": ""}),
    ("GET", "/api/v1/breaches/mine"): Call(Permission.BREACH_REPORT),
    ("GET", "/api/v1/breaches/mine/{breach_id}"): Call(
        Permission.BREACH_REPORT, ids={"breach_id": "my_breach_id"}
    ),
    ("GET", "/api/v1/assurance/breaches"): Call(BREACH_SEE),
    ("GET", "/api/v1/assurance/breaches/export"): Call(BREACH_SEE),
    ("GET", "/api/v1/assurance/breaches/summary"): Call(BREACH_SEE),
    ("GET", "/api/v1/assurance/breaches/{breach_id}"): Call(BREACH_SEE),
    ("POST", "/api/v1/assurance/breaches/{breach_id}/assessment"): Call(
        Permission.BREACH_MANAGE, {}
    ),
    ("POST", "/api/v1/assurance/breaches/{breach_id}/ico"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/api/v1/assurance/breaches/{breach_id}/people"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/api/v1/assurance/breaches/{breach_id}/links"): Call(Permission.BREACH_MANAGE, {}),
    ("POST", "/api/v1/assurance/breaches/{breach_id}/close"): Call(
        Permission.BREACH_MANAGE, {"lessons": "The walk"}
    ),
    # (end of assurance: breaches)
    # assurance: processing register
    # The record of processing and asset register: read with assurance:view, changed by the
    # DPO (assurance:manage). Bodies are incomplete: refused, nothing saved (the class form's
    # empty choice unmaps the walk's class). The printed schedule: assurance or retention.
    ("GET", "/assurance/processing"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/processing/new"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/processing/new"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/processing/classes"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/processing/classes/{class_code}"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/processing/export.csv"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/processing/export.pdf"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/processing/{activity_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/processing/{activity_id}/edit"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/processing/{activity_id}/edit"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("POST", "/assurance/processing/{activity_id}/review"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/assets"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/assets/new"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/assets/new"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/assets/export.csv"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/assets/{asset_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/assets/{asset_id}/edit"): Call(Permission.ASSURANCE_MANAGE),
    ("POST", "/assurance/assets/{asset_id}/edit"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/retention-schedule"): Call(SCHEDULE_READ),
    ("GET", "/assurance/retention-schedule/schedule.pdf"): Call(SCHEDULE_READ),
    ("GET", "/assurance/retention-schedule/changes"): Call(SCHEDULE_READ),
    ("GET", "/assurance/retention-schedule/changes.pdf"): Call(SCHEDULE_READ),
    ("GET", "/api/v1/assurance/processing/activities"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/processing/activities"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/processing/activities/{activity_id}"): Call(
        Permission.ASSURANCE_VIEW
    ),
    ("PUT", "/api/v1/assurance/processing/activities/{activity_id}"): Call(
        Permission.ASSURANCE_MANAGE, {}
    ),
    ("POST", "/api/v1/assurance/processing/activities/{activity_id}/review"): Call(
        Permission.ASSURANCE_MANAGE, {}
    ),
    ("GET", "/api/v1/assurance/processing/activities/{activity_id}/history"): Call(
        Permission.ASSURANCE_VIEW
    ),
    ("GET", "/api/v1/assurance/processing/export.csv"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/processing/export.pdf"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/processing/summary"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/processing/classes"): Call(Permission.ASSURANCE_VIEW),
    ("PUT", "/api/v1/assurance/processing/classes/{class_code}"): Call(
        Permission.ASSURANCE_MANAGE, {"activity_id": "{activity_id}"}
    ),
    ("GET", "/api/v1/assurance/assets"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/assets"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/assets.csv"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/assets/{asset_id}"): Call(Permission.ASSURANCE_VIEW),
    ("PUT", "/api/v1/assurance/assets/{asset_id}"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/retention-schedule/versions"): Call(SCHEDULE_READ),
    ("GET", "/api/v1/assurance/retention-schedule/changes"): Call(SCHEDULE_READ),
    ("GET", "/api/v1/assurance/retention-schedule/changes.pdf"): Call(SCHEDULE_READ),
    ("GET", "/api/v1/assurance/retention-schedule/{version}"): Call(SCHEDULE_READ),
    ("GET", "/api/v1/assurance/retention-schedule/{version}/pdf"): Call(SCHEDULE_READ),
    # (end of assurance: processing register)
    # assurance: oversight of access
    ("GET", "/assurance/access"): Call(Permission.AUDIT_READ),
    ("GET", "/assurance/access/export.csv"): Call(Permission.AUDIT_READ),
    ("GET", "/assurance/break-glass"): Call(Permission.AUDIT_READ),
    ("GET", "/assurance/break-glass/export.csv"): Call(Permission.AUDIT_READ),
    ("GET", "/assurance/break-glass/{use_id}"): Call(
        Permission.AUDIT_READ, ids={"use_id": "break_glass_id"}
    ),
    ("POST", "/assurance/break-glass/{use_id}/review"): Call(
        Permission.ASSURANCE_MANAGE, {"outcome": "nonsense"}, ids={"use_id": "break_glass_id"}
    ),
    ("GET", "/assurance/access-review"): Call(ACCESS_REVIEW_SEE),
    ("POST", "/assurance/access-review"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/assurance/access-review/{round_id}"): Call(ACCESS_REVIEW_SEE),
    ("POST", "/assurance/access-review/{round_id}/accounts/{entry_id}"): Call(
        Permission.ASSURANCE_MANAGE, {"decision": "confirmed"}
    ),
    ("POST", "/assurance/access-review/{round_id}/close"): Call(Permission.ASSURANCE_MANAGE, {}),
    ("GET", "/api/v1/assurance/access/cases/{case_id}"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/assurance/access/people/{person_id}"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/assurance/break-glass"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/assurance/break-glass/{use_id}"): Call(
        Permission.AUDIT_READ, ids={"use_id": "break_glass_id"}
    ),
    ("POST", "/api/v1/assurance/break-glass/{use_id}/reviews"): Call(
        Permission.ASSURANCE_MANAGE, {"outcome": "nonsense"}, ids={"use_id": "break_glass_id"}
    ),
    ("GET", "/api/v1/assurance/access-reviews"): Call(ACCESS_REVIEW_SEE),
    ("POST", "/api/v1/assurance/access-reviews"): Call(Permission.ASSURANCE_MANAGE),
    ("GET", "/api/v1/assurance/access-reviews/{round_id}"): Call(ACCESS_REVIEW_SEE),
    ("GET", "/api/v1/assurance/access-reviews/{round_id}/accounts"): Call(ACCESS_REVIEW_SEE),
    ("POST", "/api/v1/assurance/access-reviews/{round_id}/accounts/{entry_id}"): Call(
        Permission.ASSURANCE_MANAGE, {"decision": "confirmed"}
    ),
    ("POST", "/api/v1/assurance/access-reviews/{round_id}/close"): Call(
        Permission.ASSURANCE_MANAGE
    ),
    # (end of assurance: oversight of access)
    # assurance: evidence pack
    # The walk's pack is the walker's own; a bad date keeps the walk from building one.
    ("GET", "/assurance/evidence-pack"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/assurance/evidence-pack"): Call(Permission.ASSURANCE_VIEW, _date("as_of", "x-y-z")),
    ("GET", "/assurance/evidence-pack/{pack_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/evidence-pack/{pack_id}/download"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/evidence-packs"): Call(Permission.ASSURANCE_VIEW),
    ("POST", "/api/v1/assurance/evidence-packs"): Call(
        Permission.ASSURANCE_VIEW, {"as_of": "not a date"}
    ),
    ("GET", "/api/v1/assurance/evidence-packs/{pack_id}"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/evidence-packs/{pack_id}/download"): Call(Permission.ASSURANCE_VIEW),
    # (end of assurance: evidence pack)
    # assurance: board report
    # Reading the board report and downloading it (an audited export) need assurance:view.
    ("GET", "/assurance/report"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/assurance/report.pdf"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/report"): Call(Permission.ASSURANCE_VIEW),
    ("GET", "/api/v1/assurance/report.pdf"): Call(Permission.ASSURANCE_VIEW),
    # (end of assurance: board report)
}


class Ids(dict[str, int]):
    """The path parameters of the walk, and ids named in bodies: real rows that the walking
    user may see if their role may, so an allowed route runs its real path."""

    def fill(self, template: str) -> str:
        for name, value in self.items():
            template = template.replace("{" + name + "}", str(value))
        return template


def _walk_rows(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, user: auth.User
) -> Ids:
    """Everything the walk's routes name, made by other members of staff: a case assigned to
    the walker with a person and a document, archive rows, accounts and a role grant, a
    draft schedule, a hold, a disposal list awaiting decisions and one executed."""
    ids = Ids(_records_for(db, keyring, user))
    ids |= _accounts_for(db)
    ids |= _retention_for(db, session_factory, keyring, ids["case_id"])
    ids |= _letters_for(db, keyring)
    ids |= _sar_document_for(db, keyring, ids["request_id"])
    ids |= _sar_search_for(db, keyring, ids["request_id"])
    ids |= _consultation_for(db, keyring, ids["request_id"])
    request = sar.get(db, Actor.system(), ids["request_id"])
    ids["bundle_id"] = bundle_helpers.stored_bundle(db, keyring, request)
    ids["token"] = 12345  # no link has this token
    ids |= _disclosure_for(db, keyring)
    ids["staff_id"] = make_staff(db, name="Walk Through").id
    ids |= _catalogue_for(db)
    ids |= _elearning_for(db, user)
    ids |= _classroom_for(db, keyring, user)
    ids["held_row_id"] = held_conflict(db, keyring).row.id
    ids |= _intake_register_for(db, user)
    _quality_for(db, keyring, ids["partner_id"])
    ids |= _submission_for(db, keyring, ids["partner_id"], ids["agreement_id"])
    ids |= _access_review_for(db)
    ids |= _audits_for(db, keyring)
    ids |= _breaches_for(db, keyring, user)
    ids |= _processing_for(db)
    ids |= _assurance_measures_for(db)
    # assurance: evidence pack (the walker's own: only its builder downloads a pack)
    ids["pack_id"] = stored_pack(db, keyring, user)
    return ids


def _access_review_for(db: Session) -> dict[str, int]:
    """An open access review, started by another DPO, with its first account."""
    review = access_review.open_round(db, make_user(db, Role.DPO).actor)
    entry = db.scalars(
        select(AccessReviewEntry).where(AccessReviewEntry.round_id == review.id).limit(1)
    ).one()
    return {"round_id": review.id, "entry_id": entry.id}


def _audits_for(db: Session, keyring: FileKeyring) -> Ids:
    """An audit with an action owned by someone else, updated with evidence, and an
    attestation."""
    owner = make_user(db, Role.MANAGER)
    rec = make_action(db, make_audit(db), owner)
    update = audit_actions.post_update(
        db, keyring, owner.actor, rec.id, audit_actions.NewUpdate("Walk", "", evidence=PDF)
    )
    found = Ids(
        audit_id=rec.audit_id,
        recommendation_id=rec.id,
        update_id=update.id,
        attestation_id=make_attestation(db, keyring, review_on=clock.today()),
    )
    found["area"] = "security"  # type: ignore[assignment]
    return found


def _processing_for(db: Session) -> dict[str, int]:
    """A processing activity, an asset supporting it, and a record class to map."""
    activity = make_activity(db)
    found = {
        "activity_id": activity.id,
        "asset_id": make_asset(db, activity_ids=[activity.id]).id,
    }
    found["class_code"] = "CASE.PRIVATE"  # type: ignore[assignment]
    return found


def _breaches_for(db: Session, keyring: FileKeyring, user: auth.User) -> dict[str, int]:
    """A breach reported by someone else, and one the walker reported."""
    officer = make_user(db, Role.IG_OFFICER).actor
    theirs = breach_helpers.reported(db, keyring, make_user(db).actor)
    breach_helpers.assessed(db, keyring, officer, theirs)
    mine = breach_helpers.reported(db, keyring, Actor.system())
    mine.reported_by_user_id = user.id
    return {"breach_id": theirs.id, "my_breach_id": mine.id}


def _assurance_measures_for(db: Session) -> Ids:
    """A measure to drill into, and a published catalogue version to read."""
    text = assurance_controls.catalogue_format.shipped_text() + "\n# walk\n"
    found = Ids(number=assurance_controls.publish(db, Actor.system(), text).version)
    found["key"] = "accounts_unused"  # type: ignore[assignment]
    return found


def _submission_for(
    db: Session, keyring: FileKeyring, partner_id: int, agreement_id: int
) -> dict[str, int]:
    """A submission of the walk's partner (a partner walker sends for it) with a rejected
    row."""
    partner, agreement = db.get(Partner, partner_id), db.get(Agreement, agreement_id)
    assert partner is not None and agreement is not None
    submission = make_submission(db, keyring, partner, agreement)
    make_row(
        db,
        keyring,
        submission,
        {"case_number": "WALK"},
        issues=[("nhs_number", IntakeCode.NHS_CHECKSUM)],
    )
    return {"submission_id": submission.id}


def _intake_register_for(db: Session, user: auth.User) -> Ids:
    """A partner with an agreement in force covering every data set and two contacts; a
    walker with the partner role sends for it."""
    partner = make_partner(db)
    agreement = make_agreement(db, partner)
    add = partial(intake_contacts.add_contact, db, Actor.system(), partner.id, email="w@x.org")
    if user.role == Role.PARTNER:
        intake_partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
    found = Ids(
        partner_id=partner.id,
        agreement_id=agreement.id,
        contact_id=add(name="Walk One").id,
        api_contact_id=add(name="Walk Two").id,
    )
    found["dataset"] = "party_details"  # type: ignore[assignment]
    return found


def _quality_for(db: Session, keyring: FileKeyring, partner_id: int) -> None:
    """A file of the walk's partner checked, one row rejected: its figures are not empty."""
    partner = intake_partners.get_partner(db, partner_id)
    submission = make_submission(db, keyring, partner, make_agreement(db, partner))
    make_row(
        db, keyring, submission, {"case_number": "WALK"}, issues=[(None, IntakeCode.CASE_UNKNOWN)]
    )


def _catalogue_for(db: Session) -> dict[str, int]:
    """A course with a requirement on it, and a course of its own for the walk to retire."""
    course = make_course(db)
    requirement = make_requirement(db, course)
    return {
        "course_id": course.id,
        "requirement_id": requirement.id,
        "retired_course_id": make_course(db).id,
    }


def _classroom_for(db: Session, keyring: FileKeyring, user: auth.User) -> dict[str, int]:
    """A member of staff managed by someone else, at a classroom session with the walker, its
    evidence on record: the walker's own completion is the one whose certificate and evidence
    the walk asks for (the person may have their certificate; the evidence is for those who
    manage training)."""
    course = make_course(db, delivery=Delivery.CLASSROOM, pass_mark=None)
    staff = make_staff(db, manager=make_staff(db))
    walker = staff_service.for_user(db, user.id)
    assert walker is not None
    recorded = manual.record(
        db,
        keyring,
        Actor.system(),
        manual.Attendance(
            staff_ids=[staff.id, walker.id],
            course_id=course.id,
            completed_on=date(2026, 1, 5),
            note="",
            evidence=b"%PDF-1.7 walk",
        ),
    )
    return {
        "training_staff_id": staff.id,
        "training_course_id": course.id,
        "completion_id": recorded.completion_ids[1],
    }


def _elearning_for(db: Session, user: auth.User) -> Ids:
    """The built-in modules in the catalogue, a staff record for the walker, one attempt sent
    and passed (its completion has a certificate) and one left open."""
    training_modules.sync(db, Actor.system())
    make_staff(db, user_id=user.id)
    slug = "data-protection-induction"
    module, sent = elearning.start(db, user.actor, slug)
    passed = elearning.submit(
        db, user.actor, sent.id, {q.id: q.correct_index for q in module.questions}
    )
    assert passed.completion is not None
    _, left_open = elearning.start(db, user.actor, slug)
    found = Ids(sent_attempt_id=sent.id, attempt_id=left_open.id)
    # Path segments that are words, not ids.
    found["slug"] = slug  # type: ignore[assignment]
    found["reference"] = certificates.reference(passed.completion)  # type: ignore[assignment]
    return found


def _disclosure_for(db: Session, keyring: FileKeyring) -> dict[str, int]:
    """A request about the walk's person, searched, the person in scope, being reviewed:
    its one document gathered for disclosure, with a redaction proposed on it."""
    officer = make_user(db, Role.IG_OFFICER).actor
    request = make_request(
        db,
        keyring,
        officer,
        received_on=clock.today(),
        requester=PersonDetails(full_name="Walk Through"),
    )
    terms = sar.suggested_terms(db, keyring, officer, request.id)
    run = sar.start_search(db, keyring, officer, None, request.id, terms)
    sar.execute_run(db, keyring, officer, run.id)
    person = next(h for h in run.hits if h.source == "person")
    sar.triage(db, keyring, officer, request.id, person.id, Triage.IN_SCOPE, "The walk's subject")
    request.status = Status.REVIEWING.value
    sar.disclosure.gather(db, keyring, officer, request_id=request.id)
    item = db.scalars(
        select(SarDisclosureItem).where(SarDisclosureItem.request_id == request.id).limit(1)
    ).one()
    redaction = disclosure_store.new_redaction(
        db,
        keyring,
        officer,
        request,
        item,
        page=0,
        start=0,
        end=4,
        label=Label.NAME,
        code=Code.THIRD_PARTY,
        source=Source.CASE,
        text="Case",
        reason="A walk's proposal",
    )
    return {
        "disclosure_request_id": request.id,
        "disclosure_item_id": item.id,
        "redaction_id": redaction.id,
    }


def _sar_document_for(db: Session, keyring: FileKeyring, request_id: int) -> dict[str, int]:
    """A proof of authority on file for the walk's request."""
    document = sar.documents.store(
        db,
        keyring,
        Actor.system(),
        sar.get(db, Actor.system(), request_id),
        kind=uploads.DocumentKind.AUTHORITY,
        data=b"%PDF-1.7 walk",
        filename="authority.pdf",
    )
    return {"sar_document_id": document.id}


def _records_for(db: Session, keyring: FileKeyring, user: auth.User) -> dict[str, int]:
    case = make_case(db, keyring)
    # The walker and the case share a team, so a manager walking reaches the team's pages.
    user.team = case.team = "walk"
    service.assign(db, Actor.system(), case_id=case.id, user_id=user.id)
    person = make_person(db, "Walk", "Through")
    add_party(db, case, person)
    document = make_document(db, keyring, case)
    others = [make_person(db, "Walk", f"Other{i}") for i in range(3)]
    for other in others:
        add_party(db, case, other, PartyRole.PARENT)
    merge = identity.merge_persons(
        db,
        actor=make_user(db, Role.IG_OFFICER).actor,
        person_id=others[0].id,
        other_person_id=others[1].id,
    )
    stranger = make_user(db, Role.CASEWORKER)
    opened = service.break_glass(
        db, keyring, stranger.actor, case_id=case.id, reason=REASON["reason"]
    )
    api_merge = identity.merge_persons(
        db,
        actor=make_user(db, Role.IG_OFFICER).actor,
        person_id=others[0].id,
        other_person_id=others[2].id,
    )
    return {
        "case_id": case.id,
        "document_id": document.id,
        "person_id": person.id,
        "other_person_id": others[2].id,
        "merge_id": merge.id,
        "api_merge_id": api_merge.id,
        "break_glass_id": opened.id,
        **_archives_for(db, case, user, keyring),
    }


def _accounts_for(db: Session) -> dict[str, int]:
    """An account whose role the walk changes, another's change awaiting approval, and one
    whose password an administrator may reset (it reads no case content)."""
    admin = make_user(db, Role.ADMIN)
    changed, waiting = make_user(db, Role.CASEWORKER), make_user(db, Role.AUDITOR)
    grant = auth.change_role(db, admin.actor, user_id=waiting.id, role=Role.DPO)
    assert grant is not None
    plain = make_user(db, Role.AUDITOR)
    return {"user_id": changed.id, "grant_id": grant.id, "plain_user_id": plain.id}


def _retention_for(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, case_id: int
) -> dict[str, int]:
    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    held = db.get(Case, case_id)
    assert held is not None
    schedules.ensure_default(db, Actor.system())
    executed = _disposal_list(db, keyring, officer.actor, dpo.actor, approve=True)
    db.commit()
    destruction.execute(session_factory, dpo.actor, list_id=executed, compact_database=False)
    approved = _disposal_list(db, keyring, officer.actor, dpo.actor, approve=True)
    decided = _disposal_list(db, keyring, officer.actor, dpo.actor, approve=False)
    disposal.decide(db, officer.actor, keyring, list_id=decided, item_ids=[], decision="destroy")
    waiting = _disposal_list(db, keyring, officer.actor, dpo.actor, approve=False)
    item = db.scalar(select(DisposalItem.id).where(DisposalItem.list_id == waiting).limit(1))
    job = jobs.Job(
        kind=retention_jobs.REDATE,
        permission=Permission.RETENTION_MANAGE.value,
        status=jobs.JobStatus.DONE.value,
        done=3,
        total=3,
        started_by_user_id=officer.id,
        created_at=clock.now(),
    )
    db.add(job)
    db.flush()
    draft = schedules.load(db, officer.actor, schedule_format.default_schedule_text())
    hold = holds.place_hold(
        db,
        officer.actor,
        keyring,
        kind="police",
        scope="case",
        targets=[held.case_number],
        reason="Police enquiry into the family, reference to follow",
    )
    return {
        "version": draft.version,
        "hold_id": hold.id,
        "list_id": waiting,
        "item_id": item or 0,
        "executed_list_id": executed,
        "approved_list_id": approved,
        "decided_list_id": decided,
        "job_id": job.id,
        "class_id": file_plan.record_class(db, "SAR").id,
    }


def _letters_for(db: Session, keyring: FileKeyring) -> dict[str, int]:
    """A subject access request with a letter made and emailed into the outbox."""
    officer = make_user(db, Role.IG_OFFICER)
    request = make_request(
        db,
        keyring,
        officer.actor,
        channel=Channel.EMAIL,
        received_on=clock.today(),
        requester=PersonDetails(full_name="Walk Through", email="walk@example.org"),
    )
    letter = sar_letters.make(
        db, keyring, officer.actor, request.id, LetterKind.ACKNOWLEDGEMENT, organisation="Walk"
    )
    sent = outbox.send(
        db,
        keyring,
        officer.actor,
        to="walk@example.org",
        subject="Walk",
        body="Walk",
        attachments=[("walk.pdf", "application/pdf", b"%PDF-1.4")],
    )
    return {"request_id": request.id, "letter_id": letter.id, "message_id": sent.id, "number": 1}


def _consultation_for(db: Session, keyring: FileKeyring, request_id: int) -> dict[str, int]:
    """A consultation on the walk's request, awaiting its reply."""
    consultation = sar.consultations.raise_consultation(
        db,
        keyring,
        make_user(db, Role.IG_OFFICER).actor,
        request_id,
        kind="court",
        who="The family court",
        why="Court papers on the file",
        due_on=clock.today(),
    )
    return {"consultation_id": consultation.id}


def _disposal_list(
    db: Session, keyring: FileKeyring, officer: Actor, dpo: Actor, *, approve: bool
) -> int:
    """A list holding one case long due: decided and approved, or awaiting decisions."""
    case_with_children(db, keyring, date(1990, 5, 1))
    listed = disposal.propose(db, officer, as_of=date(2040, 1, 1))
    if approve:
        disposal.decide(
            db, officer, keyring, list_id=listed.id, item_ids=[], decision=Decision.DESTROY
        )
        disposal.approve(db, dpo, keyring, list_id=listed.id)
    return listed.id


def _sar_search_for(db: Session, keyring: FileKeyring, request_id: int) -> dict[str, int]:
    """The walk's request (about the walk's person), searched once by an officer."""
    officer = make_user(db, Role.IG_OFFICER).actor
    terms = sar.suggested_terms(db, keyring, officer, request_id)
    run = sar.start_search(db, keyring, officer, None, request_id, terms)
    sar.execute_run(db, keyring, officer, run.id)
    return {"hit_id": run.hits[0].id}


def _archives_for(db: Session, case: Case, user: auth.User, keyring: FileKeyring) -> dict[str, int]:
    """A box on a shelf holding a paper file of the walker's case, a retrieval of it that the
    walker asked for, and a reconciled destruction certificate."""
    system = Actor.system()
    shelf = archives.create_location(
        db, system, LocationCreate(kind=LocationKind.ON_SITE, site="Walk", room=str(case.id))
    )
    box = archives.create_box(db, system, barcode=f"WALK-{case.id}", location_id=shelf.id)
    paper = archives.add_file(
        db,
        system,
        PaperFileCreate(
            file_reference=f"WALK-{case.id}-1", box_id=box.id, case_number=case.case_number
        ),
    )
    retrieval = archives.request_retrieval(
        db,
        system,
        keyring,
        RetrievalRequest(paper_file_id=paper.id, purpose=RetrievalPurpose.CASE_WORK),
    )
    retrieval.requested_by_user_id = user.id
    gone = archives.add_file(db, system, PaperFileCreate(file_reference=f"WALK-{case.id}-2"))
    archives.mark_for_destruction(db, actor=system, file_ids=[gone.id], reference="WALK")
    certificate = archives.reconcile_certificate(
        db,
        actor=system,
        reference="WALK",
        content=f"file_reference\r\n{gone.file_reference}\r\n".encode(),
    )
    return {
        "location_id": shelf.id,
        "box_id": box.id,
        "paper_file_id": paper.id,
        "retrieval_id": retrieval.id,
        "certificate_id": certificate.certificate_id,
    }


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found = {("GET", "/api/v1/openapi.json")}

    def add(routes: list[object], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.update((m, prefix + route.path_format) for m in route.methods if m != "HEAD")
            # FastAPI keeps an included router whole; look inside, so that no router is missed.
            inner = getattr(route, "original_router", None)
            context = getattr(route, "include_context", None)
            if inner is not None and context is not None:
                add(inner.routes, prefix + context.prefix)

    add(list(app.router.routes), "")
    for router in PAGE_ROUTERS:
        add(list(router.routes), "")
    for router in API_ROUTERS:
        add(list(router.routes), API_PREFIX)
    return found


def test_every_route_has_a_rule(app: FastAPI) -> None:
    assert _routes(app) == set(RULES), "give each new route a rule in RULES"


def _allowed(rule: Rule, role: Role | None) -> bool:
    if rule is Public:
        return True
    if role is None:
        return False
    if rule is SignedInOnly:
        return True
    if isinstance(rule, AnyOf):
        return any(p in ROLE_PERMISSIONS[role] for p in rule.permissions)
    return rule in ROLE_PERMISSIONS[role]


def _call(
    client: TestClient,
    method: str,
    path: str,
    call: Call,
    *,
    api_token: str | None,
    ids: Ids,
    csrf: str,
) -> Response:
    for param, name in (call.ids or {}).items():
        path = path.replace("{" + param + "}", "{" + name + "}")
    url = ids.fill(path)
    body = {k: ids.fill(v) if isinstance(v, str) else v for k, v in (call.body or {}).items()}
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
        if call.files:
            return client.request(method, url, data=body, files=call.files, headers=headers)
        return client.request(
            method, url, json=body if call.body is not None else None, headers=headers
        )
    data: dict[str, object] = dict(body)
    if method == "POST":
        data["csrf_token"] = csrf
    return client.request(method, url, data=data if method == "POST" else None)


# What a route that lets the walker in may answer. A page or a read answers 200: every id
# in the walk is real and visible to the walker, so a 404 there is a broken allowed path.
# A change may also refuse its input (some bodies are deliberately wrong) or find the walk
# already took the step (a grant approved, then refused); it is never "not found".
READ_OK = frozenset({200})
CHANGE_OK = frozenset({200, 201, 202, 204, 303, 400, 409, 422})


def _refused(status: int, path: str, role: Role | None, call: Call) -> bool:
    return status in (401, 403) or (
        status == 303 and not path.startswith("/api/") and role is None and call.rule is not Public
    )


def _walk(client: TestClient, role: Role | None, *, api_token: str | None, ids: Ids) -> list[str]:
    wrong = []
    csrf = csrf_from(client)
    # Sign-out ends the session, so it goes last.
    for (method, path), call in sorted(RULES.items(), key=lambda item: item[0][1] == "/sign-out"):
        status = _call(
            client, method, path, call, api_token=api_token, ids=ids, csrf=csrf
        ).status_code
        refused = _refused(status, path, role, call)
        if not _allowed(call.rule, role):
            if not refused:
                wrong.append(f"{method} {path}: {status} (should deny)")
        elif status not in (READ_OK if method == "GET" else CHANGE_OK):
            wrong.append(f"{method} {path}: {status} (should allow, and work)")
    return wrong


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_permissions(
    role: Role,
    signed_in: SignedIn,
    db: Session,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
) -> None:
    client, user = signed_in(role)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="api")
    own, _ = auth.create_token(db, user.actor, user_id=user.id, name="to revoke")
    ids = _walk_rows(db, session_factory, keyring, user)
    ids["token_id"] = own.id
    db.commit()
    assert _walk(client, role, api_token=secret, ids=ids) == []


def test_anonymous_visitors_reach_only_public_routes(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
) -> None:
    user = make_user(db, Role.CASEWORKER)
    ids = _walk_rows(db, session_factory, keyring, user)
    ids["token_id"] = auth.create_token(db, user.actor, user_id=user.id, name="theirs")[0].id
    db.commit()
    assert _walk(client, None, api_token=None, ids=ids) == []


def test_a_user_cannot_revoke_another_users_token(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    _, other = signed_in(Role.CASEWORKER)
    token, _ = auth.create_token(db, other.actor, user_id=other.id, name="theirs")
    db.commit()
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(client)}
    )
    assert response.status_code == 403
    db.refresh(token)
    assert token.revoked_at is None


# --- the induction gate -----------------------------------------------------------------


# The routes that show case content (a case, its people, its documents, search hits, paper
# files of cases, a subject access request's findings in the records): closed, whatever the
# role, to a member of staff whose induction is outstanding (DOMAIN.md §4), who gets the
# gate's answer instead. The gated walk below fails for a route that answers the gate but is
# not listed here, and for a listed route that lets a gated walker in; and every route open
# to a role only for reading cases must be listed here or in NO_CASE_CONTENT.
def _routes_of(*lines: str) -> frozenset[tuple[str, str]]:
    return frozenset((line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in lines)


CASE_CONTENT = _routes_of(
    # Cases, their people and documents, and search over them (pages and API).
    "GET /cases",
    "GET /cases/{case_id}",
    "GET /people/{person_id}",
    "GET /documents/{document_id}",
    "GET /documents/{document_id}/download",
    "GET /cases/{case_id}/documents/new",
    "POST /cases/{case_id}/documents/new",
    "GET /cases/{case_id}/reassign",
    "POST /cases/{case_id}/reassign",
    "POST /api/v1/cases/{case_id}/reallocation",
    "GET /search",
    "POST /search",
    "GET /documents-without-text",
    "GET /retention/cases/{case_id}",
    "GET /api/v1/retention/cases/{case_id}",
    "GET /api/v1/cases",
    "GET /api/v1/cases/{case_id}",
    "POST /api/v1/cases/{case_id}/documents",
    "GET /api/v1/people/{person_id}",
    "GET /api/v1/documents/{document_id}",
    "GET /api/v1/documents/{document_id}/content",
    "GET /api/v1/search",
    "POST /api/v1/search",
    # Break-glass is refused, not offered; its reasons tell what happened in a case.
    "GET /cases/{case_id}/break-glass",
    "POST /cases/{case_id}/break-glass",
    "POST /api/v1/cases/{case_id}/break-glass",
    "GET /break-glass",
    "GET /assurance/break-glass",
    "GET /assurance/break-glass/export.csv",
    "GET /assurance/break-glass/{use_id}",
    "POST /assurance/break-glass/{use_id}/review",
    "GET /api/v1/assurance/break-glass",
    "GET /api/v1/assurance/break-glass/{use_id}",
    "POST /api/v1/assurance/break-glass/{use_id}/reviews",
    # Paper files of cases: the names on them, and asking for them.
    "GET /cases/{case_id}/paper-files/{paper_file_id}/request",
    "POST /cases/{case_id}/paper-files/{paper_file_id}/request",
    "GET /archives/files/{paper_file_id}",
    "POST /archives/files/{paper_file_id}/retrievals",
    "GET /archives/search",
    "POST /archives/search",
    "GET /archives/export.csv",
    "GET /api/v1/archives/export.csv",
    # People across all cases: search, duplicates, merging, rectification and restriction.
    "GET /search/people",
    "POST /search/people",
    "GET /people/duplicates",
    "GET /people/{person_id}/compare/{other_person_id}",
    "POST /people/{person_id}/merge",
    "POST /people/{person_id}/not-same",
    "POST /people/merges/{merge_id}/unmerge",
    "GET /people/{person_id}/correct",
    "POST /people/{person_id}/correct",
    "GET /people/{person_id}/restrict",
    "POST /people/{person_id}/restrict",
    "GET /people/{person_id}/lift-restriction",
    "POST /people/{person_id}/lift-restriction",
    "GET /api/v1/people/{person_id}/corrections",
    "POST /api/v1/people/{person_id}/corrections",
    "POST /api/v1/people/{person_id}/restriction",
    "POST /api/v1/people/{person_id}/restriction/lift",
    # A subject access request's findings in the records: its search, the documents under
    # review, and the bundle made of them (the request's own pages, its letters and its
    # delivery are the requester's, and stay open).
    "GET /sar/requests/{request_id}/search",
    "POST /sar/requests/{request_id}/search",
    "POST /sar/requests/{request_id}/search/hits/{hit_id}/triage",
    "POST /sar/requests/{request_id}/search/hits/{hit_id}/paper",
    "GET /sar/requests/{request_id}/disclosure",
    "POST /sar/requests/{request_id}/disclosure/propose",
    "POST /sar/requests/{request_id}/disclosure/submit",
    "POST /sar/requests/{request_id}/disclosure/approve",
    "POST /sar/requests/{request_id}/disclosure/reopen",
    "GET /sar/requests/{request_id}/disclosure/{item_id}",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/redactions/{redaction_id}",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/add",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/accept-all",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/withhold",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/restore",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/reviewed",
    "POST /sar/requests/{request_id}/disclosure/{item_id}/area",
    "GET /api/v1/sar/requests/{request_id}/disclosure",
    "GET /api/v1/sar/requests/{request_id}/disclosure/{item_id}",
    "POST /api/v1/sar/redactions/{redaction_id}/decision",
    "POST /api/v1/sar/requests/{request_id}/disclosure/{item_id}/redactions",
    "POST /api/v1/sar/requests/{request_id}/disclosure/accept-all",
    "POST /api/v1/sar/requests/{request_id}/disclosure/{item_id}/withhold",
    "POST /api/v1/sar/requests/{request_id}/disclosure/submit",
    "POST /api/v1/sar/requests/{request_id}/disclosure/approve",
    "POST /sar/requests/{request_id}/bundle",
    "GET /sar/requests/{request_id}/bundle/download",
    "POST /sar/requests/{request_id}/bundle/print",
    "POST /api/v1/sar/requests/{request_id}/bundle",
    "GET /api/v1/sar/requests/{request_id}/bundle/download",
    # Held partner data: rows about children and families, beside the persons recorded.
    "GET /intake/held",
    "GET /intake/held/{row_id}",
    "POST /intake/held/{row_id}",
    "GET /api/v1/intake/held",
    "GET /api/v1/intake/held/{row_id}",
    "POST /api/v1/intake/held/{row_id}/decision",
    # The identity and paper archive APIs, as their pages.
    "POST /api/v1/search/people",
    "GET /api/v1/people/duplicates",
    "GET /api/v1/people/{person_id}/compare/{other_person_id}",
    "POST /api/v1/people/{person_id}/merge",
    "POST /api/v1/people/{person_id}/not-same",
    "POST /api/v1/people/merges/{merge_id}/unmerge",
    "GET /api/v1/archives/files/{paper_file_id}",
    "POST /api/v1/archives/files/{paper_file_id}/retrievals",
    "POST /api/v1/archives/search",
)

# Routes open to case readers that show no case content, each with why.
NO_CASE_CONTENT: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/team/workers"): "the team's workers by username, and how many cases each "
    "holds: no case is named",
}

# An API body is checked before the route runs, so the walk's deliberately wrong bodies
# would be refused (422) before the gate is asked: the gated walk sends these instead, each
# one that would be carried out if the gate let the walker through.
GATED_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/api/v1/people/{person_id}/corrections"): {
        "middle_names": "Gated",
        "reason": "The walk's correction, refused by the gate",
    },
    ("POST", "/api/v1/people/{person_id}/restriction"): {"reason": "The walk's restriction"},
    ("POST", "/api/v1/people/{person_id}/restriction/lift"): {"reason": "The walk's lifting"},
    ("POST", "/api/v1/sar/redactions/{redaction_id}/decision"): {"accept": True},
    ("POST", "/api/v1/sar/requests/{request_id}/disclosure/{item_id}/redactions"): {
        "text": "Case",
        "code": "THIRD_PARTY",
    },
    ("POST", "/api/v1/sar/requests/{request_id}/disclosure/accept-all"): {"key": "text:1"},
    ("POST", "/api/v1/sar/requests/{request_id}/disclosure/{item_id}/withhold"): {
        "code": "THIRD_PARTY"
    },
    ("POST", "/api/v1/intake/held/{row_id}/decision"): {
        "decision": "reject",
        "reason": "The walk's decision, refused by the gate",
    },
    ("POST", "/api/v1/people/{person_id}/merge"): {"other_person_id": 1},
    ("POST", "/api/v1/people/{person_id}/not-same"): {"other_person_id": 1},
    ("POST", "/api/v1/archives/files/{paper_file_id}/retrievals"): {"purpose": "case_work"},
    ("POST", "/api/v1/assurance/break-glass/{use_id}/reviews"): {"outcome": "justified"},
    ("POST", "/api/v1/cases/{case_id}/reallocation"): {"user_id": 1},
}

_CASE_READING = frozenset(
    {
        Permission.CASES_READ_ASSIGNED,
        Permission.CASES_READ_TEAM,
        Permission.CASES_READ_ALL,
        Permission.CASES_BREAK_GLASS,
    }
)


def _reads_cases(rule: Rule) -> bool:
    if isinstance(rule, AnyOf):
        return bool(_CASE_READING & set(rule.permissions))
    return isinstance(rule, Permission) and rule in _CASE_READING


def test_every_case_reading_route_is_decided_for_the_gate() -> None:
    assert CASE_CONTENT - set(RULES) == set(), "CASE_CONTENT names a route that is gone"
    assert set(NO_CASE_CONTENT) - set(RULES) == set(), "NO_CASE_CONTENT names a route that is gone"
    assert CASE_CONTENT & set(NO_CASE_CONTENT) == set()
    assert set(GATED_BODIES) - CASE_CONTENT == set()
    undecided = sorted(
        f"{method} {path}"
        for (method, path), call in RULES.items()
        if _reads_cases(call.rule)
        and (method, path) not in CASE_CONTENT
        and (method, path) not in NO_CASE_CONTENT
    )
    assert undecided == [], "put each in CASE_CONTENT or, saying why, in NO_CASE_CONTENT"


def _gate_answer(response: Response, path: str) -> bool:
    """Whether this is the induction gate's refusal: 403 with its page, or its JSON body."""
    if response.status_code != 403:
        return False
    if path.startswith("/api/"):
        body = response.json()
        return "induction" in body and "induction" in body["detail"].lower()
    return 'data-testid="induction-required"' in response.text


def _gated_walk(client: TestClient, role: Role, *, api_token: str, ids: Ids) -> list[str]:
    wrong = []
    csrf = csrf_from(client)
    for (method, path), call in sorted(RULES.items(), key=lambda item: item[0][1] == "/sign-out"):
        if (method, path) in GATED_BODIES:
            call = replace(call, body=GATED_BODIES[method, path])
        response = _call(client, method, path, call, api_token=api_token, ids=ids, csrf=csrf)
        status, gated = response.status_code, _gate_answer(response, path)
        if not _allowed(call.rule, role):
            if not _refused(status, path, role, call):
                wrong.append(f"{method} {path}: {status} (should deny)")
        elif (method, path) in CASE_CONTENT:
            if not gated:
                wrong.append(f"{method} {path}: {status} (shows case content: should be gated)")
        elif gated:
            wrong.append(f"{method} {path}: gated (add it to CASE_CONTENT if it shows cases)")
        elif status not in (READ_OK if method == "GET" else CHANGE_OK):
            wrong.append(f"{method} {path}: {status} (should allow, and work)")
    return wrong


def _close_the_gate(db: Session, user: auth.User) -> None:
    """An induction course the walker has not completed, required of everyone from before
    they started: case content is closed to them (and to every unlinked account)."""
    course = make_course(
        db, code="WALK-INDUCTION", title="Walk induction", module_slug="walk-induction"
    )
    make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=5)
    # The walk's rows gave the walker a staff record: they become a starter of today.
    walker = staff_service.for_user(db, user.id)
    if walker is None:
        make_staff(db, user_id=user.id, start_date=clock.today())
    else:
        walker.start_date = clock.today()
        db.flush()


@pytest.mark.parametrize("role", [r for r in Role if reads_case_content(r)])
def test_the_induction_gate_closes_every_case_content_route(
    role: Role,
    signed_in: SignedIn,
    db: Session,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
) -> None:
    """A member of staff whose induction is outstanding gets the gate's answer on every
    route that shows case content, and every other route of their role works as usual."""
    client, user = signed_in(role)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="api")
    own, _ = auth.create_token(db, user.actor, user_id=user.id, name="to revoke")
    ids = _walk_rows(db, session_factory, keyring, user)
    ids["token_id"] = own.id
    _close_the_gate(db, user)
    db.commit()
    wrong = _gated_walk(client, role, api_token=secret, ids=ids)
    assert wrong == [], "\n".join(wrong)
