"""Delivering a request's bundle: issue a download link (shown once, with its passcode and
how to give each), revoke links, record the bundle posted, and the history of each. For the
IG team (``sar:manage``).

And the requester's page, ``/disclosure/{token}``: no account, no personal data on the page,
the passcode typed to download. The token is in the path only (never logged: see
``steward.web.security.scrub_secrets``), its posts rate-limited per client as the public
request form's are."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor
from steward.sar import service
from steward.sar.delivery_models import PasscodeChannel
from steward.sar.service import bundle as bundles
from steward.sar.service import delivery
from steward.sar.service.public import Limit, client_hash, take
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render
from steward.web.sar.bundle import stream_response

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

LIFETIMES = {"7": "7 days", "14": "14 days", "28": "28 days"}
CHANNELS = {
    PasscodeChannel.POST: ("By post", "A letter with the passcode, sent separately"),
    PasscodeChannel.PHONE: ("By telephone", "Read it out after checking who you are talking to"),
    PasscodeChannel.OTHER: ("Another way", "In person, or by text message: never by email"),
}
DONE = {
    "revoked": "The links have been revoked: they no longer open.",
    "posted": "The bundle is recorded as posted today. The request is now sent.",
}
# A person may mistype a passcode a few times; a script trying many is not a person. Each
# link locks itself after 5 wrong passcodes too.
DOWNLOAD_LIMIT = Limit(count=20, window=timedelta(minutes=10))
TOKEN_MAX = 100


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    request_id: int,
    page: PageQuery,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    return render(
        request,
        "sar/delivery.html",
        {
            "sar": sar,
            "ready": bundles.ready(db, request_id),
            "history": delivery.history(db, actor, request_id, page),
            "lifetimes": LIFETIMES,
            "channels": CHANNELS,
            "form": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/sar/requests/{request_id}/delivery")
def delivery_page(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: Id,
    page: PageQuery,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _page(request, db, actor, request_id, page, done=DONE.get(done))


def _failed(
    request: Request,
    db: DB,
    actor: Actor,
    request_id: int,
    page: PageQuery,
    exc: DomainError,
    form: dict[str, str],
) -> Response:
    shown = refusal(exc, fields=("expires_in", "passcode_channel", "email"), summary="delivery")
    return _page(request, db, actor, request_id, page, form=form, **shown)


@router.post("/sar/requests/{request_id}/delivery/links")
def issue(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    request_id: Id,
    page: PageQuery,
    expires_in: Annotated[str, Form(max_length=4)] = "",
    passcode_channel: Annotated[str, Form(max_length=16)] = "",
    email: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """The link and passcode are shown on this answer and never again: no redirect, so
    neither travels in an address or a cookie."""
    form = {"expires_in": expires_in, "passcode_channel": passcode_channel, "email": email}
    try:
        errors = {}
        if expires_in not in LIFETIMES:
            errors["expires_in"] = "Choose how long the link works"
        if passcode_channel not in {c.value for c in PasscodeChannel}:
            errors["passcode_channel"] = "Choose how the passcode reaches the requester"
        if errors:
            raise ValidationFailed(
                "Choose how long the link works and how the passcode goes.", errors=errors
            )
        with db.begin_nested():
            issued = delivery.issue_link(
                db,
                kek,
                actor,
                request_id=request_id,
                expires_in=timedelta(days=int(expires_in)),
                passcode_channel=PasscodeChannel(passcode_channel),
                site_url=str(request.base_url),
                email=email == "yes",
                settings=settings,
            )
    except DomainError as exc:
        return _failed(request, db, actor, request_id, page, exc, form)
    sar = service.get(db, actor, request_id)
    return render(
        request,
        "sar/delivery_issued.html",
        {"sar": sar, "issued": issued, "channels": CHANNELS},
    )


@router.post("/sar/requests/{request_id}/delivery/revoke")
def revoke(request: Request, db: DB, actor: PageActor, request_id: Id, page: PageQuery) -> Response:
    try:
        with db.begin_nested():
            delivery.revoke(db, actor, request_id=request_id)
    except DomainError as exc:
        return _failed(request, db, actor, request_id, page, exc, {})
    return RedirectResponse(f"/sar/requests/{request_id}/delivery?done=revoked", status_code=303)


@router.post("/sar/requests/{request_id}/delivery/posted")
def posted(request: Request, db: DB, actor: PageActor, request_id: Id, page: PageQuery) -> Response:
    try:
        with db.begin_nested():
            delivery.mark_posted(db, actor, request_id=request_id)
    except DomainError as exc:
        return _failed(request, db, actor, request_id, page, exc, {})
    return RedirectResponse(f"/sar/requests/{request_id}/delivery?done=posted", status_code=303)


# --- the requester's page ------------------------------------------------------------------------

TITLES = {
    None: "Download your information",
    "expired": "This link has expired",
    "revoked": "This link no longer works",
    "locked": "This link is locked",
    "gone": "This link no longer works",
}


def _public(
    request: Request, state: str | None, *, status_code: int = 200, **extra: Any
) -> Response:
    context = {
        "public": True,
        "home_href": "/request-your-data",
        "navigation": [],
        "title": TITLES.get(state, TITLES[None]),
        "state": state,
        "message": delivery.MESSAGES.get(state or "", ""),
        "errors": {},
        **extra,
    }
    return render(request, "sar/public/disclosure.html", context, status_code=status_code)


@router.get(f"{delivery.PATH}/{{token}}")
def disclosure_page(request: Request, db: DB, token: str) -> Response:
    state = delivery.state_of(db, token[:TOKEN_MAX])
    return _public(request, state)


@router.post(f"{delivery.PATH}/{{token}}")
def disclosure_download(
    request: Request,
    db: DB,
    token: str,
    passcode: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    wait = take(db, _client(request), "disclosure", _limit(request))
    if wait is not None:
        response = render(
            request,
            "sar/public/too_many.html",
            {
                "public": True,
                "home_href": "/request-your-data",
                "navigation": [],
                "title": "Too many tries",
                "minutes": max(1, -(-wait // 60)),
            },
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if not passcode.strip():
        return _public(
            request,
            None,
            status_code=422,
            error="Enter the passcode",
            errors={"passcode": "Enter the passcode we sent you"},
        )
    try:
        found = delivery.open_link(db, token=token[:TOKEN_MAX], passcode=passcode)
    except delivery.LinkRefused as exc:
        # Not raised on: a wrong passcode is counted, and that count must be committed.
        if exc.reason == "wrong":
            return _public(
                request, None, status_code=422, error=exc.message, errors={"passcode": exc.message}
            )
        return _public(request, exc.reason, status_code=410)
    return stream_response(request, found)


def _client(request: Request) -> str:
    address = request.client.host if request.client else "unknown"
    return client_hash(request.app.state.settings.secret_key, address)


def _limit(request: Request) -> Limit:
    found: Limit = getattr(request.app.state, "disclosure_limit", DOWNLOAD_LIMIT)
    return found
