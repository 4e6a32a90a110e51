"""HTTP-level protections: CSRF tokens, request-size limits and response headers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "steward_csrf"
SESSION_COOKIE = "steward_session"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Two years, the preload list's figure: once a browser has seen Steward over HTTPS it never
# tries plain HTTP again, so a session cookie cannot be lured out over it.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"
# The form fields and multipart framing sent with a file, on top of the file itself.
UPLOAD_FORM_ALLOWANCE = 64 * 1024

# A route that takes a file: the pattern of its path and the largest file it accepts.
UploadRoute = tuple[re.Pattern[str], int]
# Builds the 413 the way every other error is shown (a GOV.UK page, or JSON for the API).
TooLargeResponder = Callable[[Request, str], Response]


# Paths that carry a secret (a disclosure link's token): logged, they would hand the link to
# anyone who reads the logs.
_SECRET_PATHS = re.compile(r"(/disclosure/)[^/?#\s\"']+")


def scrub_secrets(text: str) -> str:
    """``text`` with the secret part of any such path replaced."""
    return _SECRET_PATHS.sub(r"\1[token]", text)


def cookie_name(base: str, *, secure: bool) -> str:
    """Over HTTPS, cookies carry the ``__Host-`` prefix: the browser then takes them only
    when Secure, for Path=/ and with no Domain, so a sibling subdomain cannot plant one."""
    return f"__Host-{base}" if secure else base


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.cookies_secure)


def session_secret(request: Request) -> str | None:
    return request.cookies.get(cookie_name(SESSION_COOKIE, secure=_secure(request)))


def csrf_token_for(secret_key: str, cookie_value: str, session: str | None) -> str:
    """The form token is an HMAC of the browser's CSRF cookie and of its session (hashed),
    so a token is good only for the session it was rendered in: a CSRF cookie planted before
    sign-in, with a token its planter read, stops working when the victim signs in. Another
    site can neither read the cookies (HttpOnly) nor compute the token without the secret."""
    bound = hashlib.sha256(session.encode()).hexdigest() if session else "anonymous"
    message = f"{cookie_value}|{bound}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def fresh_csrf_cookie(request: Request) -> str:
    """A new CSRF cookie for this response (the middleware sets it): at sign-in, and where
    the browser has none yet."""
    fresh = secrets.token_urlsafe(32)
    request.state.new_csrf_cookie = fresh
    return fresh


def csrf_cookie_value(request: Request) -> str:
    """The browser's CSRF cookie, or a fresh one that the middleware will set on the response."""
    fresh: str | None = getattr(request.state, "new_csrf_cookie", None)
    if fresh is not None:
        return fresh
    existing = request.cookies.get(cookie_name(CSRF_COOKIE, secure=_secure(request)))
    return existing or fresh_csrf_cookie(request)


def csrf_token_valid(
    secret_key: str, cookie_value: str | None, session: str | None, submitted: str | None
) -> bool:
    if not cookie_value or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, cookie_value, session), submitted)


class SecurityMiddleware:
    """Caps request bodies, sets a new CSRF cookie where a page minted one, and adds the
    headers every response should carry (no caching of personal data, no framing, CSP).

    Bodies are capped at ``max_body_bytes``, except multipart POSTs to a path of one of
    ``upload_routes``: those may carry a file of up to that route's limit. The cap holds for
    chunked bodies too (no Content-Length): they are counted as they arrive."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        secure_cookies: bool,
        upload_routes: Sequence[UploadRoute] = (),
        too_large_response: TooLargeResponder | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_routes = tuple(upload_routes)
        self.secure_cookies = secure_cookies
        self.too_large_response = too_large_response

    def _upload_limit(self, scope: Scope, headers: dict[bytes, bytes]) -> int | None:
        """The largest file this request may carry, if it is a file upload."""
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["method"] != "POST" or content_type != b"multipart/form-data":
            return None
        return next(
            (limit for pattern, limit in self.upload_routes if pattern.match(scope["path"])),
            None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope["headers"])
        upload_limit = self._upload_limit(scope, request_headers)
        if upload_limit is not None:
            limit = upload_limit + UPLOAD_FORM_ALLOWANCE
            refusal = _upload_too_large_message(upload_limit)
        else:
            limit = self.max_body_bytes
            refusal = f"The request is too large. The limit is {limit} bytes."
        declared = request_headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(scope, receive, send, refusal)
            return

        received = 0
        over_limit = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, over_limit
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over_limit = True
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if over_limit:
                # The app caught BodyTooLarge while parsing (FastAPI turns any error reading a
                # form into "400 error parsing the body") and answers with its own error:
                # the person must hear that the body was too large, so that answer is
                # replaced by the 413.
                if message["type"] == "http.response.start" and not response_started:
                    response_started = True
                    await self._too_large(scope, receive, send, refusal)
                return
            if message["type"] == "http.response.start":
                response_started = True
                self._add_headers(scope, message)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not response_started:
                await self._too_large(scope, receive, send, refusal)

    def _add_headers(self, scope: Scope, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not scope["path"].startswith(("/assets/", "/static/")):
            headers["Cache-Control"] = "no-store"
        if self.secure_cookies:
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        new_cookie = scope.get("state", {}).get("new_csrf_cookie")
        if new_cookie:
            name = cookie_name(CSRF_COOKIE, secure=self.secure_cookies)
            secure = "; Secure" if self.secure_cookies else ""
            headers.append(
                "Set-Cookie",
                f"{name}={new_cookie}; Path=/; HttpOnly; SameSite=Strict{secure}",
            )

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        request = Request(scope, receive)
        response: Response = (
            self.too_large_response(request, message)
            if self.too_large_response is not None
            else PlainTextResponse(message)
        )
        response.status_code = 413
        # The refusal carries the same protective headers as every other response; the
        # body is not read further, so the connection is closed after it.
        response.headers["Connection"] = "close"

        async def send_protected(out: Message) -> None:
            if out["type"] == "http.response.start":
                self._add_headers(scope, out)
            await send(out)

        await response(scope, receive, send_protected)


def _upload_too_large_message(max_upload_bytes: int) -> str:
    return (
        f"The file is too large. Upload a file smaller than {megabytes(max_upload_bytes)}. "
        "Nothing was saved."
    )


def megabytes(size: int) -> str:
    """A size as people write it on GOV.UK: "25MB", "1.5MB", "300KB"."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f}MB" if value == int(value) else f"{value:.1f}MB"
    return f"{max(1, round(size / 1024))}KB"


class BodyTooLarge(Exception):
    pass
