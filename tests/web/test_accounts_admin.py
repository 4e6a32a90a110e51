"""Issue 15, accounts: what an administrator does to staff accounts from the pages (find,
unlock, reset a password, require two-factor, change team, deactivate and reactivate), what
everyone does on Your account (change their password), and each action's refusals: other
roles are refused, a form without its CSRF token is refused, bad input changes nothing, and
each action leaves exactly one audit event holding no password or secret."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import accounts, auth
from steward.core.audit import AuditEvent, EventTag
from steward.core.config import Settings
from steward.core.errors import Conflict
from steward.core.permissions import Actor, Role
from tests.factories.core import DEFAULT_PASSWORD, make_user
from tests.web.conftest import SignedIn, csrf_from, sign_in

NEW_PASSWORD = "a quiet harbour at dawn"


def _events(db: Session, user_id: int, tag: EventTag | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id)
    )
    if tag is not None:
        query = query.where(AuditEvent.tag == tag.value)
    db.expire_all()
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def _event_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _tags_since(db: Session, count: int) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq).offset(count)))


def _lock(db: Session, settings: Settings, user: auth.User) -> None:
    for _ in range(settings.max_login_failures):
        auth.sign_in(db, settings, username=user.username, password="not the password")
    db.commit()
    db.refresh(user)
    assert accounts.is_locked(user)


def _post(client: TestClient, path: str, page: str, **data: str) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_from(client, page)})


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_roles_as_words_and_filters_by_status_role_and_team(
    signed_in: SignedIn, db: Session, settings: Settings
) -> None:
    client, _ = signed_in(Role.ADMIN)
    dpo = make_user(db, Role.DPO, username="the.dpo")
    locked = make_user(db, Role.CASEWORKER, username="locked.out", team="north")
    make_user(db, Role.IG_OFFICER, username="the.officer", team="south")
    db.commit()
    _lock(db, settings, locked)

    page = client.get("/users")
    assert page.status_code == 200
    assert "Data protection officer" in page.text
    assert "Information governance officer" in page.text
    assert ">dpo<" not in page.text and "ig_officer<" not in page.text
    assert f'href="/users/{dpo.id}"' in page.text
    assert re.search(
        r'data-testid="count">\s*Showing <b>1</b> to <b>\d+</b> of <b>\d+</b> accounts', page.text
    )

    only_locked = client.get("/users?status=locked")
    assert "locked.out" in only_locked.text and "the.dpo" not in only_locked.text
    assert "Locked after failed sign-ins (1)" in only_locked.text
    by_role = client.get("/users?role=ig_officer")
    assert "the.officer" in by_role.text and "locked.out" not in by_role.text
    by_team = client.get("/users?team=north")
    assert "locked.out" in by_team.text and "the.officer" not in by_team.text


def test_a_filter_that_is_not_in_the_list_is_refused_with_a_message(
    signed_in: SignedIn,
) -> None:
    client, _ = signed_in(Role.ADMIN)
    response = client.get("/users?status=everyone")
    assert response.status_code == 422
    assert "Choose a status from the list" in response.text


def test_the_list_pages_through_many_accounts(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.ADMIN)
    for i in range(55):
        make_user(db, Role.AUDITOR, username=f"many-{i:02d}")
    db.commit()
    first = client.get("/users?role=auditor")
    assert "of <b>55</b> accounts" in first.text
    assert 'aria-label="Pages of accounts"' in first.text
    second = client.get("/users?role=auditor&page=2")
    assert "Showing <b>51</b> to <b>55</b> of <b>55</b> accounts" in second.text
    assert "many-54" in second.text and "many-00" not in second.text


# --- unlock ---------------------------------------------------------------------------


def test_the_admin_unlocks_an_account_with_one_audit_event(
    app: FastAPI, signed_in: SignedIn, db: Session, settings: Settings
) -> None:
    client, admin = signed_in(Role.ADMIN)
    worker = make_user(db, Role.CASEWORKER)
    db.commit()
    _lock(db, settings, worker)
    page = client.get(f"/users/{worker.id}")
    assert "Locked after failed sign-ins until" in page.text
    before = _event_count(db)

    response = _post(client, f"/users/{worker.id}/unlock", f"/users/{worker.id}")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/users/{worker.id}?done=unlocked"  # type: ignore[attr-defined]
    assert _event_count(db) == before + 1
    (event,) = _events(db, worker.id, EventTag.USER_UNLOCKED)
    assert event.actor_id == admin.id
    banner = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "govuk-notification-banner--success" in banner.text and "Account unlocked" in banner.text

    owner = TestClient(app, follow_redirects=False)
    sign_in(owner, worker.username)

    again = _post(client, f"/users/{worker.id}/unlock", f"/users/{worker.id}")
    assert again.status_code == 409 and "not locked" in again.text  # type: ignore[attr-defined]


# --- password reset -------------------------------------------------------------------


def test_a_generated_temporary_password_is_shown_once_and_must_be_changed_at_sign_in(
    app: FastAPI, signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    auditor = make_user(db, Role.AUDITOR)
    db.commit()
    owner_before = TestClient(app, follow_redirects=False)
    sign_in(owner_before, auditor.username)
    before = _event_count(db)

    form = client.get(f"/users/{auditor.id}/password")
    assert form.status_code == 200 and "Make one for me" in form.text
    response = _post(
        client, f"/users/{auditor.id}/password", f"/users/{auditor.id}", how="generate"
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    shown = re.search(r'data-testid="temporary-password">([^<]+)<', response.text)  # type: ignore[attr-defined]
    assert shown is not None
    temporary = shown.group(1)

    assert _event_count(db) == before + 1
    (event,) = _events(db, auditor.id, EventTag.USER_PASSWORD_RESET)
    assert temporary not in event.details and "generated" in event.details
    assert owner_before.get("/account").status_code == 303  # the old session has ended

    owner = TestClient(app, follow_redirects=False)
    with pytest.raises(AssertionError):
        sign_in(owner, auditor.username, DEFAULT_PASSWORD)
    sign_in(owner, auditor.username, temporary)
    assert owner.get("/").headers["location"] == "/account/password"
    forced = owner.get("/account/password")
    assert forced.status_code == 200 and "An administrator reset your password" in forced.text
    changed = owner.post(
        "/account/password",
        data={
            "current_password": temporary,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(owner, "/account/password"),
        },
    )
    assert changed.status_code == 303
    assert owner.get("/").status_code == 200
    db.refresh(auditor)
    assert auditor.must_change_password is False


def test_the_admin_may_type_the_temporary_password_and_a_common_one_changes_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    auditor = make_user(db, Role.AUDITOR)
    db.commit()
    hash_before = auditor.password_hash
    before = _event_count(db)
    refused = _post(
        client,
        f"/users/{auditor.id}/password",
        f"/users/{auditor.id}",
        how="choose",
        password="Password1234!",
    )
    assert refused.status_code == 422 and "too common" in refused.text  # type: ignore[attr-defined]
    assert "Error: Reset the password" in refused.text  # type: ignore[attr-defined]
    db.refresh(auditor)
    assert auditor.password_hash == hash_before and not auditor.must_change_password
    assert _event_count(db) == before

    missing = _post(client, f"/users/{auditor.id}/password", f"/users/{auditor.id}", how="")
    assert missing.status_code == 422  # type: ignore[attr-defined]

    done = _post(
        client,
        f"/users/{auditor.id}/password",
        f"/users/{auditor.id}",
        how="choose",
        password=NEW_PASSWORD,
    )
    assert done.status_code == 200 and "temporary-password" not in done.text  # type: ignore[attr-defined]
    (event,) = _events(db, auditor.id, EventTag.USER_PASSWORD_RESET)
    assert NEW_PASSWORD not in event.details
    db.refresh(auditor)
    assert auditor.must_change_password


def test_the_password_of_an_account_that_reads_case_content_is_reset_only_at_the_command_line(
    app: FastAPI, signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    worker = make_user(db, Role.CASEWORKER)
    db.commit()
    page = client.get(f"/users/{worker.id}")
    assert "steward users set-password" in page.text
    assert f'href="/users/{worker.id}/password"' not in page.text
    refused = _post(client, f"/users/{worker.id}/password", f"/users/{worker.id}", how="generate")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    sign_in(TestClient(app, follow_redirects=False), worker.username)  # unchanged


# --- two-factor -----------------------------------------------------------------------


def test_required_two_factor_takes_the_account_to_set_up_with_a_qr_code(
    app: FastAPI, signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    auditor = make_user(db, Role.AUDITOR)
    db.commit()
    before = _event_count(db)
    response = _post(client, f"/users/{auditor.id}/two-factor", f"/users/{auditor.id}")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert _event_count(db) == before + 1
    assert len(_events(db, auditor.id, EventTag.USER_TOTP_REQUIRED)) == 1
    again = _post(client, f"/users/{auditor.id}/two-factor", f"/users/{auditor.id}")
    assert again.status_code == 409  # type: ignore[attr-defined]

    owner = TestClient(app, follow_redirects=False)
    token = csrf_from(owner)
    signed = owner.post(
        "/sign-in",
        data={"username": auditor.username, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert signed.headers["location"] == "/account/two-factor"
    assert owner.get("/audit").headers["location"] == "/account/two-factor"
    start = owner.post(
        "/account/two-factor/start",
        data={"csrf_token": csrf_from(owner, "/account/two-factor")},
    )
    assert start.status_code == 200
    qr = re.search(
        r'<img class="steward-qr" src="data:image/svg\+xml[^,]*,([^"]+)" alt="([^"]+)"', start.text
    )
    assert qr is not None and "type the key" in qr.group(2)
    svg = unquote(qr.group(1))
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "style=" not in svg and "style=" not in start.text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', start.text)
    assert secret is not None
    assert base64.b32decode(secret.group(1) + "=" * (-len(secret.group(1)) % 8))


# --- team, deactivate, reactivate -----------------------------------------------------


def test_the_admin_changes_a_team_and_a_too_long_one_changes_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    worker = make_user(db, Role.CASEWORKER, team="north")
    db.commit()
    too_long = _post(client, f"/users/{worker.id}/team", f"/users/{worker.id}", team="x" * 65)
    assert too_long.status_code == 422  # type: ignore[attr-defined]
    assert 'id="team-error"' in too_long.text and 'href="#team"' in too_long.text  # type: ignore[attr-defined]
    db.refresh(worker)
    assert worker.team == "north"
    done = _post(client, f"/users/{worker.id}/team", f"/users/{worker.id}", team="south")
    assert done.status_code == 303  # type: ignore[attr-defined]
    db.refresh(worker)
    assert worker.team == "south"
    (event,) = _events(db, worker.id, EventTag.USER_TEAM_CHANGED)
    assert "south" not in event.details


def test_deactivation_is_confirmed_first_and_reactivation_lets_the_owner_back(
    app: FastAPI, signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    worker = make_user(db, Role.CASEWORKER)
    db.commit()
    confirm = client.get(f"/users/{worker.id}/deactivate")
    assert confirm.status_code == 200
    assert f"Are you sure you want to deactivate {worker.username}?" in confirm.text
    db.refresh(worker)
    assert worker.is_active  # the confirmation page changes nothing

    done = _post(client, f"/users/{worker.id}/deactivate", f"/users/{worker.id}/deactivate")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert len(_events(db, worker.id, EventTag.USER_DEACTIVATED)) == 1
    owner = TestClient(app, follow_redirects=False)
    with pytest.raises(AssertionError):
        sign_in(owner, worker.username)

    back = _post(client, f"/users/{worker.id}/reactivate", f"/users/{worker.id}")
    assert back.status_code == 303  # type: ignore[attr-defined]
    assert len(_events(db, worker.id, EventTag.USER_REACTIVATED)) == 1
    sign_in(owner, worker.username)


def test_an_admin_cannot_lock_themselves_out(signed_in: SignedIn, db: Session) -> None:
    client, admin = signed_in(Role.ADMIN)
    page = client.get(f"/users/{admin.id}")
    assert "This is your own account" in page.text
    assert f'action="/users/{admin.id}/role"' not in page.text
    deactivate = _post(client, f"/users/{admin.id}/deactivate", "/users")
    assert deactivate.status_code == 409  # type: ignore[attr-defined]
    demote = _post(client, f"/users/{admin.id}/role", "/users", role="auditor")
    assert demote.status_code == 403  # type: ignore[attr-defined]
    db.refresh(admin)
    assert admin.is_active and admin.role == Role.ADMIN


def test_the_last_active_administrator_stays(db: Session) -> None:
    for other in db.scalars(select(auth.User).where(auth.User.role == Role.ADMIN.value)):
        other.is_active = False
    only = make_user(db, Role.ADMIN)
    with pytest.raises(Conflict, match="last active administrator"):
        auth.deactivate_user(db, Actor.system(), user_id=only.id)
    with pytest.raises(Conflict, match="last active administrator"):
        auth.change_role(db, Actor.system(), user_id=only.id, role=Role.AUDITOR)
    second = make_user(db, Role.ADMIN)
    auth.deactivate_user(db, Actor.system(), user_id=second.id)
    db.refresh(only)
    assert only.is_active


# --- refusals -------------------------------------------------------------------------

ACTIONS = [
    ("unlock", {}),
    ("password", {"how": "generate"}),
    ("two-factor", {}),
    ("team", {"team": "elsewhere"}),
    ("deactivate", {}),
    ("reactivate", {}),
    ("role", {"role": "manager"}),
]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DPO, Role.AUDITOR])
def test_other_roles_are_refused_every_account_action(
    role: Role, signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(role)
    target = make_user(db, Role.AUDITOR)
    db.commit()
    before = _event_count(db)
    assert client.get(f"/users/{target.id}").status_code == 403
    assert client.get("/users").status_code == 403
    token = csrf_from(client, "/account")
    for action, data in ACTIONS:
        response = client.post(f"/users/{target.id}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == 403, action
    db.refresh(target)
    assert target.is_active and not target.two_factor_required and not target.must_change_password
    # Each refusal is on record; nothing else is.
    assert _tags_since(db, before) == [EventTag.ACCESS_REFUSED.value] * (len(ACTIONS) + 2)


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_an_action_without_its_csrf_token_is_refused_and_changes_nothing(
    action: str, data: dict[str, str], signed_in: SignedIn, db: Session, settings: Settings
) -> None:
    client, _ = signed_in(Role.ADMIN)
    target = make_user(db, Role.AUDITOR, team="north")
    db.commit()
    _lock(db, settings, target)
    before = _event_count(db)
    response = client.post(f"/users/{target.id}/{action}", data=data)
    assert response.status_code == 403
    db.refresh(target)
    assert accounts.is_locked(target) and target.is_active and target.team == "north"
    assert not target.two_factor_required and not target.must_change_password
    assert target.role == Role.AUDITOR
    assert set(_tags_since(db, before)) <= {EventTag.ACCESS_REFUSED.value}


# --- your own password ----------------------------------------------------------------


def test_changing_your_password_shows_each_error_beside_its_field_and_in_the_summary(
    signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    page = client.get("/account")
    assert 'href="/account/password"' in page.text
    hash_before = user.password_hash

    mismatch = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD + " again",
            "csrf_token": csrf_from(client, "/account/password"),
        },
    )
    assert mismatch.status_code == 422
    assert "<title>Error: Change your password" in mismatch.text
    assert (
        'href="#password_confirm"' in mismatch.text
        and 'id="password_confirm-error"' in mismatch.text
    )

    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(client, "/account/password"),
        },
    )
    assert wrong.status_code == 422
    assert 'href="#current_password"' in wrong.text and 'id="current_password-error"' in wrong.text
    db.refresh(user)
    assert user.password_hash == hash_before

    done = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(client, "/account/password"),
        },
    )
    assert done.headers["location"] == "/account?done=password"
    banner = client.get("/account?done=password")
    assert "govuk-notification-banner--success" in banner.text
    assert len(_events(db, user.id, EventTag.USER_PASSWORD_CHANGED)) == 1
