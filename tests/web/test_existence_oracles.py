"""Guessing ids tells nothing: where an actor could not know whether a case, person or
document exists, a real one they may not see answers exactly as a missing one does, and
break-glass is offered only for the case asked for by its own id."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from tests.web.conftest import SignedIn, csrf_from
from tests.web.records_helpers import case_file

ApiToken = Callable[[Role], tuple[str, auth.User]]
MISSING = 987_654_321
REASON = "Urgent safeguarding call from the school"


def _answer(
    client: TestClient, path: str, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    response = client.get(path, headers=headers or {})
    location = response.headers.get("location", "")
    body = response.text if response.status_code != 303 else ""
    return response.status_code, location, body


def _same(
    client: TestClient, real: str, missing: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """Both answers, which must not differ but for the id asked for (in a redirect)."""
    status_real, location_real, body_real = _answer(client, real, headers)
    status_missing, location_missing, body_missing = _answer(client, missing, headers)
    assert status_real == status_missing, (real, status_real, status_missing)
    real_id = re.findall(r"/(\d+)", real)[0]
    assert location_real.replace(real_id, "ID") == location_missing.replace(str(MISSING), "ID")
    assert body_real == body_missing
    return status_real, location_real


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_a_document_not_yours_answers_as_a_missing_one_and_names_no_case(
    role: Role, signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(role)
    record = case_file(db, keyring)
    db.commit()
    doc = record.document.id
    for real, missing in (
        (f"/documents/{doc}", f"/documents/{MISSING}"),
        (f"/documents/{doc}/download", f"/documents/{MISSING}/download"),
    ):
        status, location = _same(client, real, missing)
        assert status == 404 and "break-glass" not in location
    response = client.get(f"/documents/{doc}")
    assert f"/cases/{record.case.id}" not in response.text
    assert record.case.case_number not in response.text


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.PARTNER])
def test_roles_without_case_access_get_one_answer_for_real_and_missing_ids(
    role: Role, signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(role)
    record = case_file(db, keyring)
    db.commit()
    for kind, real in (
        ("cases", record.case.id),
        ("documents", record.document.id),
        ("people", record.child.id),
    ):
        status, _ = _same(client, f"/{kind}/{real}", f"/{kind}/{MISSING}")
        assert status == 403
    status, _ = _same(
        client, f"/documents/{record.document.id}/download", f"/documents/{MISSING}/download"
    )
    assert status == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_roles_without_case_access_get_one_answer_from_the_api(
    role: Role, client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    record = case_file(db, keyring)
    secret, _ = api_token(role)
    headers = {"Authorization": f"Bearer {secret}"}
    for real, missing in (
        (f"/api/v1/documents/{record.document.id}", f"/api/v1/documents/{MISSING}"),
        (f"/api/v1/cases/{record.case.id}", f"/api/v1/cases/{MISSING}"),
        (f"/api/v1/people/{record.child.id}", f"/api/v1/people/{MISSING}"),
    ):
        status, _ = _same(client, real, missing, headers)
        assert status == 403


def test_a_missing_case_offers_break_glass_just_as_an_unassigned_one(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    db.commit()
    status, location = _same(client, f"/cases/{record.case.id}", f"/cases/{MISSING}")
    assert status == 303 and location == f"/cases/{record.case.id}/break-glass"
    form_real = client.get(f"/cases/{record.case.id}/break-glass")
    form_missing = client.get(f"/cases/{MISSING}/break-glass")
    assert form_real.status_code == form_missing.status_code == 200

    # Stating a reason for a case that does not exist: a 404, on the record.
    url = f"/cases/{MISSING}/break-glass"
    response = client.post(url, data={"reason": REASON, "csrf_token": csrf_from(client, url)})
    assert response.status_code == 404
    tags = db.scalars(select(AuditEvent.tag).where(AuditEvent.actor_id == user.id))
    assert "records:break_glass:no_case" in list(tags)


def test_the_api_offers_break_glass_for_a_missing_case_as_for_an_unassigned_one(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    record = case_file(db, keyring)
    secret, _ = api_token(Role.CASEWORKER)
    headers = {"Authorization": f"Bearer {secret}"}
    real = client.get(f"/api/v1/cases/{record.case.id}", headers=headers)
    missing = client.get(f"/api/v1/cases/{MISSING}", headers=headers)
    assert real.status_code == missing.status_code == 403
    assert missing.json()["break_glass_url"] == f"/api/v1/cases/{MISSING}/break-glass"
    assert real.json()["detail"] == missing.json()["detail"]
    opened = client.post(
        f"/api/v1/cases/{MISSING}/break-glass", json={"reason": REASON}, headers=headers
    )
    assert opened.status_code == 404
    for path in (f"/api/v1/documents/{record.document.id}", f"/api/v1/documents/{MISSING}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and "break_glass_url" not in response.json()


def test_the_page_refuses_past_the_limit_and_the_dpo_sees_it(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    records = [case_file(db, keyring) for _ in range(6)]
    db.commit()
    answers = []
    for record in records:
        url = f"/cases/{record.case.id}/break-glass"
        data = {"reason": REASON, "csrf_token": csrf_from(client, url)}
        answers.append(client.post(url, data=data).status_code)
    assert answers == [303] * 5 + [429]
    tags = list(db.scalars(select(AuditEvent.tag).where(AuditEvent.actor_id == user.id)))
    assert tags.count("records:case:break_glass") == 5
    assert "records:break_glass:limited" in tags

    dpo, _ = signed_in(Role.DPO)
    page = dpo.get("/break-glass").text
    assert 'data-testid="break-glass-alerts"' in page
    assert "reached the break-glass limit" in page
    assert 'data-testid="break-glass-unreviewed"' in page
