"""Every page action has its API (README, *Conventions*; docs/api.md): each page route that
changes something (a POST) or shows data is either mapped here to the /api/v1 operation that
does the same through the same service, or exempt with the reason it needs none (signing in,
a form's or a confirmation's GET, the public's request form), or a known gap listed in
docs/api.md's TODO. A new page route fails this test until it is put in one of the three,
so no page ships without a decision about its API.

Also: every route the app serves under /api/v1 is in the OpenAPI document, and every
operation of the document is served (test_api_contract.py checks the same from the document's
side, for the routes it documents; this walks every router, hidden routes included).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from steward.web.app import API_PREFIX, API_ROUTERS, PAGE_ROUTERS

DOCS = Path(__file__).parents[2] / "docs" / "api.md"
Route = tuple[str, str]

FORM = "a form's page: what it sends is the POST mapped beside it"
CONFIRM = "a confirmation page before the POST mapped beside it: a program confirms by sending it"
PUBLIC_FORM = (
    "the public's request form, for people without an account; staff log a request that "
    "arrived another way with POST /api/v1/sar/requests"
)

# (page method, page path) -> (API method, API path), both as the router spells them.
EQUIVALENT: dict[Route, Route] = {
    # Accounts: your own, and the administrator's.
    ("GET", "/account"): ("GET", "/me"),
    ("POST", "/account/tokens"): ("POST", "/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"): ("DELETE", "/tokens/{token_id}"),
    ("GET", "/users"): ("GET", "/users"),
    ("POST", "/users"): ("POST", "/users"),
    ("GET", "/users/{user_id}"): ("GET", "/users/{user_id}"),
    ("POST", "/users/{user_id}/role"): ("POST", "/users/{user_id}/role"),
    ("POST", "/users/{user_id}/team"): ("POST", "/users/{user_id}/team"),
    ("POST", "/users/{user_id}/unlock"): ("POST", "/users/{user_id}/unlock"),
    ("POST", "/users/{user_id}/deactivate"): ("POST", "/users/{user_id}/deactivate"),
    ("POST", "/users/{user_id}/reactivate"): ("POST", "/users/{user_id}/reactivate"),
    ("POST", "/users/{user_id}/two-factor"): ("POST", "/users/{user_id}/two-factor"),
    ("POST", "/users/{user_id}/password"): ("POST", "/users/{user_id}/password"),
    ("GET", "/role-grants"): ("GET", "/role-grants"),
    ("POST", "/role-grants/{grant_id}/approve"): ("POST", "/role-grants/{grant_id}/approve"),
    ("POST", "/role-grants/{grant_id}/refuse"): ("POST", "/role-grants/{grant_id}/refuse"),
    # The audit trail (its CSV is the same events, paged as JSON).
    ("GET", "/audit"): ("GET", "/audit/events"),
    ("GET", "/audit/export.csv"): ("GET", "/audit/events"),
    ("POST", "/audit/verify"): ("GET", "/audit/verification"),
    # Identity.
    ("POST", "/search/people"): ("POST", "/search/people"),
    ("GET", "/people/duplicates"): ("GET", "/people/duplicates"),
    ("POST", "/people/duplicates/check"): ("POST", "/people/duplicates/check"),
    ("GET", "/people/{person_id}/compare/{other_person_id}"): (
        "GET",
        "/people/{person_id}/compare/{other_person_id}",
    ),
    ("POST", "/people/{person_id}/merge"): ("POST", "/people/{person_id}/merge"),
    ("POST", "/people/{person_id}/not-same"): ("POST", "/people/{person_id}/not-same"),
    ("POST", "/people/merges/{merge_id}/unmerge"): ("POST", "/people/merges/{merge_id}/unmerge"),
    # Records: cases, people, documents, search, reallocation, break-glass.
    ("GET", "/cases"): ("GET", "/cases"),
    ("GET", "/cases/{case_id}"): ("GET", "/cases/{case_id}"),
    ("POST", "/cases/{case_id}/paper-files/{paper_file_id}/request"): (
        "POST",
        "/archives/files/{paper_file_id}/retrievals",
    ),
    ("GET", "/cases/{case_id}/reassign"): ("GET", "/team/workers"),
    ("POST", "/cases/{case_id}/reassign"): ("POST", "/cases/{case_id}/reallocation"),
    ("POST", "/cases/{case_id}/break-glass"): ("POST", "/cases/{case_id}/break-glass"),
    ("GET", "/people/{person_id}"): ("GET", "/people/{person_id}"),
    ("GET", "/documents/{document_id}"): ("GET", "/documents/{document_id}"),
    ("GET", "/documents/{document_id}/download"): ("GET", "/documents/{document_id}/content"),
    ("POST", "/cases/{case_id}/documents/new"): ("POST", "/cases/{case_id}/documents"),
    ("POST", "/search"): ("POST", "/search"),
    ("POST", "/people/{person_id}/correct"): ("POST", "/people/{person_id}/corrections"),
    ("POST", "/people/{person_id}/restrict"): ("POST", "/people/{person_id}/restriction"),
    ("POST", "/people/{person_id}/lift-restriction"): (
        "POST",
        "/people/{person_id}/restriction/lift",
    ),
    # Retention.
    ("GET", "/retention"): ("GET", "/retention/schedules"),
    ("POST", "/retention/schedule"): ("POST", "/retention/schedules"),
    ("POST", "/retention/schedule/{version}/approve"): (
        "POST",
        "/retention/schedules/{version}/approve",
    ),
    ("GET", "/retention/due"): ("GET", "/retention/due"),
    ("POST", "/retention/due/sweep"): ("POST", "/retention/due/sweep"),
    ("GET", "/retention/undatable"): ("GET", "/retention/undatable"),
    ("GET", "/retention/cases/{case_id}"): ("GET", "/retention/cases/{case_id}"),
    ("GET", "/retention/holds"): ("GET", "/retention/holds"),
    ("POST", "/retention/holds"): ("POST", "/retention/holds"),
    ("POST", "/retention/holds/{hold_id}/release"): ("POST", "/retention/holds/{hold_id}/release"),
    ("GET", "/retention/disposal"): ("GET", "/retention/disposal"),
    ("POST", "/retention/disposal"): ("POST", "/retention/disposal"),
    ("GET", "/retention/disposal/{list_id}"): ("GET", "/retention/disposal/{list_id}"),
    ("POST", "/retention/disposal/{list_id}/decide"): (
        "POST",
        "/retention/disposal/{list_id}/decisions",
    ),
    ("POST", "/retention/disposal/{list_id}/approve"): (
        "POST",
        "/retention/disposal/{list_id}/approve",
    ),
    ("POST", "/retention/disposal/{list_id}/carry-out"): (
        "POST",
        "/retention/disposal/{list_id}/carry-out",
    ),
    ("GET", "/retention/disposal/{list_id}/certificate"): (
        "GET",
        "/retention/disposal/{list_id}/certificate",
    ),
    ("GET", "/retention/disposal/{list_id}/certificate.pdf"): (
        "GET",
        "/retention/disposal/{list_id}/certificate.pdf",
    ),
    # assurance: record classes' owners and reviews (the file plan)
    ("GET", "/retention/classes"): ("GET", "/retention/classes"),
    ("GET", "/retention/classes/{class_id}"): ("GET", "/retention/classes/{class_id}"),
    ("POST", "/retention/classes/{class_id}/owner"): ("PUT", "/retention/classes/{class_id}/owner"),
    ("POST", "/retention/classes/{class_id}/reviews"): (
        "POST",
        "/retention/classes/{class_id}/reviews",
    ),
    # (end of assurance: record classes' owners and reviews)
    # The paper archive.
    ("GET", "/archives"): ("GET", "/archives/locations"),
    ("POST", "/archives/locations"): ("POST", "/archives/locations"),
    ("GET", "/archives/locations/{location_id}"): ("GET", "/archives/locations/{location_id}"),
    ("POST", "/archives/boxes"): ("POST", "/archives/boxes"),
    ("GET", "/archives/boxes/{box_id}"): ("GET", "/archives/boxes/{box_id}"),
    ("POST", "/archives/boxes/{box_id}/move"): ("POST", "/archives/boxes/{box_id}/move"),
    ("POST", "/archives/boxes/{box_id}/retrievals"): (
        "POST",
        "/archives/boxes/{box_id}/retrievals",
    ),
    ("GET", "/archives/files/{paper_file_id}"): ("GET", "/archives/files/{paper_file_id}"),
    ("POST", "/archives/files/{paper_file_id}/retrievals"): (
        "POST",
        "/archives/files/{paper_file_id}/retrievals",
    ),
    ("GET", "/archives/retrievals"): ("GET", "/archives/retrievals"),
    ("POST", "/archives/retrievals/{retrieval_id}/out"): (
        "POST",
        "/archives/retrievals/{retrieval_id}/out",
    ),
    ("POST", "/archives/retrievals/{retrieval_id}/return"): (
        "POST",
        "/archives/retrievals/{retrieval_id}/return",
    ),
    ("POST", "/archives/retrievals/{retrieval_id}/cancel"): (
        "POST",
        "/archives/retrievals/{retrieval_id}/cancel",
    ),
    ("POST", "/archives/search"): ("POST", "/archives/search"),
    ("GET", "/archives/certificates"): ("GET", "/archives/certificates"),
    ("POST", "/archives/certificates"): ("POST", "/archives/certificates"),
    ("GET", "/archives/certificates/{certificate_id}"): (
        "GET",
        "/archives/certificates/{certificate_id}",
    ),
    ("POST", "/archives/inventory"): ("POST", "/archives/inventory"),
    ("GET", "/archives/export.csv"): ("GET", "/archives/export.csv"),
    # Background jobs.
    ("GET", "/jobs/{job_id}"): ("GET", "/jobs/{job_id}"),
    ("GET", "/jobs/{job_id}/progress"): ("GET", "/jobs/{job_id}"),
    # Subject access requests (what has an API so far; the rest are KNOWN_GAPS).
    ("GET", "/sar"): ("GET", "/sar/requests"),
    ("POST", "/sar/new"): ("POST", "/sar/requests"),
    ("GET", "/sar/requests/{request_id}"): ("GET", "/sar/requests/{request_id}"),
    ("POST", "/sar/requests/{request_id}/move"): (
        "POST",
        "/sar/requests/{request_id}/transitions",
    ),
    ("GET", "/sar/requests/{request_id}/disclosure"): (
        "GET",
        "/sar/requests/{request_id}/disclosure",
    ),
    ("GET", "/sar/requests/{request_id}/disclosure/{item_id}"): (
        "GET",
        "/sar/requests/{request_id}/disclosure/{item_id}",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/redactions/{redaction_id}"): (
        "POST",
        "/sar/redactions/{redaction_id}/decision",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/add"): (
        "POST",
        "/sar/requests/{request_id}/disclosure/{item_id}/redactions",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/accept-all"): (
        "POST",
        "/sar/requests/{request_id}/disclosure/accept-all",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/withhold"): (
        "POST",
        "/sar/requests/{request_id}/disclosure/{item_id}/withhold",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/submit"): (
        "POST",
        "/sar/requests/{request_id}/disclosure/submit",
    ),
    ("POST", "/sar/requests/{request_id}/disclosure/approve"): (
        "POST",
        "/sar/requests/{request_id}/disclosure/approve",
    ),
    ("GET", "/sar/requests/{request_id}/bundle"): ("GET", "/sar/requests/{request_id}/bundle"),
    ("POST", "/sar/requests/{request_id}/bundle"): ("POST", "/sar/requests/{request_id}/bundle"),
    ("GET", "/sar/requests/{request_id}/bundle/download"): (
        "GET",
        "/sar/requests/{request_id}/bundle/download",
    ),
    ("GET", "/sar/requests/{request_id}/delivery"): (
        "GET",
        "/sar/requests/{request_id}/delivery",
    ),
    ("POST", "/sar/requests/{request_id}/delivery/links"): (
        "POST",
        "/sar/requests/{request_id}/delivery/links",
    ),
    ("POST", "/sar/requests/{request_id}/delivery/revoke"): (
        "POST",
        "/sar/requests/{request_id}/delivery/revoke",
    ),
    ("POST", "/sar/requests/{request_id}/delivery/posted"): (
        "POST",
        "/sar/requests/{request_id}/delivery/posted",
    ),
    # Training.
    ("GET", "/training/staff"): ("GET", "/training/staff"),
    ("GET", "/training/staff/{staff_id}"): ("GET", "/training/staff/{staff_id}"),
    ("POST", "/training/staff/{staff_id}/account"): ("POST", "/training/staff/{staff_id}/account"),
    ("POST", "/training/imports/staff"): ("POST", "/training/imports/staff"),
    ("POST", "/training/imports/completions"): ("POST", "/training/imports/completions"),
    ("GET", "/training/courses"): ("GET", "/training/courses"),
    ("POST", "/training/courses/new"): ("POST", "/training/courses"),
    ("GET", "/training/courses/{course_id}"): ("GET", "/training/courses/{course_id}"),
    ("POST", "/training/courses/{course_id}/edit"): ("PATCH", "/training/courses/{course_id}"),
    ("POST", "/training/courses/{course_id}/versions/new"): (
        "POST",
        "/training/courses/{course_id}/versions",
    ),
    ("POST", "/training/courses/{course_id}/retire"): (
        "POST",
        "/training/courses/{course_id}/retire",
    ),
    ("POST", "/training/courses/{course_id}/requirements/new"): (
        "POST",
        "/training/requirements",
    ),
    ("POST", "/training/requirements/{requirement_id}/end"): (
        "POST",
        "/training/requirements/{requirement_id}/end",
    ),
    ("GET", "/training/settings"): ("GET", "/training/settings"),
    ("POST", "/training/settings"): ("PATCH", "/training/settings"),
    ("GET", "/training/team"): ("GET", "/training/team"),
    ("POST", "/training/team/record"): ("POST", "/training/completions"),
    ("GET", "/training/team/{staff_id}"): ("GET", "/training/team/{staff_id}"),
    ("POST", "/training/team/{staff_id}/remind"): (
        "POST",
        "/training/team/{staff_id}/reminders",
    ),
    ("GET", "/training/completions/{completion_id}/evidence"): (
        "GET",
        "/training/completions/{completion_id}/evidence",
    ),
    ("GET", "/training/reminders"): ("GET", "/training/reminders"),
    ("GET", "/training"): ("GET", "/training/me"),
    ("GET", "/training/modules"): ("GET", "/training/me"),
    ("POST", "/training/modules/sync"): ("POST", "/training/modules/sync"),
    ("POST", "/training/attempts/{attempt_id}"): (
        "POST",
        "/training/attempts/{attempt_id}/answers",
    ),
    ("GET", "/training/attempts/{attempt_id}"): ("GET", "/training/attempts/{attempt_id}"),
    ("GET", "/training/completions/{completion_id}/certificate"): (
        "GET",
        "/training/completions/{completion_id}/certificate",
    ),
    ("GET", "/training/certificates"): ("GET", "/training/certificates/{reference}"),
    ("GET", "/training/dashboard"): ("GET", "/training/report"),
    ("GET", "/training/dashboard/team"): ("GET", "/training/report"),
    ("GET", "/training/dashboard.csv"): ("GET", "/training/report"),
    # Partner-data intake.
    ("GET", "/intake/partners"): ("GET", "/intake/partners"),
    ("POST", "/intake/partners/new"): ("POST", "/intake/partners"),
    ("GET", "/intake/partners/{partner_id}"): ("GET", "/intake/partners/{partner_id}"),
    ("POST", "/intake/partners/{partner_id}/edit"): ("PATCH", "/intake/partners/{partner_id}"),
    ("POST", "/intake/partners/{partner_id}/contacts"): (
        "POST",
        "/intake/partners/{partner_id}/contacts",
    ),
    ("POST", "/intake/partners/{partner_id}/contacts/{contact_id}/remove"): (
        "DELETE",
        "/intake/partners/{partner_id}/contacts/{contact_id}",
    ),
    ("POST", "/intake/partners/{partner_id}/accounts"): (
        "POST",
        "/intake/partners/{partner_id}/accounts",
    ),
    ("POST", "/intake/partners/{partner_id}/accounts/unlink"): (
        "POST",
        "/intake/partners/{partner_id}/accounts/unlink",
    ),
    ("POST", "/intake/partners/{partner_id}/agreements/new"): (
        "POST",
        "/intake/partners/{partner_id}/agreements",
    ),
    ("POST", "/intake/agreements/{agreement_id}/end"): (
        "POST",
        "/intake/agreements/{agreement_id}/end",
    ),
    ("GET", "/intake/organisation"): ("GET", "/intake/organisation"),
    ("GET", "/intake/datasets"): ("GET", "/intake/datasets"),
    ("GET", "/intake/datasets/{dataset}/template.csv"): (
        "GET",
        "/intake/datasets/{dataset}/template.csv",
    ),
    ("GET", "/intake/quality"): ("GET", "/intake/quality"),
    ("GET", "/intake/quality/partners/{partner_id}"): (
        "GET",
        "/intake/quality/partners/{partner_id}",
    ),
    ("GET", "/intake/quality.csv"): ("GET", "/intake/quality"),
    ("POST", "/intake/send"): ("POST", "/intake/submissions"),
    ("GET", "/intake/submissions"): ("GET", "/intake/submissions"),
    ("GET", "/intake/submissions/{submission_id}"): (
        "GET",
        "/intake/submissions/{submission_id}",
    ),
    ("GET", "/intake/submissions/{submission_id}/progress"): (
        "GET",
        "/intake/submissions/{submission_id}",
    ),
    ("GET", "/intake/submissions/{submission_id}/report.csv"): (
        "GET",
        "/intake/submissions/{submission_id}/report.csv",
    ),
    ("GET", "/intake/submissions/{submission_id}/report.pdf"): (
        "GET",
        "/intake/submissions/{submission_id}/report.pdf",
    ),
    ("GET", "/intake/held"): ("GET", "/intake/held"),
    ("GET", "/intake/held/{row_id}"): ("GET", "/intake/held/{row_id}"),
    ("POST", "/intake/held/{row_id}"): ("POST", "/intake/held/{row_id}/decision"),
    ("GET", "/intake/notices"): ("GET", "/intake/notices"),
    ("GET", "/intake/corrections"): ("GET", "/intake/corrections"),
    # assurance: measures and catalogue
    ("GET", "/assurance"): ("GET", "/assurance/measures"),
    ("GET", "/assurance/catalogue"): ("GET", "/assurance/catalogue"),
    ("GET", "/assurance/catalogue/versions/{number}"): ("GET", "/assurance/catalogue/versions"),
    ("GET", "/assurance/measures/{key}"): ("GET", "/assurance/measures/{key}"),
    ("GET", "/assurance/measures/{key}/export.csv"): ("GET", "/assurance/measures/{key}"),
    ("POST", "/assurance/catalogue"): ("POST", "/assurance/catalogue"),
    ("POST", "/assurance/measures/{key}/thresholds"): (
        "PUT",
        "/assurance/measures/{key}/thresholds",
    ),
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    ("GET", "/assurance/actions"): ("GET", "/assurance/actions"),
    ("GET", "/assurance/actions/{recommendation_id}"): (
        "GET",
        "/assurance/actions/{recommendation_id}",
    ),
    ("GET", "/assurance/actions/{recommendation_id}/updates/{update_id}/evidence"): (
        "GET",
        "/assurance/actions/{recommendation_id}/updates/{update_id}/evidence",
    ),
    ("GET", "/assurance/attestations"): ("GET", "/assurance/attestations"),
    ("GET", "/assurance/attestations/{attestation_id}"): (
        "GET",
        "/assurance/attestations/{attestation_id}",
    ),
    ("GET", "/assurance/attestations/{attestation_id}/document"): (
        "GET",
        "/assurance/attestations/{attestation_id}/document",
    ),
    ("GET", "/assurance/audits"): ("GET", "/assurance/audits"),
    ("GET", "/assurance/audits/{audit_id}"): ("GET", "/assurance/audits/{audit_id}"),
    ("GET", "/assurance/self-assessment"): ("GET", "/assurance/self-assessment"),
    ("GET", "/assurance/self-assessment/{area}"): ("GET", "/assurance/self-assessment/{area}"),
    ("POST", "/assurance/actions/{recommendation_id}"): (
        "POST",
        "/assurance/actions/{recommendation_id}",
    ),
    ("POST", "/assurance/actions/{recommendation_id}/updates"): (
        "POST",
        "/assurance/actions/{recommendation_id}/updates",
    ),
    ("POST", "/assurance/attestations"): ("POST", "/assurance/attestations"),
    ("POST", "/assurance/audits"): ("POST", "/assurance/audits"),
    ("POST", "/assurance/audits/{audit_id}/follow-ups"): (
        "POST",
        "/assurance/audits/{audit_id}/follow-ups",
    ),
    ("POST", "/assurance/audits/{audit_id}/recommendations"): (
        "POST",
        "/assurance/audits/{audit_id}/recommendations",
    ),
    ("POST", "/assurance/self-assessment/{area}"): ("POST", "/assurance/self-assessment/{area}"),
    ("GET", "/assurance/actions.csv"): ("GET", "/assurance/actions"),
    ("GET", "/assurance/actions/mine"): ("GET", "/assurance/my-actions"),
    # (end of assurance: audits and action plan)
    # assurance: breaches
    ("GET", "/breaches/mine"): ("GET", "/breaches/mine"),
    ("GET", "/breaches/mine/{breach_id}"): ("GET", "/breaches/mine/{breach_id}"),
    ("GET", "/assurance/breaches"): ("GET", "/assurance/breaches"),
    ("GET", "/assurance/breaches/{breach_id}"): ("GET", "/assurance/breaches/{breach_id}"),
    ("POST", "/assurance/breaches/{breach_id}/assessment"): (
        "POST",
        "/assurance/breaches/{breach_id}/assessment",
    ),
    ("POST", "/assurance/breaches/{breach_id}/close"): (
        "POST",
        "/assurance/breaches/{breach_id}/close",
    ),
    ("POST", "/assurance/breaches/{breach_id}/ico"): (
        "POST",
        "/assurance/breaches/{breach_id}/ico",
    ),
    ("POST", "/assurance/breaches/{breach_id}/links"): (
        "POST",
        "/assurance/breaches/{breach_id}/links",
    ),
    ("POST", "/assurance/breaches/{breach_id}/people"): (
        "POST",
        "/assurance/breaches/{breach_id}/people",
    ),
    ("GET", "/assurance/breaches.csv"): ("GET", "/assurance/breaches/export"),
    ("POST", "/breaches/report"): ("POST", "/breaches"),
    # (end of assurance: breaches)
    # assurance: processing register
    ("GET", "/assurance/assets"): ("GET", "/assurance/assets"),
    ("GET", "/assurance/assets/{asset_id}"): ("GET", "/assurance/assets/{asset_id}"),
    ("GET", "/assurance/processing/classes"): ("GET", "/assurance/processing/classes"),
    ("GET", "/assurance/processing/export.csv"): ("GET", "/assurance/processing/export.csv"),
    ("GET", "/assurance/processing/export.pdf"): ("GET", "/assurance/processing/export.pdf"),
    ("GET", "/assurance/retention-schedule/changes"): (
        "GET",
        "/assurance/retention-schedule/changes",
    ),
    ("GET", "/assurance/retention-schedule/changes.pdf"): (
        "GET",
        "/assurance/retention-schedule/changes.pdf",
    ),
    ("POST", "/assurance/processing/{activity_id}/review"): (
        "POST",
        "/assurance/processing/activities/{activity_id}/review",
    ),
    ("GET", "/assurance/assets/export.csv"): ("GET", "/assurance/assets.csv"),
    ("POST", "/assurance/assets/new"): ("POST", "/assurance/assets"),
    ("POST", "/assurance/assets/{asset_id}/edit"): ("PUT", "/assurance/assets/{asset_id}"),
    ("GET", "/assurance/processing"): ("GET", "/assurance/processing/activities"),
    ("GET", "/assurance/processing/{activity_id}"): (
        "GET",
        "/assurance/processing/activities/{activity_id}",
    ),
    ("POST", "/assurance/processing/new"): ("POST", "/assurance/processing/activities"),
    ("POST", "/assurance/processing/{activity_id}/edit"): (
        "PUT",
        "/assurance/processing/activities/{activity_id}",
    ),
    ("POST", "/assurance/processing/classes/{class_code}"): (
        "PUT",
        "/assurance/processing/classes/{class_code}",
    ),
    ("GET", "/assurance/retention-schedule"): ("GET", "/assurance/retention-schedule/{version}"),
    ("GET", "/assurance/retention-schedule/schedule.pdf"): (
        "GET",
        "/assurance/retention-schedule/{version}/pdf",
    ),
    # (end of assurance: processing register)
    # assurance: oversight of access
    ("GET", "/assurance/access"): ("GET", "/assurance/access/cases/{case_id}"),
    ("GET", "/assurance/access/export.csv"): ("GET", "/assurance/access/cases/{case_id}"),
    ("GET", "/assurance/access-review"): ("GET", "/assurance/access-reviews"),
    ("POST", "/assurance/access-review"): ("POST", "/assurance/access-reviews"),
    ("GET", "/assurance/access-review/{round_id}"): (
        "GET",
        "/assurance/access-reviews/{round_id}",
    ),
    ("POST", "/assurance/access-review/{round_id}/accounts/{entry_id}"): (
        "POST",
        "/assurance/access-reviews/{round_id}/accounts/{entry_id}",
    ),
    ("POST", "/assurance/access-review/{round_id}/close"): (
        "POST",
        "/assurance/access-reviews/{round_id}/close",
    ),
    ("GET", "/assurance/break-glass"): ("GET", "/assurance/break-glass"),
    ("GET", "/assurance/break-glass/export.csv"): ("GET", "/assurance/break-glass"),
    ("GET", "/assurance/break-glass/{use_id}"): ("GET", "/assurance/break-glass/{use_id}"),
    ("POST", "/assurance/break-glass/{use_id}/review"): (
        "POST",
        "/assurance/break-glass/{use_id}/reviews",
    ),
    ("GET", "/break-glass"): ("GET", "/assurance/break-glass"),
    ("POST", "/break-glass/reviewed"): ("POST", "/assurance/break-glass/{use_id}/reviews"),
    # (end of assurance: oversight of access)
    # assurance: evidence pack
    ("GET", "/assurance/evidence-pack"): ("GET", "/assurance/evidence-packs"),
    ("POST", "/assurance/evidence-pack"): ("POST", "/assurance/evidence-packs"),
    ("GET", "/assurance/evidence-pack/{pack_id}"): ("GET", "/assurance/evidence-packs/{pack_id}"),
    ("GET", "/assurance/evidence-pack/{pack_id}/download"): (
        "GET",
        "/assurance/evidence-packs/{pack_id}/download",
    ),
    # (end of assurance: evidence pack)
    # assurance: board report
    ("GET", "/assurance/report"): ("GET", "/assurance/report"),
    ("GET", "/assurance/report.pdf"): ("GET", "/assurance/report.pdf"),
    # (end of assurance: board report)
}

# Page routes that need no API of their own, each with why.
EXEMPT: dict[Route, str] = {
    ("GET", "/"): "the start page: a summary of lists that each have their API (cases, "
    "requests, training)",
    ("GET", "/sign-in"): "signing in to a browser session; the API takes a bearer token",
    ("POST", "/sign-in"): "signing in to a browser session; the API takes a bearer token",
    ("POST", "/sign-out"): "ends a browser session; a token is revoked with DELETE /tokens/{id}",
    ("GET", "/account/password"): FORM,
    ("POST", "/account/password"): "a password is changed by its owner, signed in with it: a "
    "token (which the password can mint) must not change the password",
    ("GET", "/account/two-factor"): "setting up an authenticator is done in a browser, "
    "scanning its code; the account's tokens work only once it is done",
    ("POST", "/account/two-factor/start"): "setting up an authenticator (as above)",
    ("POST", "/account/two-factor"): "setting up an authenticator (as above)",
    ("GET", "/users/{user_id}/deactivate"): CONFIRM,
    ("GET", "/users/{user_id}/password"): FORM,
    ("GET", "/search/people"): FORM,
    ("GET", "/cases/{case_id}/paper-files/{paper_file_id}/request"): FORM,
    ("GET", "/cases/{case_id}/break-glass"): FORM,
    ("GET", "/cases/{case_id}/documents/new"): FORM,
    ("GET", "/search"): FORM,
    ("GET", "/people/{person_id}/correct"): FORM,
    ("GET", "/people/{person_id}/restrict"): FORM,
    ("GET", "/people/{person_id}/lift-restriction"): FORM,
    ("GET", "/retention/redate"): CONFIRM,
    ("GET", "/retention/disposal/{list_id}/decide-all"): CONFIRM,
    ("GET", "/retention/disposal/{list_id}/approve"): CONFIRM,
    ("GET", "/retention/disposal/{list_id}/carry-out"): CONFIRM,
    ("GET", "/retention/disposal/{list_id}/items/{item_id}/retain"): FORM,
    ("GET", "/archives/search"): FORM,
    ("GET", "/archives/inventory"): FORM + " (POST /archives/inventory/check tries a file first)",
    ("GET", "/sar/new"): FORM,
    ("GET", "/disclosure/{token}"): "the requester's download page, opened with a link and a "
    "passcode by someone with no account",
    ("POST", "/disclosure/{token}"): "the requester's download (as above)",
    ("GET", "/training/imports/staff"): FORM,
    ("GET", "/training/imports/completions"): FORM,
    ("GET", "/training/courses/new"): FORM,
    ("GET", "/training/courses/{course_id}/edit"): FORM,
    ("GET", "/training/courses/{course_id}/versions/new"): FORM,
    ("GET", "/training/courses/{course_id}/retire"): CONFIRM,
    ("GET", "/training/courses/{course_id}/requirements/new"): FORM
    + " (POST /training/requirements/preview shows whom it would cover)",
    ("GET", "/training/requirements/{requirement_id}/end"): FORM,
    ("GET", "/training/team/record"): FORM,
    ("GET", "/training/modules/{slug}"): "a module's introduction; starting it "
    "(POST /training/modules/{slug}/attempts) answers its questions",
    ("GET", "/intake/partners/new"): FORM,
    ("GET", "/assurance/audits/new"): FORM,
    ("GET", "/assurance/assets/new"): FORM,
    ("GET", "/assurance/assets/{asset_id}/edit"): FORM,
    ("GET", "/assurance/processing/new"): FORM,
    ("GET", "/assurance/processing/{activity_id}/edit"): FORM,
    ("GET", "/breaches/report"): FORM,
    ("GET", "/assurance/attestations/new"): FORM,
    ("GET", "/intake/partners/{partner_id}/edit"): FORM,
    ("GET", "/intake/partners/{partner_id}/agreements/new"): FORM,
    ("GET", "/intake/agreements/{agreement_id}/end"): CONFIRM,
    ("GET", "/intake/send"): FORM,
    **{
        (method, f"/request-your-data{step}"): PUBLIC_FORM
        for method, step in [
            ("GET", ""),
            ("POST", "/start"),
            *[
                (method, f"/{question}")
                for question in (
                    "who",
                    "name",
                    "date-of-birth",
                    "address",
                    "contact",
                    "about",
                    "what",
                    "proof-of-identity",
                    "proof-of-authority",
                    "check",
                )
                for method in ("GET", "POST")
            ],
            ("GET", "/done"),
        ]
    },
}

# Page routes whose API is still to come: each is listed, as `METHOD /path`, in docs/api.md's
# TODO section (checked below), so the gap is on record where integrators read.
KNOWN_GAPS: frozenset[Route] = frozenset(
    {
        ("GET", "/documents-without-text"),
        ("GET", "/retention/report"),
        ("GET", "/sar/letter-templates"),
        ("POST", "/sar/letter-templates"),
        ("GET", "/sar/requests/{request_id}/letters"),
        ("POST", "/sar/requests/{request_id}/letters"),
        ("GET", "/sar/requests/{request_id}/letters/{letter_id}/download"),
        ("POST", "/sar/requests/{request_id}/letters/{letter_id}/email"),
        ("POST", "/sar/requests/{request_id}/letters/{letter_id}/posted"),
        ("GET", "/outbox"),
        ("GET", "/outbox/{message_id}"),
        ("GET", "/outbox/{message_id}/attachments/{number}/download"),
        ("POST", "/sar/requests/{request_id}/extend"),
        ("POST", "/sar/requests/{request_id}/clarification"),
        ("POST", "/sar/requests/{request_id}/clarification-answered"),
        ("POST", "/sar/requests/{request_id}/evidence"),
        ("POST", "/sar/requests/{request_id}/assign"),
        ("POST", "/sar/requests/{request_id}/tasks"),
        ("POST", "/sar/requests/{request_id}/decision"),
        ("GET", "/sar/requests/{request_id}/documents"),
        ("POST", "/sar/requests/{request_id}/documents"),
        ("GET", "/sar/requests/{request_id}/documents/{document_id}/download"),
        ("POST", "/sar/requests/{request_id}/documents/accepted"),
        ("GET", "/sar/requests/{request_id}/search"),
        ("POST", "/sar/requests/{request_id}/search"),
        ("POST", "/sar/requests/{request_id}/search/hits/{hit_id}/triage"),
        ("POST", "/sar/requests/{request_id}/search/hits/{hit_id}/paper"),
        ("GET", "/sar/requests/{request_id}/consultations"),
        ("POST", "/sar/requests/{request_id}/consultations"),
        ("POST", "/sar/requests/{request_id}/disclosure/propose"),
        ("POST", "/sar/requests/{request_id}/disclosure/reopen"),
        ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/restore"),
        ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/reviewed"),
        ("POST", "/sar/requests/{request_id}/disclosure/{item_id}/area"),
        ("GET", "/sar/report"),
        ("GET", "/sar/report.csv"),
        ("POST", "/sar/requests/{request_id}/bundle/print"),
        ("GET", "/training/dashboard/courses/{course_id}"),
    }
)


def _walk(routers: Any, prefix: str) -> dict[Route, Any]:
    """Every (method, path) of these routers, looking inside included routers (FastAPI keeps
    them whole), with the endpoint that serves it."""
    found: dict[Route, Any] = {}

    def add(routes: list[Any], at: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                for method in route.methods - {"HEAD"}:
                    found[method, at + route.path_format] = route.endpoint
            inner = getattr(route, "original_router", None)
            context = getattr(route, "include_context", None)
            if inner is not None and context is not None:
                add(inner.routes, at + context.prefix)

    for router in routers:
        add(list(router.routes), prefix)
    return found


def _is_assurance(path: str, endpoint: Any) -> bool:
    return path.startswith("/assurance") or ".assurance" in getattr(endpoint, "__module__", "")


def _undecided(pages: dict[Route, Any]) -> tuple[list[str], list[str]]:
    decided = set(EQUIVALENT) | set(EXEMPT) | KNOWN_GAPS
    missing = sorted(route for route in pages if route not in decided)
    assurance = [f"{m} {p}" for m, p in missing if _is_assurance(p, pages[m, p])]
    other = [f"{m} {p}" for m, p in missing if not _is_assurance(p, pages[m, p])]
    return assurance, other


def test_every_page_route_has_an_api_equivalent_or_a_reason() -> None:
    pages = _walk(PAGE_ROUTERS, "")
    assert len(pages) > 250, "the walk of the page routes found too few: is it still working?"
    assurance, other = _undecided(pages)
    message = []
    if assurance:
        message.append(
            "New assurance page routes (built on their own branches) with no decision about "
            "their API: map each in EQUIVALENT's slot for its part, or put it in EXEMPT or "
            "KNOWN_GAPS (and docs/api.md's TODO):\n  " + "\n  ".join(assurance)
        )
    if other:
        message.append(
            "New page routes with no decision about their API: map each in EQUIVALENT, or put "
            "it in EXEMPT (saying why) or KNOWN_GAPS (and docs/api.md's TODO):\n  "
            + "\n  ".join(other)
        )
    assert not message, "\n\n".join(message)


def test_the_tables_name_only_routes_that_exist_and_decide_each_once() -> None:
    pages = set(_walk(PAGE_ROUTERS, ""))
    api = set(_walk(API_ROUTERS, ""))
    assert set(EQUIVALENT) - pages == set(), "EQUIVALENT names a page route that is gone"
    assert set(EXEMPT) - pages == set(), "EXEMPT names a page route that is gone"
    assert KNOWN_GAPS - pages == set(), "KNOWN_GAPS names a page route that is gone"
    assert set(EQUIVALENT.values()) - api == set(), "EQUIVALENT maps to an API that is gone"
    assert set(EQUIVALENT) & set(EXEMPT) == set()
    assert set(EQUIVALENT) & KNOWN_GAPS == set()
    assert set(EXEMPT) & KNOWN_GAPS == set()
    assert all(reason.strip() for reason in EXEMPT.values())


GAPS_HEADING = "**Page actions with no API yet**"


def _listed_gaps() -> set[Route]:
    """The `METHOD /path` entries of the TODO's list of page actions with no API yet: from
    its heading to the next item of the TODO list."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.find(GAPS_HEADING)
    assert start >= 0, f"docs/api.md's TODO has no {GAPS_HEADING} item"
    end = text.find("\n- ", start)
    block = text[start : end if end >= 0 else len(text)]
    return {
        (method, path)
        for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`", block)
    }


def test_each_known_gap_is_listed_in_the_docs_todo_and_only_those() -> None:
    listed = _listed_gaps()
    unlisted = sorted(f"{m} {p}" for m, p in KNOWN_GAPS - listed)
    assert unlisted == [], f"list these under {GAPS_HEADING} in docs/api.md, as `METHOD /path`"
    # A gap closed comes off the list: a stale entry sends an integrator looking for a gap
    # that is not there.
    stale = sorted(f"{m} {p}" for m, p in listed - KNOWN_GAPS)
    assert stale == [], f"no longer gaps: take them off {GAPS_HEADING} in docs/api.md"


def test_every_api_route_is_in_the_document_and_every_operation_is_served(
    app: FastAPI, client: TestClient
) -> None:
    document = client.get(f"{API_PREFIX}/openapi.json").json()
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    served = {
        (method, API_PREFIX + path)
        for method, path in _walk(API_ROUTERS, "")
        if path != "/openapi.json"
    }
    assert len(served) > 140, "the walk of the API routes found too few: is it still working?"
    assert served - documented == set(), "served under /api/v1 but not in the document"
    assert documented - served == set(), "in the document but not served"
