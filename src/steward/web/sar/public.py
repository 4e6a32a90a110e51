"""The public subject access request form: a start page, one question per page, check your
answers, and a confirmation with the reference (GOV.UK's question-page pattern). No account.

What the requester types never travels in a URL or a readable cookie: it is kept in a sealed
draft on the server (sar.service.public), found by a random token in an HttpOnly, SameSite
cookie. Every post carries the CSRF token bound to the browser's CSRF cookie, and posts are
rate-limited per client (a keyed hash of the address, kept in the database: no limiter
library is installed, and a database window holds across several app processes too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError
from starlette.datastructures import FormData, UploadFile

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import ValidationFailed
from steward.sar import service, uploads
from steward.sar.clock import Region
from steward.sar.models import SarDraft
from steward.sar.policy import Channel, RequesterType, needs_authority
from steward.sar.schemas import PersonDetails, SarCreate
from steward.web.deps import DB, AppSettings, Keyring, csrf_protect
from steward.web.forms import read_date
from steward.web.rendering import render
from steward.web.security import cookie_name

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

BASE = "/request-your-data"
DRAFT_COOKIE = "steward_sar_draft"
# A person may need a few goes at a page; a script posting faster than anyone types is not a
# person. Submissions are rarer still: one family may send several, not dozens.
PAGE_LIMIT = service.public.Limit(count=60, window=timedelta(minutes=10))
SUBMIT_LIMIT = service.public.Limit(count=5, window=timedelta(hours=24))
FORMULA_STARTS = ("=", "+", "-", "@")
WHO = {
    RequesterType.DATA_SUBJECT: ("Myself", "The information is about me"),
    RequesterType.PARENT: (
        "My child",
        "I have parental responsibility for the child the information is about",
    ),
    RequesterType.REPRESENTATIVE: (
        "Someone I represent",
        "For example, as their solicitor, advocate or with their written permission",
    ),
    RequesterType.CHILD: (
        "Myself, and I am under 18",
        "A child or young person asking for their own information",
    ),
    RequesterType.CARE_LEAVER: (
        "Myself, about my time in care",
        "You were looked after as a child, however long ago",
    ),
}
_EMAIL = TypeAdapter(EmailStr)

Answers = dict[str, Any]
Errors = dict[str, str]


@dataclass
class Posted:
    """What a question page's post changed, what was wrong with it, and what to show again."""

    updates: Answers = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    slug: str
    title: str
    done: Callable[[Answers, set[str]], bool]
    read: Callable[[FormData, Answers], Posted]
    for_someone_else: bool = False  # asked only when the request is made for another person

    @property
    def path(self) -> str:
        return f"{BASE}/{self.slug}"


def _for_someone_else(answers: Answers) -> bool:
    code = answers.get("requester_type")
    return code in {t.value for t in RequesterType} and needs_authority(RequesterType(code))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _name_errors(value: str, name: str, what: str, errors: Errors, *, required: bool) -> None:
    if not value:
        if required:
            errors[name] = f"Enter {what[0].lower()}{what[1:]}"
    elif len(value) > 200:
        errors[name] = f"{what} must be 200 characters or fewer"
    elif value.startswith(FORMULA_STARTS):
        errors[name] = f"{what} must start with a letter"


def _names(form: FormData, name: str, what: str, errors: Errors) -> list[str]:
    lines = [line.strip() for line in _text(form, name).splitlines() if line.strip()]
    if len(lines) > 10:
        errors[name] = f"{what}: enter up to 10 names, one on each line"
    for line in lines:
        _name_errors(line, name, what, errors, required=False)
    return lines


def _read_who(form: FormData, answers: Answers) -> Posted:
    code = _text(form, "requester_type")
    if code not in {t.value for t in RequesterType}:
        return Posted(errors={"requester_type": "Select who the request is for"})
    return Posted(updates={"requester_type": code})


def _read_name(form: FormData, answers: Answers) -> Posted:
    errors: Errors = {}
    full_name = _text(form, "full_name")
    _name_errors(full_name, "full_name", "Your full name", errors, required=True)
    previous = _names(form, "previous_names", "Previous names", errors)
    shown = {"full_name": full_name, "previous_names": _text(form, "previous_names")}
    return Posted({"full_name": full_name, "previous_names": previous}, errors, shown)


def _read_birth(form: FormData, prefix: str, what: str) -> Posted:
    answer = read_date(form, prefix, what=what)
    error = answer.error
    if answer.value is not None and answer.value >= clock.today():
        error = f"{what} must be in the past"
    elif answer.value is not None and answer.value.year < 1900:
        error = f"{what} must be after 1 January 1900"
    if error:
        return Posted(errors={prefix: error}, shown={prefix: answer.parts})
    assert answer.value is not None
    return Posted(updates={prefix: answer.value.isoformat()})


def _read_dob(form: FormData, answers: Answers) -> Posted:
    return _read_birth(form, "date_of_birth", "Your date of birth")


def _read_address(form: FormData, answers: Answers) -> Posted:
    address = _text(form, "address")
    errors: Errors = {}
    if not address:
        errors["address"] = "Enter your address"
    elif len(address) > 500:
        errors["address"] = "Your address must be 500 characters or fewer"
    return Posted({"address": address}, errors, {"address": address})


def _read_contact(form: FormData, answers: Answers) -> Posted:
    email, phone = _text(form, "email"), _text(form, "phone")
    errors: Errors = {}
    if not email and not phone:
        errors["email"] = "Enter an email address or a telephone number"
    if email:
        try:
            _EMAIL.validate_python(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    digits = sum(c.isdigit() for c in phone)
    if phone and (len(phone) > 30 or digits < 10 or set(phone) - set("0123456789+ ()-")):
        errors["phone"] = (
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
        )
    shown = {"email": email, "phone": phone}
    return Posted({"email": email or None, "phone": phone or None}, errors, shown)


def _read_about(form: FormData, answers: Answers) -> Posted:
    errors: Errors = {}
    name = _text(form, "subject_name")
    _name_errors(name, "subject_name", "Their full name", errors, required=True)
    previous = _names(form, "subject_previous_names", "Their previous names", errors)
    born = _read_birth(form, "subject_date_of_birth", "Their date of birth")
    errors |= born.errors
    shown = {
        "subject_name": name,
        "subject_previous_names": _text(form, "subject_previous_names"),
        **born.shown,
    }
    updates = {"subject_name": name, "subject_previous_names": previous, **born.updates}
    return Posted(updates, errors, shown)


def _read_what(form: FormData, answers: Answers) -> Posted:
    description, period = _text(form, "description"), _text(form, "period")
    errors: Errors = {}
    if not description:
        errors["description"] = "Tell us what information you want"
    elif len(description) > 4500:
        errors["description"] = "What you want must be 4,500 characters or fewer"
    if len(period) > 200:
        errors["period"] = "The dates must be 200 characters or fewer"
    shown = {"description": description, "period": period}
    return Posted({"description": description, "period": period}, errors, shown)


def _read_nothing(form: FormData, answers: Answers) -> Posted:
    # The file itself is read by the upload route (it needs the draft to seal it under).
    return Posted()


QUESTIONS = (
    Question("who", "Who is the request for?", lambda a, f: "requester_type" in a, _read_who),
    Question("name", "What is your name?", lambda a, f: bool(a.get("full_name")), _read_name),
    Question(
        "date-of-birth",
        "What is your date of birth?",
        lambda a, f: bool(a.get("date_of_birth")),
        _read_dob,
    ),
    Question(
        "address", "What is your address?", lambda a, f: bool(a.get("address")), _read_address
    ),
    Question(
        "contact",
        "How can we contact you?",
        lambda a, f: bool(a.get("email") or a.get("phone")),
        _read_contact,
    ),
    Question(
        "about",
        "Who is the information about?",
        lambda a, f: bool(a.get("subject_name") and a.get("subject_date_of_birth")),
        _read_about,
        for_someone_else=True,
    ),
    Question(
        "what", "What information do you want?", lambda a, f: bool(a.get("description")), _read_what
    ),
    Question(
        "proof-of-identity",
        "Upload proof of your identity (optional)",
        lambda a, f: bool(a.get("id_seen")),
        _read_nothing,
    ),
    Question(
        "proof-of-authority",
        "Upload proof that you can ask for them",
        lambda a, f: uploads.DocumentKind.AUTHORITY.value in f,
        _read_nothing,
        for_someone_else=True,
    ),
)
BY_SLUG = {q.slug: q for q in QUESTIONS}
UPLOADS = {
    "proof-of-identity": (uploads.DocumentKind.ID, "id_file"),
    "proof-of-authority": (uploads.DocumentKind.AUTHORITY, "authority_file"),
}


def _asked(answers: Answers) -> list[Question]:
    someone_else = _for_someone_else(answers)
    return [q for q in QUESTIONS if someone_else or not q.for_someone_else]


def _first_unanswered(answers: Answers, files: set[str]) -> Question | None:
    return next((q for q in _asked(answers) if not q.done(answers, files)), None)


def _next_path(after: Question, answers: Answers, files: set[str], *, changing: bool) -> str:
    """The next question; when changing an answer from the check page, back there unless the
    change opened a question not yet answered (a parent needs the child's details)."""
    if changing:
        missing = _first_unanswered(answers, files)
        return missing.path if missing else f"{BASE}/check"
    asked = _asked(answers)
    later = asked[asked.index(after) + 1 :] if after in asked else []
    return later[0].path if later else f"{BASE}/check"


def _back_path(question: Question, answers: Answers, *, changing: bool) -> str:
    if changing:
        return f"{BASE}/check"
    asked = _asked(answers)
    at = asked.index(question) if question in asked else 0
    return asked[at - 1].path if at > 0 else BASE


# ---------------------------------------------------------------------------------- plumbing


def _draft(request: Request, db: DB) -> SarDraft | None:
    token = request.cookies.get(cookie_name(DRAFT_COOKIE, secure=_secure(request)))
    return service.public.find_draft(db, token)


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.cookies_secure)


def _client(request: Request) -> str:
    address = request.client.host if request.client else "unknown"
    return service.public.client_hash(request.app.state.settings.secret_key, address)


def _limits(request: Request) -> tuple[service.public.Limit, service.public.Limit]:
    # The app may carry its own (tests use small ones); otherwise the defaults above.
    found: tuple[service.public.Limit, service.public.Limit] = getattr(
        request.app.state, "sar_public_limits", (PAGE_LIMIT, SUBMIT_LIMIT)
    )
    return found


def _too_many(request: Request, retry_after: int) -> Response:
    response = _page(
        request,
        "sar/public/too_many.html",
        {"title": "You have sent too many requests", "minutes": max(1, -(-retry_after // 60))},
        status_code=429,
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def _throttled(request: Request, db: DB, bucket: str = "page") -> Response | None:
    page, submit = _limits(request)
    wait = service.public.take(db, _client(request), bucket, submit if bucket == "submit" else page)
    return None if wait is None else _too_many(request, wait)


def _page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """A public page: the site's layout without the staff menu, the header linking here."""
    full = {"public": True, "home_href": BASE, "navigation": [], **context}
    return render(request, template, full, status_code=status_code)


def _expired(request: Request) -> Response:
    return RedirectResponse(f"{BASE}?expired=1", status_code=303)


# -------------------------------------------------------------------------------------- pages


@router.get(BASE)
def start_page(request: Request) -> Response:
    expired = request.query_params.get("expired") == "1"
    return _page(
        request,
        "sar/public/start.html",
        {"title": "Ask for the information we hold about you", "expired": expired},
    )


@router.post(f"{BASE}/start")
def start(request: Request, db: DB, keyring: Keyring) -> Response:
    """A fresh draft, its token in an HttpOnly cookie, and on to the first question."""
    refused = _throttled(request, db)
    if refused is not None:
        return refused
    token, _ = service.public.start_draft(db, keyring)
    response = RedirectResponse(QUESTIONS[0].path, status_code=303)
    secure = _secure(request)
    response.set_cookie(
        cookie_name(DRAFT_COOKIE, secure=secure),
        token,
        max_age=int(service.public.DRAFT_LIFETIME.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    return response


def _question_context(
    question: Question,
    answers: Answers,
    files: dict[str, service.public.DraftFile],
    *,
    changing: bool,
    shown: dict[str, Any] | None = None,
    errors: Errors | None = None,
) -> dict[str, Any]:
    values = dict(answers)
    for key in ("previous_names", "subject_previous_names"):
        if isinstance(values.get(key), list):
            values[key] = "\n".join(values[key])
    for key in ("date_of_birth", "subject_date_of_birth"):
        if isinstance(values.get(key), str):
            y, m, d = values[key].split("-")
            values[key] = {"day": str(int(d)), "month": str(int(m)), "year": y}
    values |= shown or {}
    return {
        "title": question.title,
        "question": question,
        "values": values,
        "errors": errors or {},
        "changing": changing,
        "back": _back_path(question, answers, changing=changing),
        "who": WHO,
        "files": files,
        "someone_else": _for_someone_else(answers),
        "max_size": "10MB",
    }


def _show_question(slug: str) -> Callable[..., Response]:
    question = BY_SLUG[slug]

    def show(request: Request, db: DB, keyring: Keyring) -> Response:
        draft = _draft(request, db)
        if draft is None or draft.reference is not None:
            return _expired(request)
        answers = service.public.answers(db, keyring, draft)
        files = service.public.files(db, keyring, draft)
        changing = request.query_params.get("change") == "1"
        context = _question_context(question, answers, files, changing=changing)
        return _page(request, f"sar/public/{slug}.html", context)

    show.__name__ = f"public_{slug.replace('-', '_')}"
    return show


def _save_question(slug: str) -> Callable[..., Any]:
    question = BY_SLUG[slug]

    async def save(request: Request, db: DB, keyring: Keyring) -> Response:
        refused = _throttled(request, db)
        if refused is not None:
            return refused
        draft = _draft(request, db)
        if draft is None or draft.reference is not None:
            return _expired(request)
        form = await request.form()
        changing = form.get("change") == "1"
        answers = service.public.answers(db, keyring, draft)
        posted = question.read(form, answers)
        if slug in UPLOADS and not posted.errors:
            posted.errors = _take_upload(db, keyring, draft, slug, form)
        files = service.public.files(db, keyring, draft)
        if posted.errors:
            context = _question_context(
                question,
                answers,
                files,
                changing=changing,
                shown=posted.shown,
                errors=posted.errors,
            )
            return _page(request, f"sar/public/{slug}.html", context, status_code=422)
        answers |= posted.updates
        if slug == "proof-of-identity":
            answers["id_seen"] = True
        service.public.save_answers(db, keyring, draft, answers)
        target = _next_path(question, answers, set(files), changing=changing)
        return RedirectResponse(target, status_code=303)

    save.__name__ = f"public_{slug.replace('-', '_')}_save"
    return save


def _take_upload(
    db: DB, keyring: KeyEncryptionKeys, draft: SarDraft, slug: str, form: FormData
) -> Errors:
    kind, name = UPLOADS[slug]
    upload = form.get(name)
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    if not has_file:
        if kind is uploads.DocumentKind.AUTHORITY and not any(
            f.kind == kind.value for f in draft.files
        ):
            return {name: "Select a file that shows you can ask for their information"}
        return {}
    assert isinstance(upload, UploadFile)
    data = upload.file.read()
    try:
        service.public.attach(db, keyring, draft, kind=kind, data=data, filename=upload.filename)
    except ValidationFailed as exc:
        return {name: next(iter(exc.errors.values()), exc.message)}
    return {}


for _question in QUESTIONS:
    router.add_api_route(_question.path, _show_question(_question.slug), methods=["GET"])
    router.add_api_route(_question.path, _save_question(_question.slug), methods=["POST"])


@router.get(f"{BASE}/check")
def check(request: Request, db: DB, keyring: Keyring) -> Response:
    draft = _draft(request, db)
    if draft is None or draft.reference is not None:
        return _expired(request)
    answers = service.public.answers(db, keyring, draft)
    files = service.public.files(db, keyring, draft)
    return _page(request, "sar/public/check.html", _check_context(answers, files))


def _check_context(answers: Answers, files: dict[str, service.public.DraftFile]) -> dict[str, Any]:
    missing = [q for q in _asked(answers) if not q.done(answers, set(files))]
    return {
        "title": "Check your answers before sending your request",
        "answers": answers,
        "files": files,
        "who": WHO,
        "someone_else": _for_someone_else(answers),
        "missing": {q.slug for q in missing},
        "date_of_birth": _iso_date(answers.get("date_of_birth")),
        "subject_date_of_birth": _iso_date(answers.get("subject_date_of_birth")),
    }


def _iso_date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


@router.post(f"{BASE}/check")
def send(request: Request, db: DB, keyring: Keyring, settings: AppSettings) -> Response:
    """Send the request: from a complete draft only; the draft is shredded once it is a request."""
    draft = _draft(request, db)
    if draft is None:
        return _expired(request)
    if draft.reference is not None:
        return RedirectResponse(f"{BASE}/done", status_code=303)
    answers = service.public.answers(db, keyring, draft)
    files = service.public.files(db, keyring, draft)
    missing = _first_unanswered(answers, set(files))
    if missing is not None:
        return RedirectResponse(f"{missing.path}?change=1", status_code=303)
    refused = _throttled(request, db, "submit")
    if refused is not None:
        return refused
    if not _for_someone_else(answers):
        service.public.discard(db, draft, uploads.DocumentKind.AUTHORITY)
    region = Region.from_setting(settings.bank_holiday_region)
    service.public.submit(db, keyring, draft, _request_from(answers), default_region=region)
    return RedirectResponse(f"{BASE}/done", status_code=303)


def _request_from(answers: Answers) -> SarCreate:
    requester_type = RequesterType(answers["requester_type"])
    someone_else = needs_authority(requester_type)
    description = answers["description"]
    if answers.get("period"):
        description += f"\n\nDates: {answers['period']}"
    return SarCreate(
        requester_type=requester_type,
        channel=Channel.ONLINE,
        received_on=clock.today(),
        requester=PersonDetails(
            full_name=answers["full_name"],
            previous_names=answers.get("previous_names") or [],
            date_of_birth=answers.get("date_of_birth"),
            address=answers.get("address"),
            email=answers.get("email"),
            phone=answers.get("phone"),
        ),
        subject=PersonDetails(
            full_name=answers["subject_name"],
            previous_names=answers.get("subject_previous_names") or [],
            date_of_birth=answers.get("subject_date_of_birth"),
        )
        if someone_else
        else None,
        description=description,
    )


@router.get(f"{BASE}/done")
def done(request: Request, db: DB) -> Response:
    draft = _draft(request, db)
    reference = draft.reference if draft is not None else None
    title = "Request sent" if reference else "There is no request to confirm"
    return _page(request, "sar/public/done.html", {"title": title, "reference": reference})
