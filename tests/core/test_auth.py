"""Accounts, sign-in, sessions and API tokens: what an attacker with a guess, a stolen database
copy or a stale cookie can and cannot do, and what the audit trail says about it."""

from __future__ import annotations

import hashlib
import string
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.audit import AuditEvent, EventTag
from steward.core.auth import ApiToken, User, WebSession
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, ActorKind, Role
from tests.factories.core import DEFAULT_PASSWORD, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _last_seq(db: Session) -> int:
    return int(db.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)


def _events_after(db: Session, seq: int, tag: EventTag | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)
    if tag is not None:
        query = query.where(AuditEvent.tag == tag.value)
    return list(db.scalars(query))


def _user_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(User)) or 0)


def _sign_in(
    db: Session,
    settings: Settings,
    user: User,
    password: str,
    code: str = "",
    kek: FileKeyring | None = None,
) -> auth.SignIn:
    return auth.sign_in(db, settings, username=user.username, password=password, code=code, kek=kek)


# --- passwords and accounts -------------------------------------------------------------


def test_passwords_are_stored_only_as_argon2id_hashes(db: Session) -> None:
    a = make_user(db)
    b = make_user(db)
    for user in (a, b):
        stored = db.scalar(text("SELECT password_hash FROM users WHERE id = :id"), {"id": user.id})
        assert stored.startswith("$argon2id$")
        assert DEFAULT_PASSWORD not in stored
    assert a.password_hash != b.password_hash  # salted: equal passwords do not look equal
    row = db.execute(text("SELECT * FROM users WHERE id = :id"), {"id": a.id}).one()
    assert all(DEFAULT_PASSWORD not in str(value) for value in row)


def test_creating_a_user_records_one_event_without_the_username(db: Session) -> None:
    admin = make_user(db, Role.ADMIN)
    start = _last_seq(db)
    user = auth.create_user(
        db, admin.actor, username="new.starter", role=Role.MANAGER, password=DEFAULT_PASSWORD
    )
    [event] = _events_after(db, start)
    assert event.tag == EventTag.USER_CREATED
    assert (event.actor_kind, event.actor_id) == ("user", admin.id)
    assert (event.subject_type, event.subject_id) == ("user", str(user.id))
    assert "new.starter" not in event.details


@pytest.mark.parametrize(
    "username",
    [
        "<script>",
        "<script>alert(1)</script>",
        "../etc",
        "../../etc/passwd",
        "=cmd|",
        "=cmd|' /C calc'!A0",
        "alice\n",
        "alice\r\nbob",
        "Alice",
        "jane smith",
        "al",
        "",
        "x" * 65,
        "-leading-dash",
        ".hidden",
        "robert'); drop table users;--",
        "émile",
        "alice\x00",
    ],
)
def test_hostile_or_malformed_usernames_are_refused(db: Session, username: str) -> None:
    users, start = _user_count(db), _last_seq(db)
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(
            db, Actor.system(), username=username, role=Role.CASEWORKER, password=DEFAULT_PASSWORD
        )
    assert "username" in caught.value.errors
    assert _user_count(db) == users
    assert _events_after(db, start) == []


_SAFE_CHARS = set(string.ascii_lowercase + string.digits + "._-")


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(username=st.text(max_size=70) | st.from_regex(r"[a-z0-9][a-z0-9._-]{2,63}"))
def test_any_accepted_username_is_safe_to_show_and_to_use_in_a_path(
    db: Session, username: str
) -> None:
    # A too-short password stops create_user right after the username check, so every example
    # is cheap and nothing is written: an error on the password means the username passed.
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(
            db, Actor.system(), username=username, role=Role.CASEWORKER, password="short"
        )
    if "username" not in caught.value.errors:
        assert set(username) <= _SAFE_CHARS
        assert 3 <= len(username) <= 64
        assert username[0] not in "._-"


@pytest.mark.parametrize("role", ["superuser", "Admin", "", "root"])
def test_an_unknown_role_is_refused(db: Session, role: str) -> None:
    users = _user_count(db)
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(
            db, Actor.system(), username="someone", role=role, password=DEFAULT_PASSWORD
        )
    assert "role" in caught.value.errors
    assert _user_count(db) == users


@pytest.mark.parametrize("password", ["", "elevenchars", "x" * 257])
def test_a_password_of_the_wrong_length_is_refused(db: Session, password: str) -> None:
    users = _user_count(db)
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(
            db, Actor.system(), username="someone", role=Role.CASEWORKER, password=password
        )
    assert "password" in caught.value.errors
    assert _user_count(db) == users


def test_a_twelve_character_password_is_enough(db: Session, settings: Settings) -> None:
    user = make_user(db, password="twelve chars")
    assert _sign_in(db, settings, user, "twelve chars").user is not None


def test_a_duplicate_username_is_a_conflict(db: Session) -> None:
    make_user(db, username="duplicate")
    with pytest.raises(Conflict):
        make_user(db, Role.MANAGER, username="duplicate")
    assert db.scalar(select(func.count()).where(User.username == "duplicate")) == 1


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_administrators_create_accounts(db: Session, role: Role) -> None:
    actor = Actor.user(10_000, role)  # permission is checked before anything is read
    users, start = _user_count(db), _last_seq(db)
    with pytest.raises(Forbidden):
        auth.create_user(
            db, actor, username="new-colleague", role=Role.CASEWORKER, password=DEFAULT_PASSWORD
        )
    assert _user_count(db) == users
    assert _events_after(db, start) == []


def test_a_caseworker_cannot_list_users(db: Session) -> None:
    caseworker = make_user(db)
    with pytest.raises(Forbidden):
        auth.list_users(db, caseworker.actor)


def test_changing_a_password_replaces_the_old_one(db: Session, settings: Settings) -> None:
    user = make_user(db)
    auth.set_password(
        db,
        user.actor,
        user_id=user.id,
        password="a brand new passphrase",
        current_password=DEFAULT_PASSWORD,
    )
    assert _sign_in(db, settings, user, DEFAULT_PASSWORD).user is None
    assert _sign_in(db, settings, user, "a brand new passphrase").user is not None


def test_no_one_else_but_an_administrator_sets_your_password(db: Session) -> None:
    victim, other = make_user(db), make_user(db, Role.DPO)
    with pytest.raises(Forbidden):
        auth.set_password(db, other.actor, user_id=victim.id, password="taken over account")


# --- sign-in ------------------------------------------------------------------------------


def test_signing_in_returns_the_user_and_records_it(db: Session, settings: Settings) -> None:
    user = make_user(db)
    start = _last_seq(db)
    with clock.frozen(T0):
        result = auth.sign_in(
            db, settings, username=f"  {user.username.upper()} ", password=DEFAULT_PASSWORD
        )
    assert result.user is not None and result.user.id == user.id
    assert result.message is None
    assert user.last_signin_at == T0
    [event] = _events_after(db, start)
    assert event.tag == EventTag.SIGNIN_SUCCEEDED
    assert (event.actor_kind, event.actor_id) == ("user", user.id)
    assert event.subject_id == str(user.id)


def test_a_wrong_password_fails_generically_and_is_counted(db: Session, settings: Settings) -> None:
    user = make_user(db)
    start = _last_seq(db)
    result = _sign_in(db, settings, user, "not the password")
    assert result.user is None
    assert result.message == auth.GENERIC_FAILURE
    assert not result.needs_code
    assert user.failed_signins == 1
    [event] = _events_after(db, start)
    assert event.tag == EventTag.SIGNIN_FAILED
    assert (event.subject_type, event.subject_id) == ("user", str(user.id))
    assert event.details == '{"reason":"password"}'


def test_an_unknown_username_gets_the_same_answer(db: Session, settings: Settings) -> None:
    known = make_user(db)
    start = _last_seq(db)
    unknown = auth.sign_in(db, settings, username="nobody-here", password=DEFAULT_PASSWORD)
    wrong = _sign_in(db, settings, known, "not the password")
    assert unknown == auth.SignIn(None, auth.GENERIC_FAILURE)
    assert (unknown.message, unknown.needs_code) == (wrong.message, wrong.needs_code)
    first = _events_after(db, start)[0]
    assert first.tag == EventTag.SIGNIN_FAILED
    assert (first.subject_type, first.subject_id) == (None, None)
    assert "nobody" not in first.details


def test_repeated_failures_lock_the_account_until_the_lockout_ends(
    db: Session, settings: Settings
) -> None:
    # Not the defaults, so the test shows the settings are what decide.
    settings = settings.model_copy(update={"max_login_failures": 3, "lockout_minutes": 7})
    user = make_user(db)
    start = _last_seq(db)
    with clock.frozen(T0):
        for _ in range(settings.max_login_failures):
            assert _sign_in(db, settings, user, "guess").user is None
        locked = _events_after(db, start, EventTag.ACCOUNT_LOCKED)
        assert len(locked) == 1
        assert locked[0].subject_id == str(user.id)

        refused = _sign_in(db, settings, user, DEFAULT_PASSWORD)
        assert refused.user is None
        assert "locked" in (refused.message or "")

    almost = T0 + timedelta(minutes=settings.lockout_minutes) - timedelta(seconds=1)
    with clock.frozen(almost):
        assert _sign_in(db, settings, user, DEFAULT_PASSWORD).user is None
    with clock.frozen(T0 + timedelta(minutes=settings.lockout_minutes)):
        assert _sign_in(db, settings, user, DEFAULT_PASSWORD).user is not None
    assert len(_events_after(db, start, EventTag.ACCOUNT_LOCKED)) == 1


def test_failures_must_be_consecutive_to_lock(db: Session, settings: Settings) -> None:
    settings = settings.model_copy(update={"max_login_failures": 3})
    user = make_user(db)
    for _ in range(settings.max_login_failures - 1):
        _sign_in(db, settings, user, "guess")
    assert _sign_in(db, settings, user, DEFAULT_PASSWORD).user is not None
    assert user.failed_signins == 0
    for _ in range(settings.max_login_failures - 1):
        _sign_in(db, settings, user, "guess")
    assert _sign_in(db, settings, user, DEFAULT_PASSWORD).user is not None


def test_a_deactivated_account_cannot_sign_in(db: Session, settings: Settings) -> None:
    user = make_user(db)
    auth.deactivate_user(db, Actor.system(), user_id=user.id)
    result = _sign_in(db, settings, user, DEFAULT_PASSWORD)
    assert result == auth.SignIn(None, auth.GENERIC_FAILURE)


# --- two-factor ---------------------------------------------------------------------------


def _wrong_code(secret: str, at: datetime) -> str:
    totp = pyotp.TOTP(secret)
    accepted = {totp.at(at + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


def _with_totp(db: Session, kek: FileKeyring) -> tuple[User, str]:
    user = make_user(db)
    with clock.frozen(T0):
        secret = auth.begin_totp(db, kek, user.actor, user_id=user.id)
        auth.confirm_totp(db, kek, user.actor, user_id=user.id, code=pyotp.TOTP(secret).at(T0))
    return user, secret


def test_confirming_a_code_switches_two_factor_on(db: Session, keyring: FileKeyring) -> None:
    start = _last_seq(db)
    user, secret = _with_totp(db, keyring)
    assert user.totp_enabled
    assert len(_events_after(db, start, EventTag.USER_TOTP_ENABLED)) == 1
    assert auth.totp_uri(user, secret).startswith("otpauth://totp/Steward:")


def test_a_wrong_confirmation_code_leaves_two_factor_off(db: Session, keyring: FileKeyring) -> None:
    user = make_user(db)
    with clock.frozen(T0):
        secret = auth.begin_totp(db, keyring, user.actor, user_id=user.id)
        with pytest.raises(ValidationFailed):
            auth.confirm_totp(
                db, keyring, user.actor, user_id=user.id, code=_wrong_code(secret, T0)
            )
    assert not user.totp_enabled


def test_no_one_else_enrols_your_authenticator(db: Session, keyring: FileKeyring) -> None:
    victim, other = make_user(db), make_user(db)
    with pytest.raises(Forbidden):
        auth.begin_totp(db, keyring, other.actor, user_id=victim.id)


def test_with_two_factor_the_password_alone_is_not_enough(
    db: Session, settings: Settings, keyring: FileKeyring
) -> None:
    user, secret = _with_totp(db, keyring)
    at = T0 + timedelta(hours=1)
    start = _last_seq(db)
    with clock.frozen(at):
        asked = _sign_in(db, settings, user, DEFAULT_PASSWORD)
        assert asked.user is None and asked.needs_code
        assert _events_after(db, start, EventTag.SIGNIN_SUCCEEDED) == []

        wrong = _sign_in(
            db, settings, user, DEFAULT_PASSWORD, code=_wrong_code(secret, at), kek=keyring
        )
        assert wrong.user is None and wrong.needs_code
        assert user.failed_signins == 1
        [failed] = _events_after(db, start, EventTag.SIGNIN_FAILED)
        assert failed.details == '{"reason":"totp"}'

        right = _sign_in(
            db, settings, user, DEFAULT_PASSWORD, code=pyotp.TOTP(secret).at(at), kek=keyring
        )
        assert right.user is not None and right.user.id == user.id


def test_a_right_code_does_not_rescue_a_wrong_password(
    db: Session, settings: Settings, keyring: FileKeyring
) -> None:
    user, secret = _with_totp(db, keyring)
    with clock.frozen(T0):
        result = _sign_in(db, settings, user, "not the password", code=pyotp.TOTP(secret).at(T0))
    assert result.user is None
    assert not result.needs_code  # nothing tells a guesser the password was close


# --- web sessions -------------------------------------------------------------------------


def test_a_session_is_stored_only_as_a_hash(db: Session, settings: Settings) -> None:
    user = make_user(db)
    secret = auth.start_session(db, settings, user)
    rows = db.execute(text("SELECT * FROM web_sessions WHERE user_id = :u"), {"u": user.id}).all()
    assert len(rows) == 1
    assert all(secret not in str(value) for value in rows[0])
    assert rows[0].token_hash == hashlib.sha256(secret.encode()).hexdigest()
    found = auth.user_for_session(db, settings, secret)
    assert found is not None and found.id == user.id
    assert auth.user_for_session(db, settings, secret + "x") is None


def test_an_idle_session_ends(db: Session, settings: Settings) -> None:
    user = make_user(db)
    idle = timedelta(minutes=settings.session_idle_minutes)
    with clock.frozen(T0):
        secret = auth.start_session(db, settings, user)
    with clock.frozen(T0 + idle - timedelta(seconds=1)):
        assert auth.user_for_session(db, settings, secret) is not None
    # Activity just now keeps it alive for another idle period ...
    with clock.frozen(T0 + idle + idle - timedelta(minutes=2)):
        assert auth.user_for_session(db, settings, secret) is not None
    # ... and a full idle period with none ends it, for good.
    with clock.frozen(T0 + 3 * idle):
        assert auth.user_for_session(db, settings, secret) is None
    with clock.frozen(T0 + idle):
        assert auth.user_for_session(db, settings, secret) is None
    assert db.scalar(select(func.count()).where(WebSession.user_id == user.id)) == 0


def test_a_busy_session_still_ends_after_its_lifetime(db: Session, settings: Settings) -> None:
    user = make_user(db)
    lifetime = timedelta(hours=settings.session_hours)
    with clock.frozen(T0):
        secret = auth.start_session(db, settings, user)
    step = timedelta(minutes=settings.session_idle_minutes) / 2
    at = T0 + step
    while at < T0 + lifetime:
        with clock.frozen(at):
            assert auth.user_for_session(db, settings, secret) is not None
        at += step
    with clock.frozen(T0 + lifetime):
        assert auth.user_for_session(db, settings, secret) is None


def test_signing_out_ends_the_session_and_is_recorded(db: Session, settings: Settings) -> None:
    user = make_user(db)
    secret = auth.start_session(db, settings, user)
    start = _last_seq(db)
    auth.end_session(db, secret)
    assert auth.user_for_session(db, settings, secret) is None
    assert db.get(WebSession, hashlib.sha256(secret.encode()).hexdigest()) is None
    [event] = _events_after(db, start)
    assert event.tag == EventTag.SIGNED_OUT
    assert (event.actor_id, event.subject_id) == (user.id, str(user.id))

    auth.end_session(db, secret)  # a second sign-out of the same cookie changes nothing
    assert _events_after(db, start + 1) == []


def test_deactivation_ends_sessions_and_tokens(db: Session, settings: Settings) -> None:
    user = make_user(db)
    session_secret = auth.start_session(db, settings, user)
    _, token_secret = auth.create_token(db, user.actor, user_id=user.id, name="laptop")
    start = _last_seq(db)
    auth.deactivate_user(db, Actor.system(), user_id=user.id)
    assert auth.user_for_session(db, settings, session_secret) is None
    assert auth.user_for_token(db, token_secret) is None
    assert [e.tag for e in _events_after(db, start)] == [EventTag.USER_DEACTIVATED]
    with pytest.raises(Conflict):
        auth.create_token(db, Actor.system(), user_id=user.id, name="after leaving")


# --- API tokens ---------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_only_as_a_hash(db: Session) -> None:
    user = make_user(db)
    start = _last_seq(db)
    token, secret = auth.create_token(db, user.actor, user_id=user.id, name="reporting script")
    assert secret.startswith("stw_")
    assert len(secret) > 40
    row = db.execute(text("SELECT * FROM api_tokens WHERE id = :id"), {"id": token.id}).one()
    assert all(secret not in str(value) for value in row)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.display_prefix) and len(row.display_prefix) <= 10
    found = auth.user_for_token(db, secret)
    assert found is not None and found.id == user.id
    [event] = _events_after(db, start)
    assert (event.tag, event.subject_id) == (EventTag.TOKEN_CREATED, str(token.id))


def test_a_made_up_token_is_refused(db: Session) -> None:
    user = make_user(db)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="real")
    for guess in ("", "stw_", "stw_" + "A" * 43, "not-a-token", "Bearer " + secret, secret[:-1]):
        assert auth.user_for_token(db, guess) is None


def test_a_revoked_token_stops_working(db: Session) -> None:
    user = make_user(db)
    token, secret = auth.create_token(db, user.actor, user_id=user.id, name="ci")
    start = _last_seq(db)
    auth.revoke_token(db, user.actor, token_id=token.id)
    auth.revoke_token(db, user.actor, token_id=token.id)
    assert auth.user_for_token(db, secret) is None
    assert [e.tag for e in _events_after(db, start)] == [EventTag.TOKEN_REVOKED]


def test_tokens_are_minted_only_for_yourself_or_by_the_operator(db: Session) -> None:
    owner = make_user(db)
    colleague = make_user(db)
    admin = make_user(db, Role.ADMIN)
    for actor in (colleague.actor, admin.actor):
        with pytest.raises(Forbidden):
            auth.create_token(db, actor, user_id=owner.id, name="borrowed")
    assert db.scalar(select(func.count()).where(ApiToken.user_id == owner.id)) == 0

    _, secret = auth.create_token(db, Actor.system(), user_id=owner.id, name="bootstrap")
    found = auth.user_for_token(db, secret)
    assert found is not None and found.id == owner.id
    event = _events_after(db, _last_seq(db) - 1)[0]
    assert event.actor_kind == ActorKind.SYSTEM.value


def test_only_the_owner_or_an_administrator_revokes_a_token(db: Session) -> None:
    owner, colleague, admin = make_user(db), make_user(db), make_user(db, Role.ADMIN)
    token, secret = auth.create_token(db, owner.actor, user_id=owner.id, name="ci")
    with pytest.raises(Forbidden):
        auth.revoke_token(db, colleague.actor, token_id=token.id)
    assert auth.user_for_token(db, secret) is not None
    auth.revoke_token(db, admin.actor, token_id=token.id)
    assert auth.user_for_token(db, secret) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_token_needs_a_sensible_name(db: Session, name: str) -> None:
    user = make_user(db)
    with pytest.raises(ValidationFailed):
        auth.create_token(db, user.actor, user_id=user.id, name=name)
    assert db.scalar(select(func.count()).where(ApiToken.user_id == user.id)) == 0


def test_the_trail_stays_whole_through_a_day_of_sign_ins(db: Session, settings: Settings) -> None:
    user = make_user(db)
    _sign_in(db, settings, user, "wrong")
    _sign_in(db, settings, user, DEFAULT_PASSWORD)
    auth.sign_in(db, settings, username="ghost", password="whatever")
    auth.end_session(db, auth.start_session(db, settings, user))
    assert audit.verify(db).ok


def test_a_totp_code_cannot_be_replayed(
    db: Session, settings: Settings, keyring: FileKeyring
) -> None:
    user = make_user(db, Role.DPO)
    secret = auth.begin_totp(db, keyring, user.actor, user_id=user.id)
    totp = pyotp.TOTP(secret)
    at = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    with clock.frozen(at):
        auth.confirm_totp(db, keyring, user.actor, user_id=user.id, code=totp.at(at))
    later = at + timedelta(seconds=30)
    with clock.frozen(later):
        code = totp.at(later)
        first = _sign_in(db, settings, user, DEFAULT_PASSWORD, code=code, kek=keyring)
        replay = _sign_in(db, settings, user, DEFAULT_PASSWORD, code=code, kek=keyring)
    assert first.user is not None
    assert replay.user is None and replay.needs_code


def test_moving_to_a_new_app_keeps_the_old_one_until_confirmed_and_is_recorded(
    db: Session, settings: Settings, keyring: FileKeyring
) -> None:
    user, old = _with_totp(db, keyring)
    at = T0 + timedelta(minutes=5)
    with clock.frozen(at):
        new = auth.begin_totp(db, keyring, Actor.system(), user_id=user.id)
        assert user.totp_enabled  # starting over turns nothing off
        code = pyotp.TOTP(old).at(at)
        assert _sign_in(db, settings, user, DEFAULT_PASSWORD, code=code, kek=keyring).user
    later = at + timedelta(minutes=1)
    with clock.frozen(later):
        auth.confirm_totp(db, keyring, user.actor, user_id=user.id, code=pyotp.TOTP(new).at(later))
    tags = db.scalars(select(AuditEvent.tag).where(AuditEvent.subject_id == str(user.id))).all()
    assert "user:totp:reset" in tags
    assert user.totp_enabled and user.totp_pending is None
