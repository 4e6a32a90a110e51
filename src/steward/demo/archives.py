"""Demo hook of the archives domain: a small paper archive beside the electronic cases.

Shelves at head office and at an off-site storage contractor; boxes (some moved off site,
so their history shows); paper files for some closed demo cases, named with those cases'
parties; and files of old cases held only on paper, with people who appear nowhere else
(one of them under a maiden name), so a person search has something to find that the case
records cannot. One file is out on loan and one is overdue. Every name is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import ArchiveBox, LocationKind, RetrievalPurpose
from steward.archives.schemas import LocationCreate, NameOnFile, PaperFileCreate, RetrievalRequest
from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.records.models import Case, CaseAssignment, CaseStatus, Party, Person

CASES_ON_PAPER = 24
# Open cases that also have a paper bundle (papers sent by the court before the case went
# digital), so a caseworker can ask for their own case's file from its page.
OPEN_CASES_ON_PAPER = 6
FILES_PER_BOX = 6


@dataclass(frozen=True)
class PaperOnly:
    """A case closed before the electronic system, known only from its paper file."""

    case_number: str
    record_class: str
    date_from: date
    date_to: date
    names: tuple[tuple[str, date | None, str | None], ...]


PAPER_ONLY: tuple[PaperOnly, ...] = (
    PaperOnly(
        "LS94P00417",
        "CASE.PRIVATE",
        date(1994, 2, 7),
        date(1995, 9, 28),
        (
            ("Rebecca Ashdown", date(1986, 11, 4), "child_subject"),
            ("Tom Ashdown", date(1988, 4, 19), "child_subject"),
            ("Sarah Ashdown née Pellow", date(1962, 6, 30), "parent"),
            ("Graham Ashdown", date(1960, 1, 12), "parent"),
        ),
    ),
    PaperOnly(
        "BD97C00088",
        "CASE.PUBLIC",
        date(1997, 5, 12),
        date(1999, 3, 3),
        (
            ("Kayleigh Brennan", date(1992, 8, 9), "child_subject"),
            ("Michelle Brennan", date(1974, 3, 21), "parent"),
        ),
    ),
    PaperOnly(
        "SF01A00012",
        "CASE.ADOPTION",
        date(2001, 1, 15),
        date(2002, 7, 1),
        (("Baby Okafor", date(2000, 12, 2), "child_subject"), ("Grace Okafor", None, "parent")),
    ),
    PaperOnly(
        "LS03P01290",
        "CASE.PRIVATE",
        date(2003, 10, 1),
        date(2004, 12, 17),
        (
            ("Bob Kowalczyk", date(1996, 2, 5), "child_subject"),
            ("Anna Kowalczyk", date(1971, 9, 14), "parent"),
        ),
    ),
)


def prepare(factory: sessionmaker[Session], actor: Actor, kek: KeyEncryptionKeys) -> int:
    """Seed the paper archive once; returns how many paper files were added (0 if it exists)."""
    with session_scope(factory) as db:
        if db.scalar(select(ArchiveBox.id).limit(1)) is not None:
            return 0
        return _seed(db, actor, kek)


def _seed(db: Session, actor: Actor, kek: KeyEncryptionKeys) -> int:
    shelves = [
        archives.create_location(
            db,
            actor,
            LocationCreate(
                kind=LocationKind.ON_SITE, site="Head office", room="Basement", bay="A", shelf=s
            ),
        )
        for s in ("1", "2")
    ]
    store = archives.create_location(
        db,
        actor,
        LocationCreate(
            kind=LocationKind.OFF_SITE, contractor="Iron Vault Storage", contractor_ref="WH2-R14"
        ),
    )
    archived = _files_for(db, _closed_cases(db)) + [_paper_only(p) for p in PAPER_ONLY]
    files = archived + _files_for(db, _open_assigned_cases(db))
    boxes: list[ArchiveBox] = []
    added = []
    for i, data in enumerate(files):
        if i % FILES_PER_BOX == 0:
            n = len(boxes)
            box = archives.create_box(
                db, actor, barcode=f"CAF{n + 1:06d}", location_id=shelves[n % 2].id
            )
            if n % 3 != 0:  # most boxes went to the contractor; their history shows the move
                archives.move_box(
                    db, actor, box_id=box.id, location_id=store.id, contractor_ref=f"IV-{8800 + n}"
                )
            boxes.append(box)
        added.append(archives.add_file(db, actor, data.model_copy(update={"box_id": boxes[-1].id})))
    _loans(db, actor, kek, [f.id for f in added[: len(archived)]])
    return len(added)


def _closed_cases(db: Session) -> list[Case]:
    return list(
        db.scalars(
            select(Case)
            .where(Case.status == CaseStatus.CLOSED)
            .order_by(Case.closed_on, Case.id)
            .limit(CASES_ON_PAPER)
        )
    )


def _open_assigned_cases(db: Session) -> list[Case]:
    assigned = select(CaseAssignment.case_id)
    return list(
        db.scalars(
            select(Case)
            .where(Case.status == CaseStatus.OPEN, Case.id.in_(assigned))
            .order_by(Case.opened_on, Case.id)
            .limit(OPEN_CASES_ON_PAPER)
        )
    )


def _files_for(db: Session, cases: list[Case]) -> list[PaperFileCreate]:
    files = []
    for case in cases:
        parties = db.execute(
            select(Person, Party.role)
            .join(Party, Party.person_id == Person.id)
            .where(Party.case_id == case.id)
            .order_by(Party.id)
        ).all()
        names = [
            NameOnFile(
                name=person.full_name,
                date_of_birth=person.date_of_birth,
                role=role,
            )
            for person, role in parties
            if not person.is_professional
        ]
        files.append(
            PaperFileCreate(
                file_reference=f"PF-{case.case_number}",
                case_number=case.case_number,
                date_from=case.opened_on,
                date_to=case.closed_on,
                names=names[:20],
            )
        )
    return files


def _paper_only(plan: PaperOnly) -> PaperFileCreate:
    return PaperFileCreate(
        file_reference=f"PF-{plan.case_number}",
        case_number=plan.case_number,
        record_class=plan.record_class,
        date_from=plan.date_from,
        date_to=plan.date_to,
        names=[NameOnFile(name=n, date_of_birth=d, role=r) for n, d, r in plan.names],
    )


def _loans(db: Session, actor: Actor, kek: KeyEncryptionKeys, file_ids: list[int]) -> None:
    """One file out now, one overdue, one asked for and waiting."""
    if len(file_ids) < 3:
        return
    out, late, waiting = file_ids[0], file_ids[-1], file_ids[1]
    for file_id, purpose in (
        (out, RetrievalPurpose.COURT),
        (late, RetrievalPurpose.SUBJECT_ACCESS),
    ):
        loan = archives.request_retrieval(
            db, actor, kek, RetrievalRequest(paper_file_id=file_id, purpose=purpose)
        )
        archives.hand_out(db, actor, loan.id)
        if file_id == late:
            # Handed out six weeks ago on a four-week loan: the demo's overdue file.
            loan.out_at = clock.now() - timedelta(days=42)
            loan.due_back_on = clock.today() - timedelta(days=14)
    archives.request_retrieval(
        db, actor, kek, RetrievalRequest(paper_file_id=waiting, purpose=RetrievalPurpose.CASE_WORK)
    )
    db.flush()
