"""The role table an auditor reads to see who may do what, and the one check every service
call makes against it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.core.errors import Forbidden
from steward.core.permissions import (
    PERMISSION_DESCRIPTIONS,
    ROLE_DESCRIPTIONS,
    ROLE_PERMISSIONS,
    Actor,
    ActorKind,
    Permission,
    Role,
)

CASE_CONTENT = frozenset(p for p in Permission if p.value.startswith("cases:"))


def test_every_role_has_permissions_and_a_description() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ROLE_DESCRIPTIONS) == set(Role)
    assert all(ROLE_PERMISSIONS[role] for role in Role)
    assert all(ROLE_DESCRIPTIONS[role].strip() for role in Role)


def test_every_permission_has_a_description() -> None:
    assert set(PERMISSION_DESCRIPTIONS) == set(Permission)
    assert all(PERMISSION_DESCRIPTIONS[p].strip() for p in Permission)


def test_every_permission_is_granted_to_some_role() -> None:
    granted = frozenset().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)


def test_the_administrator_sees_no_case_content() -> None:
    assert CASE_CONTENT.isdisjoint(ROLE_PERMISSIONS[Role.ADMIN])
    assert CASE_CONTENT  # guard: the prefix above still names the case permissions


def test_the_auditor_reads_the_trail_but_no_case_content() -> None:
    assert Permission.AUDIT_READ in ROLE_PERMISSIONS[Role.AUDITOR]
    assert CASE_CONTENT.isdisjoint(ROLE_PERMISSIONS[Role.AUDITOR])


def test_a_partner_can_only_submit_intake_and_manage_its_own_tokens() -> None:
    assert ROLE_PERMISSIONS[Role.PARTNER] == {Permission.INTAKE_SUBMIT, Permission.TOKENS_OWN}


def test_only_administrators_manage_accounts() -> None:
    assert {r for r in Role if Permission.USERS_MANAGE in ROLE_PERMISSIONS[r]} == {Role.ADMIN}


def test_only_governance_roles_read_every_case() -> None:
    readers = {r for r in Role if Permission.CASES_READ_ALL in ROLE_PERMISSIONS[r]}
    assert readers == {Role.IG_OFFICER, Role.DPO}


@given(role=st.sampled_from(Role), permission=st.sampled_from(Permission))
def test_a_user_may_do_exactly_what_their_role_grants(role: Role, permission: Permission) -> None:
    actor = Actor.user(1, role)
    granted = permission in ROLE_PERMISSIONS[role]
    assert actor.can(permission) is granted
    assert (permission in actor.permissions) is granted
    if granted:
        actor.require(permission)
    else:
        with pytest.raises(Forbidden):
            actor.require(permission)


def test_require_refuses_with_a_message_a_person_can_read() -> None:
    with pytest.raises(Forbidden, match="Your role does not allow this"):
        Actor.user(1, Role.CASEWORKER).require(Permission.USERS_MANAGE)


def test_a_user_without_a_role_may_do_nothing() -> None:
    nobody = Actor(kind=ActorKind.USER, user_id=1, role=None)
    assert nobody.permissions == frozenset()
    for permission in Permission:
        with pytest.raises(Forbidden):
            nobody.require(permission)


def test_the_operator_at_the_command_line_may_do_everything() -> None:
    system = Actor.system()
    assert system.user_id is None
    assert system.permissions == set(Permission)
    for permission in Permission:
        system.require(permission)
