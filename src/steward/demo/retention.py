"""Demo hook of the retention domain: the default schedule approved; the paper-only files of
old cases (from the archives demo) past their date under it; a litigation hold on one closed
case and a complaint hold on one parent; and a disposal list proposed five weeks ago that
nobody has reviewed, so the DPO's report shows an overdue review. It adds no case: the
electronic demo cases are recent, and none is due yet (see `retention due --as-of 2040-01-01`).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict
from steward.core.permissions import Actor
from steward.records.models import Case, CaseStatus, Party, PartyRole
from steward.retention.models import Hold
from steward.retention.service import dates, disposal, holds, schedules


def prepare(factory: sessionmaker[Session], actor: Actor, kek: KeyEncryptionKeys) -> None:
    """Idempotent: does nothing once any hold exists."""
    with session_scope(factory) as db:
        if db.scalar(select(Hold.id).limit(1)) is not None:
            return
        schedules.ensure_default(db, actor)
        dates.sweep(db, actor)
        closed = list(
            db.scalars(
                select(Case.case_number)
                .where(Case.status == CaseStatus.CLOSED)
                .order_by(Case.id)
                .limit(1)
            )
        )
        if closed:
            holds.place_hold(
                db,
                actor,
                kek,
                kind="litigation",
                scope="case",
                targets=closed[:1],
                reason="Claim issued against the service about this case; keep everything.",
                reference="CLAIM-2026-014",
            )
        adults = (PartyRole.PARENT, PartyRole.APPLICANT, PartyRole.RESPONDENT)
        parent = db.scalar(
            select(Party.person_id)
            .join(Case, Case.id == Party.case_id)
            .where(Case.status == CaseStatus.CLOSED, Party.role.in_(adults))
            .order_by(Case.id.desc())
            .limit(1)
        )
        if parent is not None:
            holds.place_hold(
                db,
                actor,
                kek,
                kind="complaint",
                scope="person",
                targets=[parent],
                reason="Complaint by this parent under investigation.",
                reference="COMP-0192",
            )
    # Proposed five weeks ago and never reviewed: the report shows it as overdue.
    five_weeks_ago = clock.frozen(datetime.now(UTC) - timedelta(days=35))
    with five_weeks_ago, session_scope(factory) as db, contextlib.suppress(Conflict):
        disposal.propose(db, actor, as_of=clock.today())
