"""Who is redacted and why: the rules of DOMAIN.md §1, every role against every label."""

from __future__ import annotations

import pytest

from steward.redaction.policy import Decision, decide, shared, unattributed
from steward.redaction.spans import Code, Label, Role


@pytest.mark.parametrize("label", list(Label))
def test_the_requesters_own_data_is_never_redacted_even_a_withheld_address(label: Label) -> None:
    d = decide(Role.REQUESTER, label, relation="mother", withheld=True)
    assert d == Decision(False, None, d.reason)
    assert "requester's own" in d.reason


@pytest.mark.parametrize("label", [Label.NAME, Label.PHONE, Label.EMAIL, Label.ADDRESS])
def test_a_professional_in_role_is_kept_with_their_work_contact_details(label: Label) -> None:
    d = decide(Role.PROFESSIONAL, label, relation="social worker")
    assert not d.redact and d.code is None
    assert "social worker" in d.reason


def test_a_third_partys_data_is_redacted_with_a_reason_naming_the_relation() -> None:
    assert decide(Role.THIRD_PARTY, Label.ADDRESS, relation="other parent") == Decision(
        True, Code.THIRD_PARTY, "other parent's address"
    )
    assert decide(Role.THIRD_PARTY, Label.NAME).reason == "name of a third party"


@pytest.mark.parametrize("role", [Role.THIRD_PARTY, Role.PROFESSIONAL, Role.UNKNOWN])
@pytest.mark.parametrize("label", [Label.ADDRESS, Label.POSTCODE])
def test_an_address_that_must_not_be_disclosed_is_redacted_whoever_else_it_belongs_to(
    role: Role, label: Label
) -> None:
    d = decide(role, label, relation="mother", withheld=True)
    assert d.redact and d.code is Code.THIRD_PARTY
    assert d.reason.endswith("that must not be disclosed")


def test_withheld_protects_the_address_not_the_name() -> None:
    assert decide(Role.PROFESSIONAL, Label.NAME, withheld=True).redact is False


def test_a_name_the_case_does_not_know_is_a_third_partys() -> None:
    assert decide(Role.UNKNOWN, Label.NAME) == Decision(
        True, Code.THIRD_PARTY, "name not known to the case"
    )


def test_a_number_nobody_owns_is_redacted_saying_it_is_not_known_to_be_the_requesters() -> None:
    assert unattributed(Label.NHS_NUMBER) == Decision(
        True, Code.THIRD_PARTY, "NHS number not known to be the requester's"
    )


def test_a_name_shared_with_a_third_party_is_redacted_and_kept_only_when_all_would_keep() -> None:
    keep = decide(Role.REQUESTER, Label.NAME)
    professional = decide(Role.PROFESSIONAL, Label.NAME)
    third = decide(Role.THIRD_PARTY, Label.NAME, relation="grandparent")
    assert shared([keep, third]).redact
    assert shared([third, keep]).reason.startswith("grandparent's name")
    assert not shared([keep, professional]).redact
