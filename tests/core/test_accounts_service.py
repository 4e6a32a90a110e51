"""Issue 15, the administrator's account actions as services: a generated temporary password
passes the password rules and must be changed, the status filters find what they name, a
requirement of two-factor sign-in holds whatever the organisation's setting, and a reset at
the command line (the operator) leaves nothing to change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from steward.core import accounts, auth, clock
from steward.core.accounts import AccountFilter, AccountStatus
from steward.core.config import Settings
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.passwords import check_password_rules
from steward.core.permissions import Actor, Role
from tests.factories.core import make_user


def test_a_temporary_password_is_readable_and_passes_the_password_rules() -> None:
    made = {accounts.temporary_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert re.fullmatch(r"[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}", password)
        check_password_rules(password)


def test_every_role_has_words_on_a_page() -> None:
    assert set(accounts.ROLE_NAMES) == set(Role)
    assert accounts.ROLE_NAMES[Role.DPO] == "Data protection officer"
    assert accounts.ROLE_NAMES[Role.IG_OFFICER] == "Information governance officer"


def _listed(db: Session, actor: Actor, status: AccountStatus) -> set[str]:
    page = accounts.list_accounts(db, actor, AccountFilter(status=status), PageRequest(size=500))
    return {user.username for user in page.items}


def test_each_status_filter_finds_what_it_names(db: Session, settings: Settings) -> None:
    admin = make_user(db, Role.ADMIN)
    make_user(db, Role.AUDITOR, username="fresh.one")
    idle = make_user(db, Role.AUDITOR, username="idle.one")
    idle.created_at = clock.now() - timedelta(days=accounts.UNUSED_DAYS + 1)
    gone = make_user(db, Role.AUDITOR, username="gone.one")
    auth.deactivate_user(db, admin.actor, user_id=gone.id)
    for _ in range(settings.max_login_failures):
        auth.sign_in(db, settings, username="fresh.one", password="wrong password here")
    db.flush()

    assert "fresh.one" in _listed(db, admin.actor, AccountStatus.LOCKED)
    assert "idle.one" not in _listed(db, admin.actor, AccountStatus.LOCKED)
    assert "idle.one" in _listed(db, admin.actor, AccountStatus.UNUSED)
    assert "fresh.one" not in _listed(db, admin.actor, AccountStatus.UNUSED)
    assert _listed(db, admin.actor, AccountStatus.DEACTIVATED) >= {"gone.one"}
    assert "gone.one" not in _listed(db, admin.actor, AccountStatus.ACTIVE)
    assert "gone.one" not in _listed(db, admin.actor, AccountStatus.NO_TWO_FACTOR)
    assert "fresh.one" in _listed(db, admin.actor, AccountStatus.NO_TWO_FACTOR)
    counts = accounts.status_counts(db, admin.actor)
    assert counts[AccountStatus.LOCKED] >= 1 and counts[AccountStatus.DEACTIVATED] >= 1


def test_only_an_administrator_lists_or_changes_accounts(db: Session) -> None:
    target = make_user(db, Role.AUDITOR)
    for role in (Role.DPO, Role.CASEWORKER, Role.AUDITOR):
        actor = make_user(db, role).actor
        with pytest.raises(Forbidden):
            accounts.list_accounts(db, actor, AccountFilter(), PageRequest())
        with pytest.raises(Forbidden):
            accounts.reset_password(db, actor, user_id=target.id, password=None)
        with pytest.raises(Forbidden):
            accounts.require_two_factor(db, actor, user_id=target.id)


def test_a_required_second_factor_holds_even_where_the_setting_is_off(
    db: Session, settings: Settings
) -> None:
    admin, auditor = make_user(db, Role.ADMIN), make_user(db, Role.AUDITOR)
    assert not settings.requires_two_factor
    assert not auth.must_set_up_two_factor(settings, auditor)
    accounts.require_two_factor(db, admin.actor, user_id=auditor.id)
    assert auth.must_set_up_two_factor(settings, auditor)
    assert auditor in auth.account_concerns(db, admin.actor).without_two_factor
    auditor.totp_enabled = True
    assert not auth.must_set_up_two_factor(settings, auditor)
    assert auditor not in auth.account_concerns(db, admin.actor).without_two_factor


def test_a_reset_must_be_changed_and_a_change_clears_it(db: Session, settings: Settings) -> None:
    admin, auditor = make_user(db, Role.ADMIN), make_user(db, Role.AUDITOR)
    temporary = accounts.reset_password(db, admin.actor, user_id=auditor.id, password=None)
    assert temporary is not None and auditor.must_change_password
    assert auth.sign_in(db, settings, username=auditor.username, password=temporary).user
    auth.set_password(
        db,
        auditor.actor,
        user_id=auditor.id,
        password="a quiet harbour at dawn",
        current_password=temporary,
    )
    assert not auditor.must_change_password


def test_bad_input_to_a_reset_or_a_team_changes_nothing(db: Session) -> None:
    admin, auditor = make_user(db, Role.ADMIN), make_user(db, Role.AUDITOR, team="north")
    before = auditor.password_hash
    with pytest.raises(ValidationFailed):
        accounts.reset_password(db, admin.actor, user_id=auditor.id, password="short")
    with pytest.raises(ValidationFailed):
        accounts.change_team(db, admin.actor, user_id=auditor.id, team="north")
    with pytest.raises(Forbidden):
        accounts.reset_password(db, admin.actor, user_id=admin.id, password=None)
    assert auditor.password_hash == before and not auditor.must_change_password
    assert auditor.team == "north"


def test_reactivating_a_refused_new_account_does_not_grant_its_role(
    db: Session, settings: Settings
) -> None:
    admin, dpo = make_user(db, Role.ADMIN), make_user(db, Role.DPO)
    worker = auth.create_user(
        db,
        admin.actor,
        username="new.worker",
        role=Role.CASEWORKER,
        password="a quiet harbour at dawn",
    )
    grant = auth.pending_grant_for(db, worker.id)
    assert grant is not None
    auth.refuse_grant(db, dpo.actor, grant_id=grant.id)
    assert not worker.is_active
    accounts.reactivate(db, admin.actor, user_id=worker.id)
    outcome = auth.sign_in(db, settings, username="new.worker", password="a quiet harbour at dawn")
    assert outcome.user is None and outcome.message == auth.AWAITING_APPROVAL
    with pytest.raises(Conflict):
        accounts.reactivate(db, admin.actor, user_id=worker.id)
