"""The information-governance officer's review of held (quarantined) partner rows.

A held row waits, sealed, until a person decides it (DOMAIN.md §3: nothing of it reaches the
records until then). The queue lists them oldest first with what they wait on, and no value
from the row; the row's own page opens its values (a recorded read), the issues found field
by field, where it came from, and the person already recorded that it may be, side by side
with the differences named. The decision is ``decide`` (service/decisions.py).

Everything here shows or changes partner data about children and families: it needs
INTAKE_REVIEW (the information-governance officer and the DPO; never a partner account) and
a completed induction, like any case content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.intake import datasets, policy
from steward.intake.datasets import Dataset, Field
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, Partner, RowIssue, Submission, SubmissionRow
from steward.intake.policy import Code, Consequence, RowOutcome
from steward.intake.service.values import Values, blank, normalised, open_values
from steward.records import service as records
from steward.records.models import Address, Case, IdentifierScheme, Person

# The issues a row can be held for (any other issue rejects it outright).
HOLD_CODES: tuple[Code, ...] = tuple(
    code for code in Code if policy.CONSEQUENCE[code] is Consequence.QUARANTINE
)
# Issues that leave the officer to say whether the row is the person already recorded.
PERSON_CODES = frozenset({Code.PERSON_CONFLICT, Code.PERSON_POSSIBLE})
SUBJECT = "intake_row"


def require_reviewer(db: Session, actor: Actor) -> None:
    actor.require(Permission.INTAKE_REVIEW)
    records.require_induction(db, actor)


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldLine:
    row_id: int
    partner_id: int
    partner_name: str
    dataset: str
    dataset_title: str
    submission_id: int
    submitted_at: datetime
    row_number: int
    codes: list[str]
    issues: list[str]  # the codes' titles, in the same order
    age_days: int


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    count: int


def _code(code: str | None) -> Code | None:
    if not code:
        return None
    try:
        found = Code(code)
    except ValueError:
        found = None
    if found not in HOLD_CODES:
        raise ValidationFailed(
            "Choose an issue from the list.", errors={"code": "Choose an issue from the list"}
        )
    return found


def _title(dataset: str, version: int) -> str:
    try:
        return datasets.get(dataset, version).title
    except NotFound:
        return dataset.replace("_", " ").capitalize()


def held_rows(
    db: Session,
    actor: Actor,
    page: PageRequest = PageRequest(),
    *,
    partner_id: int | None = None,
    code: str | None = None,
) -> Page[HeldLine]:
    """Held rows, oldest first (the longest wait is the first to see), counted and paged;
    narrowed to one partner and to rows held for one issue."""
    require_reviewer(db, actor)
    wanted = _code(code)
    query = (
        select(
            SubmissionRow.id,
            SubmissionRow.partner_id,
            Partner.name,
            Submission.dataset,
            Submission.dataset_version,
            Submission.id,
            Submission.submitted_at,
            SubmissionRow.row_number,
        )
        .join(Submission, Submission.id == SubmissionRow.submission_id)
        .join(Partner, Partner.id == SubmissionRow.partner_id)
        .where(SubmissionRow.outcome == RowOutcome.QUARANTINED.value)
        .order_by(Submission.submitted_at, Submission.id, SubmissionRow.row_number)
    )
    if partner_id is not None:
        query = query.where(SubmissionRow.partner_id == partner_id)
    if wanted is not None:
        query = query.where(
            exists().where(RowIssue.row_id == SubmissionRow.id, RowIssue.code == wanted.value)
        )
    found: Page[Sequence[object]] = paginate(db, query, page, scalars=False)
    codes = _codes_of(db, [int(str(r[0])) for r in found.items])
    today = clock.today()

    def line(r: Sequence[object]) -> HeldLine:
        row_id, partner, name, dataset, version, submission_id, at, number = r
        assert isinstance(at, datetime)
        held = codes.get(int(str(row_id)), [])
        return HeldLine(
            row_id=int(str(row_id)),
            partner_id=int(str(partner)),
            partner_name=str(name),
            dataset=str(dataset),
            dataset_title=_title(str(dataset), int(str(version))),
            submission_id=int(str(submission_id)),
            submitted_at=at,
            row_number=int(str(number)),
            codes=held,
            issues=[_code_title(c) for c in held],
            age_days=max(0, (today - at.astimezone(clock.UK).date()).days),
        )

    return found.map(line)


def _code_title(code: str) -> str:
    try:
        return policy.CODE_TITLES[Code(code)]
    except ValueError:
        return code


def _codes_of(db: Session, row_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not row_ids:
        return found
    for row_id, code in db.execute(
        select(RowIssue.row_id, RowIssue.code)
        .where(RowIssue.row_id.in_(row_ids))
        .order_by(RowIssue.row_id, RowIssue.id)
    ):
        if code not in found.setdefault(row_id, []):
            found[row_id].append(code)
    return found


def held_filters(db: Session, actor: Actor) -> tuple[list[Option], list[Option]]:
    """What the queue can be narrowed to: partners with rows held, and the issues held for,
    each with how many rows wait on it."""
    require_reviewer(db, actor)
    held = SubmissionRow.outcome == RowOutcome.QUARANTINED.value
    partners = [
        Option(str(pid), name, count)
        for pid, name, count in db.execute(
            select(Partner.id, Partner.name, func.count(SubmissionRow.id))
            .join(SubmissionRow, SubmissionRow.partner_id == Partner.id)
            .where(held)
            .group_by(Partner.id, Partner.name)
            .order_by(Partner.name)
        )
    ]
    counts = dict(
        db.execute(
            select(RowIssue.code, func.count(func.distinct(RowIssue.row_id)))
            .join(SubmissionRow, SubmissionRow.id == RowIssue.row_id)
            .where(held)
            .group_by(RowIssue.code)
        ).all()
    )
    codes = [
        Option(code.value, policy.CODE_TITLES[code], counts[code.value])
        for code in HOLD_CODES
        if counts.get(code.value)
    ]
    return partners, codes


# --- one row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueView:
    field: str | None
    field_label: str | None
    code: str
    title: str
    message: str


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    type: str
    value: str | None  # as the partner sent it
    issues: list[IssueView]
    opinion: bool  # the partner's professional view, not a fact
    compared: bool  # the recorded person has a value to set beside it
    recorded: str | None
    differs: bool  # both have a value, and they are not the same
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseView:
    case_id: int
    case_number: str
    status: str
    role: str | None  # the candidate's role in it, if a party


@dataclass(frozen=True)
class CandidateView:
    person_id: int
    name: str
    date_of_birth: date | None
    identifiers: list[tuple[str, str]]  # (scheme, value)
    addresses: list[str]
    cases: list[CaseView]


@dataclass(frozen=True)
class SourceView:
    partner_id: int
    partner_name: str
    partner_kind: str
    agreement_reference: str | None
    agreement_title: str | None
    submission_id: int
    submitted_at: datetime
    dataset: str
    dataset_title: str
    dataset_version: int
    row_number: int


@dataclass(frozen=True)
class DecisionView:
    decision: str
    decided_at: datetime | None
    decided_by: str | None


@dataclass(frozen=True)
class HeldRow:
    row_id: int
    outcome: str
    source: SourceView
    fields: list[FieldView]
    row_issues: list[IssueView]  # issues about the row as a whole
    issues: list[IssueView]  # every issue, fields first, in the row's order
    case: CaseView | None
    candidate: CandidateView | None
    # The officer must say whether the row is the candidate: a person conflict or a
    # possible match. Otherwise a candidate is the exact match and is linked.
    ask_same_person: bool
    decided: DecisionView | None

    @property
    def open(self) -> bool:
        return self.outcome == RowOutcome.QUARANTINED.value

    @property
    def differences(self) -> list[str]:
        return [f.name for f in self.fields if f.differs]


def get_row(db: Session, row_id: int) -> tuple[SubmissionRow, Submission, Partner]:
    """A row that is or was held: one the pipeline recorded or rejected itself is the
    submission's feedback, not this review's."""
    row = db.get(SubmissionRow, row_id)
    if row is None or (row.outcome != RowOutcome.QUARANTINED.value and row.decision is None):
        raise NotFound("There is no such held row.")
    submission = db.get(Submission, row.submission_id)
    partner = db.get(Partner, row.partner_id)
    assert submission is not None and partner is not None
    return row, submission, partner


def dataset_of(submission: Submission) -> Dataset:
    return datasets.get(submission.dataset, submission.dataset_version)


def issues_of(db: Session, row: SubmissionRow, dataset: Dataset) -> list[IssueView]:
    found = []
    for field, code in db.execute(
        select(RowIssue.field, RowIssue.code).where(RowIssue.row_id == row.id).order_by(RowIssue.id)
    ):
        label = _label(dataset, field) if field else None
        try:
            known = Code(code)
            title, message = policy.CODE_TITLES[known], policy.MESSAGES[known]
        except ValueError:
            title, message = code, ""
        found.append(IssueView(field, label, code, title, message))
    return found


def _label(dataset: Dataset, name: str) -> str:
    try:
        return dataset.field(name).label
    except KeyError:
        return name.replace("_", " ").capitalize()


def held_row(db: Session, kek: KeyEncryptionKeys, actor: Actor, row_id: int) -> HeldRow:
    """One held row for decision: its values opened (recorded as a read), its issues, its
    source, and the recorded person it may be, with the differences marked."""
    require_reviewer(db, actor)
    row, submission, partner = get_row(db, row_id)
    dataset = dataset_of(submission)
    values = open_values(db, kek, row)
    issues = issues_of(db, row, dataset)
    candidate, person = _candidate(db, actor, row)
    case = _case_view(db, row.case_id, candidate)
    recorded = _recorded_values(person, case) if person is not None else {}
    fields = [_field_view(f, values.get(f.name), issues, recorded) for f in dataset.fields]
    codes = {i.code for i in issues}
    audit.record(
        db,
        actor,
        IntakeEvent.ROW_READ,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"submission_id": submission.id, "partner_id": partner.id},
    )
    return HeldRow(
        row_id=row.id,
        outcome=row.outcome,
        source=source_of(db, submission, partner, row),
        fields=fields,
        row_issues=[i for i in issues if i.field is None],
        issues=sorted(issues, key=lambda i: i.field is None),
        case=case,
        candidate=candidate,
        ask_same_person=candidate is not None and bool(codes & PERSON_CODES),
        decided=_decision_view(db, row),
    )


def source_of(
    db: Session, submission: Submission, partner: Partner, row: SubmissionRow
) -> SourceView:
    agreement = db.get(Agreement, submission.agreement_id) if submission.agreement_id else None
    return SourceView(
        partner_id=partner.id,
        partner_name=partner.name,
        partner_kind=partner.kind,
        agreement_reference=agreement.reference if agreement else None,
        agreement_title=agreement.title if agreement else None,
        submission_id=submission.id,
        submitted_at=submission.submitted_at,
        dataset=submission.dataset,
        dataset_title=_title(submission.dataset, submission.dataset_version),
        dataset_version=submission.dataset_version,
        row_number=row.row_number,
    )


def _decision_view(db: Session, row: SubmissionRow) -> DecisionView | None:
    if row.decision is None:
        return None
    by = None
    if row.decided_by_user_id is not None:
        by = auth.usernames(db, [row.decided_by_user_id]).get(row.decided_by_user_id)
    return DecisionView(row.decision, row.decided_at, by)


def _candidate(
    db: Session, actor: Actor, row: SubmissionRow
) -> tuple[CandidateView | None, Person | None]:
    if row.person_id is None:
        return None, None
    # Through records: its need-to-know check and its "person read" event.
    person, cases = records.view_person(db, actor, row.person_id)
    identifiers = sorted((str(i.scheme), i.value) for i in person.identifiers)
    addresses = [
        ", ".join(p for p in (a.line1, a.line2, a.town, a.postcode) if p)
        for a in _addresses_newest_first(person)
    ]
    view = CandidateView(
        person_id=person.id,
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        identifiers=identifiers,
        addresses=addresses,
        cases=[
            CaseView(case.id, case.case_number, str(case.status), str(role)) for case, role in cases
        ],
    )
    return view, person


def _addresses_newest_first(person: Person) -> list[Address]:
    # Current (no end date) first, then by start date, newest first.
    return sorted(
        person.addresses,
        key=lambda a: (a.to_date is not None, -(a.from_date.toordinal() if a.from_date else 0)),
    )


def _recorded_values(person: Person, case: CaseView | None) -> Values:
    """The candidate's details under the data set's field names, to set beside the row
    (their role when they are already a party to the row's case)."""
    ids = {IdentifierScheme(i.scheme): i.value for i in person.identifiers}
    current = next(iter(_addresses_newest_first(person)), None)
    contacts: dict[str, str] = {}
    for contact in person.contacts:
        contacts.setdefault(contact.kind, contact.value)
    found: Values = {
        "first_name": person.first_name,
        "middle_names": person.middle_names,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "nhs_number": ids.get(IdentifierScheme.NHS),
        "ni_number": ids.get(IdentifierScheme.NINO),
        "address_line": current.line1 if current else None,
        "town": current.town if current else None,
        "postcode": current.postcode if current else None,
        "phone": contacts.get("phone"),
        "email": contacts.get("email"),
    }
    if case is not None and case.role is not None:
        found["role"] = case.role
    return found


def _field_view(
    field: Field, value: str | None, issues: list[IssueView], recorded: Values
) -> FieldView:
    compared = field.name in recorded
    theirs = recorded.get(field.name)
    differs = (
        compared
        and not blank(value)
        and not blank(theirs)
        and normalised(field.type, value) != normalised(field.type, theirs)
    )
    return FieldView(
        name=field.name,
        label=field.label,
        type=field.type.value,
        value=value,
        issues=[i for i in issues if i.field == field.name],
        opinion=field.opinion,
        compared=compared,
        recorded=theirs,
        differs=differs,
        required=field.required,
        choices=field.choices,
    )


def _case_view(
    db: Session, case_id: int | None, candidate: CandidateView | None
) -> CaseView | None:
    if case_id is None:
        return None
    case = db.get(Case, case_id)
    if case is None:
        return None
    role = None
    if candidate is not None:
        role = next((c.role for c in candidate.cases if c.case_id == case_id), None)
    return CaseView(case.id, case.case_number, str(case.status), role)
