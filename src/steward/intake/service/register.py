"""Reading the register of partners and agreements, and the data sets each may send.

The register is the information-governance roles' (``partners.MANAGE``). A partner account
reads only its own organisation: its agreements, and the data sets those in force cover (with
their templates); another partner's answer "not found", never "forbidden". The register holds
no data about children, so reading it is not put on record; every change to it is
(``partners``, ``contacts``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.auth import User
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission, Role
from steward.intake import datasets
from steward.intake.datasets import Dataset
from steward.intake.models import Agreement, AgreementDataset, Partner, PartnerContact, PartnerUser
from steward.intake.policy import PARTNER_KIND_NAMES, PartnerKind
from steward.intake.service import contacts as contact_service
from steward.intake.service.partners import MANAGE, get_partner, partner_of

SEARCH_MAX = 64


class AgreementState(StrEnum):
    NOT_YET = "not_yet"
    IN_FORCE = "in_force"
    ENDED = "ended"


AGREEMENT_STATE_NAMES: dict[AgreementState, str] = {
    AgreementState.NOT_YET: "Not yet in force",
    AgreementState.IN_FORCE: "In force",
    AgreementState.ENDED: "Ended",
}


def agreement_state(starts_on: date, ends_on: date | None, on: date) -> AgreementState:
    """Where an agreement stands on ``on``; ``ends_on`` is its last day in force."""
    if on < starts_on:
        return AgreementState.NOT_YET
    if ends_on is not None and ends_on < on:
        return AgreementState.ENDED
    return AgreementState.IN_FORCE


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    datasets: tuple[str, ...]
    state: AgreementState

    @property
    def dataset_titles(self) -> list[str]:
        known = datasets.latest()
        return [known[name].title if name in known else name for name in self.datasets]


@dataclass(frozen=True)
class PartnerFilter:
    """The partner list's filters, read from what a page or the API was sent."""

    kind: PartnerKind | None = None
    active: bool | None = True  # active partners unless asked for the others
    search: str = ""

    @classmethod
    def read(cls, *, kind: str = "", active: str = "", search: str = "") -> PartnerFilter:
        errors: dict[str, str] = {}
        chosen: PartnerKind | None = None
        if kind:
            try:
                chosen = PartnerKind(kind)
            except ValueError:
                errors["kind"] = "Choose a kind of organisation from the list"
        states = {"": True, "yes": True, "no": False, "any": None}
        if active not in states:
            errors["active"] = "Choose active, not active or any"
        if len(search.strip()) > SEARCH_MAX:
            errors["search"] = f"Search for {SEARCH_MAX} characters or fewer"
        if errors:
            raise ValidationFailed("Check the filters.", errors=errors)
        return cls(kind=chosen, active=states[active], search=search.strip())

    @property
    def active_word(self) -> str:
        return {True: "yes", False: "no", None: "any"}[self.active]


@dataclass(frozen=True)
class PartnerRow:
    partner: Partner
    agreements_in_force: int
    accounts: int


def list_partners(
    db: Session, actor: Actor, page: PageRequest, wanted: PartnerFilter
) -> Page[PartnerRow]:
    """Partners by name, filtered by kind and whether active, searched by name or code."""
    actor.require(MANAGE)
    query = select(Partner)
    if wanted.kind is not None:
        query = query.where(Partner.kind == wanted.kind.value)
    if wanted.active is not None:
        query = query.where(Partner.active.is_(wanted.active))
    if wanted.search:
        term = wanted.search.lower()
        query = query.where(
            or_(
                func.lower(Partner.name).contains(term, autoescape=True),
                func.lower(Partner.code).contains(term, autoescape=True),
            )
        )
    found = paginate(db, query.order_by(Partner.name, Partner.id), page)
    ids = [p.id for p in found.items]
    today = clock.today()
    in_force = dict(
        db.execute(
            select(Agreement.partner_id, func.count())
            .where(
                Agreement.partner_id.in_(ids),
                Agreement.starts_on <= today,
                or_(Agreement.ends_on.is_(None), Agreement.ends_on >= today),
            )
            .group_by(Agreement.partner_id)
        ).all()
    )
    accounts = dict(
        db.execute(
            select(PartnerUser.partner_id, func.count())
            .where(PartnerUser.partner_id.in_(ids))
            .group_by(PartnerUser.partner_id)
        ).all()
    )
    return found.map(lambda p: PartnerRow(p, in_force.get(p.id, 0), accounts.get(p.id, 0)))


def _agreement_views(db: Session, agreements: Iterable[Agreement], on: date) -> list[AgreementView]:
    listed = list(agreements)
    covered: dict[int, list[str]] = defaultdict(list)
    if listed:
        rows = db.execute(
            select(AgreementDataset.agreement_id, AgreementDataset.dataset)
            .where(AgreementDataset.agreement_id.in_([a.id for a in listed]))
            .order_by(AgreementDataset.dataset)
        )
        for agreement_id, name in rows:
            covered[agreement_id].append(name)
    return [
        AgreementView(a, tuple(covered[a.id]), agreement_state(a.starts_on, a.ends_on, on))
        for a in listed
    ]


def _partner_agreements(db: Session, partner_id: int) -> list[AgreementView]:
    rows = db.scalars(
        select(Agreement)
        .where(Agreement.partner_id == partner_id)
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
    )
    return _agreement_views(db, rows, clock.today())


def _require_own(db: Session, actor: Actor, partner_id: int) -> None:
    """Staff who keep the register reach every partner; a partner account its own only."""
    if actor.can(MANAGE):
        return
    actor.require(Permission.INTAKE_SUBMIT)
    own = partner_of(db, actor)
    if own is None or own.id != partner_id:
        raise NotFound("There is no such partner.")


def agreements(db: Session, actor: Actor, partner_id: int) -> list[AgreementView]:
    """A partner's agreements, newest first, each with its state today and its data sets."""
    _require_own(db, actor, partner_id)
    get_partner(db, partner_id)
    return _partner_agreements(db, partner_id)


def agreement_view(db: Session, actor: Actor, agreement_id: int) -> AgreementView:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("There is no such agreement.")
    _require_own(db, actor, agreement.partner_id)
    return _agreement_views(db, [agreement], clock.today())[0]


@dataclass(frozen=True)
class Account:
    username: str
    active: bool


@dataclass(frozen=True)
class PartnerView:
    partner: Partner
    contacts: list[PartnerContact]
    accounts: list[Account]
    agreements: list[AgreementView]
    # Partner organisation users' accounts that submit for no partner yet: the ones to link.
    account_choices: list[str] = field(default_factory=list)

    def in_state(self, *states: AgreementState) -> list[AgreementView]:
        return [a for a in self.agreements if a.state in states]

    @property
    def kind_name(self) -> str:
        return kind_name(self.partner.kind)


def kind_name(kind: str) -> str:
    try:
        return PARTNER_KIND_NAMES[PartnerKind(kind)]
    except ValueError:
        return kind


def view_partner(db: Session, actor: Actor, partner_id: int) -> PartnerView:
    actor.require(MANAGE)
    partner = get_partner(db, partner_id)
    accounts = [
        Account(username, active)
        for username, active in db.execute(
            select(User.username, User.is_active)
            .join(PartnerUser, PartnerUser.user_id == User.id)
            .where(PartnerUser.partner_id == partner_id)
            .order_by(User.username)
        )
    ]
    return PartnerView(
        partner=partner,
        contacts=contact_service.contacts(db, partner_id),
        accounts=accounts,
        agreements=_partner_agreements(db, partner_id),
        account_choices=account_choices(db, actor),
    )


def account_choices(db: Session, actor: Actor) -> list[str]:
    """Usernames of the active partner organisation users' accounts linked to no partner."""
    actor.require(MANAGE)
    linked = select(PartnerUser.user_id)
    return list(
        db.scalars(
            select(User.username)
            .where(User.role == Role.PARTNER.value, User.is_active.is_(True))
            .where(User.id.not_in(linked))
            .order_by(User.username)
        )
    )


@dataclass(frozen=True)
class Organisation:
    """What a partner account sees of its own organisation: None when it is linked to none."""

    partner: Partner | None
    agreements: list[AgreementView]
    datasets: list[Dataset]

    @property
    def in_force(self) -> list[AgreementView]:
        return [a for a in self.agreements if a.state is AgreementState.IN_FORCE]


def organisation(db: Session, actor: Actor) -> Organisation:
    actor.require(Permission.INTAKE_SUBMIT)
    partner = partner_of(db, actor)
    if partner is None:
        return Organisation(None, [], [])
    return Organisation(partner, _partner_agreements(db, partner.id), visible_datasets(db, actor))


def _covered_today(db: Session, partner: Partner) -> set[str]:
    if not partner.active:
        return set()
    today = clock.today()
    return set(
        db.scalars(
            select(AgreementDataset.dataset)
            .join(Agreement, Agreement.id == AgreementDataset.agreement_id)
            .where(
                Agreement.partner_id == partner.id,
                Agreement.starts_on <= today,
                or_(Agreement.ends_on.is_(None), Agreement.ends_on >= today),
            )
        )
    )


def visible_datasets(db: Session, actor: Actor) -> list[Dataset]:
    """Every data set for those who keep the register; for a partner account, those an
    agreement of its own in force today covers (what it may send)."""
    latest = datasets.latest()
    if actor.can(MANAGE):
        return [latest[name] for name in sorted(latest)]
    actor.require(Permission.INTAKE_SUBMIT)
    partner = partner_of(db, actor)
    covered = _covered_today(db, partner) if partner is not None else set()
    return [latest[name] for name in sorted(latest) if name in covered]


def visible_dataset(db: Session, actor: Actor, name: str) -> Dataset:
    for dataset in visible_datasets(db, actor):
        if dataset.name == name:
            return dataset
    raise NotFound("There is no such data set, or no agreement in force covers it.")


def template_csv(dataset: Dataset) -> str:
    """The data set's CSV template: its header row alone, the column names a file must
    have (in any order), so a partner fills it in and sends it back."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(dataset.columns)
    return buffer.getvalue()


def template_filename(dataset: Dataset) -> str:
    return f"{dataset.name}.v{dataset.version}-template.csv"
