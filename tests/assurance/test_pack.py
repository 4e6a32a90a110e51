"""The auditor's evidence pack, built from a small organisation with known data and opened as
the auditor would: every file there, its SHA-256 as the manifest says, listed in the README,
the measures' figures those of the dashboard, and no data subject's name, date of birth or
case number in any file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.controls import service as controls
from steward.assurance.controls.measures import MEASURES
from steward.assurance.pack import parts, service
from steward.assurance.pack.models import EvidencePack, EvidencePackChunk, PackStatus
from steward.core import auth, clock, crypto, jobs
from steward.core.audit import AuditEvent
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from steward.records.models import Case, Person
from steward.retention.policy import Decision
from steward.retention.service import destruction, disposal
from tests.assurance import breach_helpers
from tests.assurance.audits_helpers import make_action, make_attestation, make_audit
from tests.assurance.oversight_helpers import scene
from tests.assurance.pdf_text import pdf_text
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule

HOSTILE_TITLE = '=HYPERLINK("http://evil") policy'


@dataclass
class Org:
    dpo: auth.User
    auditor: auth.User
    names: list[str]  # every data subject's name, date of birth and case number in the DB


def _org(db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]) -> Org:
    """A schedule, cases past their date, a certified disposal, a break-glass use, an audit
    with an action, a breach, and attestations (one with a title a spreadsheet would run)."""
    ig, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    auditor = make_user(db, Role.AUDITOR)
    default_schedule(db)
    scene(db, keyring)  # break-glass use on a case with a child party
    case_with_children(db, keyring, date(2010, 5, 1))  # destroyed below, certified
    listed = disposal.propose(db, ig.actor, as_of=date(2040, 1, 1))
    disposal.decide(
        db, ig.actor, keyring, list_id=listed.id, item_ids=[], decision=Decision.DESTROY
    )
    disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    db.commit()
    destruction.execute(session_factory, dpo.actor, list_id=listed.id, compact_database=False)
    db.expire_all()
    case_with_children(db, keyring, date(2001, 7, 9))  # kept: past its date, listed after
    audit = make_audit(db)
    make_action(db, audit, dpo, agreed_on=clock.today() - timedelta(days=3))
    make_attestation(db, keyring, review_on=clock.today() + timedelta(days=200))
    make_attestation(db, keyring, review_on=clock.today() - timedelta(days=1), title=HOSTILE_TITLE)
    breach_helpers.reported(db, keyring, ig.actor)
    db.commit()
    names: list[str] = []
    for p in db.scalars(select(Person)):
        names += [p.first_name + " " + p.last_name, p.last_name]
        if p.date_of_birth:
            names += [p.date_of_birth.isoformat(), f"{p.date_of_birth:%-d %b %Y}"]
    names += [c.case_number for c in db.scalars(select(Case))]
    return Org(dpo, auditor, names)


def _build(db: Session, keyring: FileKeyring, actor: Actor) -> zipfile.ZipFile:
    out = io.BytesIO()
    service.build(db, actor, clock.today(), out, keyring=keyring, organisation="Test Org")
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_every_measure_is_placed_in_or_out_of_the_pack() -> None:
    # A new measure must be decided on: its rows may name people.
    assert set(parts.ROWS_IN_PACK) | set(parts.ROWS_LEFT_OUT) == set(MEASURES)
    assert not set(parts.ROWS_IN_PACK) & set(parts.ROWS_LEFT_OUT)


def test_the_dpos_pack_holds_every_part_and_names_no_data_subject(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    org = _org(db, keyring, session_factory)
    archive = _build(db, keyring, org.dpo.actor)
    names = archive.namelist()
    assert names[0] == service.README and names[-1] == service.MANIFEST
    for expected in (
        "01-report/board-report.pdf",
        "01-report/board-report.json",
        "02-measures/measures.csv",
        "03-registers/action-plan.csv",
        "03-registers/breach-register.csv",
        "03-registers/record-of-processing.csv",
        "03-registers/record-of-processing.pdf",
        "03-registers/information-assets.csv",
        "03-registers/break-glass-review.csv",
        "03-registers/access-reviews.csv",
        "03-registers/self-assessments.csv",
        "04-retention/retention-schedule-v1.pdf",
        "05-certificates/disposal-certificates.csv",
        "05-certificates/paper-destruction-certificates.csv",
        "06-attestations/attestations.csv",
    ):
        assert expected in names, expected
    assert any(n.startswith("02-measures/control-catalogue") for n in names)
    # The board report of the same day, as the board reads it and as its figures.
    assert pdf_text(archive.read("01-report/board-report.pdf")).count("Executive summary") >= 1
    assert json.loads(archive.read("01-report/board-report.json"))["as_of"] == (
        clock.today().isoformat()
    )

    # The manifest's SHA-256s are the files', and it and the README list every file.
    manifest = json.loads(archive.read(service.MANIFEST))
    listed = {f["file"]: f for f in manifest["files"]}
    assert set(listed) == set(names) - {service.MANIFEST}
    for name, entry in listed.items():
        data = archive.read(name)
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    readme = archive.read(service.README).decode("utf-8")
    for name in set(names) - {service.README}:
        assert name in readme
    assert manifest["as_of"] == clock.today().isoformat() and manifest["left_out"] == []
    assert "Data protection officer" in readme and manifest["role"] == "Data protection officer"

    # The measures' figures are the dashboard's.
    figures = {r["key"]: r for r in _csv(archive, "02-measures/measures.csv")}
    for result in controls.results(db, org.dpo.actor, clock.today()):
        row = figures[result.measure.key]
        assert row["figure"] == ("" if result.value is None else f"{result.value:g}")
        c = result.computed
        assert row["numerator"] == ("" if c is None or c.numerator is None else str(c.numerator))
        assert row["count"] == ("" if c is None or c.count is None else str(c.count))
        assert row["definition"] == result.measure.definition
    assert int(figures["records_past_disposal"]["count"]) >= 1
    # Rows go in only for measures whose rows name nobody: never the records past their date.
    rows_files = {n.removeprefix("02-measures/rows-") for n in names if "/rows-" in n}
    assert "audit_actions_overdue.csv" in rows_files
    assert {f.removesuffix(".csv") for f in rows_files} <= set(parts.ROWS_IN_PACK)

    # One certificate, with counts and staff, and the destroyed case's number nowhere.
    [cert] = _csv(archive, "05-certificates/disposal-certificates.csv")
    assert cert["destroyed"] == "1" and cert["approved_by"] == org.dpo.username
    # And that certificate as printed to sign and file, naming staff, never the case.
    printed = pdf_text(archive.read(f"05-certificates/{cert['certificate']}.pdf"))
    assert f"Certificate of destruction {cert['certificate']}" in printed
    assert cert["list_sha256"] in printed and org.dpo.username in printed
    assert not any(needle in printed for needle in org.names)
    # The break-glass register names the staff member, not the case or the reason.
    [use] = _csv(archive, "03-registers/break-glass-review.csv")
    assert use["outcome"] == "not yet reviewed" and use["opened_by"].startswith("caseworker-")
    # Attestations with their documents; a formula-like title is neutralised.
    attested = _csv(archive, "06-attestations/attestations.csv")
    assert {a["title"] for a in attested} == {"DP policy approved", "'" + HOSTILE_TITLE}
    for a in attested:
        assert archive.read("06-attestations/" + a["document"]).startswith(b"%PDF")

    # No data subject's name, date of birth or case number in any file.
    for name in names:
        text = archive.read(name).decode("utf-8", errors="ignore")
        for needle in org.names:
            assert needle not in text, (needle, name)
    # And no cell a spreadsheet would run as a formula.
    for name in (n for n in names if n.endswith(".csv")):
        for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8"))):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (name, row)

    # One pack event, counts only.
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == "assurance:evidence_pack:built")
    ).all()
    details = json.loads(event.details)
    assert set(details) == {"as_of", "files", "bytes", "left_out"}
    assert details["files"] == len(names)


def test_an_auditors_pack_leaves_out_what_the_role_does_not_read(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    org = _org(db, keyring, session_factory)
    archive = _build(db, keyring, org.auditor.actor)
    names = archive.namelist()
    # Paper certificates are the archive managers'; the auditor reads the rest.
    assert "05-certificates/paper-destruction-certificates.csv" not in names
    assert "05-certificates/disposal-certificates.csv" in names
    assert "03-registers/breach-register.csv" in names
    readme = archive.read(service.README).decode("utf-8")
    assert "Left out" in readme and "Paper archive destruction certificates" in readme
    left = json.loads(archive.read(service.MANIFEST))["left_out"]
    assert [o["part"] for o in left] == ["Paper archive destruction certificates"]
    # A drill-down the auditor may not see (request references need sar:manage) stays out.
    assert "02-measures/rows-sar_on_time.csv" not in names


def test_a_caseworker_cannot_build_a_pack(db: Session, keyring: FileKeyring) -> None:
    caseworker = make_user(db, Role.CASEWORKER)
    with pytest.raises(Forbidden):
        service.build(
            db, caseworker.actor, clock.today(), io.BytesIO(), keyring=keyring, organisation="x"
        )


def test_the_job_keeps_the_pack_sealed_for_its_builder_until_it_expires(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    dpo, other = make_user(db, Role.DPO), make_user(db, Role.AUDITOR)
    default_schedule(db)
    db.commit()
    pack, job = service.start(db, dpo.actor, queue, as_of=clock.today(), organisation="Org")
    db.commit()
    db.refresh(job)
    assert job.status == "done", job.error
    assert job.result_path == f"/assurance/evidence-pack/{pack.id}"
    db.refresh(pack)
    assert pack.status == PackStatus.READY and pack.chunks >= 1 and pack.key_id
    sealed = db.scalars(
        select(EvidencePackChunk.sealed).where(EvidencePackChunk.pack_id == pack.id)
    ).all()
    assert all(b"00-README" not in s for s in sealed)  # encrypted at rest
    view = service.download(db, dpo.actor, pack.id)
    data = b"".join(service.read_chunks(db, keyring, pack.id))
    assert hashlib.sha256(data).hexdigest() == pack.sha256 == view.pack.sha256
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    # Others with the view see it listed, but only its builder downloads it.
    listed = service.list_packs(db, other.actor, service.PageRequest())
    assert [v.pack.id for v in listed.items] == [pack.id] and not listed.items[0].downloadable
    with pytest.raises(Forbidden):
        service.download(db, other.actor, pack.id)
    # Past its time, its key is destroyed and its chunks deleted; the record stays.
    with clock.frozen(clock.now() + timedelta(days=service.KEEP_DAYS, minutes=1)):
        assert service.purge_expired(db) == 1
    db.refresh(pack)
    assert pack.status == PackStatus.EXPIRED and pack.sha256
    assert (
        db.scalars(select(EvidencePackChunk).where(EvidencePackChunk.pack_id == pack.id)).all()
        == []
    )
    key = db.get(crypto.DataKey, pack.key_id)
    assert key is not None and key.wrapped_key is None
    assert db.get(EvidencePack, pack.id) is not None
