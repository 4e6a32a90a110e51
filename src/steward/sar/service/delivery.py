"""Delivering the bundle: a download link for the requester, its passcode sent another way,
or the bundle printed and posted. The request becomes "sent" only once it is delivered:
on the first download, or when staff record it posted.

The link carries a random 32-byte token, kept only as its sha256; the passcode is kept only
as an argon2 hash. Both are shown to staff once, when the link is made. Five wrong passcodes
lock the link; a link expires and can be revoked. Each download, and each wrong passcode, is
an audit event by the public actor, naming the link and bundle by id only. A wrong passcode
and a token that does not exist get the same answer, in about the same time."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, outbox
from steward.core.auth import usernames
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, DomainError, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor
from steward.sar import policy
from steward.sar.delivery_models import BundleStatus, PasscodeChannel, SarBundle, SarDeliveryLink
from steward.sar.events import SarEvent
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service import bundle as bundles
from steward.sar.service.requests import SUBJECT_TYPE, _step, details, get

PATH = "/disclosure"
MAX_ATTEMPTS = 5
MIN_LIFETIME = timedelta(hours=1)
MAX_LIFETIME = timedelta(days=90)
# No 0/O, 1/I/L: read out on the phone or copied from a letter without doubt.
PASSCODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PASSCODE_GROUPS, PASSCODE_GROUP = 3, 4
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("timing-equaliser-for-unknown-links")

CHANNEL_WORDS = {
    PasscodeChannel.POST: "by post",
    PasscodeChannel.PHONE: "by telephone",
    PasscodeChannel.OTHER: "another way, not by email",
}


class LinkRefused(DomainError):
    """The public page's answer. ``reason``: wrong (also an unknown link), expired, revoked,
    locked, gone (the request can no longer be delivered)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


WRONG = (
    "The passcode is not right, or the link is not complete. Check both and try again: "
    "after 5 wrong passcodes the link stops working."
)
EXPIRED = "This link has expired. Contact us, quoting your request's reference, for a new one."
REVOKED = "This link no longer works. Contact us, quoting your request's reference, for a new one."
LOCKED = (
    "This link is locked because a wrong passcode was entered 5 times. Contact us, quoting "
    "your request's reference, for a new one."
)
GONE = "This link no longer works. Contact us, quoting your request's reference."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_passcode() -> str:
    return "-".join(
        "".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(PASSCODE_GROUP))
        for _ in range(PASSCODE_GROUPS)
    )


def _normal(passcode: str) -> str:
    # However it was typed: lower case, spaces, dashes.
    return "".join(c for c in passcode.upper() if c.isalnum())


@dataclass(frozen=True)
class Issued:
    """Shown to staff once: nothing here can be read back later."""

    link_id: int
    token: str
    passcode: str
    path: str  # /disclosure/{token}
    url: str  # the path on the site's address, to send to the requester
    expires_at: datetime
    channel: PasscodeChannel
    emailed: str | None  # the outbox status of the email that carried the link, if any


def _deliverable(request: SubjectAccessRequest) -> None:
    status = Status(request.status)
    if status not in (Status.AWAITING_APPROVAL, Status.SENT):
        raise Conflict(
            "Only a response awaiting approval, or already sent, can be delivered: this "
            f"request is {status.value.replace('_', ' ')}."
        )


def issue_link(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    request_id: int,
    expires_in: timedelta,
    passcode_channel: PasscodeChannel,
    site_url: str = "",
    email: bool = False,
    settings: Settings | None = None,
) -> Issued:
    """A link to the request's ready bundle and its passcode. With ``email``, the link goes to
    the requester's email address through the outbox (the passcode never does)."""
    request = get(db, actor, request_id)
    _deliverable(request)
    bundle = bundles.ready(db, request.id)
    if bundle is None:
        raise Conflict("Build the bundle, and wait for it to be ready, before sending a link.")
    if not MIN_LIFETIME <= expires_in <= MAX_LIFETIME:
        raise ValidationFailed(
            "A link must last between 1 hour and 90 days.",
            errors={"expires_in": "Choose how long the link lasts, up to 90 days"},
        )
    token, passcode = secrets.token_urlsafe(32), new_passcode()
    now = clock.now()
    link = SarDeliveryLink(
        request_id=request.id,
        bundle_id=bundle.id,
        token_hash=token_hash(token),
        passcode_hash=_hasher.hash(_normal(passcode)),
        passcode_channel=PasscodeChannel(passcode_channel).value,
        created_at=now,
        created_by_user_id=actor.user_id,
        expires_at=now + expires_in,
        attempts=0,
        downloads=0,
    )
    db.add(link)
    db.flush()
    path = f"{PATH}/{token}"
    url = f"{site_url.rstrip('/')}{path}"
    emailed = None
    if email:
        message = _email_link(db, kek, actor, request, url, link, settings)
        link.outbox_message_id, emailed = message.id, message.status
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.LINK_ISSUED,
        from_status=request.status,
        details={
            "link": link.id,
            "bundle": bundle.id,
            "channel": link.passcode_channel,
            "expires": link.expires_at.date().isoformat(),
            "emailed": emailed,
        },
    )
    return Issued(
        link.id,
        token,
        passcode,
        path,
        url,
        link.expires_at,
        PasscodeChannel(passcode_channel),
        emailed,
    )


def _email_link(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    url: str,
    link: SarDeliveryLink,
    settings: Settings | None,
) -> outbox.OutboxMessage:
    requester = details(db, kek, actor, request.id)["requester"]
    if not requester.get("email"):
        raise ValidationFailed(
            "The requester gave no email address: give them the link another way, or post "
            "the bundle.",
            errors={"email": "There is no email address for the requester"},
        )
    channel = CHANNEL_WORDS[PasscodeChannel(link.passcode_channel)]
    organisation = settings.organisation_name if settings else "Steward"
    body = (
        f"Dear {requester['full_name']},\n\n"
        f"The response to your subject access request {request.reference} is ready. "
        f"Download it here:\n\n{url}\n\n"
        f"You will need a passcode, which we are sending you {channel}. The link works until "
        f"{link.expires_at:%d %B %Y %H:%M} (UTC) and stops after 5 wrong passcodes.\n\n"
        f"{organisation}\n"
    )
    return outbox.send(
        db,
        kek,
        actor,
        to=requester["email"],
        subject=f"Your request {request.reference}: your information is ready to download",
        body=body,
        settings=settings,
    )


def _find(db: Session, token: str) -> SarDeliveryLink | None:
    if not token or len(token) > 100:
        return None
    return db.scalar(select(SarDeliveryLink).where(SarDeliveryLink.token_hash == token_hash(token)))


def _public_event(db: Session, tag: SarEvent, link: SarDeliveryLink, **extra: int) -> None:
    audit.record(
        db,
        Actor.public(),
        tag,
        subject_type=SUBJECT_TYPE,
        subject_id=link.request_id,
        details={"link": link.id, "bundle": link.bundle_id, **extra},
    )


def state_of(db: Session, token: str) -> str | None:
    """What the public page says before a passcode is typed: expired, revoked, locked or
    gone for a link that exists and cannot be used; None otherwise (an unknown token reads
    exactly as a good one)."""
    link = _find(db, token)
    if link is None:
        return None
    return _unusable(db, link)


def _unusable(db: Session, link: SarDeliveryLink) -> str | None:
    if link.revoked_at is not None:
        return "revoked"
    if link.locked_at is not None:
        return "locked"
    if link.expires_at <= clock.now():
        return "expired"
    bundle = db.get(SarBundle, link.bundle_id)
    request = db.get(SubjectAccessRequest, link.request_id)
    if bundle is None or bundle.status != BundleStatus.READY.value or request is None:
        return "revoked"
    if Status(request.status) not in (Status.AWAITING_APPROVAL, Status.SENT, Status.CLOSED):
        return "gone"
    return None


MESSAGES = {"wrong": WRONG, "expired": EXPIRED, "revoked": REVOKED, "locked": LOCKED, "gone": GONE}


def open_link(db: Session, *, token: str, passcode: str) -> bundles.BundleStream:
    """The bundle, for the holder of the link and its passcode. A wrong passcode is counted
    (and locks the link at the fifth) in the caller's transaction before LinkRefused is
    raised: the caller commits it. The first download delivers the request: it becomes
    "sent"."""
    link = _find(db, token)
    typed = _normal(passcode)[:40]
    if link is None:
        _verify(_DUMMY, typed)
        raise LinkRefused("wrong", WRONG)
    refused = _unusable(db, link)
    if refused is not None:
        raise LinkRefused(refused, MESSAGES[refused])
    if not _verify(link.passcode_hash, typed):
        link.attempts += 1
        _public_event(db, SarEvent.LINK_PASSCODE_WRONG, link, attempts=link.attempts)
        if link.attempts >= MAX_ATTEMPTS:
            link.locked_at = clock.now()
            _public_event(db, SarEvent.LINK_LOCKED, link)
            db.flush()
            raise LinkRefused("locked", LOCKED)
        db.flush()
        raise LinkRefused("wrong", WRONG)
    now = clock.now()
    link.attempts = 0
    link.downloads += 1
    link.first_downloaded_at = link.first_downloaded_at or now
    link.last_downloaded_at = now
    request = db.get(SubjectAccessRequest, link.request_id)
    bundle = db.get(SarBundle, link.bundle_id)
    assert request is not None and bundle is not None
    _public_event(db, SarEvent.DELIVERY_DOWNLOADED, link, download=link.downloads)
    _delivered(db, Actor.public(), request, via="download", bundle_id=bundle.id)
    db.flush()
    return bundles.stream_of(bundle, request.reference)


def _verify(hashed: str, typed: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, typed or "-"))
    except (VerificationError, InvalidHashError):
        return False


def _delivered(
    db: Session, actor: Actor, request: SubjectAccessRequest, *, via: str, bundle_id: int
) -> None:
    """The response has reached the requester: the request moves on to sent, once. The
    second person's approval was the disclosure's (sar.service.disclosure), so the move does
    not ask again who prepared it."""
    current = Status(request.status)
    if current is not Status.AWAITING_APPROVAL:
        return
    request.status = policy.transition(current, Status.SENT).value
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.MOVED,
        from_status=current.value,
        details={"from": current.value, "to": Status.SENT.value, "via": via, "bundle": bundle_id},
    )


def revoke(db: Session, actor: Actor, *, request_id: int) -> int:
    """Stop every working link of the request; how many were stopped."""
    request = get(db, actor, request_id)
    now = clock.now()
    live = list(
        db.scalars(
            select(SarDeliveryLink).where(
                SarDeliveryLink.request_id == request.id, SarDeliveryLink.revoked_at.is_(None)
            )
        )
    )
    if not live:
        raise Conflict("There is no link to revoke.")
    for link in live:
        link.revoked_at, link.revoked_by_user_id = now, actor.user_id
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.LINK_REVOKED,
        from_status=request.status,
        details={"links": [link.id for link in live]},
    )
    return len(live)


def mark_posted(db: Session, actor: Actor, *, request_id: int) -> SarBundle:
    """The printed bundle went in the post today: that delivers it."""
    request = get(db, actor, request_id)
    _deliverable(request)
    bundle = bundles.ready(db, request.id)
    if bundle is None:
        raise Conflict("Build the bundle before recording it as posted.")
    if bundle.posted_at is not None:
        raise Conflict("This bundle is already recorded as posted.")
    bundle.posted_at, bundle.posted_by_user_id = clock.now(), actor.user_id
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.BUNDLE_POSTED,
        from_status=request.status,
        details={"bundle": bundle.id},
    )
    _delivered(db, actor, request, via="post", bundle_id=bundle.id)
    return bundle


@dataclass(frozen=True)
class LinkRow:
    id: int
    bundle_id: int
    created_at: datetime
    created_by: str | None
    channel: PasscodeChannel
    expires_at: datetime
    state: str  # working, expired, revoked, locked
    attempts: int
    downloads: int
    first_downloaded_at: datetime | None
    last_downloaded_at: datetime | None
    emailed: bool


@dataclass(frozen=True)
class Posting:
    bundle_id: int
    posted_at: datetime
    posted_by: str | None


@dataclass(frozen=True)
class History:
    links: Page[LinkRow]
    posted: list[Posting]
    working: int  # links that still open


def _state(link: SarDeliveryLink, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.locked_at is not None:
        return "locked"
    return "expired" if link.expires_at <= now else "working"


def history(
    db: Session, actor: Actor, request_id: int, page: PageRequest = PageRequest(size=20)
) -> History:
    """Every link made for the request and what became of it, and each posting: no token,
    no passcode, nothing of the bundle."""
    get(db, actor, request_id)
    now = clock.now()
    found: Page[SarDeliveryLink] = paginate(
        db,
        select(SarDeliveryLink)
        .where(SarDeliveryLink.request_id == request_id)
        .order_by(SarDeliveryLink.id.desc()),
        page,
    )
    posted = [
        b
        for b in db.scalars(
            select(SarBundle)
            .where(SarBundle.request_id == request_id, SarBundle.posted_at.is_not(None))
            .order_by(SarBundle.id.desc())
        )
    ]
    who = [x.created_by_user_id for x in found.items] + [b.posted_by_user_id for b in posted]
    names = usernames(db, [u for u in who if u])
    working = sum(
        1
        for x in db.scalars(
            select(SarDeliveryLink).where(
                SarDeliveryLink.request_id == request_id, SarDeliveryLink.revoked_at.is_(None)
            )
        )
        if _state(x, now) == "working"
    )
    return History(
        links=found.map(
            lambda x: LinkRow(
                id=x.id,
                bundle_id=x.bundle_id,
                created_at=x.created_at,
                created_by=names.get(x.created_by_user_id or 0),
                channel=PasscodeChannel(x.passcode_channel),
                expires_at=x.expires_at,
                state=_state(x, now),
                attempts=x.attempts,
                downloads=x.downloads,
                first_downloaded_at=x.first_downloaded_at,
                last_downloaded_at=x.last_downloaded_at,
                emailed=x.outbox_message_id is not None,
            )
        ),
        posted=[
            Posting(b.id, b.posted_at, names.get(b.posted_by_user_id or 0))
            for b in posted
            if b.posted_at is not None
        ],
        working=working,
    )
