"""The review of held partner data through the pages and the API: the queue and its filters,
a held row beside the recorded person with the difference named in words, the decision
form's errors (changing nothing) and its success, the notices told to partners, a partner's
own corrections page, and who is refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.intake.models import PartnerNotice, SubmissionRow
from steward.intake.policy import Code
from tests.factories.intake import make_partner_user
from tests.intake.review_helpers import SENT_DOB, held_conflict
from tests.web.conftest import SignedIn, csrf_from, sign_in

REASON = "The birth certificate on file gives the date we hold"


def _decide(client: TestClient, row_id: int, **fields: str) -> object:
    data = {"csrf_token": csrf_from(client, f"/intake/held/{row_id}"), **fields}
    return client.post(f"/intake/held/{row_id}", data=data)


def test_the_officer_finds_a_held_row_sees_both_sides_corrects_it_and_it_leaves_the_queue(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    held = held_conflict(db, keyring)
    db.commit()

    home = client.get("/")
    assert 'href="/intake/submissions"' in home.text  # the menu's "Partner data"
    assert 'href="/intake/held"' in client.get("/intake/submissions").text  # its tab
    queue = client.get("/intake/held")
    assert queue.status_code == 200
    assert f'href="/intake/held/{held.row.id}"' in queue.text
    assert "Conflicts with the recorded person" in queue.text
    assert held.partner.name in queue.text
    narrowed = client.get(f"/intake/held?partner={held.partner.id}&code=person.conflict")
    assert f'href="/intake/held/{held.row.id}"' in narrowed.text
    other = client.get("/intake/held?code=case.closed")
    assert f'href="/intake/held/{held.row.id}"' not in other.text
    bad = client.get("/intake/held?code=nonsense")
    assert bad.status_code == 422 and "govuk-error-summary" in bad.text

    page = client.get(f"/intake/held/{held.row.id}")
    assert page.status_code == 200
    assert SENT_DOB in page.text and "2015-03-02" in page.text
    assert 'data-testid="differs">Differs<' in page.text  # in words, not colour alone
    assert held.agreement.reference in page.text and held.case.case_number in page.text
    assert 'id="link"' in page.text and 'id="corrected-date_of_birth"' in page.text

    # No reason, no answer about the person, and a date that is no date: nothing changes.
    refused = _decide(
        client,
        held.row.id,
        decision="correct",
        **{"corrected-date_of_birth": "2015-02-30"},
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "govuk-error-summary" in text
    for anchor in ("#link", "#corrected-date_of_birth", "#reason"):
        assert f'href="{anchor}"' in text
    assert 'value="2015-02-30"' in text  # what was typed is shown again
    db.expire_all()
    assert db.get(SubmissionRow, held.row.id).outcome == "quarantined"  # type: ignore[union-attr]

    done = _decide(
        client,
        held.row.id,
        decision="correct",
        link="yes",
        reason=REASON,
        **{"corrected-date_of_birth": "2015-03-02"},
    )
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == "/intake/held?done=corrected"  # type: ignore[attr-defined]
    after = client.get("/intake/held?done=corrected")
    assert 'data-testid="done"' in after.text
    assert f'href="/intake/held/{held.row.id}"' not in after.text
    db.expire_all()
    assert db.get(SubmissionRow, held.row.id).outcome == "accepted"  # type: ignore[union-attr]
    told = client.get("/intake/notices")
    assert told.status_code == 200 and "Date of birth" in told.text
    assert "Waiting in the outbox" in told.text and SENT_DOB not in told.text
    decided = client.get(f"/intake/held/{held.row.id}")
    assert 'data-testid="decided"' in decided.text and "decision-form" not in decided.text


def test_a_decision_on_a_row_already_decided_is_refused_with_409(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    held = held_conflict(db, keyring, issues=(("date_of_birth", Code.DOB_IMPLAUSIBLE),))
    db.commit()
    page = client.get(f"/intake/held/{held.row.id}")
    assert 'id="link"' not in page.text  # an exact match, held for another reason: linked
    token = csrf_from(client, f"/intake/held/{held.row.id}")
    form = {"csrf_token": token, "decision": "accept", "reason": REASON}
    assert client.post(f"/intake/held/{held.row.id}", data=form).status_code == 303
    # A second tab still showing the form sends it again.
    response = client.post(f"/intake/held/{held.row.id}", data=form)
    assert response.status_code == 409 and "already been decided" in response.text


def test_the_partner_reads_its_own_corrections_and_reaches_no_held_row(
    signed_in: SignedIn,
    client: TestClient,
    db: Session,
    keyring: FileKeyring,
    api_token: Callable[[Role], tuple[str, auth.User]],
) -> None:
    officer, _ = signed_in(Role.IG_OFFICER)
    held = held_conflict(db, keyring)
    other = held_conflict(db, keyring)
    partner_user = make_partner_user(db, held.partner)
    db.commit()
    for h in (held, other):
        _decide(
            officer,
            h.row.id,
            decision="correct",
            link="yes",
            reason=REASON,
            **{"corrected-date_of_birth": "2015-03-02"},
        )
    assert db.scalar(select(func.count(PartnerNotice.id))) == 2

    sign_in(client, partner_user.username)
    page = client.get("/intake/corrections")
    assert page.status_code == 200
    assert 'data-testid="correction"' in page.text and "Date of birth" in page.text
    assert page.text.count('data-testid="correction"') == 1  # its own partner's only
    assert SENT_DOB not in page.text and "2015-03-02" not in page.text
    for path in ("/intake/held", f"/intake/held/{other.row.id}", "/intake/notices"):
        assert client.get(path).status_code == 403
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/intake/held").status_code == 403
    assert caseworker.get("/intake/corrections").status_code == 403


def test_the_api_lists_opens_and_decides_a_held_row(
    db: Session,
    keyring: FileKeyring,
    client: TestClient,
    api_token: Callable[[Role], tuple[str, auth.User]],
) -> None:
    held = held_conflict(db, keyring)
    secret, _ = api_token(Role.IG_OFFICER)
    partner_secret, partner_account = api_token(Role.PARTNER)
    from steward.core.permissions import Actor
    from steward.intake.service import partners

    partners.link_user(db, Actor.system(), partner_id=held.partner.id, user_id=partner_account.id)
    db.commit()
    auth_header = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/intake/held", headers=auth_header).json()
    assert held.row.id in [r["row_id"] for r in listed["items"]]
    line = next(r for r in listed["items"] if r["row_id"] == held.row.id)
    assert line["codes"] == ["person.conflict"] and "date_of_birth" not in str(line)

    row = client.get(f"/api/v1/intake/held/{held.row.id}", headers=auth_header).json()
    assert row["ask_same_person"] and row["differences"] == ["date_of_birth"]
    dob = next(f for f in row["fields"] if f["name"] == "date_of_birth")
    assert (dob["value"], dob["recorded"], dob["differs"]) == (SENT_DOB, "2015-03-02", True)
    assert row["candidate"]["person_id"] == held.person.id

    missing = client.post(
        f"/api/v1/intake/held/{held.row.id}/decision",
        json={"decision": "accept", "reason": REASON},
        headers=auth_header,
    )
    assert missing.status_code == 422 and "link" in missing.json()["errors"]
    decided = client.post(
        f"/api/v1/intake/held/{held.row.id}/decision",
        json={
            "decision": "correct",
            "reason": REASON,
            "corrected": {"date_of_birth": "2015-03-02"},
            "link_to_candidate": True,
        },
        headers=auth_header,
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["outcome"] == "accepted" and body["corrected_fields"] == ["date_of_birth"]
    assert body["linked"] and body["messages"] == 1
    twice = client.post(
        f"/api/v1/intake/held/{held.row.id}/decision",
        json={"decision": "reject", "reason": REASON},
        headers=auth_header,
    )
    assert twice.status_code == 409

    told = client.get("/api/v1/intake/notices", headers=auth_header).json()
    assert told["items"][0]["fields"] == ["date_of_birth"]
    partner_header = {"Authorization": f"Bearer {partner_secret}"}
    mine = client.get("/api/v1/intake/corrections", headers=partner_header).json()
    assert mine["linked"] and [c["fields"] for c in mine["items"]] == [["date_of_birth"]]
    assert client.get("/api/v1/intake/held", headers=partner_header).status_code == 403
