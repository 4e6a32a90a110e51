"""Locations, boxes and their history; files and who may read the names on them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import BoxStatus, LocationKind
from steward.archives.schemas import LocationCreate
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, NotFound
from steward.core.permissions import Actor, Role
from steward.records.service import assign
from tests.archives import builders as b
from tests.factories.core import make_user
from tests.factories.records import make_case


def test_a_location_code_is_made_from_its_parts_and_is_unique(db: Session) -> None:
    data = LocationCreate(kind=LocationKind.ON_SITE, site="HQ", room="Room 2", bay="B", shelf="3")
    location = service.create_location(db, b.SYSTEM, data)
    assert location.code == "HQ-ROOM2-B-3"
    with pytest.raises(Conflict):
        service.create_location(db, b.SYSTEM, data)


def test_an_off_site_location_needs_its_contractor() -> None:
    with pytest.raises(ValueError, match="contractor"):
        LocationCreate(kind=LocationKind.OFF_SITE, site="HQ")


def test_moving_a_box_keeps_where_it_was(db: Session) -> None:
    shelf, store = b.location(db), b.location(db, off_site=True)
    box = b.box(db, shelf)
    assert box.status == BoxStatus.ON_SITE
    service.move_box(db, b.SYSTEM, box_id=box.id, location_id=store.id, contractor_ref="DS-991")
    box, history = service.view_box(db, b.SYSTEM, box.id)
    assert box.status == BoxStatus.OFF_SITE and box.location_id == store.id
    assert [(m.from_location_id, m.to_location_id, m.contractor_ref) for m in history] == [
        (shelf.id, store.id, "DS-991"),
        (None, shelf.id, None),
    ]
    moved = b.events(db, "archives:box:moved")[-1]
    assert json.loads(moved.details) == {"from": shelf.id, "to": store.id}
    with pytest.raises(Conflict, match="already"):
        service.move_box(db, b.SYSTEM, box_id=box.id, location_id=store.id)


def test_only_archive_staff_run_locations_and_boxes(db: Session) -> None:
    for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.AUDITOR):
        actor = Actor.user(1, role)
        with pytest.raises(Forbidden):
            service.list_locations(db, actor)
        with pytest.raises(Forbidden):
            service.create_box(db, actor, barcode="X1", location_id=None)


def test_a_file_links_to_the_case_with_its_number(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    linked = b.paper_file(db, case_number=case.case_number.lower())
    unknown = b.paper_file(db, case_number="OLD1987/44")
    assert linked.case_id == case.id and linked.case_number == case.case_number
    assert linked.record_class_id == case.record_class_id  # takes the case's class by default
    assert unknown.case_id is None


def test_names_on_a_file_follow_case_need_to_know(db: Session, keyring: FileKeyring) -> None:
    mine, theirs = make_user(db, Role.CASEWORKER), make_user(db, Role.CASEWORKER)
    case = make_case(db, keyring)
    assign(db, Actor.system(), case_id=case.id, user_id=mine.id)
    f = b.paper_file(db, names=[("Ava Jones", date(2011, 3, 2))], case_number=case.case_number)
    orphan = b.paper_file(db, names=[("Old Name", None)])

    view = service.view_file(db, mine.actor, f.id)
    assert [n.name_as_written for n in view.paper_file.names] == ["Ava Jones"]
    # Refused as a missing file is, so that ids reveal nothing.
    with pytest.raises(NotFound):
        service.view_file(db, theirs.actor, f.id)
    with pytest.raises(NotFound):  # a file of no electronic case: governance roles only
        service.view_file(db, mine.actor, orphan.id)
    ig = make_user(db, Role.IG_OFFICER)
    assert service.view_file(db, ig.actor, orphan.id).paper_file.id == orphan.id
    viewed = b.events(db, "archives:file:viewed")
    assert [(e.actor_id, e.subject_id) for e in viewed] == [
        (mine.id, str(f.id)),
        (ig.id, str(orphan.id)),
    ]
    assert all(e.details == "{}" for e in viewed)
