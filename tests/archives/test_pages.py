"""The paper archive's pages, driven through the real app as the staff who use them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import ArchiveBox, ArchiveLocation, Retrieval
from steward.core import clock, jobs
from steward.core.crypto import DataKey, FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.service import assign
from tests.archives import builders as b
from tests.factories.records import make_case
from tests.web.conftest import SignedIn, csrf_from


def test_archive_staff_add_a_location_and_a_box_and_move_it(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    csrf = csrf_from(client, "/archives")
    bad = client.post("/archives/locations", data={"kind": "on_site", "csrf_token": csrf})
    assert bad.status_code == 422 and "There is a problem" in bad.text
    made = client.post(
        "/archives/locations",
        data={
            "kind": "on_site",
            "site": "HQ",
            "room": "B1",
            "bay": "2",
            "shelf": "3",
            "csrf_token": csrf,
        },
    )
    assert made.status_code == 303
    store = client.post(
        "/archives/locations",
        data={
            "kind": "off_site",
            "contractor": "Deep Store",
            "contractor_ref": "Z9",
            "csrf_token": csrf,
        },
    )
    assert store.status_code == 303
    shelf = db.scalars(select(ArchiveLocation).where(ArchiveLocation.code == "HQ-B1-2-3")).one()
    offsite = db.scalars(select(ArchiveLocation).where(ArchiveLocation.kind == "off_site")).one()
    boxed = client.post(
        "/archives/boxes",
        data={
            "barcode": "BX-77",
            "location_id": str(shelf.id),
            "box_contractor_ref": "",
            "csrf_token": csrf,
        },
    )
    assert boxed.status_code == 303
    box = db.scalars(select(ArchiveBox).where(ArchiveBox.barcode == "BX-77")).one()
    moved = client.post(
        f"/archives/boxes/{box.id}/move",
        data={"location_id": str(offsite.id), "contractor_ref": "DS-1", "csrf_token": csrf},
    )
    assert moved.status_code == 303
    page = client.get(f"/archives/boxes/{box.id}")
    assert page.status_code == 200
    assert "Off site" in page.text and "DS-1" in page.text and "HQ-B1-2-3" in page.text
    index = client.get("/archives")
    assert index.status_code == 200 and "OFFSITE-DEEPSTORE-Z9" in index.text
    at_store = client.get(f"/archives/locations/{offsite.id}").text
    assert "BX-77" in at_store and "of <b>1</b> boxes" in at_store
    assert "No certificates" in client.get("/archives/certificates").text
    asked = client.post(
        f"/archives/boxes/{box.id}/retrievals", data={"purpose": "audit", "csrf_token": csrf}
    )
    assert asked.status_code == 303
    listed = client.get("/archives/retrievals")
    assert "Box BX-77" in listed.text and "Hand out" in listed.text
    again = client.post(
        f"/archives/boxes/{box.id}/retrievals", data={"purpose": "audit", "csrf_token": csrf}
    )
    assert again.status_code == 422 and "already been asked for" in again.text


def test_a_caseworker_sees_and_asks_for_a_file_of_their_case(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker_client, worker = signed_in(Role.CASEWORKER)
    other_client, _ = signed_in(Role.CASEWORKER)
    ig_client, ig = signed_in(Role.IG_OFFICER)
    case = make_case(db, keyring)
    assign(db, Actor.system(), case_id=case.id, user_id=worker.id)
    f = b.paper_file(
        db,
        b.box(db, b.location(db)),
        names=[("Ava <b>Jones</b>", date(2011, 3, 2))],
        case_number=case.case_number,
    )
    db.commit()

    page = worker_client.get(f"/archives/files/{f.id}")
    assert page.status_code == 200
    assert "Ava &lt;b&gt;Jones&lt;/b&gt;" in page.text and "<b>Jones</b>" not in page.text
    # Another caseworker's answer is the one for a file that does not exist: ids tell nothing.
    refused = other_client.get(f"/archives/files/{f.id}")
    missing = other_client.get("/archives/files/987654321")
    assert refused.status_code == missing.status_code == 404
    assert refused.text == missing.text

    csrf = csrf_from(worker_client, f"/archives/files/{f.id}")
    bad = worker_client.post(
        f"/archives/files/{f.id}/retrievals",
        data={
            "purpose": "court",
            "due_back_on-day": "31",
            "due_back_on-month": "2",
            "csrf_token": csrf,
        },
    )
    assert bad.status_code == 422
    assert "The date the file is due back must include a year" in bad.text
    asked = worker_client.post(
        f"/archives/files/{f.id}/retrievals",
        data={"purpose": "court", "note": "hearing bundle", "csrf_token": csrf},
    )
    assert asked.status_code == 303
    assert 'data-testid="retrieval-open"' in worker_client.get(f"/archives/files/{f.id}").text
    r = db.scalars(select(Retrieval)).one()

    with clock.frozen(datetime(2026, 1, 5, 10, tzinfo=UTC)):
        csrf_ig = csrf_from(ig_client, "/archives/retrievals")
        assert (
            worker_client.post(
                f"/archives/retrievals/{r.id}/out", data={"csrf_token": csrf}
            ).status_code
            == 403
        )
        assert (
            ig_client.post(
                f"/archives/retrievals/{r.id}/out", data={"csrf_token": csrf_ig}
            ).status_code
            == 303
        )
    with clock.frozen(datetime(2026, 3, 1, 10, tzinfo=UTC)):
        overdue = ig_client.get("/archives/retrievals?overdue=true")
        assert overdue.status_code == 200 and "Overdue" in overdue.text
        on_file = worker_client.get(f"/archives/files/{f.id}").text
        assert 'data-testid="retrieval-overdue"' in on_file
        assert f.file_reference in overdue.text
        mine = worker_client.get("/archives/retrievals")
        assert f.file_reference in mine.text and "Hand out" not in mine.text
        again = ig_client.post(f"/archives/retrievals/{r.id}/out", data={"csrf_token": csrf_ig})
        assert again.status_code == 409
        back = ig_client.post(f"/archives/retrievals/{r.id}/return", data={"csrf_token": csrf_ig})
        assert back.status_code == 303
        assert "Nothing is overdue" in ig_client.get("/archives/retrievals?overdue=true").text
        returned = ig_client.get("/archives/retrievals?view=returned").text
        assert f.file_reference in returned and "of <b>1</b> retrievals" in returned
        assert "No retrievals" in ig_client.get("/archives/retrievals").text
        assert ig_client.get("/archives/retrievals?view=lost").status_code == 422
    chain = re.search(
        r'data-testid="custody">(.*?)</td>', worker_client.get(f"/archives/files/{f.id}").text, re.S
    )
    assert chain is not None
    steps = chain.group(1)
    assert steps.index(f"Requested by {worker.username}") < steps.index(f"Out by {ig.username}")
    assert f"Returned by {ig.username}" in steps


def test_certificate_upload_shows_each_outcome_and_bad_files_change_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    box = b.box(db, b.location(db, off_site=True))
    sent = [b.paper_file(db, box, reference=f"CERT-{i}") for i in range(2)]
    service.mark_for_destruction(
        db, actor=Actor.system(), file_ids=[f.id for f in sent], reference="D-5"
    )
    db.commit()
    csrf = csrf_from(client, "/archives/certificates")
    bad = client.post(
        "/archives/certificates",
        data={"reference": "D-5", "csrf_token": csrf},
        files={"file": ("cert.csv", b"what,ever\r\n1,2\r\n", "text/csv")},
    )
    assert bad.status_code == 422 and "box_barcode" in bad.text
    good = client.post(
        "/archives/certificates",
        data={"reference": "D-5", "csrf_token": csrf},
        files={"file": ("cert.csv", b"file_reference\r\nCERT-0\r\n=EVIL()\r\n", "text/csv")},
    )
    assert good.status_code == 303
    page = client.get(good.headers["location"])
    assert page.status_code == 200
    destroyed = re.search(r'data-testid="destroyed">(.*?)</ul>', page.text, re.S)
    missing = re.search(r'data-testid="missing">(.*?)</ul>', page.text, re.S)
    assert destroyed and "CERT-0" in destroyed.group(1)
    assert missing and "CERT-1" in missing.group(1)
    assert "=EVIL()" in page.text


def test_person_search_page_and_csv_export(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    worker, _ = signed_in(Role.CASEWORKER)
    b.paper_file(
        db,
        b.box(db, b.location(db)),
        names=[("Bob Hughes", date(1984, 7, 3))],
        reference="=HYPERLINK(1)",
    )
    db.commit()
    csrf = csrf_from(client, "/archives/search")
    page = client.post(
        "/archives/search",
        data={
            "name": "Robert Hughes",
            "dob-day": "3",
            "dob-month": "7",
            "dob-year": "1984",
            "csrf_token": csrf,
        },
    )
    assert page.status_code == 200
    assert "Bob Hughes" in page.text and "forename is a short form" in page.text
    bad = client.post(
        "/archives/search",
        data={
            "name": "Robert Hughes",
            "dob-day": "3",
            "dob-month": "7",
            "dob-year": "84",
            "csrf_token": csrf,
        },
    )
    assert bad.status_code == 422 and "Date of birth must be a real date" in bad.text
    assert 'value="84"' in bad.text  # what was typed, to put right
    empty = client.post("/archives/search", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "name or a case number" in empty.text
    assert worker.get("/archives/search").status_code == 403

    export = client.get("/archives/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in export.text
    assert "\n=HYPERLINK" not in export.text and ",=HYPERLINK" not in export.text


def test_an_inventory_with_a_bad_row_imports_nothing_and_says_which_row(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    csrf = csrf_from(client, "/archives/inventory")
    bad = (
        "box_barcode,file_reference,date_from\n"
        "INV-BOX-1,INV-F-1,2001-02-03\n"
        "INV-BOX-2,INV-F-2,3 March 2001\n"
    )
    refused = client.post(
        "/archives/inventory",
        data={"csrf_token": csrf},
        files={"file": ("inventory.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "Nothing was imported" in refused.text
    errors = re.sub(r"\s+", " ", refused.text)
    assert re.search(r'numeric">3</td><td class="govuk-table__cell">[^<]*date_from', errors)
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "INV-BOX-1")) is None

    good = bad.replace("3 March 2001", "2001-03-03")
    imported = client.post(
        "/archives/inventory",
        data={"csrf_token": csrf},
        files={"file": ("inventory.csv", good.encode(), "text/csv")},
    )
    assert imported.status_code == 200 and 'data-testid="imported"' in imported.text
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "INV-BOX-2")) is not None
    nothing = client.post("/archives/inventory", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and "Select the inventory file" in nothing.text


def test_a_large_inventory_is_imported_in_the_background_and_its_file_shredded(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    csrf = csrf_from(client, "/archives/inventory")
    rows = "".join(f"BIG-BOX-{i:05d},CONTRACTOR-REFERENCE-{i:05d}\n" for i in range(2500))
    bad = "box_barcode,contractor_ref\n" + rows + ",NO-BARCODE\n"
    assert len(bad) > 64 * 1024

    refused = client.post(
        "/archives/inventory",
        data={"csrf_token": csrf},
        files={"file": ("inventory.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/jobs/")
    failed = client.get(refused.headers["location"]).text
    assert 'data-testid="job-failed"' in failed and "lines 2502" in failed
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "BIG-BOX-00001")) is None

    imported = client.post(
        "/archives/inventory",
        data={"csrf_token": csrf},
        files={"file": ("inventory.csv", ("box_barcode,contractor_ref\n" + rows).encode())},
    )
    done = client.get(imported.headers["location"]).text
    assert 'data-testid="job-done"' in done and "2,500 rows done" in done
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "BIG-BOX-02499")) is not None
    # Neither upload is kept once its job has ended: rows gone, keys destroyed.
    assert db.scalars(select(jobs.JobInput)).all() == []
    keys = db.scalars(select(DataKey).where(DataKey.purpose == "job-input")).all()
    assert len(keys) == 2 and all(k.wrapped_key is None for k in keys)
