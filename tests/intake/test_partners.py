"""The register of partners and agreements: its rules (codes, contacts, accounts, agreements
that are ended and never edited), which agreement a submission is received under, and what a
partner account may read of it (its own organisation only)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.policy import Code, LawfulBasis, PartnerKind
from steward.intake.service import contacts, partners, register
from steward.intake.service.register import AgreementState, PartnerFilter
from tests.factories.core import make_user
from tests.factories.intake import (
    make_agreement,
    make_partner,
    make_partner_user,
    partner_actor,
)

SYSTEM = Actor.system()
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fixed_day() -> object:
    with clock.frozen(datetime(2026, 3, 10, 12, tzinfo=UTC)):
        yield


def _events(db: Session, tag: IntakeEvent) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag.value)))


def _agreement(db: Session, partner_id: int, **overrides: object) -> object:
    fields: dict[str, object] = {
        "partner_id": partner_id,
        "reference": "DSA-TEST-1",
        "title": "Sharing with the test partner",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "statutory_power": "Children Act 1989, s.7",
        "dataset_names": ["party_details"],
        "retention_months": 12,
        "starts_on": date(2025, 4, 1),
    }
    return partners.create_agreement(db, SYSTEM, **(fields | overrides))  # type: ignore[arg-type]


# --- partners -----------------------------------------------------------------------------


def test_a_partner_code_is_upper_case_and_unique(db: Session) -> None:
    partner = partners.create_partner(
        db, SYSTEM, code=" la-barset ", name=" Barsetshire Council ", kind="local_authority"
    )
    assert (partner.code, partner.name, partner.kind, partner.active) == (
        "LA-BARSET",
        "Barsetshire Council",
        "local_authority",
        True,
    )
    with pytest.raises(Conflict) as refused:
        partners.create_partner(db, SYSTEM, code="LA-Barset", name="Another", kind="court")
    assert refused.value.field == "code"
    assert len(_events(db, IntakeEvent.PARTNER_CREATED)) == 1


@pytest.mark.parametrize(
    ("code", "name", "kind", "field"),
    [
        ("", "A council", "local_authority", "code"),
        ("LA BARSET", "A council", "local_authority", "code"),
        ("X" * 33, "A council", "local_authority", "code"),
        ("LA-OK", "  ", "local_authority", "name"),
        ("LA-OK", "N" * 201, "local_authority", "name"),
        ("LA-OK", "A council", "parish", "kind"),
    ],
)
def test_a_partner_needs_a_code_a_name_and_a_kind(
    db: Session, code: str, name: str, kind: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        partners.create_partner(db, SYSTEM, code=code, name=name, kind=kind)
    assert field in refused.value.errors
    assert _events(db, IntakeEvent.PARTNER_CREATED) == []


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.IG_OFFICER, Role.DPO)])
def test_only_the_information_governance_roles_keep_the_register(db: Session, role: Role) -> None:
    actor = make_user(db, role).actor
    partner = make_partner(db)
    with pytest.raises(Forbidden):
        partners.create_partner(db, actor, code="LA-NEW", name="New", kind="court")
    with pytest.raises(Forbidden):
        partners.change_partner(db, actor, partner.id, name="Renamed")
    with pytest.raises(Forbidden):
        register.list_partners(db, actor, PageRequest(), PartnerFilter())
    with pytest.raises(Forbidden):
        partners.create_agreement(
            db,
            actor,
            partner_id=partner.id,
            reference="DSA-X",
            title="",
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            statutory_power="Children Act 1989",
            dataset_names=["party_details"],
            retention_months=12,
            starts_on=TODAY,
        )


@pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.DPO])
def test_the_ig_officer_and_the_dpo_keep_it(db: Session, role: Role) -> None:
    actor = make_user(db, role).actor
    partner = partners.create_partner(db, actor, code="PF-1", name="Police", kind="police")
    agreement = partners.create_agreement(
        db,
        actor,
        partner_id=partner.id,
        reference="DSA-R",
        title="",
        lawful_basis="legal_obligation",
        statutory_power="Children Act 2004, s.11",
        dataset_names=["safeguarding_checks"],
        retention_months=6,
        starts_on=TODAY,
    )
    assert agreement.title == "DSA-R"  # no title given: the reference stands for it
    assert agreement.created_by_user_id == actor.user_id


def test_changing_a_partner_records_which_fields_changed(db: Session) -> None:
    partner = make_partner(db, name="Old name")
    partners.change_partner(db, SYSTEM, partner.id, name="New name", kind="court", active=False)
    assert (partner.name, partner.kind, partner.active) == ("New name", "court", False)
    (event,) = _events(db, IntakeEvent.PARTNER_CHANGED)
    assert json.loads(event.details) == {"fields": ["active", "kind", "name"], "active": False}
    # Nothing different: nothing changes, and nothing is put on record.
    partners.change_partner(db, SYSTEM, partner.id, name="New name", kind="court", active=False)
    assert len(_events(db, IntakeEvent.PARTNER_CHANGED)) == 1
    with pytest.raises(ValidationFailed):
        partners.change_partner(db, SYSTEM, partner.id, name="")
    with pytest.raises(ValidationFailed):
        partners.change_partner(db, SYSTEM, partner.id, kind="parish")
    with pytest.raises(NotFound):
        partners.change_partner(db, SYSTEM, 10**9, name="Nobody")


def test_the_list_filters_searches_counts_and_pages(db: Session) -> None:
    for n in range(55):
        make_partner(db, code=f"PG-{n:02d}", name=f"Paged Council {n:02d}")
    court = make_partner(db, code="CT-LEEDS", name="Leeds Family_Court", kind=PartnerKind.COURT)
    closed = make_partner(db, code="LA-GONE", name="Paged Council gone")
    partners.change_partner(db, SYSTEM, closed.id, active=False)
    make_agreement(db, court)

    first = register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(search="paged"))
    assert (first.total, len(first.items)) == (55, 50)
    second = register.list_partners(
        db, SYSTEM, PageRequest(number=2), PartnerFilter.read(search="PAGED")
    )
    assert [r.partner.code for r in second.items] == ["PG-50", "PG-51", "PG-52", "PG-53", "PG-54"]
    courts = register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(kind="court"))
    assert [(r.partner.code, r.agreements_in_force) for r in courts.items] == [("CT-LEEDS", 1)]
    # "_" is a letter searched for, not SQL's wildcard.
    assert (
        register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(search="y_c")).total
        == 1
    )
    assert (
        register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(search="l_c")).total
        == 0
    )
    by_code = register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(search="ct-le"))
    assert [r.partner.id for r in by_code.items] == [court.id]
    inactive = register.list_partners(db, SYSTEM, PageRequest(), PartnerFilter.read(active="no"))
    assert [r.partner.id for r in inactive.items] == [closed.id]
    everyone = register.list_partners(
        db, SYSTEM, PageRequest(), PartnerFilter.read(active="any", search="gone")
    )
    assert everyone.total == 1
    for bad in ({"kind": "parish"}, {"active": "maybe"}, {"search": "x" * 65}):
        with pytest.raises(ValidationFailed):
            PartnerFilter.read(**bad)


# --- contacts ------------------------------------------------------------------------------


def test_contacts_are_added_and_removed_on_record_by_id_only(db: Session) -> None:
    partner = make_partner(db)
    contact = contacts.add_contact(
        db,
        SYSTEM,
        partner.id,
        name="Sam Contact",
        email="sam.contact@barset.gov.uk",
        job_title="Data manager",
        receives_notices=False,
    )
    assert [c.id for c in contacts.contacts(db, partner.id)] == [contact.id]
    (added,) = _events(db, IntakeEvent.CONTACT_ADDED)
    assert "Sam" not in added.details and "barset" not in added.details
    assert json.loads(added.details) == {"contact_id": contact.id, "receives_notices": False}
    other = make_partner(db)
    with pytest.raises(NotFound):
        contacts.remove_contact(db, SYSTEM, other.id, contact.id)
    contacts.remove_contact(db, SYSTEM, partner.id, contact.id)
    assert contacts.contacts(db, partner.id) == []
    assert len(_events(db, IntakeEvent.CONTACT_REMOVED)) == 1


@pytest.mark.parametrize(
    ("name", "email", "title", "field"),
    [
        ("", "a@b.org", None, "name"),
        ("Sam", "", None, "email"),
        ("Sam", "not an email", None, "email"),
        ("Sam", "sam@localhost", None, "email"),
        ("Sam", "a@b.org", "T" * 201, "job_title"),
    ],
)
def test_a_contact_needs_a_name_and_a_real_email_address(
    db: Session, name: str, email: str, title: str | None, field: str
) -> None:
    partner = make_partner(db)
    with pytest.raises(ValidationFailed) as refused:
        contacts.add_contact(db, SYSTEM, partner.id, name=name, email=email, job_title=title)
    assert field in refused.value.errors
    assert contacts.contacts(db, partner.id) == []


# --- accounts ------------------------------------------------------------------------------


def test_only_partner_accounts_are_linked_and_each_to_one_partner(db: Session) -> None:
    first, second = make_partner(db), make_partner(db)
    user = make_user(db, Role.PARTNER)
    partners.link_username(db, SYSTEM, partner_id=first.id, username=user.username)
    partners.link_username(db, SYSTEM, partner_id=first.id, username=user.username)
    assert len(_events(db, IntakeEvent.USER_LINKED)) == 1  # the second changed nothing
    with pytest.raises(Conflict):
        partners.link_username(db, SYSTEM, partner_id=second.id, username=user.username)
    staff = make_user(db, Role.CASEWORKER)
    with pytest.raises(ValidationFailed):
        partners.link_username(db, SYSTEM, partner_id=first.id, username=staff.username)
    with pytest.raises(ValidationFailed):
        partners.link_username(db, SYSTEM, partner_id=first.id, username="nobody-at-all")
    assert partners.partner_of(db, user.actor) is first
    # Linked accounts are not offered again; an unlinked partner account is.
    spare = make_user(db, Role.PARTNER)
    choices = register.account_choices(db, SYSTEM)
    assert spare.username in choices and user.username not in choices
    assert staff.username not in choices

    with pytest.raises(ValidationFailed):
        partners.unlink_username(db, SYSTEM, partner_id=second.id, username=user.username)
    partners.unlink_username(db, SYSTEM, partner_id=first.id, username=user.username)
    assert partners.partner_of(db, user.actor) is None
    (unlinked,) = _events(db, IntakeEvent.USER_UNLINKED)
    assert json.loads(unlinked.details) == {"user_id": user.id}
    partners.link_username(db, SYSTEM, partner_id=second.id, username=user.username)
    assert partners.partner_of(db, user.actor) is second


# --- agreements ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reference": " "}, "reference"),
        ({"reference": "R" * 65}, "reference"),
        ({"statutory_power": ""}, "statutory_power"),
        ({"dataset_names": []}, "datasets"),
        ({"dataset_names": ["party_details", "school_records"]}, "datasets"),
        ({"retention_months": 0}, "retention_months"),
        ({"retention_months": 1201}, "retention_months"),
        ({"ends_on": date(2025, 3, 31)}, "ends_on"),
        ({"lawful_basis": "because"}, "lawful_basis"),
        ({"title": "T" * 201}, "title"),
        ({"special_category_condition": "C" * 301}, "special_category_condition"),
    ],
)
def test_an_agreement_with_a_missing_or_wrong_detail_is_refused(
    db: Session, overrides: dict[str, object], field: str
) -> None:
    partner = make_partner(db)
    with pytest.raises(ValidationFailed) as refused:
        _agreement(db, partner.id, **overrides)
    assert field in refused.value.errors
    assert register.agreements(db, SYSTEM, partner.id) == []
    assert _events(db, IntakeEvent.AGREEMENT_CREATED) == []


def test_an_agreement_reference_is_unique(db: Session) -> None:
    partner = make_partner(db)
    _agreement(db, partner.id, reference="DSA-SAME")
    with pytest.raises(Conflict):
        _agreement(db, make_partner(db).id, reference=" DSA-SAME ")


def test_agreement_for_picks_the_agreement_in_force_that_covers_the_data_set(
    db: Session,
) -> None:
    partner = make_partner(db)
    ended = make_agreement(db, partner, dataset_names=["court_orders"], ends_on=date(2025, 3, 31))
    later = make_agreement(db, partner, dataset_names=["court_orders"], starts_on=date(2027, 1, 1))
    parties = make_agreement(db, partner, dataset_names=["party_details"])
    orders = make_agreement(
        db, partner, dataset_names=["court_orders", "party_details"], starts_on=date(2025, 4, 1)
    )
    assert (
        partners.agreement_for(db, partner_id=partner.id, dataset="court_orders", on=TODAY)
        is orders
    )
    # Both cover party details: the one that started last is the one received under.
    assert (
        partners.agreement_for(db, partner_id=partner.id, dataset="party_details", on=TODAY)
        is orders
    )
    assert (
        partners.agreement_for(
            db, partner_id=partner.id, dataset="party_details", on=date(2025, 1, 1)
        )
        is parties
    )
    assert (
        partners.agreement_for(
            db, partner_id=partner.id, dataset="court_orders", on=date(2024, 5, 1)
        )
        is ended
    )
    assert (
        partners.agreement_for(
            db, partner_id=partner.id, dataset="court_orders", on=date(2027, 6, 1)
        )
        is later
    )
    with pytest.raises(Refused) as refused:
        partners.agreement_for(db, partner_id=partner.id, dataset="safeguarding_checks", on=TODAY)
    assert refused.value.code is Code.AGREEMENT_DATASET


def test_no_agreement_in_force_and_a_data_set_not_covered_are_told_apart(db: Session) -> None:
    partner = make_partner(db)
    with pytest.raises(Refused) as none:
        partners.agreement_for(db, partner_id=partner.id, dataset="party_details", on=TODAY)
    assert none.value.code is Code.AGREEMENT_NONE
    make_agreement(db, partner, dataset_names=["party_details"], ends_on=date(2026, 3, 9))
    make_agreement(db, partner, dataset_names=["party_details"], starts_on=date(2026, 3, 11))
    with pytest.raises(Refused) as between:
        partners.agreement_for(db, partner_id=partner.id, dataset="party_details", on=TODAY)
    assert between.value.code is Code.AGREEMENT_NONE
    make_agreement(db, partner, dataset_names=["court_orders"], starts_on=TODAY, ends_on=TODAY)
    with pytest.raises(Refused) as uncovered:
        partners.agreement_for(db, partner_id=partner.id, dataset="party_details", on=TODAY)
    assert uncovered.value.code is Code.AGREEMENT_DATASET
    assert uncovered.value.errors == {"file": uncovered.value.message}


def test_a_partner_that_is_not_active_has_no_agreement_in_force(db: Session) -> None:
    partner = make_partner(db)
    make_agreement(db, partner)
    partners.change_partner(db, SYSTEM, partner.id, active=False)
    with pytest.raises(Refused) as refused:
        partners.agreement_for(db, partner_id=partner.id, dataset="party_details", on=TODAY)
    assert refused.value.code is Code.AGREEMENT_NONE


def test_ending_an_agreement_brings_its_end_forward_and_never_reopens_it(db: Session) -> None:
    partner = make_partner(db)
    agreement = make_agreement(db, partner, ends_on=date(2027, 3, 31))
    with pytest.raises(Conflict):  # never extended: a new agreement is recorded instead
        partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=date(2028, 3, 31))
    with pytest.raises(ValidationFailed):  # what was received under it stays so
        partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=date(2026, 3, 9))
    partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=TODAY)
    assert agreement.ends_on == TODAY
    (ended,) = _events(db, IntakeEvent.AGREEMENT_ENDED)
    assert json.loads(ended.details) == {"partner_id": partner.id, "ends_on": "2026-03-10"}
    # Its last day is today: still in force today, not tomorrow.
    assert partners.agreement_for(db, partner_id=partner.id, dataset="court_orders", on=TODAY)
    with pytest.raises(Refused):
        partners.agreement_for(
            db, partner_id=partner.id, dataset="court_orders", on=TODAY + timedelta(days=1)
        )
    with clock.frozen(datetime(2026, 3, 11, 12, tzinfo=UTC)):
        for day in (date(2026, 3, 11), date(2030, 1, 1)):
            with pytest.raises(Conflict):
                partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=day)
    assert agreement.ends_on == TODAY
    assert len(_events(db, IntakeEvent.AGREEMENT_ENDED)) == 1


def test_an_agreement_not_yet_in_force_cannot_end_before_it_starts(db: Session) -> None:
    agreement = make_agreement(db, make_partner(db), starts_on=date(2026, 6, 1))
    with pytest.raises(ValidationFailed):
        partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=date(2026, 5, 31))
    partners.end_agreement(db, SYSTEM, agreement_id=agreement.id, ends_on=date(2026, 6, 1))
    with pytest.raises(NotFound):
        partners.end_agreement(db, SYSTEM, agreement_id=10**9, ends_on=TODAY)


def test_each_agreement_shows_its_state_and_data_sets(db: Session) -> None:
    partner = make_partner(db)
    make_agreement(db, partner, dataset_names=["court_orders"], ends_on=date(2025, 3, 31))
    make_agreement(db, partner, dataset_names=["party_details", "court_orders"])
    make_agreement(db, partner, dataset_names=["safeguarding_checks"], starts_on=date(2026, 9, 1))
    views = register.agreements(db, SYSTEM, partner.id)
    assert [(v.state, v.datasets) for v in views] == [
        (AgreementState.NOT_YET, ("safeguarding_checks",)),
        (AgreementState.IN_FORCE, ("court_orders", "party_details")),
        (AgreementState.ENDED, ("court_orders",)),
    ]
    assert views[1].dataset_titles == ["Court order notifications", "Party details"]


def test_agreement_state_on_the_edges() -> None:
    state = register.agreement_state
    assert state(date(2026, 1, 1), None, date(2025, 12, 31)) is AgreementState.NOT_YET
    assert state(date(2026, 1, 1), None, date(2026, 1, 1)) is AgreementState.IN_FORCE
    assert state(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)) is AgreementState.IN_FORCE
    assert state(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2)) is AgreementState.ENDED


# --- what a partner account may read ------------------------------------------------------


def test_a_partner_account_reads_its_own_organisation_and_nothing_else(db: Session) -> None:
    own, other = make_partner(db), make_partner(db)
    make_agreement(db, own, dataset_names=["party_details"])
    make_agreement(db, own, dataset_names=["court_orders"], ends_on=date(2025, 1, 1))
    make_agreement(db, other)
    account = partner_actor(make_partner_user(db, own))

    assert sorted(v.datasets for v in register.agreements(db, account, own.id)) == [
        ("court_orders",),
        ("party_details",),
    ]
    with pytest.raises(NotFound):
        register.agreements(db, account, other.id)
    with pytest.raises(NotFound):
        register.agreements(db, account, 10**9)
    with pytest.raises(Forbidden):
        register.view_partner(db, account, own.id)
    with pytest.raises(Forbidden):
        register.list_partners(db, account, PageRequest(), PartnerFilter())

    mine = register.organisation(db, account)
    assert mine.partner is own
    assert [v.datasets for v in mine.in_force] == [("party_details",)]
    # What it may send: the data sets an agreement in force today covers, and no other.
    assert [d.name for d in register.visible_datasets(db, account)] == ["party_details"]
    assert register.visible_dataset(db, account, "party_details").name == "party_details"
    for name in ("court_orders", "safeguarding_checks", "no_such_set"):
        with pytest.raises(NotFound):
            register.visible_dataset(db, account, name)


def test_an_unlinked_partner_account_sees_no_organisation_and_no_data_set(db: Session) -> None:
    account = partner_actor(make_user(db, Role.PARTNER))
    assert register.organisation(db, account) == register.Organisation(None, [], [])
    assert register.visible_datasets(db, account) == []


def test_staff_who_keep_the_register_see_every_data_set_and_others_none(db: Session) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    assert [d.name for d in register.visible_datasets(db, officer)] == [
        "court_orders",
        "party_details",
        "safeguarding_checks",
    ]
    caseworker = make_user(db, Role.CASEWORKER).actor
    with pytest.raises(Forbidden):
        register.visible_datasets(db, caseworker)
    with pytest.raises(Forbidden):
        register.organisation(db, caseworker)
    with pytest.raises(Forbidden):
        register.agreements(db, caseworker, make_partner(db).id)


def test_a_template_is_the_header_row_of_the_data_set(db: Session) -> None:
    dataset = register.visible_dataset(db, SYSTEM, "safeguarding_checks")
    assert register.template_csv(dataset) == (
        "case_number,first_name,last_name,date_of_birth,check_type,outcome,checked_on,"
        "professional_view\r\n"
    )
    assert register.template_filename(dataset) == "safeguarding_checks.v1-template.csv"


@pytest.mark.parametrize("name", ["court_orders", "party_details", "safeguarding_checks"])
def test_a_filled_in_template_is_read_with_the_data_sets_columns(db: Session, name: str) -> None:
    from steward.intake import reading
    from steward.intake.policy import FileFormat

    dataset = register.visible_dataset(db, SYSTEM, name)
    row = ",".join(f"v{n}" for n in range(len(dataset.columns)))
    table = reading.read_table(
        (register.template_csv(dataset) + row + "\r\n").encode(),
        file_format=FileFormat.CSV,
        dataset=dataset,
    )
    assert table.shape == (1, len(dataset.columns))
    assert set(table.columns) >= set(dataset.columns)
