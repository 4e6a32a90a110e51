"""Who has looked at this child's record: every read and change of a case (and its
documents) or of a person (and the cases they are a party to), from the audit trail, with
who, when, what and under which access.

The events come from ``audit_events`` by subject, newest first, through the index on
(subject_type, subject_id, seq); only the page shown is worked out in words. Reading a
history is itself recorded, against the case or person read about."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from steward.assurance.oversight import policy
from steward.assurance.oversight.events import OversightEvent
from steward.assurance.oversight.policy import AccessKind
from steward.core import audit, auth
from steward.core.audit import AuditEvent
from steward.core.errors import NotFound, ValidationFailed
from steward.core.event_labels import event_label
from steward.core.paging import COUNT_CAP, Page, PageRequest, paginate
from steward.core.permissions import ROLE_PERMISSIONS, Actor, Permission, Role
from steward.records import service as records
from steward.records.events import RecordsEvent
from steward.records.models import BreakGlass, Case, CaseAssignment, Document, Party, Person

# Reads of case content; every other event about the record is a change (or oversight).
READ_TAGS = frozenset(
    {
        RecordsEvent.CASE_VIEWED.value,
        RecordsEvent.PERSON_VIEWED.value,
        RecordsEvent.DOCUMENT_VIEWED.value,
        RecordsEvent.DOCUMENT_DOWNLOADED.value,
        RecordsEvent.PERSON_CORRECTIONS_READ.value,
        RecordsEvent.CASE_BREAK_GLASS.value,
    }
)
EXPORT_MAX = 100_000


@dataclass(frozen=True)
class Subject:
    """Whose record: a case (by its number) or a person (by their record number)."""

    kind: str  # "case" or "person"
    id: int
    label: str  # "Case CW-2024-0001" or "Person record 42"
    case_ids: tuple[int, ...]
    document_ids: tuple[int, ...]


@dataclass(frozen=True)
class HistoryLine:
    seq: int
    occurred_at: datetime
    who: str
    what: str
    tag: str
    about: str
    kind: str  # "Read", "Change" or "Oversight"
    access: AccessKind


def find_subject(
    db: Session,
    actor: Actor,
    *,
    case_number: str = "",
    case_id: int | None = None,
    person_id: int | None = None,
) -> Subject:
    """The record asked for: one of a case number, a case id or a person record number."""
    actor.require(Permission.AUDIT_READ)
    case_number = case_number.strip()
    asked = [bool(case_number), case_id is not None, person_id is not None]
    if sum(asked) != 1:
        raise ValidationFailed(
            "Enter a case number or a person record number, not both.",
            errors={"case": "Enter a case number or a person record number"},
        )
    if case_number:
        try:
            case_id = records.case_id_for_number(db, case_number)
        except NotFound:
            raise ValidationFailed(
                "There is no case with that number.",
                errors={"case": "There is no case with that number"},
            ) from None
    if case_id is not None:
        case = db.get(Case, case_id)
        if case is None:
            raise NotFound("There is no such case.")
        return Subject(
            "case", case.id, f"Case {case.case_number}", (case.id,), _documents([case.id], db)
        )
    person = db.get(Person, person_id)
    if person is None:
        raise ValidationFailed(
            "There is no person record with that number.",
            errors={"person": "There is no person record with that number"},
        )
    case_ids = tuple(
        db.scalars(select(Party.case_id).where(Party.person_id == person.id).distinct())
    )
    return Subject(
        "person", person.id, f"Person record {person.id}", case_ids, _documents(case_ids, db)
    )


def _documents(case_ids: Sequence[int], db: Session) -> tuple[int, ...]:
    if not case_ids:
        return ()
    return tuple(db.scalars(select(Document.id).where(Document.case_id.in_(case_ids))))


def _about(subject: Subject) -> ColumnElement[bool]:
    def of(kind: str, ids: Sequence[int]) -> ColumnElement[bool]:
        return and_(
            AuditEvent.subject_type == kind, AuditEvent.subject_id.in_([str(i) for i in ids])
        )

    clauses = [of(subject.kind, [subject.id])]
    if subject.kind == "person" and subject.case_ids:
        clauses.append(of("case", subject.case_ids))
    if subject.document_ids:
        clauses.append(of("document", subject.document_ids))
    return or_(*clauses)


def history(
    db: Session, actor: Actor, subject: Subject, page: PageRequest = PageRequest()
) -> Page[HistoryLine]:
    """One page of the record's history, newest first; the reading is recorded."""
    actor.require(Permission.AUDIT_READ)
    query = select(AuditEvent).where(_about(subject)).order_by(AuditEvent.seq.desc())
    found = paginate(db, query, page, cap=COUNT_CAP)
    lines = _Describer(db, subject, found.items).lines()
    audit.record(
        db,
        actor,
        OversightEvent.ACCESS_HISTORY_READ,
        subject_type=subject.kind,
        subject_id=subject.id,
        details={"count": len(lines), "total": found.total},
    )
    return found.map(lambda e: lines[e.seq])


def export(db: Session, actor: Actor, subject: Subject) -> Iterator[HistoryLine]:
    """The whole history (up to EXPORT_MAX events), newest first, recorded as an export."""
    actor.require(Permission.AUDIT_READ)
    audit.record(
        db,
        actor,
        OversightEvent.ACCESS_HISTORY_EXPORTED,
        subject_type=subject.kind,
        subject_id=subject.id,
    )
    below: int | None = None
    done = 0
    while done < EXPORT_MAX:
        query = select(AuditEvent).where(_about(subject))
        if below is not None:
            query = query.where(AuditEvent.seq < below)
        batch = list(db.scalars(query.order_by(AuditEvent.seq.desc()).limit(1000)))
        if not batch:
            return
        lines = _Describer(db, subject, batch).lines()
        for event in batch:
            yield lines[event.seq]
        done += len(batch)
        below = batch[-1].seq


class _Describer:
    """Words and access for one batch of events: the accounts, cases, assignments and
    break-glass windows it needs, each read once."""

    def __init__(self, db: Session, subject: Subject, events: Sequence[AuditEvent]) -> None:
        self.events = events
        self.subject = subject
        user_ids = {e.actor_id for e in events if e.actor_id is not None}
        users = db.execute(
            select(auth.User.id, auth.User.username, auth.User.role, auth.User.team).where(
                auth.User.id.in_(user_ids)
            )
        ).all()
        self.names = {u.id: u.username for u in users}
        self.roles = {u.id: u.role for u in users}
        self.teams = {u.id: u.team for u in users}
        cases = subject.case_ids
        rows = db.execute(select(Case.id, Case.case_number, Case.team).where(Case.id.in_(cases)))
        self.case_numbers: dict[int, str] = {}
        self.case_teams: dict[int, str | None] = {}
        for case_id, number, team in rows:
            self.case_numbers[case_id], self.case_teams[case_id] = number, team
        self.document_case: dict[int, int] = {
            doc_id: case_id
            for doc_id, case_id in db.execute(
                select(Document.id, Document.case_id).where(
                    Document.id.in_(_ids(events, "document"))
                )
            )
        }
        self.assigned: set[tuple[int, int]] = {
            (uid, cid)
            for uid, cid in db.execute(
                select(CaseAssignment.user_id, CaseAssignment.case_id).where(
                    CaseAssignment.case_id.in_(cases), CaseAssignment.user_id.in_(user_ids)
                )
            )
        }
        self.windows: dict[tuple[int, int], list[tuple[datetime, datetime]]] = defaultdict(list)
        for uid, cid, opened, expires in db.execute(
            select(
                BreakGlass.user_id, BreakGlass.case_id, BreakGlass.opened_at, BreakGlass.expires_at
            ).where(BreakGlass.case_id.in_(cases), BreakGlass.user_id.in_(user_ids))
        ):
            self.windows[(uid, cid)].append((opened, expires))

    def _cases_of(self, e: AuditEvent) -> tuple[int, ...]:
        number = int(e.subject_id) if e.subject_id and e.subject_id.isdigit() else None
        if e.subject_type == "case" and number is not None:
            return (number,)
        if e.subject_type == "document" and number in self.document_case:
            return (self.document_case[number],)
        return self.subject.case_ids  # the person: any case they are a party to

    def _about(self, e: AuditEvent) -> str:
        number = int(e.subject_id) if e.subject_id and e.subject_id.isdigit() else None
        if e.subject_type == "case" and number in self.case_numbers:
            return f"Case {self.case_numbers[number]}"
        if e.subject_type == "document" and number in self.document_case:
            case = self.case_numbers.get(self.document_case[number], "")
            return f"Document {number} of case {case}"
        if e.subject_type == "person":
            return f"Person record {e.subject_id}"
        return f"{e.subject_type} {e.subject_id}"

    def _access(self, e: AuditEvent, cases: tuple[int, ...]) -> AccessKind:
        uid = e.actor_id
        role = self.roles.get(uid) if uid is not None else None
        try:
            recorded = json.loads(e.details or "{}").get("access")
        except (ValueError, AttributeError):
            recorded = None
        return policy.access_kind(
            tag=e.tag,
            actor_kind=e.actor_kind,
            recorded=recorded if isinstance(recorded, str) else None,
            reads_all=role is not None
            and Permission.CASES_READ_ALL in ROLE_PERMISSIONS.get(Role(role), frozenset()),
            assigned=uid is not None and any((uid, c) in self.assigned for c in cases),
            same_team=uid is not None
            and bool(self.teams.get(uid))
            and any(self.case_teams.get(c) == self.teams.get(uid) for c in cases),
            break_glass_open=uid is not None
            and any(policy.within(e.occurred_at, self.windows.get((uid, c), [])) for c in cases),
        )

    def lines(self) -> dict[int, HistoryLine]:
        out: dict[int, HistoryLine] = {}
        for e in self.events:
            access = self._access(e, self._cases_of(e))
            if access is AccessKind.OVERSIGHT:
                kind = "Oversight"
            else:
                kind = "Read" if e.tag in READ_TAGS else "Change"
            if e.actor_id is not None:
                who = self.names.get(e.actor_id, "a removed account")
            else:
                who = "Steward itself (system)" if e.actor_kind == "system" else e.actor_kind
            out[e.seq] = HistoryLine(
                seq=e.seq,
                occurred_at=e.occurred_at,
                who=who,
                what=event_label(e.tag),
                tag=e.tag,
                about=self._about(e),
                kind=kind,
                access=access,
            )
        return out


def _ids(events: Sequence[AuditEvent], kind: str) -> set[int]:
    return {
        int(e.subject_id)
        for e in events
        if e.subject_type == kind and e.subject_id and e.subject_id.isdigit()
    }
