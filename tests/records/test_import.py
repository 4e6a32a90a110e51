"""Legacy import (records.service.importer) on the real database: whole cases or nothing,
re-runs that duplicate nothing, persons matched by legacy ref, and reports that never quote
the data."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    Document,
    DocumentContent,
    DocumentSubject,
    Identifier,
    IdentifierScheme,
    Party,
    Person,
)
from steward.records.schemas import PersonCreate
from steward.records.service import importer
from tests.factories.core import make_user
from tests.records import samples
from tests.records.samples import docm

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.jsonl"
PDF_BYTES = b"%PDF-1.4\n%fake but sniffed as a PDF\n"


def _case(number: str = "IM24P00001", **extra: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "case_number": number,
        "case_type": "private_law",
        "court": "Family Court at Leeds",
        "opened_on": "2024-01-10",
        "persons": [
            {
                "ref": f"{number}-C",
                "first_name": "Ava",
                "last_name": "Zielinska",
                "date_of_birth": "2016-05-01",
            },
            {
                "ref": f"{number}-M",
                "first_name": "Eva",
                "last_name": "Zielinska",
                "identifiers": [],
            },
        ],
        "parties": [
            {"person_ref": f"{number}-C", "role": "child_subject"},
            {"person_ref": f"{number}-M", "role": "parent"},
        ],
        "documents": [
            {
                "title": "Case note",
                "kind": "case_note",
                "created_on": "2024-02-01",
                "about": [f"{number}-C"],
                "text": "Home visit: the child was well.",
            }
        ],
    }
    case.update(extra)
    return case


def _lines(*cases: dict[str, Any] | str) -> list[str]:
    return [c if isinstance(c, str) else json.dumps(c) for c in cases]


def _import(
    db: Session, keyring: FileKeyring, *lines: dict[str, Any] | str | bytes, **kwargs: Any
) -> importer.ImportReport:
    raw = [line if isinstance(line, bytes) else _lines(line)[0] for line in lines]
    return service.import_cases(db, keyring, Actor.system(), raw, **kwargs)


def _count(db: Session, model: Any, *where: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _case_row(db: Session, number: str) -> Case | None:
    return db.scalar(select(Case).where(Case.case_number == number))


def _reasons(report: importer.ImportReport) -> dict[int, str]:
    return {f.line: f.reason for f in report.failures}


# --- what lands ---------------------------------------------------------------------------


def test_valid_cases_are_imported_with_their_parties_documents_and_events(
    db: Session, keyring: FileKeyring
) -> None:
    first = _case("IM24P00001", closed_on="2024-06-30", team="north")
    first["documents"].append(
        {
            "title": "Letter",
            "kind": "correspondence",
            "created_on": "2024-03-01",
            "provenance": "partner",
            "about": ["IM24P00001-C", "IM24P00001-M"],
            "filename": "../../etc/letter.pdf",
            "content_base64": base64.encodebytes(PDF_BYTES).decode(),  # with line breaks
        }
    )
    report = _import(db, keyring, first, _case("IM24C00002", case_type="public_law"))
    assert report.ok and (report.imported, report.skipped, report.failed) == (2, 0, 0)
    assert (report.persons_created, report.persons_matched) == (4, 0)
    assert (report.parties_added, report.documents_added) == (4, 3)

    case = _case_row(db, "IM24P00001")
    assert case is not None and case.status == CaseStatus.CLOSED and case.team == "north"
    detail, _ = service.view_case(db, Actor.system(), case.id)
    assert sorted((str(p.role), p.person.first_name) for p in detail.parties) == [
        ("child_subject", "Ava"),
        ("parent", "Eva"),
    ]
    note, letter = sorted(detail.documents, key=lambda d: d.title)
    assert (letter.media_type, letter.filename, letter.size_bytes) == (
        "application/pdf",
        "letter.pdf",
        len(PDF_BYTES),
    )
    assert _count(db, DocumentSubject, DocumentSubject.document_id == letter.id) == 2
    # Sealed under the case's key, not stored as given, and still readable through the service.
    body = db.get(DocumentContent, note.id)
    assert body is not None and b"Home visit" not in body.body
    assert service.download_document(db, keyring, Actor.system(), note.id).data == (
        b"Home visit: the child was well."
    )
    samples.extract_pending(db, keyring)
    assert {h.ref_id for h in service.search(db, Actor.system(), "home visit")} >= {note.id}

    imported = db.scalars(
        select(AuditEvent).where(
            AuditEvent.tag == "records:case:imported", AuditEvent.subject_id == str(case.id)
        )
    ).one()
    assert json.loads(imported.details) == {
        "line": 1,
        "persons_created": 2,
        "persons_matched": 0,
        "parties": 2,
        "documents": 2,
    }
    legacy = db.scalars(
        select(Identifier.value).where(Identifier.scheme == IdentifierScheme.LEGACY)
    ).all()
    assert {"IM24P00001-C", "IM24P00001-M"} <= set(legacy)


def test_the_example_file_imports_cleanly(db: Session, keyring: FileKeyring) -> None:
    with EXAMPLE.open("rb") as stream:
        report = service.import_cases(db, keyring, Actor.system(), service.read_lines(stream))
    assert report.ok, report.failures
    assert (report.imported, report.persons_created, report.persons_matched) == (3, 7, 1)
    # The mother is in two cases and is one person.
    [mother_id] = db.scalars(
        select(Identifier.person_id).where(
            Identifier.scheme == IdentifierScheme.LEGACY, Identifier.value == "P1002"
        )
    ).all()
    _, cases = service.view_person(db, Actor.system(), mother_id)
    assert sorted(c.case_number for c, _ in cases) == ["EX24P00001", "EX25P00003"]
    # Its PDF's text was extracted and indexed.
    samples.extract_pending(db, keyring)
    hits = service.search(db, Actor.system(), "Oakfield attendance")
    assert [h.kind for h in hits] == ["document"]
    assert db.get(Document, hits[0].ref_id).media_type == "application/pdf"  # type: ignore[union-attr]


def test_staff_named_in_the_line_are_assigned(db: Session, keyring: FileKeyring) -> None:
    worker = make_user(db, Role.CASEWORKER)
    report = _import(db, keyring, _case(assigned_usernames=[worker.username, worker.username]))
    assert report.ok
    case = _case_row(db, "IM24P00001")
    assert case is not None
    assert _count(db, CaseAssignment, CaseAssignment.case_id == case.id) == 1
    assert [c.id for c in service.my_cases(db, worker.actor).items] == [case.id]


# --- what fails, and leaves nothing -------------------------------------------------------


def test_an_invalid_line_is_reported_by_number_and_imports_nothing_of_its_case(
    db: Session, keyring: FileKeyring
) -> None:
    # Fails late, in the database, after the case and its first person were written: the
    # second person's NHS number is already someone else's.
    holder = service.create_person(
        db,
        Actor.system(),
        PersonCreate(
            first_name="Held",
            last_name="Already",
            identifiers=[{"scheme": "nhs", "value": "9434765919"}],  # type: ignore[list-item]
        ),
    )
    bad = _case("IM24P00002")
    bad["persons"][1]["identifiers"] = [{"scheme": "nhs", "value": "9434765919"}]
    persons_before, events_before = _count(db, Person), _count(db, AuditEvent)

    report = _import(db, keyring, _case("IM24P00001"), "", bad, _case("IM24P00003"))
    assert (report.imported, report.failed, report.lines) == (2, 1, 3)
    assert _reasons(report) == {
        3: "persons[1]: A person with that NHS identifier already exists.",
    }
    assert _case_row(db, "IM24P00002") is None
    assert _count(db, Person) == persons_before + 4  # two per good case, none of the bad one's
    assert not db.scalars(select(Identifier).where(Identifier.value.like("IM24P00002%"))).all()
    # 2 good cases x (case, 2 persons, 2 parties, 1 document, imported) = 14 events, no more.
    assert _count(db, AuditEvent) == events_before + 14
    assert holder.id is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["persons"].append(dict(c["persons"][0])), "persons[2].ref: the same ref"),
        (
            lambda c: c["parties"].append({"person_ref": "NOBODY", "role": "relative"}),
            "parties[2].person_ref: no person in this line's",
        ),
        (lambda c: c["parties"].pop(), "persons[1]: is not a party to the case"),
        (
            lambda c: c["documents"][0]["about"].append("NOBODY"),
            "documents[0].about[1]: names no party of this case",
        ),
        (
            lambda c: c["persons"][0].update(identifiers=[{"scheme": "legacy", "value": "X1"}]),
            'persons[0]: the legacy identifier is taken from "ref"',
        ),
        (
            lambda c: [
                p.update(identifiers=[{"scheme": "nhs", "value": "9434765919"}])
                for p in c["persons"]
            ],
            "persons[1].identifiers[0]: the same identifier is already given to persons[0]",
        ),
        (
            lambda c: c["documents"][0].update(content_base64="aGk="),
            'documents[0]: give the document\'s body as exactly one of "text" or "content_base64"',
        ),
        (
            lambda c: c["documents"][0].pop("text"),
            'documents[0]: give the document\'s body as exactly one of "text" or "content_base64"',
        ),
        (
            lambda c: c["documents"][0].update(text=None, content_base64="not base64!"),
            "documents[0].content_base64: is not valid base64",
        ),
        (
            lambda c: c["documents"][0].update(
                text=None, content_base64=base64.b64encode(b"MZ\x90\x00\x03binary").decode()
            ),
            "documents[0].content_base64: this type of file cannot be imported",
        ),
        (
            lambda c: c["documents"][0].update(
                text=None, content_base64=base64.b64encode(b"<html><script>x</script>").decode()
            ),
            "documents[0].content_base64: this type of file cannot be imported",
        ),
        (
            lambda c: c["documents"][0].update(
                text=None, content_base64=base64.b64encode(docm("Hi")).decode()
            ),
            "documents[0].content_base64: this type of file cannot be imported",
        ),
        (
            lambda c: c["documents"][0].update(text="<!DOCTYPE html><p>hello</p>"),
            "documents[0].text: is not plain text",
        ),
        (lambda c: c.update(case_type="divorce"), "case_type: Input should be 'private_law'"),
        (lambda c: c.update(opened_on="2024-13-01"), "opened_on: Input should be a valid date"),
        (
            lambda c: c.update(closed_on="2023-01-01"),
            "the case: the case is closed before it was opened",
        ),
        (lambda c: c.update(case_number="bad number!"), "case_number: String should match pattern"),
        (lambda c: c["persons"][0].pop("last_name"), "persons[0].last_name: Field required"),
        (
            lambda c: c["parties"][0].update(role="grandparent"),
            "parties[0].role: Input should be 'child_subject'",
        ),
        (lambda c: c.update(record_class="NOPE"), "record_class: there is no such class"),
        (
            lambda c: c["documents"][0].update(record_class="NOPE"),
            "documents[0].record_class: there is no such class",
        ),
        (lambda c: c.update(notes="x"), "notes: is not a field of the import format"),
        (
            lambda c: c["documents"][0].update(created_on="2999-01-01"),
            "documents[0].created_on: must be today or in the past",
        ),
        (lambda c: c.update(opened_on="2099-01-01"), "opened_on: must be today or in the past"),
        (
            lambda c: c.update(closed_on="2099-01-01"),
            "closed_on: must be today or in the past",
        ),
        (
            lambda c: c["persons"][0].update(date_of_birth="2999-01-01"),
            "persons[0].date_of_birth: must be today or in the past",
        ),
        (
            lambda c: c.update(assigned_usernames=["nobody-here"]),
            "assigned_usernames[0]: there is no active staff account with this username",
        ),
    ],
)
def test_broken_rules_fail_the_line_with_the_field_and_the_rule(
    db: Session, keyring: FileKeyring, change: Any, expected: str
) -> None:
    case = _case("IM24P00009")
    change(case)
    report = _import(db, keyring, case)
    assert (report.imported, report.failed) == (0, 1)
    assert expected in _reasons(report)[1]
    assert _case_row(db, "IM24P00009") is None


def test_a_deactivated_account_cannot_be_assigned(db: Session, keyring: FileKeyring) -> None:
    leaver = make_user(db, Role.CASEWORKER)
    auth.deactivate_user(db, Actor.system(), user_id=leaver.id)
    report = _import(db, keyring, _case(assigned_usernames=[leaver.username]))
    assert "assigned_usernames[0]: there is no active staff account" in _reasons(report)[1]
    assert _case_row(db, "IM24P00001") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        (b'{"case_number": "A1"', "not valid JSON"),
        (b"[1, 2]", "each line must be one JSON object"),
        (b"null", "each line must be one JSON object"),
        (b'"a string"', "each line must be one JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON for this format: nested too deeply"),
        (b'{"case_number": "A1", "court": "Caf\xe9"}', "the line is not UTF-8 text"),
        (b'{"case_number": "A\\u0000B"}', "contains the NUL character"),
    ],
)
def test_lines_that_are_not_json_objects_are_reported(
    db: Session, keyring: FileKeyring, raw: bytes, expected: str
) -> None:
    report = _import(db, keyring, _case("IM24P00001"), raw, _case("IM24P00003"))
    assert (report.imported, report.failed) == (2, 1)
    assert expected in _reasons(report)[2]


def test_an_escaped_backslash_before_u0000_is_not_a_nul(db: Session, keyring: FileKeyring) -> None:
    case = _case()
    case["documents"][0]["text"] = "C:\\u0000\\folder"  # a backslash, then "u0000"
    report = _import(db, keyring, case)
    assert report.ok, report.failures


def test_an_overlong_line_is_refused_without_reading_it_whole(
    db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(importer, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "cases.jsonl"
    path.write_bytes(
        b"\n".join(
            [
                json.dumps(_case("IM24P00001")).encode(),
                b'{"case_number": "IM24P00002", "court": "' + b"x" * 5000 + b'"}',
                json.dumps(_case("IM24P00003")).encode(),
            ]
        )
    )
    with path.open("rb") as stream:
        lines = list(importer.read_lines(stream, max_line_bytes=1000))
        assert len(lines) == 3 and len(lines[1]) == 1001  # cut, the rest skipped
        report = service.import_cases(db, keyring, Actor.system(), lines)
    assert report.imported == 2
    assert "the line is longer than" in _reasons(report)[2]


# --- re-runs and shared persons -----------------------------------------------------------


def test_re_running_the_same_file_duplicates_nothing(db: Session, keyring: FileKeyring) -> None:
    lines = _lines(_case("IM24P00001"), "{broken", _case("IM24P00002"))
    first = service.import_cases(db, keyring, Actor.system(), lines)
    assert (first.imported, first.failed) == (2, 1)
    counts = {m.__name__: _count(db, m) for m in (Case, Person, Party, Document, Identifier)}
    events = _count(db, AuditEvent)

    again = service.import_cases(db, keyring, Actor.system(), lines)
    assert (again.imported, again.skipped, again.failed) == (0, 2, 1)
    assert again.skipped_lines == [1, 3]
    assert {m.__name__: _count(db, m) for m in (Case, Person, Party, Document, Identifier)} == (
        counts
    )
    assert _count(db, AuditEvent) == events


def test_a_case_number_is_matched_as_validation_normalises_it(
    db: Session, keyring: FileKeyring
) -> None:
    assert _import(db, keyring, _case("IM24P00001")).imported == 1
    report = _import(db, keyring, _case(" im24p00001 "))
    assert (report.imported, report.skipped) == (0, 1)


def test_the_same_case_twice_in_one_file_is_imported_once(
    db: Session, keyring: FileKeyring
) -> None:
    report = _import(db, keyring, _case("IM24P00001"), _case("IM24P00001"))
    assert (report.imported, report.skipped, report.skipped_lines) == (1, 1, [2])


def test_a_person_shared_across_lines_is_one_person_and_keeps_their_first_details(
    db: Session, keyring: FileKeyring
) -> None:
    first, second = _case("IM24P00001"), _case("IM24P00002")
    second["persons"][1] = copy.deepcopy(first["persons"][1])  # the mother, ref IM24P00001-M
    second["persons"][1]["first_name"] = "Evangeline"  # a later, different spelling
    second["parties"][1]["person_ref"] = "IM24P00001-M"
    second["documents"][0]["about"].append("IM24P00001-M")
    report = _import(db, keyring, first, second)
    assert report.ok, report.failures
    assert (report.persons_created, report.persons_matched) == (3, 1)
    [mother] = db.scalars(
        select(Person)
        .join(Identifier, Identifier.person_id == Person.id)
        .where(Identifier.scheme == IdentifierScheme.LEGACY, Identifier.value == "IM24P00001-M")
    ).all()
    assert mother.first_name == "Eva"
    _, cases = service.view_person(db, Actor.system(), mother.id)
    assert sorted(c.case_number for c, _ in cases) == ["IM24P00001", "IM24P00002"]


def test_a_failed_line_does_not_leave_its_new_persons_for_later_lines(
    db: Session, keyring: FileKeyring
) -> None:
    bad = _case("IM24P00001")
    bad["persons"][1]["identifiers"] = [{"scheme": "nhs", "value": "9434765919"}]
    clash = service.create_person(
        db,
        Actor.system(),
        PersonCreate(
            first_name="A",
            last_name="B",
            identifiers=[{"scheme": "nhs", "value": "9434765919"}],  # type: ignore[list-item]
        ),
    )
    good = _case("IM24P00002")
    good["persons"][0] = copy.deepcopy(bad["persons"][0])  # IM24P00001-C, created then undone
    good["parties"][0]["person_ref"] = good["documents"][0]["about"][0] = "IM24P00001-C"
    report = _import(db, keyring, bad, good)
    assert (report.imported, report.failed, report.persons_created) == (1, 1, 2)
    assert clash.id is not None


# --- dry runs and batches -----------------------------------------------------------------


def test_a_dry_run_checks_against_the_database_and_keeps_nothing(
    db: Session, keyring: FileKeyring
) -> None:
    events = _count(db, AuditEvent)
    report = _import(
        db,
        keyring,
        _case("IM24P00001"),
        _case("IM24P00001"),
        _case("IM24P00002", assigned_usernames=["nobody-here"]),
        dry_run=True,
    )
    assert report.dry_run and (report.imported, report.skipped, report.failed) == (1, 1, 1)
    assert _count(db, Case) == 0 and _count(db, Person) == 0
    assert _count(db, AuditEvent) == events


def test_the_caller_may_commit_between_batches(db: Session, keyring: FileKeyring) -> None:
    commits: list[int] = []

    def checkpoint() -> None:
        commits.append(_count(db, Case))
        db.commit()

    cases = [_case(f"IM24P0000{i}") for i in range(1, 6)]
    report = _import(db, keyring, *cases, checkpoint=checkpoint, batch_cases=2, batch_seconds=3600)
    assert report.imported == 5
    assert commits == [2, 4]  # only ever between whole cases


def test_only_staff_who_may_write_cases_can_import(db: Session, keyring: FileKeyring) -> None:
    auditor = make_user(db, Role.AUDITOR)
    with pytest.raises(Forbidden):
        service.import_cases(db, keyring, auditor.actor, _lines(_case()))


# --- hostile input ------------------------------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE persons;--",
    "{0.__class__.__mro__}",
    "%s%n%x",
    "\u202eevil\u202c",
    "\x1b[31mred\x1b[0m",
    "Zoë 😀 Ñandú",
]


def test_hostile_strings_are_stored_as_data_and_never_reach_audit_or_reports(
    db: Session, keyring: FileKeyring
) -> None:
    case = _case("IM24P00001", court=HOSTILE[1], local_authority=HOSTILE[0])
    case["persons"][0].update(first_name=HOSTILE[0][:100], last_name=HOSTILE[1])
    case["persons"][1].update(first_name=HOSTILE[2], last_name=HOSTILE[3], middle_names=HOSTILE[6])
    case["persons"][1]["other_names"] = [{"kind": "alias", "first_name": HOSTILE[6]}]
    case["documents"][0].update(title=HOSTILE[6], author_name=HOSTILE[0])
    # Markup is refused in any text upload (see the next test); the rest is kept as data.
    case["documents"][0]["text"] = "Notes: " + " ".join(HOSTILE[1:])

    # A failing line full of the same strings, including as keys and in too-long values.
    failing = _case("IM24P00002")
    failing["persons"][0].update(first_name=HOSTILE[0] * 50, last_name=HOSTILE[1])
    failing[HOSTILE[1]] = HOSTILE[0]
    failing["persons"][1][HOSTILE[6]] = 1
    failing["documents"][0]["kind"] = HOSTILE[2]
    failing["documents"][0]["title"] = HOSTILE[5]  # control characters: refused in a title
    failing["persons"][1]["middle_names"] = HOSTILE[4]  # a right-to-left override: refused

    report = _import(db, keyring, case, failing)
    assert (report.imported, report.failed) == (1, 1)
    reason = _reasons(report)[2]
    assert "persons[0].first_name: String should have at most 100 characters" in reason
    assert "(an unexpected field): is not a field of the import format" in reason
    assert "persons[1].(an unexpected field)" in reason
    assert "documents[0].title: must not contain control characters" in reason
    assert "persons[1].middle_names: must not contain control characters" in reason

    stored = db.scalars(
        select(Person).join(Identifier).where(Identifier.value.like("IM24P00001-%"))
    ).all()
    assert {(p.first_name, p.last_name) for p in stored} == {
        (HOSTILE[0][:100], HOSTILE[1]),
        (HOSTILE[2], HOSTILE[3]),
    }
    row = _case_row(db, "IM24P00001")
    assert row is not None and (row.court, row.local_authority) == (HOSTILE[1], HOSTILE[0])
    [document] = db.scalars(select(Document).where(Document.case_id == row.id)).all()
    assert document.title == HOSTILE[6]
    body = service.download_document(db, keyring, Actor.system(), document.id).data.decode()
    assert body.startswith("Notes: " + " ".join(HOSTILE[1:]))

    trail = " ".join(
        f"{e.tag} {e.subject_type} {e.subject_id} {e.details}"
        for e in db.scalars(select(AuditEvent))
    )
    shown = json.dumps(report.as_dict(), ensure_ascii=False)
    for hostile in [*HOSTILE, "Zielinska", "Home visit"]:
        for fragment in (hostile, hostile[:6]):
            assert fragment not in trail, fragment
            assert fragment not in shown, fragment


def test_markup_in_an_imported_documents_text_fails_its_line_saying_why(
    db: Session, keyring: FileKeyring
) -> None:
    case = _case("IM24P00001")
    case["documents"][0]["text"] = "Visit notes.\nThe mother said <img src=x onerror=alert(1)>"
    report = _import(db, keyring, case)
    assert (report.imported, report.failed) == (0, 1)
    reason = _reasons(report)[1]
    assert "markup" in reason and "onerror" not in reason
    assert _case_row(db, "IM24P00001") is None


def test_a_database_refusal_fails_only_its_case_and_quotes_nothing(
    db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer.persons.create_person

    def refused(session: Session, actor: Actor, data: PersonCreate) -> Person:
        if data.first_name == "Refused":
            # Aborts the transaction on PostgreSQL: the savepoint must bring it back.
            session.execute(text("SELECT * FROM no_such_table_with_secret_name"))
        return real(session, actor, data)

    monkeypatch.setattr(importer.persons, "create_person", refused)
    bad = _case("IM24P00002")
    bad["persons"][1]["first_name"] = "Refused"
    report = _import(db, keyring, _case("IM24P00001"), bad, _case("IM24P00003"))
    assert (report.imported, report.failed) == (2, 1)
    reason = _reasons(report)[2]
    assert reason.startswith("persons[1]: the database refused it (")
    assert "secret" not in reason and "Refused" not in reason
    assert _case_row(db, "IM24P00002") is None


def test_a_documents_text_is_kept_exactly_as_given(db: Session, keyring: FileKeyring) -> None:
    case = _case()
    case["documents"][0]["text"] = "  indented first line\n\fsecond page\n\n"
    assert _import(db, keyring, case).ok
    [document] = db.scalars(select(Document)).all()
    data = service.download_document(db, keyring, Actor.system(), document.id).data
    assert data == b"  indented first line\n\fsecond page\n\n"


def test_docs_describe_every_field_and_allowed_value() -> None:
    from steward.records import models
    from steward.records.schemas import AddressIn, ContactIn, IdentifierIn, OtherName

    guide = (EXAMPLE.parents[1] / "import.md").read_text(encoding="utf-8")
    fields = {
        name
        for model in (
            importer.ImportCase,
            importer.ImportPerson,
            importer.ImportParty,
            importer.ImportDocument,
            OtherName,
            AddressIn,
            ContactIn,
            IdentifierIn,
        )
        for name in model.model_fields
    }
    values = {
        member.value
        for enum in (
            models.CaseType,
            models.PartyRole,
            models.DocumentKind,
            models.Provenance,
            models.SecurityMarking,
            models.NameKind,
            models.IdentifierScheme,
        )
        for member in enum
    }
    codes = {code for code, _, _ in service.file_plan.DEFAULT_FILE_PLAN}
    missing = sorted(v for v in fields | values | codes if f"`{v}`" not in guide)
    assert missing == []
