"""Demo hook of the breach register: three breaches at different points, so the register,
its clocks, the home page's panel and the dashboard's figures have something to show: one
reported to the ICO within 72 hours and closed, a near miss closed, and one open with its
clock running. Everyone and everything named here is invented."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.breaches import service
from steward.assurance.breaches.models import Breach
from steward.assurance.breaches.policy import (
    DataCategory,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
)
from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.permissions import Actor

REPORTER, OFFICER, DPO = "caseworker", "ig-officer", "dpo"


def _actor(db: Session, username: str) -> Actor | None:
    user = db.scalar(select(auth.User).where(auth.User.username == username))
    return user.actor if user is not None else None


def prepare(factory: sessionmaker[Session], kek: KeyEncryptionKeys) -> None:
    """Idempotent: does nothing once any breach exists, or without the demo accounts."""
    with session_scope(factory) as db:
        reporter, officer, dpo = (_actor(db, u) for u in (REPORTER, OFFICER, DPO))
        if reporter is None or officer is None or dpo is None:
            return
        if db.scalar(select(Breach.id).limit(1)) is not None:
            return
        now = clock.now()
        _notified_in_time(db, kek, reporter, officer, dpo, now - timedelta(days=40))
        _near_miss(db, kek, reporter, officer, now - timedelta(days=12))
        _running(db, kek, reporter, officer, now - timedelta(hours=20))


def _report(
    db: Session, kek: KeyEncryptionKeys, reporter: Actor, at: datetime, what: str, data: str
) -> Breach:
    with clock.frozen(at + timedelta(minutes=30)):
        return service.report(
            db,
            kek,
            reporter,
            service.ReportIn(
                description=what, discovered_at=at, data_involved=data, people_affected=None
            ),
        )


def _notified_in_time(
    db: Session,
    kek: KeyEncryptionKeys,
    reporter: Actor,
    officer: Actor,
    dpo: Actor,
    at: datetime,
) -> None:
    breach = _report(
        db,
        kek,
        reporter,
        at,
        "A court report was emailed to the wrong solicitor's firm; they called to say so.",
        "A section 7 report about two children and their parents",
    )
    with clock.frozen(at + timedelta(hours=2)):
        service.assess(
            db,
            kek,
            officer,
            breach.id,
            service.AssessmentIn(
                kind=Kind.INCIDENT,
                aware_at=at + timedelta(minutes=30),
                categories=(DataCategory.CHILDREN, DataCategory.CASE_RECORDS),
                people_affected=4,
                cause="The email address autocompleted to a similarly named firm.",
                effects="Possible distress to the family; the other party's details exposed.",
                containment="The firm confirmed in writing that it deleted the email unread.",
                risk=Risk.HIGH,
            ),
        )
    with clock.frozen(at + timedelta(hours=30)):
        service.decide_ico(
            db,
            kek,
            dpo,
            breach.id,
            service.IcoDecisionIn(
                decision=IcoDecision.NOTIFIED,
                notified_at=at + timedelta(hours=29),
                reference="IC-DEMO-0042",
            ),
        )
        service.decide_people(
            db,
            kek,
            dpo,
            breach.id,
            service.PeopleDecisionIn(decision=PeopleDecision.TOLD, told_on=clock.today()),
        )
    with clock.frozen(at + timedelta(days=14)):
        service.close(
            db,
            kek,
            dpo,
            breach.id,
            "Autocomplete turned off for external addresses; reports go through secure email.",
        )


def _near_miss(
    db: Session, kek: KeyEncryptionKeys, reporter: Actor, officer: Actor, at: datetime
) -> None:
    breach = _report(
        db,
        kek,
        reporter,
        at,
        "A letter was put in the wrong envelope but caught at the post room check.",
        "A contact letter to a parent",
    )
    with clock.frozen(at + timedelta(hours=3)):
        service.assess(
            db,
            kek,
            officer,
            breach.id,
            service.AssessmentIn(
                kind=Kind.NEAR_MISS,
                aware_at=at + timedelta(minutes=30),
                categories=(DataCategory.CONTACT,),
                people_affected=0,
                cause="Two letters folded together at the desk.",
                effects="",
                containment="Letter re-sent in the right envelope.",
                risk=Risk.UNLIKELY,
            ),
        )
        service.close(
            db, kek, officer, breach.id, "Post room check works; kept as a reminder in training."
        )


def _running(
    db: Session, kek: KeyEncryptionKeys, reporter: Actor, officer: Actor, at: datetime
) -> None:
    breach = _report(
        db,
        kek,
        reporter,
        at,
        "A bag with paper case files was left on a train; it has not been handed in yet.",
        "Paper files of three cases",
    )
    with clock.frozen(at + timedelta(hours=1)):
        service.assess(
            db,
            kek,
            officer,
            breach.id,
            service.AssessmentIn(
                kind=Kind.INCIDENT,
                aware_at=at + timedelta(minutes=30),
                categories=(DataCategory.CASE_RECORDS, DataCategory.CHILDREN),
                people_affected=9,
                cause="Files taken home to work on, against the paper files procedure.",
                effects="Not yet known.",
                containment="Reported to the transport police and the rail company.",
                risk=Risk.RISK,
            ),
        )
