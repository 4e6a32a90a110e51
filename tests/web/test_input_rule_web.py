"""The core input rule on pages and the API: a form field, query string or JSON field with a
control or invisible formatting character is refused with 422, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.records.models import BreakGlass
from tests.web.conftest import SignedIn, csrf_from
from tests.web.records_helpers import case_file, search

ApiToken = Callable[[Role], tuple[str, auth.User]]
HIDDEN = ["\x00", "\u202e", "\u200b", "\ufeff"]


def _tokens(db: Session, user_id: int) -> int:
    return int(db.scalar(select(func.count()).where(auth.ApiToken.user_id == user_id)) or 0)


@pytest.mark.parametrize("char", HIDDEN)
def test_a_form_field_with_a_hidden_character_is_refused(
    char: str, signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    before = _tokens(db, user.id)
    response = client.post(
        "/account/tokens",
        data={"name": f"nigh{char}tly", "csrf_token": csrf_from(client, "/account")},
    )
    assert response.status_code == 422
    assert char not in response.text
    db.expire_all()
    assert _tokens(db, user.id) == before

    record = case_file(db, keyring)
    db.commit()
    url = f"/cases/{record.case.id}/break-glass"
    reason = f"Urgent safeguarding call{char} from the school"
    response = client.post(url, data={"reason": reason, "csrf_token": csrf_from(client, url)})
    assert response.status_code == 422
    assert db.scalar(select(BreakGlass.id).where(BreakGlass.case_id == record.case.id)) is None


@pytest.mark.parametrize("char", HIDDEN)
def test_a_query_with_a_hidden_character_is_refused(char: str, signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    assert search(client, f"Ava{char}").status_code == 422


@pytest.mark.parametrize("char", HIDDEN)
def test_api_bodies_with_a_hidden_character_are_refused(
    char: str, client: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, user = api_token(Role.CASEWORKER)
    before = _tokens(db, user.id)
    response = client.post(
        "/api/v1/tokens",
        json={"name": f"nigh{char}tly"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    db.expire_all()
    assert _tokens(db, user.id) == before
