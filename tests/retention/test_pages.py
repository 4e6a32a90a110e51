"""The retention pages: schedule with impact and approval, due list, holds, disposal review
with the second approval, certificate, explanation and report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.models import Case
from steward.retention import schedule_format
from steward.retention.models import RetentionSchedule
from steward.retention.service import certificates, dates, disposal, holds, schedules
from tests.assurance.pdf_text import pdf_text
from tests.retention.helpers import case_with_children, person
from tests.web.conftest import SignedIn, csrf_from


def _post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_from(client, "/retention")})


def test_from_schedule_to_certificate_in_the_browser(
    signed_in: SignedIn, db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    case = case_with_children(db, keyring, date(2008, 2, 29))
    number, case_id = case.case_number, case.id
    db.commit()
    officer, officer_user = signed_in(Role.IG_OFFICER)
    dpo, dpo_user = signed_in(Role.DPO)

    bad = _post(officer, "/retention/schedule", {"source": "title: x\nrules: []\n"})
    assert bad.status_code == 422 and "owner" in bad.text
    loaded = _post(
        officer, "/retention/schedule", {"source": schedule_format.default_schedule_text()}
    )
    assert loaded.status_code == 303
    page = officer.get("/retention")
    assert 'data-testid="impact"' in page.text and "CASE.PRIVATE" in page.text
    version = re.search(r"/retention/schedule/(\d+)/approve", page.text)
    assert version is not None
    assert _post(dpo, f"/retention/schedule/{version.group(1)}/approve", {}).status_code == 303

    due = officer.get("/retention/due?as_of=2033-03-01")
    assert number in due.text and "1 March 2033" in due.text  # 29 February + 25 years
    explained = officer.get(f"/retention/cases/{case_id}")
    assert (
        "youngest child subject Child0, born 2008-02-29, reaches 25 on 2033-03-01" in explained.text
    )

    held = _post(
        officer,
        "/retention/holds",
        {
            "kind": "complaint",
            "scope": "case",
            "targets": "NOPE1234",
            "reason": "Complaint received",
        },
    )
    assert held.status_code == 422 and "nothing was held" in held.text

    typo = _post(
        officer,
        "/retention/disposal",
        {"as_of-day": "31", "as_of-month": "2", "as_of-year": "2034"},
    )
    assert typo.status_code == 422 and "must be a real date" in typo.text
    proposed = _post(
        officer,
        "/retention/disposal",
        {"as_of-day": "1", "as_of-month": "1", "as_of-year": "2034"},
    )
    assert proposed.status_code == 303
    list_path = proposed.headers["location"]
    confirm = officer.get(f"{list_path}/decide-all")
    assert confirm.status_code == 200 and "Decide: destroy 1 item<" in confirm.text
    assert _post(officer, f"{list_path}/decide", {"decision": "destroy"}).status_code == 303
    # The one who decided is told who must approve, and is not offered the button.
    reviewed = officer.get(list_path).text
    assert 'data-testid="approve-link"' not in reviewed and "second person" in reviewed
    refused = _post(officer, f"{list_path}/approve", {})
    assert refused.status_code == 403  # the one who decided cannot approve
    assert officer.get(f"{list_path}/approve").status_code == 403
    assert 'data-testid="approve-link"' in dpo.get(list_path).text
    assert "Approve destruction" in dpo.get(f"{list_path}/approve").text
    assert _post(dpo, f"{list_path}/approve", {}).status_code == 303
    assert 'data-testid="carry-out-link"' in dpo.get(list_path).text

    # Carried out from the page as a background job (run at once under tests).
    assert "Destroyed cases cannot be recovered" in dpo.get(f"{list_path}/carry-out").text
    started = _post(dpo, f"{list_path}/carry-out", {})
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_page = dpo.get(started.headers["location"])
    assert "did not finish" not in job_page.text, re.sub(r"\s+", " ", job_page.text)[-3000:]
    assert 'data-testid="job-done"' in job_page.text
    assert f'href="{list_path}/certificate"' in job_page.text
    progress = dpo.get(started.headers["location"] + "/progress").json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 1
    assert officer.get(started.headers["location"]).status_code == 200  # same permission
    certificate = dpo.get(f"{list_path}/certificate")
    assert certificate.status_code == 200 and "SHA-256" in certificate.text
    # Each step's person by name, never an id; the list still gives the certificate's digest.
    steps = certificate.text.split('data-testid="steps"')[1].split("</dl>")[0]
    assert officer_user.username in steps and dpo_user.username in steps
    assert "user id" not in certificate.text
    assert 'data-testid="digest-holds"' in certificate.text
    # The PDF to sign and file says the same, and printing it is on record.
    printed = dpo.get(f"{list_path}/certificate.pdf")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert "attachment" in printed.headers["content-disposition"]
    text = pdf_text(printed.content)
    assert "Certificate of destruction DC-" in text and dpo_user.username in text
    assert number not in text
    tags = set(db.scalars(select(AuditEvent.tag)))
    assert "retention:certificate:printed" in tags
    assert officer.get(f"{list_path}/certificate.pdf").status_code == 200  # the officer manages
    report = dpo.get("/retention/report")
    assert report.status_code == 200 and "Holds in force" in report.text
    assert number not in report.text
    assert officer_user.id != dpo_user.id


def test_a_caseworker_cannot_see_retention_pages(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    assert client.get("/retention").status_code == 403
    assert client.get("/retention/report").status_code == 403


def test_a_schedule_with_aliases_is_refused_on_the_page_and_nothing_is_stored(
    signed_in: SignedIn, db: Session
) -> None:
    officer, _ = signed_in(Role.IG_OFFICER)
    refused = _post(officer, "/retention/schedule", {"source": "title: &t [*t]\nowner: o\n"})
    assert refused.status_code == 422
    assert "line 1" in refused.text and "anchors (&amp;) and aliases (*)" in refused.text
    assert db.scalar(select(func.count()).select_from(RetentionSchedule)) == 0


def test_holds_show_what_they_cover_by_name_and_page_and_filter(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    officer, officer_user = signed_in(Role.IG_OFFICER)
    schedules.ensure_default(db, Actor.system())
    case = case_with_children(db, keyring, date(2015, 6, 1))
    parent = person(db, date(1980, 1, 2), first="Harriet", last="Quill")
    holds.place_hold(
        db,
        officer_user.actor,
        keyring,
        kind="complaint",
        scope="person",
        targets=[str(parent.id)],
        reason="Complaint by this parent under investigation",
        reference="COMP-1",
    )
    released = holds.place_hold(
        db,
        officer_user.actor,
        keyring,
        kind="litigation",
        scope="case",
        targets=[case.case_number],
        reason="Claim about this case, now settled",
        reference="CLAIM-1",
    )
    holds.release_hold(
        db, officer_user.actor, keyring, hold_id=released.id, reason="Claim settled in full"
    )
    db.commit()

    page = officer.get("/retention/holds").text
    assert "Harriet Quill" in page and f'href="/people/{parent.id}"' in page
    assert "CLAIM-1" not in page and "1</b> holds in force" in page
    shown = officer.get("/retention/holds?status=released").text
    assert "CLAIM-1" in shown and case.case_number in shown and "Harriet Quill" not in shown
    assert officer.get("/retention/holds?status=everything").status_code == 422
    assert db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.tag == "retention:holds:listed")
    )


def test_the_due_list_pages_and_filters_and_takes_a_typed_date(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    officer, _ = signed_in(Role.IG_OFFICER)
    schedules.ensure_default(db, Actor.system())
    made = [case_with_children(db, keyring, date(1990, 1, 1)).case_number for _ in range(3)]
    dates.sweep(db, Actor.system())
    db.commit()
    page = officer.get("/retention/due?as_of-day=1&as_of-month=1&as_of-year=2040")
    assert page.status_code == 200 and "of <b>3</b> records due" in page.text
    assert all(number in page.text for number in made)
    paper = officer.get("/retention/due?as_of=2040-01-01&kind=paper_file")
    assert "No records due" in paper.text
    held = officer.get("/retention/due?as_of=2040-01-01&held=yes")
    assert "No records due" in held.text
    typo = officer.get("/retention/due?as_of-day=30&as_of-month=2&as_of-year=2040")
    assert typo.status_code == 422 and "The date must be a real date" in typo.text


def test_an_interrupted_destruction_is_continued_from_the_page(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, officer_user = signed_in(Role.IG_OFFICER)
    dpo, dpo_user = signed_in(Role.DPO)
    schedules.ensure_default(db, Actor.system())
    numbers = [case_with_children(db, keyring, date(1990, 1, 1)).case_number for _ in range(2)]
    listed = disposal.propose(db, officer_user.actor, as_of=date(2040, 1, 1))
    disposal.decide(
        db, officer_user.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy"
    )
    disposal.approve(db, dpo_user.actor, keyring, list_id=listed.id)
    db.commit()
    list_path = f"/retention/disposal/{listed.id}"

    def power_cut(*_args: object) -> int:
        raise OSError("the machine lost power")

    monkeypatch.setattr(certificates, "issue", power_cut)
    first = _post(dpo, f"{list_path}/carry-out", {})
    assert 'data-testid="job-failed"' in dpo.get(first.headers["location"]).text
    page = dpo.get(list_path).text
    assert "Continue destruction" in page and "Executing" in page
    assert (
        db.scalar(select(func.count()).select_from(Case).where(Case.case_number.in_(numbers))) == 0
    )

    monkeypatch.undo()
    second = _post(dpo, f"{list_path}/carry-out", {})
    assert second.headers["location"] != first.headers["location"]
    done = dpo.get(second.headers["location"]).text
    assert 'data-testid="job-done"' in done and "2 items done" in done
    assert 'data-testid="certificate-link"' in dpo.get(list_path).text


def test_keeping_an_item_asks_why_and_until_when_on_a_page_of_its_own(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    officer, officer_user = signed_in(Role.IG_OFFICER)
    schedules.ensure_default(db, Actor.system())
    case_with_children(db, keyring, date(1990, 1, 1))
    listed = disposal.propose(db, officer_user.actor, as_of=date(2040, 1, 1))
    item = listed.items[0]
    db.commit()
    path = f"/retention/disposal/{listed.id}"
    form = officer.get(f"{path}/items/{item.id}/retain")
    assert form.status_code == 200 and f"Keep {item.identifier}" in form.text
    wrong = _post(
        officer,
        f"{path}/decide",
        {
            "item_id": str(item.id),
            "decision": "retain",
            "reason": "Appeal pending in the Court of Appeal",
            "review_on-day": "12",
            "review_on-year": "2031",
        },
    )
    assert wrong.status_code == 422 and f"Keep {item.identifier}" in wrong.text
    assert "must include a month" in wrong.text and "Appeal pending" in wrong.text
    kept = _post(
        officer,
        f"{path}/decide",
        {
            "item_id": str(item.id),
            "decision": "retain",
            "reason": "Appeal pending in the Court of Appeal",
            "review_on-day": "12",
            "review_on-month": "5",
            "review_on-year": "2031",
        },
    )
    assert kept.status_code == 303
    assert "Review 12 May 2031: Appeal pending" in officer.get(path).text
