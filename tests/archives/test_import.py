"""Importing a contractor's box inventory: idempotent, never wiping, refusing bad input whole."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service
from steward.archives.models import (
    ArchiveBox,
    ArchiveLocation,
    BoxMovement,
    PaperFile,
    PaperFileName,
)
from steward.core.crypto import FileKeyring
from steward.core.db import session_scope
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from tests.archives import builders as b
from tests.factories.records import make_case

HEADER = [
    "box_barcode",
    "contractor_ref",
    "site",
    "room",
    "bay",
    "shelf",
    "contractor",
    "contractor_location",
    "file_reference",
    "case_number",
    "record_class",
    "date_from",
    "date_to",
    "names_on_file",
]


def inventory(*rows: dict[str, str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def row(**cells: str) -> dict[str, str]:
    base = {
        "box_barcode": "BOX001",
        "site": "HQ",
        "room": "Basement",
        "bay": "A",
        "shelf": "1",
        "file_reference": "F-1",
        "case_number": "LS99P00001",
        "record_class": "CASE.PRIVATE",
        "date_from": "1998-01-05",
        "date_to": "2001-06-30",
        "names_on_file": "Ava Jones (1996-03-02, child_subject); Mark Jones (1970-11-30)",
    }
    base.update(cells)
    return base


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def snapshot(db: Session) -> list[tuple[object, ...]]:
    files = db.scalars(select(PaperFile).order_by(PaperFile.file_reference))
    return [
        (
            f.file_reference,
            f.box_id,
            f.case_number,
            f.record_class_id,
            f.date_from,
            f.date_to,
            sorted((n.name_as_written, n.date_of_birth) for n in f.names),
        )
        for f in files
    ]


def test_an_inventory_lands_with_locations_boxes_files_and_names(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    content = inventory(
        row(case_number=case.case_number),
        row(
            file_reference="F-2", case_number="OLD/1987/4", names_on_file="Zoë O'Brien (1969-02-01)"
        ),
        row(
            box_barcode="BOX900",
            site="",
            room="",
            bay="",
            shelf="",
            contractor="Deep Store Ltd",
            contractor_location="Aisle 9",
            contractor_ref="DS-0001",
            file_reference="F-3",
            names_on_file="",
        ),
    )
    report = service.import_inventory(db, b.SYSTEM, content)
    assert report.ok, report.failures
    assert (report.locations_added, report.boxes_added, report.files_added) == (2, 2, 3)
    f1 = db.scalars(select(PaperFile).where(PaperFile.file_reference == "F-1")).one()
    assert f1.case_id == case.id and f1.date_from == date(1998, 1, 5)
    assert [(n.name_as_written, n.role) for n in f1.names] == [
        ("Ava Jones", "child_subject"),
        ("Mark Jones", None),
    ]
    off_site = db.scalars(select(ArchiveBox).where(ArchiveBox.barcode == "BOX900")).one()
    assert off_site.status == "off_site" and off_site.contractor_ref == "DS-0001"
    assert off_site.location is not None and off_site.location.code == "OFFSITE-DEEPSTORELTD-AISLE9"
    assert b.events(db, "archives:import:run")


def test_importing_the_same_inventory_again_changes_nothing(db: Session) -> None:
    content = inventory(
        row(), row(file_reference="F-2"), row(box_barcode="BOX002", file_reference="F-3")
    )
    service.import_inventory(db, b.SYSTEM, content)
    before, events = snapshot(db), b.event_count(db)
    report = service.import_inventory(db, b.SYSTEM, content)
    assert report.ok and report.unchanged == 3
    assert (report.files_added, report.files_updated, report.boxes_moved) == (0, 0, 0)
    assert snapshot(db) == before
    assert b.event_count(db) == events + 1  # only the run itself is recorded
    assert count(db, PaperFileName) == 6 and count(db, BoxMovement) == 2


def test_blank_cells_never_wipe_what_is_held(db: Session) -> None:
    service.import_inventory(db, b.SYSTEM, inventory(row()))
    before = snapshot(db)
    sparse = row(
        site="",
        room="",
        bay="",
        shelf="",
        case_number="",
        record_class="",
        date_from="",
        date_to="",
        names_on_file="",
    )
    report = service.import_inventory(db, b.SYSTEM, inventory(sparse))
    assert report.ok and report.unchanged == 1
    assert snapshot(db) == before
    box = db.scalars(select(ArchiveBox)).one()
    assert box.location is not None and box.location.code == "HQ-BASEMENT-A-1"


def test_a_column_left_out_entirely_wipes_nothing_either(db: Session) -> None:
    service.import_inventory(db, b.SYSTEM, inventory(row()))
    before = snapshot(db)
    only = {"box_barcode": "BOX001", "file_reference": "F-1"}
    report = service.import_inventory(
        db, b.SYSTEM, inventory(only, header=["box_barcode", "file_reference"])
    )
    assert report.ok and report.unchanged == 1 and snapshot(db) == before


def test_changed_values_update_and_move_with_history(db: Session) -> None:
    service.import_inventory(db, b.SYSTEM, inventory(row()))
    moved = row(
        site="",
        room="",
        bay="",
        shelf="",
        contractor="Deep Store Ltd",
        contractor_location="Aisle 1",
        contractor_ref="DS-7",
        date_to="2002-01-31",
        names_on_file="Ava Jones (1996-03-02); Lee Jones (1999-09-09)",
    )
    report = service.import_inventory(db, b.SYSTEM, inventory(moved))
    assert (report.boxes_moved, report.files_updated) == (1, 1)
    f = db.scalars(select(PaperFile)).one()
    assert f.date_to == date(2002, 1, 31) and f.date_from == date(1998, 1, 5)
    assert [n.name_as_written for n in f.names] == ["Ava Jones", "Mark Jones", "Lee Jones"]
    history = db.scalars(select(BoxMovement).order_by(BoxMovement.id)).all()
    assert [m.contractor_ref for m in history] == [None, "DS-7"]
    updated = b.events(db, "archives:file:updated")[-1]
    assert updated.details == '{"fields":["date_to","names"]}'


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8 \x80",
        b"file_reference,case_number\r\nF-1,X\r\n",  # no box_barcode column
        b"box_barcode,favourite_colour\r\nB1,red\r\n",  # unknown column
        b"box_barcode,file_reference\r\nB1,F\x00-1\r\n",
        b'box_barcode,file_reference\r\nB1,"F-1\r\n',  # unterminated quote
    ],
)
def test_a_malformed_file_changes_nothing(db: Session, content: bytes) -> None:
    events = b.event_count(db)
    with pytest.raises(ValidationFailed, match="Nothing was imported"):
        service.import_inventory(db, b.SYSTEM, content)
    assert count(db, PaperFile) == count(db, ArchiveBox) == count(db, ArchiveLocation) == 0
    assert b.event_count(db) == events


def test_bad_rows_are_reported_by_line_without_their_contents(db: Session) -> None:
    content = inventory(
        row(),
        row(file_reference="F-2", date_from="31/12/1999"),
        row(file_reference="F-3", names_on_file="Secretname Person (1999-02-30)"),
        row(file_reference="F-4", record_class="NOPE"),
        row(box_barcode="", file_reference="F-5"),
        row(file_reference="F-6"),
    )
    report = service.import_inventory(db, b.SYSTEM, content)
    assert [(f.line, f.reason.split(":")[0]) for f in report.failures] == [
        (3, "date_from"),
        (4, "names_on_file"),
        (5, "record_class"),
        (6, "box_barcode"),
    ]
    assert all("Secretname" not in f.reason and "NOPE" not in f.reason for f in report.failures)
    assert report.files_added == 2
    refs = set(db.scalars(select(PaperFile.file_reference)))
    assert refs == {"F-1", "F-6"}


def test_a_dry_run_keeps_nothing(db: Session) -> None:
    events = b.event_count(db)
    report = service.import_inventory(db, b.SYSTEM, inventory(row()), dry_run=True)
    assert report.files_added == 1 and report.dry_run
    assert count(db, PaperFile) == 0 and b.event_count(db) == events


HOSTILE = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "../../etc/passwd", "@SUM(1)"]
# Brackets belong to the names notation, so hostile names here go without them.
HOSTILE_NAMES = ["=cmd|' /C calc'!A0", "<script>alert`1`</script>", "../../etc/passwd", "@SUM"]


def test_hostile_strings_are_kept_as_text_and_exported_inert(db: Session) -> None:
    rows = [
        row(
            box_barcode=f"BOX{i}",
            file_reference=text,
            names_on_file=f"{HOSTILE_NAMES[i]} Smith (1980-01-01)",
            case_number="=1+1" if i == 0 else "",
        )
        for i, text in enumerate(HOSTILE)
    ]
    report = service.import_inventory(db, b.SYSTEM, inventory(*rows))
    assert report.ok, report.failures
    stored = set(db.scalars(select(PaperFile.file_reference)))
    assert stored == set(HOSTILE)
    names = set(db.scalars(select(PaperFileName.name_as_written)))
    assert names == {f"{n} Smith" for n in HOSTILE_NAMES}
    exported = list(service.inventory_rows(db, b.SYSTEM))
    cells = [c for r in exported[1:] for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=cmd|' /C calc'!A0" in cells and "<script>alert(1)</script>" in cells


def test_only_archive_staff_import(db: Session) -> None:
    with pytest.raises(Forbidden):
        service.import_inventory(db, Actor.user(1, Role.CASEWORKER), inventory(row()))


def test_an_interrupted_import_keeps_whole_batches_and_a_rerun_completes_it(
    session_factory: sessionmaker[Session],
) -> None:
    content = inventory(*(row(file_reference=f"F-{i}", box_barcode=f"B{i // 2}") for i in range(7)))

    def stop_at_five(done: int, _total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), session_scope(session_factory) as db:
        service.import_inventory(
            db, b.SYSTEM, content, checkpoint=db.commit, batch_rows=2, on_row=stop_at_five
        )
    with session_scope(session_factory) as db:
        kept = set(db.scalars(select(PaperFile.file_reference)))
        assert kept == {"F-0", "F-1", "F-2", "F-3"}  # two whole batches; row 5 rolled back
        report = service.import_inventory(db, b.SYSTEM, content, checkpoint=db.commit)
        assert (report.files_added, report.unchanged) == (3, 4)


def test_a_corrected_date_of_birth_replaces_the_wrong_one(db: Session) -> None:
    """Names are never taken away, but the same name given again with another date of birth
    (or a role) is a correction of the one on the file, not a second person: the file would
    otherwise keep the wrong date, and be dated from it."""
    service.import_inventory(db, b.SYSTEM, inventory(row()))
    corrected = row(names_on_file="Ava Jones (1997-03-02, child_subject); Mark Jones (parent)")
    report = service.import_inventory(db, b.SYSTEM, inventory(corrected))
    assert report.ok and report.files_updated == 1
    f = db.scalars(select(PaperFile)).one()
    held = {n.name_as_written: (n.date_of_birth, n.role) for n in f.names}
    assert held == {
        "Ava Jones": (date(1997, 3, 2), "child_subject"),
        "Mark Jones": (date(1970, 11, 30), "parent"),  # a blank date leaves the held one
    }
    # Two people of one name on the row are two people: neither replaces the held one.
    twins = row(names_on_file="Ava Jones (2001-01-01); Ava Jones (2003-03-03)")
    service.import_inventory(db, b.SYSTEM, inventory(twins))
    f = db.scalars(select(PaperFile)).one()
    assert sorted(n.date_of_birth for n in f.names if n.name_as_written == "Ava Jones") == [
        date(1997, 3, 2),
        date(2001, 1, 1),
        date(2003, 3, 3),
    ]
