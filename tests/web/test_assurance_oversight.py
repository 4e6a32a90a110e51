"""Oversight of access on the web and the API: the access history, break-glass review and the
access review, each for its readers only, with CSVs a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.oversight.models import AccessReviewEntry, BreakGlassReview
from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.records import service as records
from tests.assurance.oversight_helpers import scene
from tests.web.conftest import SignedIn, csrf_from

HOSTILE_REASON = "=cmd|' /C calc'!A0 urgent call from the school about the child"
HOSTILE_NOTE = '=HYPERLINK("http://evil") <script>alert(1)</script> ../../etc'
ApiToken = Callable[[Role], tuple[str, auth.User]]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_access_history_is_for_readers_of_the_audit_trail(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    db.commit()
    for role in (Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER, Role.ADMIN):
        client, _ = signed_in(role)
        assert client.get(f"/assurance/access?case={s.case.case_number}").status_code == 403
        assert client.get(f"/assurance/access/export.csv?person={s.child.id}").status_code == 403
    auditor, _ = signed_in(Role.AUDITOR)
    page = auditor.get(f"/assurance/access?case={s.case.case_number}")
    assert page.status_code == 200
    table = page.text[page.text.index('data-testid="access-history"') :]
    for user, words in (
        (s.assigned, "Assigned to the case"),
        (s.manager, "The case&#39;s team"),
        (s.ig, "Information governance duty"),
        (s.glass, "Break-glass"),
    ):
        assert user.username in table and words in table
    assert s.other.case_number not in table
    assert "Showing <b>1</b>" in page.text
    assert 'href="/assurance/access" aria-current="page"' in page.text  # the sub-navigation
    # A person's history is asked for by record number; names never sit in the address.
    by_person = auditor.get(f"/assurance/access?person={s.child.id}")
    assert by_person.status_code == 200 and f"Person record {s.child.id}" in by_person.text
    exported = auditor.get(f"/assurance/access/export.csv?person={s.child.id}")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = _rows(exported.text)
    assert rows[0][0] == "Event" and any(s.glass.username in row for row in rows)


def test_a_bad_record_is_refused_with_the_form_again(signed_in: SignedIn, db: Session) -> None:
    auditor, _ = signed_in(Role.AUDITOR)
    for query in ("case=NOPE-1", "person=abc", "person=%3Cscript%3E", "case=X&person=1"):
        page = auditor.get(f"/assurance/access?{query}")
        assert page.status_code == 422 and "govuk-error-summary" in page.text
        assert "<script>" not in page.text


def test_break_glass_is_reviewed_on_its_page_and_a_second_review_must_supersede(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    db.commit()
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/assurance/break-glass").status_code == 403
    assert caseworker.get(f"/assurance/break-glass/{s.use.id}").status_code == 403
    dpo, _ = signed_in(Role.DPO)
    listing = dpo.get("/assurance/break-glass?show=unreviewed")
    assert listing.status_code == 200 and 'data-testid="break-glass-unreviewed"' in listing.text
    assert s.case.case_number in listing.text
    url = f"/assurance/break-glass/{s.use.id}"
    token = csrf_from(dpo, url)
    refused = dpo.post(f"{url}/review", data={"outcome": "not_justified", "csrf_token": token})
    assert refused.status_code == 422 and 'href="#note"' in refused.text
    assert db.scalars(select(BreakGlassReview)).all() == []
    done = dpo.post(
        f"{url}/review",
        data={"outcome": "not_justified", "note": HOSTILE_NOTE, "csrf_token": token},
    )
    assert done.status_code == 303
    page = dpo.get(url).text
    assert "Not justified" in page and "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    # An auditor reads the review but records none: no form, and a post is refused.
    reader, _ = signed_in(Role.AUDITOR)
    assert "Not justified" in reader.get(url).text and "/review" not in reader.get(url).text
    posted = reader.post(
        f"{url}/review", data={"outcome": "justified", "csrf_token": csrf_from(reader, url)}
    )
    assert posted.status_code == 403
    # A second reviewer whose form did not see the first review is refused, not overwriting it.
    auditor, _ = signed_in(Role.DPO)  # a deputy
    twice = auditor.post(
        f"{url}/review",
        data={"outcome": "justified", "csrf_token": csrf_from(auditor, url)},
    )
    assert twice.status_code == 409 and "already been reviewed" in twice.text
    current = db.scalars(select(BreakGlassReview)).one()
    changed = auditor.post(
        f"{url}/review",
        data={
            "outcome": "justified",
            "supersedes": str(current.id),
            "csrf_token": csrf_from(auditor, url),
        },
    )
    assert changed.status_code == 303
    assert "Superseded" in auditor.get(url).text


def test_the_break_glass_csv_neutralises_formulas(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    use = records.break_glass(db, keyring, s.glass.actor, case_id=s.other.id, reason=HOSTILE_REASON)
    db.commit()
    dpo, _ = signed_in(Role.DPO)
    url = f"/assurance/break-glass/{use.id}"
    dpo.post(
        f"{url}/review",
        data={"outcome": "referred", "note": HOSTILE_NOTE, "csrf_token": csrf_from(dpo, url)},
    )
    exported = dpo.get("/assurance/break-glass/export.csv?show=referred")
    assert exported.status_code == 200
    header, *rows = _rows(exported.text)
    assert header[0] == "Use" and len(rows) == 1
    cells = rows[0]
    assert "'" + HOSTILE_REASON in cells and "'" + HOSTILE_NOTE in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_the_old_break_glass_address_and_form_still_work(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    db.commit()
    dpo, _ = signed_in(Role.DPO)
    assert 'data-testid="break-glass-uses"' in dpo.get("/break-glass").text
    marked = dpo.post(
        "/break-glass/reviewed",
        data={"break_glass_ids": str(s.use.id), "csrf_token": csrf_from(dpo, "/break-glass")},
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/assurance/break-glass?marked=1"


def test_the_dpo_runs_an_access_review_and_an_auditor_reads_it(
    signed_in: SignedIn, db: Session
) -> None:
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/assurance/access-review").status_code == 403
    dpo, _ = signed_in(Role.DPO)
    started = dpo.post(
        "/assurance/access-review", data={"csrf_token": csrf_from(dpo, "/assurance/access-review")}
    )
    assert started.status_code == 303
    round_url = started.headers["location"]
    round_id = int(round_url.rsplit("/", 1)[1])
    page = dpo.get(round_url)
    assert page.status_code == 200 and 'data-testid="entries"' in page.text
    token = csrf_from(dpo, round_url)
    early = dpo.post(f"{round_url}/close", data={"csrf_token": token})
    assert early.status_code == 422 and "still to decide" in early.text
    entries = db.scalars(
        select(AccessReviewEntry).where(AccessReviewEntry.round_id == round_id)
    ).all()
    active = db.scalars(select(auth.User.id).where(auth.User.is_active.is_(True))).all()
    assert {e.user_id for e in entries} == set(active)
    for entry in entries:
        answer = dpo.post(
            f"{round_url}/accounts/{entry.id}", data={"decision": "confirmed", "csrf_token": token}
        )
        assert answer.status_code == 303
    assert dpo.post(f"{round_url}/close", data={"csrf_token": token}).status_code == 303
    auditor, _ = signed_in(Role.AUDITOR)
    evidence = auditor.get(round_url).text
    assert "Closed" in evidence and "Confirmed as it is" in evidence
    assert 'name="decision"' not in evidence  # a closed review is the record: no more decisions
    listing = auditor.get("/assurance/access-review").text
    assert "Start a review" not in listing


def test_the_api_answers_as_the_pages(
    api_token: ApiToken, db: Session, keyring: FileKeyring, client: TestClient
) -> None:
    s = scene(db, keyring)
    db.commit()
    auditor, _ = api_token(Role.AUDITOR)
    worker, _ = api_token(Role.CASEWORKER)
    dpo, _ = api_token(Role.DPO)

    def get(token: str, path: str) -> object:
        return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})

    history = client.get(
        f"/api/v1/assurance/access/cases/{s.case.id}",
        headers={"Authorization": f"Bearer {auditor}"},
    )
    assert history.status_code == 200
    body = history.json()
    assert body["total"] >= 6 and {"items", "page", "next_page"} <= set(body)
    assert {"assigned", "team", "role", "break_glass"} <= {i["access"] for i in body["items"]}
    refused = client.get(
        f"/api/v1/assurance/access/cases/{s.case.id}",
        headers={"Authorization": f"Bearer {worker}"},
    )
    assert refused.status_code == 403
    uses = client.get(
        "/api/v1/assurance/break-glass?show=unreviewed",
        headers={"Authorization": f"Bearer {auditor}"},
    ).json()
    assert [u["id"] for u in uses["items"]] == [s.use.id]
    path = f"/api/v1/assurance/break-glass/{s.use.id}/reviews"
    read_only = {"Authorization": f"Bearer {auditor}"}
    assert client.post(path, json={"outcome": "justified"}, headers=read_only).status_code == 403
    headers = {"Authorization": f"Bearer {dpo}"}
    first = client.post(path, json={"outcome": "justified"}, headers=headers)
    assert first.status_code == 201 and first.json()["review"]["outcome"] == "justified"
    again = client.post(path, json={"outcome": "referred", "note": "x"}, headers=headers)
    assert again.status_code == 409
    review_id = first.json()["review"]["id"]
    changed = client.post(
        path,
        json={"outcome": "referred", "note": "To HR", "supersedes_id": review_id},
        headers=headers,
    )
    assert changed.status_code == 201 and len(changed.json()["reviews"]) == 2
    dpo_headers = {"Authorization": f"Bearer {dpo}"}
    started = client.post("/api/v1/assurance/access-reviews", headers=dpo_headers)
    assert started.status_code == 201
    round_id = started.json()["id"]
    assert client.post("/api/v1/assurance/access-reviews", headers=dpo_headers).status_code == 409
    accounts = client.get(
        f"/api/v1/assurance/access-reviews/{round_id}/accounts", headers=headers
    ).json()
    assert accounts["total"] == started.json()["accounts"]
    entry = accounts["items"][0]["id"]
    decided = client.post(
        f"/api/v1/assurance/access-reviews/{round_id}/accounts/{entry}",
        json={"decision": "confirmed"},
        headers=dpo_headers,
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "confirmed"
    not_yet = client.post(f"/api/v1/assurance/access-reviews/{round_id}/close", headers=dpo_headers)
    assert not_yet.status_code == 422
