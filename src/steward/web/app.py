"""The web application: HTML pages (GOV.UK Frontend) and a JSON API under /api/v1."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser

from steward.core import audit, auth, jobs, keyfile
from steward.core import uploads as evidence_uploads
from steward.core.audit import DetailValue
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring, KeyDestroyed, KeyEncryptionKeys
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from steward.core.permissions import Actor
from steward.records.service import InductionRequired, NeedsBreakGlass
from steward.records.service.extraction import ExtractionWorker
from steward.sar import uploads as sar_uploads
from steward.training.events import TrainingEvent
from steward.training.service import lms as training_lms
from steward.web import (
    accounts_api,
    accounts_pages,
    api,
    api_contract,
    archives_api,
    archives_certificates_pages,
    archives_files_api,
    archives_pages,
    audit_pages,
    case_allocation_api,
    identity_api,
    identity_pages,
    jobs_api,
    jobs_pages,
    pages,
    people_api,
    people_pages,
    records_api,
    records_pages,
    retention_api,
    retention_classes_api,
    retention_classes_pages,
    retention_disposal_api,
    retention_disposal_pages,
    retention_pages,
)
from steward.web.api_contract import API_PREFIX, error_body
from steward.web.assurance import access_history as oversight_access_history
from steward.web.assurance import access_review as oversight_access_review
from steward.web.assurance import actions_pages as assurance_actions
from steward.web.assurance import assets as assurance_assets
from steward.web.assurance import attestations_pages as assurance_attestations
from steward.web.assurance import audits_api as assurance_audits_api
from steward.web.assurance import audits_pages as assurance_audits
from steward.web.assurance import breaches as assurance_breaches
from steward.web.assurance import breaches_api as assurance_breaches_api
from steward.web.assurance import break_glass as oversight_break_glass
from steward.web.assurance import evidence_pack as assurance_evidence_pack
from steward.web.assurance import evidence_pack_api as assurance_evidence_pack_api
from steward.web.assurance import measures as assurance_measures
from steward.web.assurance import measures_api as assurance_measures_api
from steward.web.assurance import oversight_api
from steward.web.assurance import processing as assurance_processing
from steward.web.assurance import processing_api as assurance_processing_api
from steward.web.assurance import report_api as assurance_report_api
from steward.web.assurance import report_pages as assurance_report
from steward.web.assurance import retention_schedule as assurance_schedule
from steward.web.assurance import self_assessment_pages as assurance_self_assessment
from steward.web.input_rule import refuse_hidden_characters
from steward.web.intake import partners as intake_partners
from steward.web.intake import partners_api as intake_partners_api
from steward.web.intake import partners_organisation as intake_organisation
from steward.web.intake import quality as intake_quality
from steward.web.intake import quality_api as intake_quality_api
from steward.web.intake import review as intake_review
from steward.web.intake import review_api as intake_review_api
from steward.web.intake import submissions as intake_submissions
from steward.web.intake import submissions_api as intake_submissions_api
from steward.web.rendering import render
from steward.web.sar import api as sar_api
from steward.web.sar import bundle as sar_bundle
from steward.web.sar import bundle_api as sar_bundle_api
from steward.web.sar import consultations as sar_consultations
from steward.web.sar import delivery as sar_delivery
from steward.web.sar import disclosure as sar_disclosure
from steward.web.sar import disclosure_api as sar_disclosure_api
from steward.web.sar import documents as sar_documents
from steward.web.sar import letter_templates as sar_letter_templates
from steward.web.sar import letters as sar_letters
from steward.web.sar import outbox as sar_outbox
from steward.web.sar import pages as sar_pages
from steward.web.sar import public as sar_public
from steward.web.sar import report as sar_report
from steward.web.sar import search as sar_search
from steward.web.security import SecurityMiddleware, scrub_secrets
from steward.web.training import catalogue as training_catalogue
from steward.web.training import catalogue_api as training_catalogue_api
from steward.web.training import dashboard as training_dashboard
from steward.web.training import gate as training_gate
from steward.web.training import my as training_my
from steward.web.training import my_api as training_my_api
from steward.web.training import report_api as training_report_api
from steward.web.training import staff as training_staff
from steward.web.training import staff_api as training_staff_api
from steward.web.training import team as training_team
from steward.web.training import team_api as training_team_api

log = logging.getLogger("steward.web")
STATIC_DIR = Path(__file__).parent / "static"
# The only routes that take a file, and so a body larger than max_body_bytes.
UPLOAD_PATHS = re.compile(r"^(?:/api/v1)?/cases/[0-9]+/documents(?:/new)?$")
CERTIFICATE_UPLOAD_PATHS = re.compile(r"^(?:/api/v1)?/archives/certificates$")
# A subject access request's ID and authority: from the public form, and added by staff.
SAR_UPLOAD_PATHS = re.compile(
    r"^(?:/request-your-data/proof-of-(?:identity|authority)|/sar/requests/[0-9]+/documents)$"
)
# HR's staff list and an LMS's completions, on their pages and through the API.
TRAINING_IMPORT_PATHS = re.compile(r"^(?:/api/v1)?/training/imports/(?:staff|completions)$")
# A classroom session's evidence (an attendance sheet), from the team page and the API.
TRAINING_UPLOAD_PATHS = re.compile(r"^(?:/training/team/record|/api/v1/training/completions)$")
# A partner's file, from the "Send data" page and the API.
INTAKE_UPLOAD_PATHS = re.compile(r"^(?:/intake/send|/api/v1/intake/submissions)$")
# Room for the form's other fields around a file at the limit, which the intake service then
# refuses with its own code (file.too_large) rather than the middleware with a bare 413.
FORM_OVERHEAD = 64 * 1024

STATUS_FOR_ERROR: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidTransition: 409,
    KeyDestroyed: 410,
    ValidationFailed: 422,
}
ERROR_TITLES = {
    400: "The request could not be understood",
    401: "Sign in to continue",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "This page does not accept that request",
    409: "This cannot be done in the record's current state",
    410: "This content has been destroyed",
    413: "The request is too large",
    415: "Unsupported content type",
    422: "There is a problem with what was entered",
    500: "Sorry, there is a problem with the service",
}


# In the order they are matched: identity before records, whose /people/{person_id} would
# otherwise take /people/duplicates. The route x role walk and the id-bounds test read these.
PAGE_ROUTERS = (
    pages.router,
    accounts_pages.router,
    audit_pages.router,
    identity_pages.router,
    records_pages.router,
    people_pages.router,
    retention_pages.router,
    retention_disposal_pages.router,
    # assurance: record classes' owners and reviews
    retention_classes_pages.router,
    # (end of assurance: record classes' owners and reviews)
    archives_pages.router,
    jobs_pages.router,
    sar_letter_templates.router,
    sar_letters.router,
    sar_outbox.router,
    sar_pages.router,
    sar_public.router,
    sar_documents.router,
    sar_search.router,
    sar_consultations.router,
    sar_disclosure.router,
    sar_report.router,
    sar_bundle.router,
    sar_delivery.router,
    training_staff.router,
    training_catalogue.router,
    training_team.router,
    training_my.router,
    training_dashboard.router,
    intake_partners.router,
    intake_organisation.router,
    intake_quality.router,
    intake_submissions.router,
    intake_review.router,
    # assurance: measures and catalogue
    assurance_measures.router,
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    assurance_audits.router,
    assurance_actions.router,
    assurance_attestations.router,
    assurance_self_assessment.router,
    # (end of assurance: audits and action plan)
    # assurance: breaches
    assurance_breaches.router,
    # (end of assurance: breaches)
    # assurance: processing register
    assurance_processing.router,
    assurance_assets.router,
    assurance_schedule.router,
    # (end of assurance: processing register)
    # assurance: oversight of access
    oversight_access_history.router,
    oversight_break_glass.router,
    oversight_access_review.router,
    # (end of assurance: oversight of access)
    # assurance: evidence pack
    assurance_evidence_pack.router,
    # (end of assurance: evidence pack)
    # assurance: board report
    assurance_report.router,
    # (end of assurance: board report)
)
API_ROUTERS = (
    api.router,
    accounts_api.router,
    case_allocation_api.router,
    identity_api.router,  # before records: its /people/duplicates, not /people/{person_id}
    records_api.router,
    retention_api.router,
    retention_disposal_api.router,
    # assurance: record classes' owners and reviews
    retention_classes_api.router,
    # (end of assurance: record classes' owners and reviews)
    jobs_api.router,
    people_api.router,
    sar_api.router,
    sar_disclosure_api.router,
    sar_bundle_api.router,
    training_staff_api.router,
    training_catalogue_api.router,
    training_team_api.router,
    training_my_api.router,
    training_report_api.router,
    intake_partners_api.router,
    intake_quality_api.router,
    intake_submissions_api.router,
    intake_review_api.router,
    archives_api.router,
    archives_files_api.router,
    # assurance: measures and catalogue
    assurance_measures_api.router,
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    assurance_audits_api.router,
    # (end of assurance: audits and action plan)
    # assurance: breaches
    assurance_breaches_api.router,
    # (end of assurance: breaches)
    # assurance: processing register
    assurance_processing_api.router,
    # (end of assurance: processing register)
    # assurance: oversight of access
    oversight_api.router,
    # (end of assurance: oversight of access)
    # assurance: evidence pack
    assurance_evidence_pack_api.router,
    # (end of assurance: evidence pack)
    # assurance: board report
    assurance_report_api.router,
    # (end of assurance: board report)
)


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    keyring: KeyEncryptionKeys | None = None,
    extraction_worker: bool | None = None,
    immediate_jobs: bool | None = None,
) -> FastAPI:
    """``extraction_worker``: run the text-extraction worker inside this app (default: yes,
    except under tests, which run extraction explicitly). ``immediate_jobs``: background jobs
    run at once in the request that starts them (default: under tests only)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="Steward",
        version="0.3.0",  # the API's, as docs/api.md's changelog numbers it
        description="Information governance for records about children and families.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN, which our CSP (and an offline site) refuses
        redoc_url=None,
        # The core input rule on query strings, path segments and form fields, on every route.
        dependencies=[Depends(refuse_hidden_characters)],
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or make_sessionmaker(make_engine(settings))
    if keyring is None:
        keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    app.state.keyring = keyring
    app.state.run_extraction_worker = (
        extraction_worker if extraction_worker is not None else settings.env != Environment.TEST
    )
    app.state.extraction_worker = None
    app.state.job_queue = jobs.make_queue(
        settings,
        app.state.session_factory,
        keyring,
        immediate=immediate_jobs
        if immediate_jobs is not None
        else settings.env == Environment.TEST,
    )

    # An uploaded document must not land in plaintext in a temporary file on disk (outside
    # the encrypted store) on its way in: keep every accepted upload in memory. Uploads are
    # capped, so this bounds memory at max_upload_bytes per request in flight.
    MultiPartParser.spool_max_size = max(
        MultiPartParser.spool_max_size,
        settings.max_upload_bytes + 1,
        archives_certificates_pages.MAX_CERTIFICATE_BYTES + 1,
        training_lms.MAX_BYTES + 1,
        settings.intake_max_file_bytes + FORM_OVERHEAD + 1,
    )
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        upload_routes=(
            (UPLOAD_PATHS, settings.max_upload_bytes),
            (CERTIFICATE_UPLOAD_PATHS, archives_certificates_pages.MAX_CERTIFICATE_BYTES),
            (SAR_UPLOAD_PATHS, sar_uploads.MAX_BYTES),
            # The service refuses an HR file over its own (smaller) limit with a clear message.
            (TRAINING_IMPORT_PATHS, training_lms.MAX_BYTES + 64 * 1024),
            (TRAINING_UPLOAD_PATHS, evidence_uploads.MAX_BYTES),
            (INTAKE_UPLOAD_PATHS, settings.intake_max_file_bytes + FORM_OVERHEAD),
        ),
        too_large_response=lambda request, message: _error_response(request, 413, message),
        secure_cookies=settings.cookies_secure,
    )
    _mount_static(app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        # Every operation refuses a query parameter it does not declare (docs/api.md): a
        # misspelt filter must not answer the whole list as if filtered.
        app.include_router(
            router, prefix=API_PREFIX, dependencies=[Depends(api_contract.refuse_unknown_query)]
        )
    _install_error_handlers(app)
    api_contract.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with session_scope(app.state.session_factory, read_only=True) as session:
                session.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database did not answer")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Documents' text is extracted in the background of `steward serve`, never in a
    request (records.service.extraction); background jobs (core.jobs) are worked through by
    Huey's consumer in threads of this process."""
    queue: jobs.JobQueue = app.state.job_queue
    if queue.embedded and app.state.settings.database_url is None:
        # The embedded database is one process's: a job still 'running' died with the last
        # one. (Several processes on PostgreSQL may be running jobs of their own.)
        jobs.mark_interrupted(app.state.session_factory)
    queue.start_consumer()
    worker: ExtractionWorker | None = None
    if app.state.run_extraction_worker:
        worker = ExtractionWorker(app.state.session_factory, app.state.keyring)
        app.state.extraction_worker = worker
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
            app.state.extraction_worker = None
        queue.stop_consumer()


def _mount_static(app: FastAPI) -> None:
    govuk_assets = STATIC_DIR / "govuk" / "assets"
    if not govuk_assets.is_dir():
        log.warning("GOV.UK Frontend assets missing; run `make assets`. Pages will be unstyled.")
    # GOV.UK Frontend's CSS refers to its fonts and images at /assets/.
    app.mount("/assets", StaticFiles(directory=govuk_assets, check_dir=False), name="assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_response(
    request: Request,
    status: int,
    message: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        body = error_body(message, errors)
        if status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        return JSONResponse(body, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        {
            "title": ERROR_TITLES.get(status, "Something went wrong"),
            "message": message,
            "errors": errors or {},
        },
        status_code=status,
    )


def _needs_break_glass(request: Request, exc: NeedsBreakGlass) -> Response:
    """A page offers the break-glass form; the API says where to state a reason."""
    if _wants_json(request):
        return JSONResponse(
            error_body(
                exc.message, break_glass_url=f"{API_PREFIX}/cases/{exc.case_id}/break-glass"
            ),
            status_code=403,
        )
    return RedirectResponse(f"/cases/{exc.case_id}/break-glass", status_code=303)


def _record_refusal(
    request: Request,
    tag: StrEnum = audit.EventTag.ACCESS_REFUSED,
    extra: dict[str, DetailValue] | None = None,
) -> None:
    """Put a signed-in user's refusal on record in a transaction of its own: the request's
    own has already rolled back, and a refusal that leaves no trace is an attack nobody sees.
    Who, which kind of route and which ids; never what was asked for. (Refusals before
    sign-in, a stale form say, are not insiders' and would let anyone fill the trail.)"""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        return
    route = request.scope.get("route")
    details: dict[str, DetailValue] = {
        "route": f"{'api' if _wants_json(request) else 'page'}:{getattr(route, 'name', '')}",
        "method": request.method.lower(),
    }
    for name, raw in request.path_params.items():
        value = str(raw)  # an ":int" path parameter arrives converted
        if name.endswith("_id") and value.isascii() and value.isdigit() and len(value) <= 20:
            details[name] = value
    details |= extra or {}
    try:
        with session_scope(request.app.state.session_factory) as db:
            audit.record(db, actor, tag, details=details)
    except Exception:
        # The refusal itself still stands; failing to record it must not turn it into a 500.
        log.exception(
            "could not record a refusal on %s %s", request.method, scrub_secrets(request.url.path)
        )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = next(
            (code for kind, code in STATUS_FOR_ERROR.items() if isinstance(exc, kind)), 400
        )
        if status == 401 and not _wants_json(request):
            return RedirectResponse(accounts_pages.sign_in_url(request), status_code=303)
        if isinstance(exc, auth.PasswordChangeRequired) and not _wants_json(request):
            return RedirectResponse("/account/password", status_code=303)
        if isinstance(exc, auth.TwoFactorSetupRequired) and not _wants_json(request):
            return RedirectResponse("/account/two-factor", status_code=303)
        if isinstance(exc, InductionRequired):
            # On record as the gate's own tag, not "access refused": a new starter clicking
            # their cases before induction is not someone testing their reach, and must not
            # fill the DPO's list of repeated refusals.
            _record_refusal(
                request,
                TrainingEvent.GATE_CLOSED,
                {"outstanding_courses": len(exc.courses), "unlinked": exc.unlinked},
            )
            return training_gate.refusal(request, exc, json=_wants_json(request))
        if isinstance(exc, Forbidden) and not isinstance(
            exc, auth.TwoFactorSetupRequired | auth.PasswordChangeRequired
        ):
            _record_refusal(request)
        if isinstance(exc, NeedsBreakGlass):
            return _needs_break_glass(request, exc)
        errors = exc.errors if isinstance(exc, ValidationFailed) else None
        return _error_response(request, status, exc.message, errors)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # The offending input is not echoed back: it may be personal data, and it is the
        # field and the rule that a person needs to put it right.
        errors = {
            ".".join(str(p) for p in err["loc"] if p != "body") or "body": err["msg"]
            for err in exc.errors()
        }
        return _error_response(
            request, 422, "The request is not valid. Check the fields listed.", errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: "If you typed the web address, check it is correct.",
            405: "Go back and try again.",
        }
        if _wants_json(request):
            messages[405] = (
                "This address does not take that method: the Allow header lists those it does."
            )
        message = messages.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405 and _wants_json(request):
            # RFC 9110: a 405 lists every method the address takes, not only those of the
            # first route that matched it.
            allowed = api_contract.allowed_methods(request.app, request.url.path)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)} if allowed else headers
        return _error_response(request, exc.status_code, message, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            scrub_secrets(request.url.path),
        )
        return _error_response(request, 500, "Try again later. Nothing you entered was saved.")
