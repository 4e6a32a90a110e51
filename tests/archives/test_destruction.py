"""Sending files for destruction, and reconciling a contractor's certificate down to each file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import CertificateLine, PaperFile, PaperFileName
from steward.archives.schemas import PaperSearch, RetrievalRequest
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from tests.archives import builders as b


def _files(db: Session, box: object, n: int) -> list[PaperFile]:
    return [b.paper_file(db, box) for _ in range(n)]  # type: ignore[arg-type]


def test_marking_is_all_or_nothing(db: Session) -> None:
    a, c = b.paper_file(db), b.paper_file(db)
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[a.id], reference="DISP-1")
    with pytest.raises(Conflict, match="already"):
        service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[c.id, a.id], reference="DISP-2")
    assert c.status == "active" and a.destruction_reference == "DISP-1"
    with pytest.raises(ValidationFailed):
        service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[c.id, 10**9], reference="X")
    assert c.status == "active"


def test_the_retention_approver_may_send_files_for_destruction(db: Session) -> None:
    f = b.paper_file(db)
    with pytest.raises(Forbidden):
        service.mark_for_destruction(
            db, actor=Actor.user(1, Role.CASEWORKER), file_ids=[f.id], reference="D"
        )
    service.mark_for_destruction(db, actor=Actor.user(1, Role.DPO), file_ids=[f.id], reference="D")
    assert f.status == "marked_for_destruction"


def test_reconciliation_sorts_every_file_into_destroyed_missing_unexpected(db: Session) -> None:
    where = b.location(db, off_site=True)
    whole, partial = b.box(db, where), b.box(db, where)
    in_whole = _files(db, whole, 2)
    sent_partial = _files(db, partial, 2)
    kept = b.paper_file(db, partial)  # never sent, stays in the box
    stray = b.paper_file(db)  # never sent, but the contractor lists it
    sent = [*in_whole, *sent_partial]
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[f.id for f in sent], reference="D9")

    certificate = (
        "box_barcode,file_reference,destroyed_on\r\n"
        f"{whole.barcode},,2026-04-01\r\n"
        f",{sent_partial[0].file_reference},2026-04-01\r\n"
        f",{stray.file_reference},2026-04-01\r\n"
        ",NOT-OURS-1,2026-04-01\r\n"
        "UNKNOWN-BOX,,2026-04-01\r\n"
    ).encode()
    result = service.reconcile_certificate(db, actor=b.SYSTEM, reference="D9", content=certificate)

    assert result.destroyed == sorted(f.file_reference for f in [*in_whole, sent_partial[0]])
    assert result.missing == [sent_partial[1].file_reference]
    assert result.unexpected == sorted([stray.file_reference, "NOT-OURS-1", "UNKNOWN-BOX"])
    assert result.boxes_destroyed == [whole.barcode]
    assert whole.status == "destroyed" and partial.status == "off_site"
    assert {f.status for f in [*in_whole, sent_partial[0]]} == {"destroyed"}
    assert sent_partial[1].status == "marked_for_destruction"
    assert kept.status == "active" and stray.status == "active"  # unexpected: investigate
    lines = db.scalars(
        select(CertificateLine).where(CertificateLine.certificate_id == result.certificate_id)
    )
    assert sorted(line.outcome for line in lines).count("unexpected") == 3
    event = b.events(db, "archives:certificate:reconciled")[-1]
    assert event.details == '{"destroyed":3,"missing":1,"unexpected":3}'

    with pytest.raises(Conflict, match="already been reconciled"):
        service.reconcile_certificate(db, actor=b.SYSTEM, reference="D9", content=certificate)

    # The missing file turns up on a second certificate; the first ones are not "unexpected".
    second = f"file_reference\r\n{sent_partial[1].file_reference}\r\n".encode()
    later = service.reconcile_certificate(db, actor=b.SYSTEM, reference="D9", content=second)
    assert (later.destroyed, later.missing, later.unexpected) == (
        [sent_partial[1].file_reference],
        [],
        [],
    )
    assert partial.status == "off_site"  # the file never sent is still in it


@pytest.mark.parametrize(
    "content",
    [
        b"barcode;ref\r\nB1;F1\r\n",  # wrong columns
        b"box_barcode,file_reference\r\n,\r\n",  # a row naming nothing
        b'file_reference\r\n"F-1\r\n',  # broken CSV
        b"file_reference\r\n\xff\xfe\r\n",  # not UTF-8
        b"file_reference\r\n",  # nothing listed
    ],
)
def test_a_malformed_certificate_changes_nothing(db: Session, content: bytes) -> None:
    f = b.paper_file(db, b.box(db), reference="F-1")
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[f.id], reference="D1")
    events = b.event_count(db)
    with pytest.raises(ValidationFailed):
        service.reconcile_certificate(db, actor=b.SYSTEM, reference="D1", content=content)
    assert f.status == "marked_for_destruction" and b.event_count(db) == events


def test_only_archive_staff_reconcile(db: Session) -> None:
    with pytest.raises(Forbidden):
        service.reconcile_certificate(
            db,
            actor=Actor.user(1, Role.MANAGER),
            reference="D1",
            content=b"file_reference\r\nF\r\n",
        )


def test_a_destroyed_file_keeps_its_tombstone_but_not_the_people_on_it(
    db: Session, keyring: FileKeyring
) -> None:
    f = b.paper_file(db, b.box(db), names=[("Zebedee Quoxworth", date(1980, 1, 2))])
    kept = b.paper_file(db, names=[("Zebedee Quoxworth", date(1980, 1, 2))])
    r = service.request_retrieval(
        db,
        b.SYSTEM,
        keyring,
        RetrievalRequest(paper_file_id=f.id, purpose="court", note="for Zebedee"),
    )
    service.cancel_retrieval(db, b.SYSTEM, r.id)
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[f.id], reference="D-Z")
    service.reconcile_certificate(
        db,
        actor=b.SYSTEM,
        reference="D-Z",
        content=f"file_reference\r\n{f.file_reference}\r\n".encode(),
    )
    names = db.scalars(select(PaperFileName.paper_file_id)).all()
    assert names == [kept.id]
    assert f.status == "destroyed" and f.file_reference and f.names == []
    assert r.note_sealed is None and r.legacy_note is None
    hits = service.search_paper_files(
        db, actor=b.SYSTEM, query=PaperSearch(names=["Zebedee Quoxworth"])
    )
    assert [h.paper_file_id for h in hits] == [kept.id]


def test_a_reference_nothing_was_sent_under_is_refused(db: Session) -> None:
    f = b.paper_file(db, b.box(db), reference="F-1")
    service.mark_for_destruction(db, actor=b.SYSTEM, file_ids=[f.id], reference="D1")
    events = b.event_count(db)
    with pytest.raises(ValidationFailed, match="No paper files were sent") as caught:
        service.reconcile_certificate(
            db, actor=b.SYSTEM, reference="D2", content=b"file_reference\r\nF-1\r\n"
        )
    assert list(caught.value.errors) == ["reference"]
    assert f.status == "marked_for_destruction" and b.event_count(db) == events
