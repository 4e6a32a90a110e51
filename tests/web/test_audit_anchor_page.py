"""The DPO's audit page says when the trail's head was last anchored outside Steward."""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.core import audit, audit_anchor
from steward.core.permissions import Actor, Role
from steward.web.rendering import govuk_datetime
from tests.web.conftest import SignedIn, csrf_from


def test_the_audit_page_shows_the_last_anchor(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    assert "has never been anchored outside Steward" in client.get("/audit").text

    anchored = audit_anchor.take(db)
    audit.record(
        db, Actor.system(), audit.EventTag.AUDIT_CHAIN_ANCHORED, details={"seq": anchored.seq}
    )
    db.commit()

    last = audit.last_anchor(db)
    assert last is not None
    page = client.get("/audit").text
    assert "never been anchored" not in page
    assert f"Head last anchored outside Steward on {govuk_datetime(last.occurred_at)}" in page
    verified = client.post("/audit/verify", data={"csrf_token": csrf_from(client, "/audit")})
    assert "is unbroken" in verified.text and "Head last anchored" in verified.text
