"""Demo hook of the retention domain: the default schedule approved, a few old closed cases
past their date (one of them under a litigation hold, one parent under a complaint hold),
and a disposal list proposed five weeks ago that nobody has reviewed, so the DPO's report
shows an overdue review. Every name is synthetic.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Case, CaseType, Party, PartyRole
from steward.records.schemas import CaseCreate, PersonCreate
from steward.retention.service import dates, disposal, holds, schedules

# (case number, type, opened, closed, children's births, parent's first name)
OLD_CASES = (
    (
        "RT96P00011",
        CaseType.PRIVATE_LAW,
        date(1997, 3, 4),
        date(1998, 1, 20),
        (date(1994, 5, 2),),
        "Marion",
    ),
    (
        "RT97P00023",
        CaseType.PRIVATE_LAW,
        date(1998, 6, 1),
        date(1999, 2, 8),
        (date(1996, 2, 29), date(1993, 8, 9)),
        "Derek",
    ),
    (
        "RT98C00031",
        CaseType.PUBLIC_LAW,
        date(1999, 1, 11),
        date(2000, 7, 3),
        (date(1997, 11, 30),),
        "Shona",
    ),
    (
        "RT99C00047",
        CaseType.PUBLIC_LAW,
        date(2000, 9, 18),
        date(2001, 5, 22),
        (date(1999, 1, 15),),
        "Graham",
    ),
    (
        "RT99P00052",
        CaseType.PRIVATE_LAW,
        date(2000, 10, 2),
        date(2001, 12, 14),
        (date(1998, 4, 21), None),
        "Lorraine",
    ),
)
SURNAMES = ("Ashdown", "Brackley", "Carew", "Dunmore", "Ellery")


def prepare(factory: sessionmaker[Session], kek: KeyEncryptionKeys, actor: Actor) -> None:
    """Idempotent: does nothing once the demo's old cases exist."""
    with session_scope(factory) as db:
        if db.scalar(select(Case.id).where(Case.case_number == OLD_CASES[0][0])) is not None:
            return
        schedules.ensure_default(db, actor)
        for (number, kind, opened, closed, births, parent), surname in zip(
            OLD_CASES, SURNAMES, strict=True
        ):
            _old_case(db, kek, actor, number, kind, opened, closed, births, parent, surname)
        dates.sweep(db, actor)
        held = db.scalar(select(Case.case_number).where(Case.case_number == OLD_CASES[2][0]))
        holds.place_hold(
            db,
            actor,
            kind="litigation",
            scope="case",
            targets=[held or ""],
            reason="Claim issued against the service about this case; keep everything.",
            reference="CLAIM-2026-014",
        )
        parent = db.scalar(
            select(Party.person_id)
            .join(Case, Case.id == Party.case_id)
            .where(Case.case_number == OLD_CASES[3][0], Party.role == PartyRole.PARENT)
        )
        holds.place_hold(
            db,
            actor,
            kind="complaint",
            scope="person",
            targets=[parent or 0],
            reason="Complaint by this parent under investigation.",
            reference="COMP-0192",
        )
    # Proposed five weeks ago and never reviewed: the report shows it as overdue.
    five_weeks_ago = clock.frozen(datetime.now(UTC) - timedelta(days=35))
    with five_weeks_ago, session_scope(factory) as db, contextlib.suppress(Conflict):
        disposal.propose(db, actor, as_of=clock.today())


def _old_case(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    number: str,
    kind: CaseType,
    opened: date,
    closed: date,
    births: tuple[date | None, ...],
    parent: str,
    surname: str,
) -> None:
    case = records.create_case(
        db,
        kek,
        actor,
        CaseCreate(
            case_number=number,
            case_type=kind,
            opened_on=opened,
            closed_on=closed,
            court="Family Court at Leeds",
        ),
    )
    people = [(f"Child{i + 1}", born, PartyRole.CHILD_SUBJECT) for i, born in enumerate(births)]
    people.append((parent, date(1968, 7, 1), PartyRole.PARENT))
    for first, born, role in people:
        person = records.create_person(
            db, actor, PersonCreate(first_name=first, last_name=surname, date_of_birth=born)
        )
        records.add_party(db, actor, case_id=case.id, person_id=person.id, role=role)
