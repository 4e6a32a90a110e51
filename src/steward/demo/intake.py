"""Demo hook of partner-data intake: three partners with their contacts and data-sharing
agreements, the demo's `partner` account sending for the local authority, and a year of
their files received through the real pipeline (``steward.intake.service.submissions``:
read, checked, matched, recorded or held, each row with its source). The plan, made from the
case demo's records and the seed with no database: ``demo.intake_plan``; the files:
``demo.intake_files``.

Time: each step runs with the clock set to its day (``core.clock.frozen``), so the register
was set up a year ago, the police force's agreement was renewed half a year ago, and each
file was received, checked and recorded on its own day: ``submitted_at``, ``finished_at``, the
agreement in force, what "in the future" means for a date, and the audit trail all follow,
with nothing rewritten afterwards.

Held rows are left waiting for the IG officer (nothing decides them here). All of it is one
transaction, after the records and identity demos (the persons indexed for matching).
Idempotent: does nothing once any partner exists."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.demo.intake_files import file_bytes
from steward.demo.intake_plan import (
    AgreementPlan,
    IntakePlan,
    PartnerPlan,
    PlannedSubmission,
    Sender,
)
from steward.demo.intake_rows import KnownCase, KnownParty, KnownPerson, Snapshot
from steward.demo.organisation import DEFAULT_SEED
from steward.intake import datasets
from steward.intake.errors import Refused
from steward.intake.models import Partner, Submission
from steward.intake.service import contacts, partners, submissions
from steward.records.models import (
    Address,
    Case,
    CaseStatus,
    Contact,
    Identifier,
    IdentifierScheme,
    Party,
    Person,
)

OFFICER, ACCOUNT = "ig-officer", "partner"
_CHUNK = 500


@dataclass(frozen=True)
class IntakeDemo:
    """What the intake demo loaded, for the seed's closing lines and the tests."""

    plan: IntakePlan
    submitted: list[tuple[PlannedSubmission, int]]  # each planned file and its submission
    refused: int
    rows: int
    outcomes: Mapping[str, int]  # rows by outcome
    months: int  # the months the files were received in
    linked: bool  # the demo's `partner` account sends for the council

    @property
    def agreements(self) -> int:
        return sum(len(p.agreements) for p in self.plan.partners)

    @property
    def ended(self) -> int:
        return sum(1 for p in self.plan.partners for a in p.agreements if a.ends_on)


Progress = Callable[[int, int], None]


def prepare(
    factory: sessionmaker[Session],
    kek: KeyEncryptionKeys,
    *,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> IntakeDemo | None:
    """Load the intake demo (see the module's docstring); None when a partner exists.
    ``progress(done, total)`` is called as each file is received."""
    with session_scope(factory) as db:
        if db.scalar(select(Partner.id).limit(1)) is not None:
            return None
        officer = _actor(db, OFFICER) or Actor.system()
        account = db.scalar(select(auth.User).where(auth.User.username == ACCOUNT))
        plan = IntakePlan(read_snapshot(db), today=clock.today(), seed=seed)
        loader = _Loader(db, kek, plan, officer, account)
        steps = sorted(loader.timeline(), key=lambda item: item[0])
        for done, (_, step) in enumerate(steps, start=1):
            step()
            if progress is not None:
                progress(done, len(steps))
        counts = Counter(dict.fromkeys(("accepted", "unchanged", "quarantined", "rejected"), 0))
        for sub in db.scalars(select(Submission)):
            counts.update(
                accepted=sub.accepted,
                unchanged=sub.unchanged,
                quarantined=sub.quarantined,
                rejected=sub.rejected,
            )
        return IntakeDemo(
            plan=plan,
            submitted=loader.submitted,
            refused=loader.refused,
            rows=db.scalar(select(func.coalesce(func.sum(Submission.rows), 0))) or 0,
            outcomes=dict(counts),
            months=len({s.on.strftime("%Y-%m") for s, _ in loader.submitted}),
            linked=account is not None,
        )


def _actor(db: Session, username: str) -> Actor | None:
    user = db.scalar(select(auth.User).where(auth.User.username == username))
    return user.actor if user is not None and user.is_active else None


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class _Loader:
    """The register set up and the files received, each step at its moment."""

    def __init__(
        self,
        db: Session,
        kek: KeyEncryptionKeys,
        plan: IntakePlan,
        officer: Actor,
        account: auth.User | None,
    ) -> None:
        self.db, self.kek, self.plan, self.officer, self.account = db, kek, plan, officer, account
        self.ids: dict[str, int] = {}  # partner code -> id
        self.agreements: dict[str, int] = {}  # reference -> id
        self.submitted: list[tuple[PlannedSubmission, int]] = []
        self.refused = 0

    def timeline(self) -> Iterable[tuple[datetime, Callable[[], None]]]:
        plan = self.plan
        yield _moment(plan.registered_on, 10), self.register
        for partner in plan.partners:
            for agreement in partner.agreements:
                if agreement.recorded_on > plan.registered_on:
                    yield (
                        _moment(agreement.recorded_on, 10),
                        partial(self.record_agreement, partner, agreement),
                    )
                if agreement.ended_on is not None:
                    yield _moment(agreement.ended_on, 10), partial(self.end_agreement, agreement)
        for planned in plan.submissions:
            yield planned.at, partial(self.submit, planned)

    def register(self) -> None:
        """The IG officer sets up the register: partners, contacts, agreements then in
        force (or ended since), and the council's account."""
        db, officer = self.db, self.officer
        with clock.frozen(_moment(self.plan.registered_on, 10)):
            for partner in self.plan.partners:
                made = partners.create_partner(
                    db, officer, code=partner.code, name=partner.name, kind=partner.kind
                )
                self.ids[partner.code] = made.id
                for contact in partner.contacts:
                    contacts.add_contact(
                        db,
                        officer,
                        made.id,
                        name=contact.name,
                        email=contact.email,
                        job_title=contact.job_title,
                    )
                for agreement in partner.agreements:
                    if agreement.recorded_on <= self.plan.registered_on:
                        self.record_agreement(partner, agreement)
            if self.account is not None:
                partners.link_user(
                    db,
                    officer,
                    partner_id=self.ids[self.plan.council.code],
                    user_id=self.account.id,
                )

    def record_agreement(self, partner: PartnerPlan, agreement: AgreementPlan) -> None:
        with clock.frozen(_moment(agreement.recorded_on, 10)):
            made = partners.create_agreement(
                self.db,
                self.officer,
                partner_id=self.ids[partner.code],
                reference=agreement.reference,
                title=agreement.title,
                lawful_basis=agreement.lawful_basis,
                statutory_power=agreement.statutory_power,
                dataset_names=agreement.datasets,
                retention_months=agreement.retention_months,
                starts_on=agreement.starts_on,
                special_category_condition=agreement.special_category_condition,
            )
        self.agreements[agreement.reference] = made.id

    def end_agreement(self, agreement: AgreementPlan) -> None:
        """Its end recorded on the day a renewed one was (its last day in force to come)."""
        assert agreement.ended_on is not None and agreement.ends_on is not None
        with clock.frozen(_moment(agreement.ended_on, 10)):
            partners.end_agreement(
                self.db,
                self.officer,
                agreement_id=self.agreements[agreement.reference],
                ends_on=agreement.ends_on,
            )

    def _sender(self, partner: PartnerPlan) -> Actor:
        if partner.sender is Sender.ACCOUNT and self.account is not None:
            return self.account.actor
        if partner.sender is Sender.SYSTEM:
            return Actor.system()
        return self.officer

    def submit(self, planned: PlannedSubmission) -> None:
        partner = next(p for p in self.plan.partners if p.code == planned.partner)
        data = file_bytes(
            datasets.get(planned.dataset),
            [row.values for row in planned.rows],
            planned.file_format,
            day_first=planned.day_first,
        )
        with clock.frozen(planned.at):
            try:
                made = submissions.submit(
                    self.db,
                    self.kek,
                    self._sender(partner),
                    dataset=planned.dataset,
                    filename=planned.filename,
                    data=data,
                    partner_id=self.ids[partner.code],
                )
            except Refused as refusal:  # pragma: no cover - the plan writes readable files
                self.refused += 1
                submissions.note_refusal(
                    self.db,
                    self._sender(partner),
                    partner_id=self.ids[partner.code],
                    dataset=planned.dataset,
                    code=refusal.code,
                )
                return
        self.submitted.append((planned, made.id))


# --- what the case demo recorded ---------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def read_snapshot(db: Session) -> Snapshot:
    """The cases from the records tables, with the parties of the open ones and what the
    plan needs of each person (names, date of birth, identifiers, address now, contacts)."""
    cases = db.execute(
        select(
            Case.id,
            Case.case_number,
            Case.case_type,
            Case.court,
            Case.local_authority,
            Case.opened_on,
            Case.closed_on,
            Case.status,
        ).order_by(Case.case_number)
    ).all()
    open_ids = [c.id for c in cases if c.status == CaseStatus.OPEN]
    parties: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for chunk in _chunks(open_ids):
        for case_id, person_id, role in db.execute(
            select(Party.case_id, Party.person_id, Party.role)
            .where(Party.case_id.in_(chunk))
            .order_by(Party.id)
        ):
            parties[case_id].append((person_id, str(role)))
    people = _persons(db, sorted({pid for found in parties.values() for pid, _ in found}))
    known = tuple(
        KnownCase(
            case_number=c.case_number,
            case_type=str(c.case_type),
            court=c.court,
            local_authority=c.local_authority,
            opened_on=c.opened_on,
            closed_on=c.closed_on,
            open=c.status == CaseStatus.OPEN,
            parties=tuple(
                KnownParty(people[pid], role)
                for pid, role in parties.get(c.id, [])
                if pid in people
            ),
        )
        for c in cases
    )
    held = frozenset(
        db.scalars(
            select(Identifier.value).where(
                Identifier.scheme.in_((IdentifierScheme.NHS, IdentifierScheme.NINO))
            )
        )
    )
    return Snapshot(known, held)


def _distinct_keys(db: Session) -> Counter[tuple[date, str]]:
    """How many non-professional persons share a date of birth and a first or last name."""
    shared: Counter[tuple[date, str]] = Counter()
    for first, last, born in db.execute(
        select(Person.first_name, Person.last_name, Person.date_of_birth).where(
            Person.is_professional.is_(False), Person.date_of_birth.is_not(None)
        )
    ):
        assert born is not None
        shared[(born, "f:" + _fold(first))] += 1
        shared[(born, "l:" + _fold(last))] += 1
    return shared


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


def _persons(db: Session, ids: list[int]) -> dict[int, KnownPerson]:
    shared = _distinct_keys(db)
    found: dict[int, KnownPerson] = {}
    for chunk in _chunks(ids):
        identifiers: dict[int, dict[str, str]] = defaultdict(dict)
        for pid, scheme, value in db.execute(
            select(Identifier.person_id, Identifier.scheme, Identifier.value)
            .where(Identifier.person_id.in_(chunk))
            .order_by(Identifier.id)
        ):
            identifiers[pid].setdefault(str(scheme), value)
        homes: dict[int, Address] = {}
        for address in db.scalars(
            select(Address).where(Address.person_id.in_(chunk)).order_by(Address.id)
        ):
            # The address lived at now: open-ended, else the last one recorded.
            current = homes.get(address.person_id)
            if current is None or current.to_date is not None:
                homes[address.person_id] = address
        reach: dict[int, dict[str, str]] = defaultdict(dict)
        for pid, kind, value in db.execute(
            select(Contact.person_id, Contact.kind, Contact.value)
            .where(Contact.person_id.in_(chunk))
            .order_by(Contact.id)
        ):
            reach[pid].setdefault(kind, value)
        for person in db.scalars(select(Person).where(Person.id.in_(chunk))):
            home = homes.get(person.id)
            born = person.date_of_birth
            distinct = person.is_professional or (
                born is not None
                and shared[(born, "f:" + _fold(person.first_name))] == 1
                and shared[(born, "l:" + _fold(person.last_name))] == 1
            )
            line = None
            if home is not None:
                line = f"{home.line1}, {home.line2}" if home.line2 else home.line1
            found[person.id] = KnownPerson(
                person_id=person.id,
                first_name=person.first_name,
                middle_names=person.middle_names,
                last_name=person.last_name,
                date_of_birth=born,
                is_professional=person.is_professional,
                address_withheld=person.address_withheld,
                nhs=identifiers[person.id].get(IdentifierScheme.NHS.value),
                nino=identifiers[person.id].get(IdentifierScheme.NINO.value),
                address_line=line,
                town=home.town if home else None,
                postcode=home.postcode if home else None,
                phone=reach[person.id].get("phone"),
                email=reach[person.id].get("email"),
                distinct=distinct,
            )
    return found
