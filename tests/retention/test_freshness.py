"""Pages read stored dates and say how fresh they are; re-dating is an explicit, audited
action; a disposal list is never proposed from stale dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.models import Case, Party, PartyRole, Person
from steward.retention.events import RetentionAudit
from steward.retention.service import dates, disposal
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule
from tests.web.conftest import SignedIn, csrf_from


def _correct_birth(db: Session, case: Case, born: date) -> None:
    """A data correction made outside retention: nothing re-dates the case by itself."""
    child = db.scalar(
        select(Person)
        .join(Party, Party.person_id == Person.id)
        .where(Party.case_id == case.id, Party.role == PartyRole.CHILD_SUBJECT)
    )
    assert child is not None
    child.date_of_birth = born
    db.commit()


def test_due_page_shows_stored_dates_until_someone_re_dates(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    case = case_with_children(db, keyring, date(2008, 2, 29))
    default_schedule(db)
    db.commit()
    officer, officer_user = signed_in(Role.IG_OFFICER)

    page = officer.get("/retention/due?as_of=2033-03-01")
    assert case.case_number in page.text and "Dates as of" in page.text

    _correct_birth(db, case, date(2012, 5, 1))  # now due in 2037
    assert case.case_number in officer.get("/retention/due?as_of=2033-03-01").text

    token = csrf_from(officer, "/retention/redate")
    redated = officer.post("/retention/due/sweep", data={"csrf_token": token})
    assert redated.status_code == 303 and redated.headers["location"].startswith("/jobs/")
    job = officer.get(redated.headers["location"])  # a background job, at once under tests
    assert 'data-testid="job-done"' in job.text and 'href="/retention/due"' in job.text
    assert case.case_number not in officer.get("/retention/due?as_of=2033-03-01").text
    swept_by = db.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.tag == RetentionAudit.SWEEP_RUN)
    ).all()
    assert officer_user.id in swept_by


def test_dates_older_than_a_nightly_sweep_are_called_stale(
    db: Session, keyring: FileKeyring
) -> None:
    case_with_children(db, keyring, date(2008, 2, 29))
    schedule = default_schedule(db)
    assert schedule.dated_at is not None and not dates.freshness(db).stale
    with clock.frozen(schedule.dated_at + timedelta(hours=27)):
        assert dates.freshness(db).stale
        dates.sweep(db, Actor.system())
        assert not dates.freshness(db).stale
        assert dates.freshness(db).dated_at == clock.now()
    assert datetime.now(UTC) - schedule.dated_at < timedelta(hours=1)


def test_a_disposal_list_is_proposed_from_fresh_dates(db: Session, keyring: FileKeyring) -> None:
    corrected = case_with_children(db, keyring, date(2008, 2, 29))
    kept = case_with_children(db, keyring, date(2008, 1, 1))
    default_schedule(db)
    _correct_birth(db, corrected, date(2012, 5, 1))
    officer = make_user(db, Role.IG_OFFICER)

    listed = disposal.propose(db, officer.actor, as_of=date(2034, 1, 1))
    assert [i.identifier for i in listed.items] == [kept.case_number]


def test_a_mistyped_date_on_the_due_page_is_explained_on_the_page(
    signed_in: SignedIn, db: Session
) -> None:
    default_schedule(db)
    db.commit()
    officer, _ = signed_in(Role.IG_OFFICER)
    page = officer.get("/retention/due?as_of-day=31&as_of-month=04&as_of-year=2031")
    assert page.status_code == 422
    assert "govuk-error-summary" in page.text and 'href="#as_of"' in page.text
    assert 'value="31"' in page.text and 'value="04"' in page.text  # what they typed
    assert "The date must be a real date" in page.text
    link = officer.get("/retention/due?as_of=31/03/2031")  # an old link with a bad date
    assert link.status_code == 422 and "govuk-error-summary" in link.text
