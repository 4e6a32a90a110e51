"""Names on a paper file of an electronic case are linked to that case's parties, so a
subject access request starting from a person record finds the paper file."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import PaperFile
from steward.archives.schemas import PaperSearch
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import Case, CaseType, PartyRole, Person
from steward.records.schemas import CaseCreate, OtherName, PersonCreate
from tests.archives import builders as b
from tests.factories.records import make_case
from tests.web.conftest import SignedIn

AVA_BORN, MOTHER_BORN = date(2011, 3, 2), date(1980, 6, 1)


def _party(db: Session, case: Case, first: str, last: str, born: date, **kw: object) -> Person:
    person = records.create_person(
        db,
        Actor.system(),
        PersonCreate(first_name=first, last_name=last, date_of_birth=born, **kw),  # type: ignore[arg-type]
    )
    records.add_party(
        db, Actor.system(), case_id=case.id, person_id=person.id, role=PartyRole.PARENT
    )
    return person


def test_names_agreeing_in_name_and_birth_date_are_linked(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    ava = _party(db, case, "Ava", "Zielinska", AVA_BORN)
    mother = _party(
        db, case, "Katherine", "Brown", MOTHER_BORN, other_names=[OtherName(last_name="Smith")]
    )
    paper = b.paper_file(
        db,
        b.box(db, b.location(db)),
        case_number=case.case_number,
        names=[
            ("Ava Zielinska", AVA_BORN),
            ("Kate Smith", MOTHER_BORN),  # a short form, under her previous surname
            ("Ava Zielinska", date(2011, 3, 3)),  # another birth date: someone else
            ("Zielinska", AVA_BORN),  # no forename: not certain enough
            ("Tom Zielinska", None),  # no birth date
        ],
    )
    links = {(n.name_as_written, n.date_of_birth): n.person_id for n in paper.names}
    assert links == {
        ("Ava Zielinska", AVA_BORN): ava.id,
        ("Kate Smith", MOTHER_BORN): mother.id,
        ("Ava Zielinska", date(2011, 3, 3)): None,
        ("Zielinska", AVA_BORN): None,
        ("Tom Zielinska", None): None,
    }

    hits = service.search_paper_files(db, actor=b.SYSTEM, query=PaperSearch(person_id=ava.id))
    assert [(h.paper_file_id, h.reasons) for h in hits] == [
        (paper.id, ["linked to the person's record"])
    ]
    assert [n.name_as_written for n in hits[0].matched_names] == ["Ava Zielinska"]


def test_a_file_of_no_electronic_case_links_nobody(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    _party(db, case, "Ava", "Zielinska", AVA_BORN)
    paper = b.paper_file(db, names=[("Ava Zielinska", AVA_BORN)], case_number="OLD/88/12")
    assert [n.person_id for n in paper.names] == [None]


def test_an_inventory_giving_the_case_number_later_links_the_names(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    ava = _party(db, case, "Ava", "Zielinska", AVA_BORN)
    header = "box_barcode,file_reference,case_number,names_on_file\n"
    first = header + "BXL1,PF-L1,,Ava Zielinska (2011-03-02)\n"
    service.import_inventory(db, Actor.system(), first.encode())
    later = header + f"BXL1,PF-L1,{case.case_number},\n"
    service.import_inventory(db, Actor.system(), later.encode())
    hits = service.search_paper_files(db, actor=b.SYSTEM, query=PaperSearch(person_id=ava.id))
    assert [h.file_reference for h in hits] == ["PF-L1"]


def test_linking_the_archive_catches_up_with_cases_created_since(
    db: Session, keyring: FileKeyring
) -> None:
    """A file indexed before its case was held electronically is linked by the catch-up run,
    which records one audit event with counts only."""
    paper = b.paper_file(db, names=[("Ava Zielinska", AVA_BORN)], case_number="ZZ-LATER-1")
    assert paper.case_id is None
    case = records.create_case(
        db,
        keyring,
        Actor.system(),
        CaseCreate(
            case_number="ZZ-LATER-1", case_type=CaseType.PRIVATE_LAW, opened_on=date(2015, 1, 1)
        ),
    )
    ava = _party(db, case, "Ava", "Zielinska", AVA_BORN)
    report = service.link_archive(db, b.SYSTEM)
    assert (report.files_given_a_case, report.names_linked) == (1, 1)
    db.expire_all()
    assert db.get(PaperFile, paper.id).case_id == case.id  # type: ignore[union-attr]
    hits = service.search_paper_files(db, actor=b.SYSTEM, query=PaperSearch(person_id=ava.id))
    assert [h.paper_file_id for h in hits] == [paper.id]
    event = b.events(db, "archives:names:linked")[-1]
    assert json.loads(event.details) == {"files_given_a_case": 1, "names": 1}
    again = service.link_archive(db, b.SYSTEM)
    assert (again.files_given_a_case, again.names_linked) == (0, 0)


def test_the_file_page_says_which_names_are_linked(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    ava = _party(db, case, "Ava", "Zielinska", AVA_BORN)
    paper = b.paper_file(
        db,
        case_number=case.case_number,
        names=[("Ava Zielinska", AVA_BORN), ("Tom Zielinska", None)],
    )
    db.commit()
    officer, _ = signed_in(Role.IG_OFFICER)
    names = officer.get(f"/archives/files/{paper.id}").text
    assert f'href="/people/{ava.id}"' in names and "Not linked" in names
