"""Destroying a case is the records domain's: every table that refers to a case, a document
or a person is destroyed with it or kept on a decision written in records.service.destroy.

The walk reads the migrated database's own foreign keys (SQLite or PostgreSQL, so tables
made only by migrations count too), and two probe tables show it can fail. After a real
disposal, no row refers to what was destroyed and nothing of it can be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Inspector, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import PaperFile
from steward.archives.schemas import PaperFileCreate
from steward.core import crypto
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from steward.identity.models import MatchProfile
from steward.records import service as records
from steward.records.models import Case, Document, DocumentKind, PartyRole, Person
from steward.records.schemas import AddressIn, DocumentMeta, PersonCreate
from steward.records.service import destroy
from steward.retention.models import Decision
from steward.retention.service import destruction, disposal
from tests.factories.core import make_user
from tests.records import samples
from tests.retention.helpers import case_with_children, default_schedule

ROOTS = ("cases", "documents", "persons")
# Columns that hold the id (or number) of a case, document or person without a foreign key.
SOFT_REFERENCE = re.compile(
    r"^(case_id|case_number|document_id|person_id|record_id|ref_id|target_id|subject_id)$"
    r"|_(case|document|person)_id$"
)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    referred_table: str
    cascades: bool


def _foreign_keys(connection: Connection, inspector: Inspector, table: str) -> list[ForeignKey]:
    if connection.dialect.name == "sqlite":
        # SQLite's own account: SQLAlchemy's reflection misses an ON DELETE written inline
        # on a column ("x INTEGER REFERENCES t(id) ON DELETE CASCADE").
        rows = connection.exec_driver_sql(f"PRAGMA foreign_key_list('{table}')").all()
        by_id: dict[int, list[Any]] = {}
        for row in rows:
            by_id.setdefault(row[0], []).append(row)
        return [
            ForeignKey(tuple(r[3] for r in fk), fk[0][2], fk[0][6].upper() == "CASCADE")
            for fk in by_id.values()
        ]
    return [
        ForeignKey(
            tuple(fk["constrained_columns"]),
            fk["referred_table"],
            str(fk["options"].get("ondelete") or "").upper() == "CASCADE",
        )
        for fk in inspector.get_foreign_keys(table)
    ]


def _walk(connection: Connection) -> tuple[list[str], dict[str, list[ForeignKey]], set[str]]:
    """The tables, their foreign keys, and the tables destroy_case empties of a case's rows:
    its own list, and every table whose foreign key cascades from one of those."""
    inspector = inspect(connection)
    tables = inspector.get_table_names()
    fks = {t: _foreign_keys(connection, inspector, t) for t in tables}
    destroyed = set(destroy.DESTROYED_TABLES)
    grew = True
    while grew:
        grew = False
        for table in set(tables) - destroyed:
            if any(fk.referred_table in destroyed and fk.cascades for fk in fks[table]):
                destroyed.add(table)
                grew = True
    return tables, fks, destroyed


def _undecided(connection: Connection) -> list[str]:
    inspector = inspect(connection)
    tables, fks, destroyed = _walk(connection)
    found = set()
    for table in set(tables) - destroyed:
        with_fk = {c for fk in fks[table] for c in fk.columns}
        found |= {
            f"{table}.{c}"
            for fk in fks[table]
            if fk.referred_table in destroyed
            for c in fk.columns
        }
        for column in inspector.get_columns(table):
            if column["name"] not in with_fk and SOFT_REFERENCE.search(column["name"]):
                found.add(f"{table}.{column['name']}")
    return sorted(found - set(destroy.KEPT_AFTER_DESTRUCTION))


def test_every_table_referring_to_a_case_document_or_person_is_destroyed_or_kept_on_purpose(
    db: Session,
) -> None:
    assert set(ROOTS) <= destroy.DESTROYED_TABLES
    assert _undecided(db.connection()) == [], (
        "destroy these in records.service.destroy.destroy_case, or say why they are kept "
        "in KEPT_AFTER_DESTRUCTION"
    )


def test_the_walk_finds_a_table_nobody_decided_about(db: Session) -> None:
    db.execute(
        text(
            "CREATE TABLE probe_notes (id INTEGER PRIMARY KEY, "
            "case_id INTEGER REFERENCES cases(id))"
        )
    )
    db.execute(text("CREATE TABLE probe_links (id INTEGER PRIMARY KEY, subject_person_id INTEGER)"))
    db.execute(
        text(
            "CREATE TABLE probe_words (id INTEGER PRIMARY KEY, "
            "document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE)"
        )
    )
    undecided = _undecided(db.connection())
    # Refers to a case without a cascade, or to a person without a key: caught. Cascades
    # from a document: destroyed with it, so not.
    assert undecided == ["probe_links.subject_person_id", "probe_notes.case_id"]


def test_every_kept_table_is_named_as_it_is_in_the_database(db: Session) -> None:
    inspector = inspect(db.connection())
    columns = {
        f"{t}.{c['name']}" for t in inspector.get_table_names() for c in inspector.get_columns(t)
    }
    assert set(destroy.KEPT_AFTER_DESTRUCTION) <= columns
    assert all(len(reason) > 40 for reason in destroy.KEPT_AFTER_DESTRUCTION.values())


def test_only_retention_approvers_may_destroy_a_case(db: Session, keyring: FileKeyring) -> None:
    case = case_with_children(db, keyring, date(2010, 5, 1))
    with pytest.raises(Forbidden):
        records.destroy_case(db, make_user(db, Role.CASEWORKER).actor, case_id=case.id)
    assert db.get(Case, case.id) is not None


# Words no generator makes, so a hit can only be this case's.
MARKERS = {
    "name": "Quorvathine",
    "surname": "Zephyrulak",
    "title": "Brindlequist",
    "note": "Mortenvauxe",
}


def _arrange(db: Session, keyring: FileKeyring) -> tuple[Case, Person, Person]:
    """A due case with a child named only there (with an address and a document about
    them), a parent who is also a party to a case still kept, a break-glass opening, an
    assignment, and a paper file linked to it."""
    system = Actor.system()
    old = case_with_children(db, keyring, parents=0)
    kept = case_with_children(db, keyring, date(2020, 5, 1), closed_on=None)
    child = records.create_person(
        db,
        system,
        PersonCreate(
            first_name=MARKERS["name"],
            last_name=MARKERS["surname"],
            date_of_birth=date(2000, 4, 1),
            addresses=[AddressIn(line1="1 Walk Road", postcode="LS1 4AB")],
        ),
    )
    parent = records.create_person(
        db, system, PersonCreate(first_name="Shared", last_name="Parent")
    )
    for case, person, role in (
        (old, child, PartyRole.CHILD_SUBJECT),
        (old, parent, PartyRole.PARENT),
        (kept, parent, PartyRole.PARENT),
    ):
        records.add_party(db, system, case_id=case.id, person_id=person.id, role=role)
    records.add_document(
        db,
        keyring,
        system,
        case_id=old.id,
        meta=DocumentMeta(
            title=f"Report {MARKERS['title']}",
            kind=DocumentKind.REPORT_TO_COURT,
            created_on=date(2015, 6, 1),
            subject_person_ids=[child.id],
        ),
        data=f"Visit note: spoke with {MARKERS['note']} today.".encode(),
        filename="note.txt",
    )
    samples.extract_pending(db, keyring)
    records.assign(db, system, case_id=old.id, user_id=make_user(db).id)
    stranger = make_user(db, Role.CASEWORKER)
    records.break_glass(
        db,
        keyring,
        stranger.actor,
        case_id=old.id,
        reason="Urgent call from the police about the family",
    )
    archives.add_file(
        db, system, PaperFileCreate(file_reference="DESTROY-1", case_number=old.case_number)
    )
    return old, child, parent


def _index_hits(db: Session, word: str) -> int:
    """Entries holding ``word`` in every full-text index (on SQLite, people's names have
    their own)."""
    if db.get_bind().dialect.name == "sqlite":
        return sum(
            int(
                db.scalar(text(f"SELECT count(*) FROM {t} WHERE {t} MATCH :q"), {"q": f'"{word}"'})  # noqa: S608 - fixed names
                or 0
            )
            for t in ("search_fts", "search_fts_people")
        )
    query = "SELECT count(*) FROM search_vectors WHERE tsv @@ plainto_tsquery('simple', :q)"
    return int(db.scalar(text(query), {"q": word}) or 0)


def _rows_referring(db: Session, ids: dict[str, set[int]]) -> dict[str, int]:
    """Rows anywhere in the database whose foreign key names a destroyed case, document or
    person."""
    tables, fks, _ = _walk(db.connection())
    left = {}
    for table in tables:
        for fk in fks[table]:
            wanted = sorted(ids.get(fk.referred_table, ()))
            for column in fk.columns if wanted else ():
                params = {f"p{i}": v for i, v in enumerate(wanted)}
                marks = ", ".join(f":p{i}" for i in range(len(params)))
                count = db.scalar(
                    text(f"SELECT count(*) FROM {table} WHERE {column} IN ({marks})"),  # noqa: S608 - names from the database's catalogue
                    params,
                )
                if count:
                    left[f"{table}.{column}"] = count
    return left


def test_after_disposal_nothing_of_the_case_remains_or_can_be_found(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    old, child, parent = _arrange(db, keyring)
    document_ids = set(db.scalars(select(Document.id).where(Document.case_id == old.id)))
    case_id, child_id, parent_id, key_id = old.id, child.id, parent.id, old.data_key_id
    # Controls: before disposal every marker is found, by search and in the index itself.
    for marker in MARKERS.values():
        assert records.search(db, Actor.system(), marker), marker
        assert _index_hits(db, marker) > 0, marker
    assert db.get(MatchProfile, child_id) is not None
    ids = {"cases": {case_id}, "documents": document_ids, "persons": {child_id}}
    assert set(_rows_referring(db, ids)) >= {
        "parties.case_id",
        "documents.case_id",
        "document_contents.document_id",
        "document_subjects.person_id",
        "break_glass.case_id",
        "case_assignments.case_id",
        "paper_files.case_id",
        "addresses.person_id",
        "identity_profiles.person_id",
    }

    reviewer, approver = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    default_schedule(db)
    listed = disposal.propose(db, reviewer.actor, as_of=date(2040, 1, 1))
    # The paper file follows its case's date, so it falls due with it; the reviewer keeps it.
    due = {(i.record_kind, i.record_id): i.id for i in listed.items}
    assert ("case", case_id) in due and set(kind for kind, _ in due) <= {"case", "paper_file"}
    disposal.decide(
        db,
        reviewer.actor,
        keyring,
        list_id=listed.id,
        item_ids=[due["case", case_id]],
        decision=Decision.DESTROY,
    )
    disposal.decide(
        db,
        reviewer.actor,
        keyring,
        list_id=listed.id,
        item_ids=[],
        decision=Decision.RETAIN,
        reason="Kept while the contractor confirms the box",
        review_on=date(2041, 1, 1),
    )
    disposal.approve(db, approver.actor, keyring, list_id=listed.id)
    db.commit()
    report = destruction.execute(
        session_factory, approver.actor, list_id=listed.id, compact_database=False
    )
    assert report.destroyed == 1
    db.expire_all()

    assert _rows_referring(db, ids) == {}
    for marker in MARKERS.values():
        assert records.search(db, Actor.system(), marker) == [], marker
        assert _index_hits(db, marker) == 0, marker
    key = db.get(crypto.DataKey, key_id)
    assert key is not None and key.wrapped_key is None
    # Kept on purpose: the parent of a kept case, and the paper file without its link.
    assert db.get(Person, parent_id) is not None
    assert [h.ref_id for h in records.search(db, Actor.system(), "Shared Parent")] == [parent_id]
    paper = db.scalar(select(PaperFile).where(PaperFile.file_reference == "DESTROY-1"))
    assert paper is not None and paper.case_id is None
