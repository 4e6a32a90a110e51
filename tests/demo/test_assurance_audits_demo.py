"""The audits demo: one ICO audit rated reasonable overall over security and records
management, recommendations owned by the demo accounts with some overdue and one red, and
seeding it twice adding nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.service import actions, attestations, audits
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.db import session_scope
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.demo import assurance_audits as demo
from tests.assurance.pdf_text import pdf_text
from tests.factories.core import make_user


def test_the_demo_audit_looks_like_the_organisations(
    session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    with session_scope(session_factory) as db:
        for username, role in (
            ("admin", Role.ADMIN),
            ("manager", Role.MANAGER),
            ("ig-officer", Role.IG_OFFICER),
            ("dpo", Role.DPO),
        ):
            make_user(db, role, username=username)
    assert demo.prepare(session_factory, keyring) == len(demo.RECOMMENDATIONS)
    assert demo.prepare(session_factory, keyring) == 0
    with session_scope(session_factory) as db:
        found = audits.list_audits(db, Actor.system(), PageRequest()).items
        assert len(found) == 1
        view = audits.view_audit(db, keyring, Actor.system(), found[0].id)
        assert view.overall == Rating.REASONABLE
        assert {a for a, _ in view.areas} == {Area.SECURITY, Area.RECORDS_MANAGEMENT}
        today = clock.today()
        summary = actions.action_plan_summary(db, today)
        assert summary.red >= 1 and summary.overdue >= 2
        assert [a.reference for a in actions.open_red_actions(db, today)] == ["S1", "S2"]
        assert attestations.attestation_summary(db, today).expired == 1
        # Each attestation's document is a PDF that opens and names what was approved (an
        # auditor reads them in the evidence pack).
        listed = attestations.list_attestations(db, Actor.system(), PageRequest())
        for line in listed.items:
            opened = pdf_text(attestations.document(db, keyring, Actor.system(), line.id).data)
            assert line.title in opened
