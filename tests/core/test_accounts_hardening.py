"""Issue 9, accounts: no insider widens their own reach (maker-checker on roles that read
case content), a reset ends what was minted before it, tokens expire, common passwords are
refused, TOTP secrets are sealed, and a deactivated account answers like any other."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.core.audit import AuditEvent, EventTag
from steward.core.auth import ApiToken, RoleGrant, WebSession
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.passwords import is_common
from steward.core.permissions import Actor, Role, reads_case_content
from tests.factories.core import DEFAULT_PASSWORD, make_user


def _sign_in(db: Session, settings: Settings, username: str, password: str = DEFAULT_PASSWORD):  # type: ignore[no-untyped-def]
    return auth.sign_in(db, settings, username=username, password=password)


def _tags(db: Session, user_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.tag)
            .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id))
            .order_by(AuditEvent.seq)
        )
    )


# --- maker-checker ------------------------------------------------------------------------


def test_content_roles_are_the_four_that_read_cases() -> None:
    assert {r for r in Role if reads_case_content(r)} == {
        Role.CASEWORKER,
        Role.MANAGER,
        Role.IG_OFFICER,
        Role.DPO,
    }


def test_an_administrator_alone_cannot_make_a_dpo_who_can_sign_in(
    db: Session, settings: Settings
) -> None:
    admin = make_user(db, Role.ADMIN)
    dpo = auth.create_user(
        db, admin.actor, username="new.dpo", role=Role.DPO, password=DEFAULT_PASSWORD
    )
    assert not dpo.role_approved
    refused = _sign_in(db, settings, "new.dpo")
    assert refused.user is None and refused.message == auth.AWAITING_APPROVAL
    with pytest.raises(Conflict):
        auth.create_token(db, Actor.system(), user_id=dpo.id, name="backdoor")
    # Nor can the administrator approve it: they made it, and approving is not theirs.
    [grant] = auth.pending_grants(db, admin.actor)
    with pytest.raises(Forbidden):
        auth.approve_grant(db, admin.actor, grant_id=grant.id)
    assert _sign_in(db, settings, "new.dpo").user is None


def test_a_dpo_approves_and_the_account_signs_in_with_an_audited_grant(
    db: Session, settings: Settings
) -> None:
    admin, checker = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    user = auth.create_user(
        db, admin.actor, username="new.ig", role=Role.IG_OFFICER, password=DEFAULT_PASSWORD
    )
    [grant] = auth.pending_grants(db, checker.actor)
    auth.approve_grant(db, checker.actor, grant_id=grant.id)
    assert (grant.outcome, grant.decided_by) == ("approved", checker.id)
    assert _sign_in(db, settings, "new.ig").user is not None
    assert _tags(db, user.id)[:2] == [EventTag.USER_CREATED, EventTag.ROLE_GRANT_APPROVED]
    with pytest.raises(Conflict):
        auth.approve_grant(db, checker.actor, grant_id=grant.id)


def test_no_one_decides_a_grant_of_their_own(db: Session) -> None:
    admin, dpo = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    grant = auth.change_role(db, admin.actor, user_id=dpo.id, role=Role.IG_OFFICER)
    assert grant is not None
    with pytest.raises(Forbidden):
        auth.approve_grant(db, dpo.actor, grant_id=grant.id)
    with pytest.raises(Forbidden):
        auth.refuse_grant(db, dpo.actor, grant_id=grant.id)


def test_a_refused_new_account_is_deactivated(db: Session, settings: Settings) -> None:
    admin, checker = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    user = auth.create_user(
        db, admin.actor, username="not.wanted", role=Role.MANAGER, password=DEFAULT_PASSWORD
    )
    [grant] = auth.pending_grants(db, checker.actor)
    auth.refuse_grant(db, checker.actor, grant_id=grant.id)
    assert not user.is_active
    assert EventTag.ROLE_GRANT_REFUSED in _tags(db, user.id)


def test_a_role_change_to_content_waits_and_its_approval_ends_old_sessions(
    db: Session, settings: Settings
) -> None:
    admin, checker = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    auditor = make_user(db, Role.AUDITOR)
    session = auth.start_session(db, settings, auditor)
    _, token = auth.create_token(db, auditor.actor, user_id=auditor.id, name="script")
    grant = auth.change_role(db, admin.actor, user_id=auditor.id, role=Role.DPO)
    assert grant is not None and auditor.role == Role.AUDITOR  # unchanged until approved
    with pytest.raises(Conflict):
        auth.change_role(db, admin.actor, user_id=auditor.id, role=Role.MANAGER)
    auth.approve_grant(db, checker.actor, grant_id=grant.id)
    assert auditor.role == Role.DPO
    assert auth.user_for_session(db, settings, session) is None
    assert auth.user_for_token(db, token) is None


def test_a_change_to_a_role_without_content_applies_at_once_and_ends_access(
    db: Session, settings: Settings
) -> None:
    admin, worker = make_user(db, Role.ADMIN), make_user(db, Role.CASEWORKER)
    session = auth.start_session(db, settings, worker)
    assert auth.change_role(db, admin.actor, user_id=worker.id, role=Role.AUDITOR) is None
    assert worker.role == Role.AUDITOR
    assert auth.user_for_session(db, settings, session) is None
    assert EventTag.USER_ROLE_CHANGED in _tags(db, worker.id)


def test_no_one_changes_their_own_role(db: Session) -> None:
    admin = make_user(db, Role.ADMIN)
    with pytest.raises(Forbidden):
        auth.change_role(db, admin.actor, user_id=admin.id, role=Role.DPO)


def test_the_operator_at_the_command_line_grants_at_once(db: Session) -> None:
    first_dpo = make_user(db, Role.DPO)  # Actor.system(): holds the key file
    assert first_dpo.role_approved
    assert db.scalar(select(RoleGrant).where(RoleGrant.user_id == first_dpo.id)) is None


def test_an_administrator_cannot_reset_the_password_or_second_factor_of_a_content_reader(
    db: Session, keyring: FileKeyring
) -> None:
    admin, dpo = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    with pytest.raises(Forbidden):
        auth.set_password(db, admin.actor, user_id=dpo.id, password="a takeover passphrase")
    with pytest.raises(Forbidden):
        auth.begin_totp(db, keyring, admin.actor, user_id=dpo.id)


# --- a reset, a deactivation, a change: nothing from before works --------------------------


def test_a_password_reset_ends_every_session_and_token(db: Session, settings: Settings) -> None:
    user = make_user(db)
    sessions = [auth.start_session(db, settings, user) for _ in range(2)]
    _, token = auth.create_token(db, user.actor, user_id=user.id, name="script")
    auth.set_password(db, Actor.system(), user_id=user.id, password="a fresh passphrase here")
    assert all(auth.user_for_session(db, settings, s) is None for s in sessions)
    assert auth.user_for_token(db, token) is None


def test_changing_your_own_password_needs_the_current_one_and_ends_other_sessions(
    db: Session, settings: Settings
) -> None:
    user = make_user(db)
    mine, other = auth.start_session(db, settings, user), auth.start_session(db, settings, user)
    _, token = auth.create_token(db, user.actor, user_id=user.id, name="script")
    with pytest.raises(ValidationFailed):
        auth.set_password(
            db, user.actor, user_id=user.id, password="a fresh passphrase", current_password="no"
        )
    assert auth.user_for_session(db, settings, other) is not None
    auth.set_password(
        db,
        user.actor,
        user_id=user.id,
        password="a fresh passphrase here",
        current_password=DEFAULT_PASSWORD,
        keep_session=mine,
    )
    assert auth.user_for_session(db, settings, mine) is not None
    assert auth.user_for_session(db, settings, other) is None
    assert auth.user_for_token(db, token) is None


def test_deactivation_ends_sessions_and_tokens(db: Session, settings: Settings) -> None:
    admin, user = make_user(db, Role.ADMIN), make_user(db)
    auth.start_session(db, settings, user)
    auth.create_token(db, user.actor, user_id=user.id, name="script")
    auth.deactivate_user(db, admin.actor, user_id=user.id)
    assert db.scalars(select(WebSession).where(WebSession.user_id == user.id)).all() == []
    assert all(
        t.revoked_at is not None
        for t in db.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    )


def test_a_token_expires_after_its_days(db: Session) -> None:
    user = make_user(db)
    t0 = clock.now()
    with clock.frozen(t0):
        token, secret = auth.create_token(db, user.actor, user_id=user.id, name="short", days=3)
    assert token.expires_at == t0 + timedelta(days=3)
    with clock.frozen(t0 + timedelta(days=3, seconds=-1)):
        assert auth.user_for_token(db, secret) is not None
    with clock.frozen(t0 + timedelta(days=3)):
        assert auth.user_for_token(db, secret) is None


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password1234!",
        "P@ssw0rd2024!",
        "qwertyuiop12",
        "passwordpassword",
        "ILoveYou2026!!",
        "  dragon.dragon  ",
        "1q2w3e4r5t6y",
    ],
)
def test_common_passwords_and_trivial_variants_are_refused(db: Session, password: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_user(db, password=password)
    assert "common" in caught.value.message


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, "violet tram under a kettle"])
def test_an_unusual_passphrase_is_accepted(password: str) -> None:
    assert not is_common(password)


# --- two-factor ---------------------------------------------------------------------------


def test_totp_secrets_are_sealed_at_rest(db: Session, keyring: FileKeyring) -> None:
    user = make_user(db, Role.DPO)
    secret = auth.begin_totp(db, keyring, user.actor, user_id=user.id)
    auth.confirm_totp(db, keyring, user.actor, user_id=user.id, code=pyotp.TOTP(secret).now())
    db.flush()
    row = db.execute(text("SELECT * FROM users WHERE id = :id"), {"id": user.id}).one()
    for value in row:
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert secret.encode() not in raw


@pytest.mark.parametrize(
    ("role", "required"),
    [(Role.CASEWORKER, True), (Role.DPO, True), (Role.ADMIN, True), (Role.AUDITOR, False)],
)
def test_two_factor_is_required_for_content_and_account_roles(
    db: Session, settings: Settings, role: Role, required: bool
) -> None:
    user = make_user(db, role)
    on = settings.model_copy(update={"two_factor_required": True})
    assert auth.must_set_up_two_factor(on, user) is required
    assert not auth.must_set_up_two_factor(settings, user)  # the suite's own settings: off


def test_two_factor_is_required_by_default_outside_development(settings: Settings) -> None:
    from steward.core.config import Environment

    assert Settings(env=Environment.TEST).requires_two_factor
    assert not Settings(env=Environment.DEVELOPMENT).requires_two_factor


def test_a_deactivated_account_checks_the_password_like_any_other(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing equalised: the deactivated account pays for an Argon2 check, as a live one does
    (measured in bench/, asserted here by the work done, not by the clock)."""
    admin, leaver = make_user(db, Role.ADMIN), make_user(db)
    auth.deactivate_user(db, admin.actor, user_id=leaver.id)
    checked: list[str] = []
    real = auth._password_matches

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "_password_matches", counting)
    assert _sign_in(db, settings, leaver.username).user is None
    assert checked == [leaver.password_hash]
