"""Data-quality figures, each checked against a count made by hand.

Two partners over two months (January and February 2026, UK winter: UK time is UTC):

Alpha Borough Council
  A0  20 Dec 2025 12:00, before the period: one row held and still waiting; one held row
      accepted on 5 Jan 12:00 (16 days after its file arrived).
  A1  10 Jan 10:00: 2 accepted, 1 unchanged, 2 rejected (an NHS check digit; a postcode and
      an email), 3 held: a conflict accepted on 12 Jan 10:00 (2 days), a conflict that also
      differs from an earlier submission rejected on 20 Jan 10:00 (10 days), a date of birth
      that does not fit the role still waiting.
  A2  15 Jan: refused whole (wrong columns): not stored, its refusal on the audit trail.
      Another refused on 2 Mar, after the period.
  A3  3 Feb 09:00: 1 accepted, 1 rejected (a formula in two fields), 3 held: a possible match
      corrected on 4 Feb 09:00 (1 day), a closed case decided on 5 Mar 09:00 (30 days, after
      the period), a value differing from an earlier one still waiting.
Beta County Council
  B1  27 Feb 23:30: 3 accepted, 1 rejected (unknown case).
  B2  1 Mar 00:30, after the period: 1 accepted, 1 rejected (a date in the future).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Role
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner
from steward.intake.policy import Code, Decision, RowOutcome, SubmissionStatus
from steward.intake.service import quality
from steward.intake.service.quality import Counts, Resolution
from tests.factories.core import make_user
from tests.factories.intake import make_partner, make_partner_user, partner_actor
from tests.intake.quality_helpers import Sender

TODAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
START, END = date(2026, 1, 1), date(2026, 2, 28)


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    alpha: Partner
    beta: Partner


@pytest.fixture
def world(db: Session, keyring: FileKeyring) -> World:
    alpha = Sender(db, keyring, make_partner(db, name="Alpha Borough Council"))
    beta = Sender(db, keyring, make_partner(db, name="Beta County Council"))

    a0 = alpha.file(at(12, 20, year=2025))
    alpha.held(a0, [Code.CASE_CLOSED])
    alpha.held(a0, [Code.CASE_CLOSED], decided=(Decision.ACCEPT, at(1, 5)))

    a1 = alpha.file(at(1, 10, 10))
    alpha.rows(a1, 2)
    alpha.rows(a1, 1, outcome=RowOutcome.UNCHANGED)
    alpha.rows(a1, 1, [("nhs_number", Code.NHS_CHECKSUM)])
    alpha.rows(a1, 1, [("postcode", Code.POSTCODE_FORMAT), ("email", Code.EMAIL_FORMAT)])
    alpha.held(a1, [Code.PERSON_CONFLICT], decided=(Decision.ACCEPT, at(1, 12, 10)))
    alpha.held(
        a1,
        [Code.EARLIER_DIFFERS, Code.PERSON_CONFLICT],
        decided=(Decision.REJECT, at(1, 20, 10)),
    )
    alpha.held(a1, [Code.DOB_IMPLAUSIBLE])

    alpha.refuse(at(1, 15), Code.FILE_HEADER)
    alpha.refuse(at(3, 2), Code.FILE_EMPTY)  # after the period

    a3 = alpha.file(at(2, 3, 9))
    alpha.rows(a3, 1)
    alpha.rows(a3, 1, [("first_name", Code.FORMULA), ("last_name", Code.FORMULA)])
    alpha.held(a3, [Code.PERSON_POSSIBLE], decided=(Decision.CORRECT, at(2, 4, 9)))
    alpha.held(a3, [Code.CASE_CLOSED], decided=(Decision.ACCEPT, at(3, 5, 9)))
    alpha.held(a3, [Code.EARLIER_DIFFERS])

    b1 = beta.file(at(2, 27, 23, 30))
    beta.rows(b1, 3)
    beta.rows(b1, 1, [("case_number", Code.CASE_UNKNOWN)])
    b2 = beta.file(at(3, 1, 0, 30))
    beta.rows(b2, 1)
    beta.rows(b2, 1, [("order_date", Code.DATE_FUTURE)])
    db.flush()
    return World(alpha.partner, beta.partner)


def _system() -> quality.Actor:
    return quality.Actor.system()


@pytest.fixture(autouse=True)
def _today() -> Iterable[None]:
    with clock.frozen(TODAY):
        yield


def test_every_figure_of_each_month_and_the_period(db: Session, world: World) -> None:
    built = quality.build_report(db, start=START, end=END)
    assert built.months == [JAN, FEB]
    alpha, beta = built.partners
    assert (alpha.name, beta.name) == ("Alpha Borough Council", "Beta County Council")

    jan, feb = alpha.months
    assert (jan.month, feb.month) == (JAN, FEB)
    assert jan.counts == Counts(
        submissions=2,
        refused=1,
        rows=8,
        accepted=2,
        unchanged=1,
        held=3,
        rejected=2,
        conflicts=2,
        waiting=1,
    )
    assert feb.counts == Counts(
        submissions=1,
        refused=0,
        rows=5,
        accepted=1,
        unchanged=0,
        held=3,
        rejected=1,
        conflicts=1,
        waiting=2,  # the closed case was decided only after the period
    )
    assert alpha.total == Counts(3, 1, 13, 3, 1, 6, 3, 3, 3)
    assert (alpha.total.rejected_percent, alpha.total.held_percent) == (23.1, 46.2)
    assert (jan.counts.rejected_percent, feb.counts.rejected_percent) == (25.0, 20.0)
    assert (jan.counts.held_percent, feb.counts.held_percent) == (37.5, 60.0)

    # Decided in January: 16 days (a December row), 2 and 10 days. In February: 1 day.
    assert jan.resolution == Resolution(decided=3, median_days=10.0, p90_days=14.8)
    assert feb.resolution == Resolution(decided=1, median_days=1.0, p90_days=1.0)
    # The period: 1, 2, 10, 16 -> median 6, 90th percentile 10 + 0.7 x 6.
    assert alpha.resolution == Resolution(decided=4, median_days=6.0, p90_days=14.2)

    # Waiting at the end of 28 February: December's, January's and two of February's rows.
    assert alpha.open_held == 4
    assert alpha.oldest_held_days == (END - date(2025, 12, 20)).days == 70

    assert beta.months[0].counts == Counts()
    assert beta.months[0].counts.rejected_percent is None
    assert beta.total == Counts(submissions=1, rows=4, accepted=3, rejected=1)
    assert (beta.total.rejected_percent, beta.total.held_percent) == (25.0, 0.0)
    assert beta.resolution == Resolution()
    assert (beta.open_held, beta.oldest_held_days) == (0, None)


def test_rows_by_issue_code_and_files_refused_by_code(db: Session, world: World) -> None:
    built = quality.build_report(db, start=START, end=END)
    alpha, beta = built.partners
    assert [(c.code, c.rows, c.percent) for c in alpha.codes] == [
        (Code.EARLIER_DIFFERS, 2, 15.4),
        (Code.PERSON_CONFLICT, 2, 15.4),
        (Code.CASE_CLOSED, 1, 7.7),
        (Code.FORMULA, 1, 7.7),  # two fields of one row: one row
        (Code.DOB_IMPLAUSIBLE, 1, 7.7),
        (Code.EMAIL_FORMAT, 1, 7.7),
        (Code.NHS_CHECKSUM, 1, 7.7),
        (Code.PERSON_POSSIBLE, 1, 7.7),
        (Code.POSTCODE_FORMAT, 1, 7.7),
    ]
    assert [c.code for c in alpha.rejections] == [
        Code.FORMULA,
        Code.EMAIL_FORMAT,
        Code.NHS_CHECKSUM,
        Code.POSTCODE_FORMAT,
    ]
    assert {c.code for c in alpha.holds} == {
        Code.EARLIER_DIFFERS,
        Code.PERSON_CONFLICT,
        Code.CASE_CLOSED,
        Code.DOB_IMPLAUSIBLE,
        Code.PERSON_POSSIBLE,
    }
    assert alpha.codes[0].title == "Differs from an earlier submission"
    assert [(c.code, c.rows, c.percent) for c in alpha.refusals] == [(Code.FILE_HEADER, 1, 33.3)]
    assert [(c.code, c.rows, c.percent) for c in beta.codes] == [(Code.CASE_UNKNOWN, 1, 25.0)]
    # Both partners together: of 17 rows.
    assert built.total.rows == 17
    assert [(c.code, c.rows, c.percent) for c in built.codes][:3] == [
        (Code.EARLIER_DIFFERS, 2, 11.8),
        (Code.PERSON_CONFLICT, 2, 11.8),
        (Code.CASE_CLOSED, 1, 5.9),
    ]


def test_the_summary_line_for_the_assurance_dashboard(db: Session, world: World) -> None:
    # The 90 days to 28 February: 1 December to 28 February.
    alpha, beta = quality.quality_summary(db, on=END)
    assert alpha.start == date(2025, 12, 1)
    assert (alpha.rows, alpha.rejected, alpha.rejected_percent) == (15, 3, 20.0)
    assert (alpha.open_held, alpha.oldest_held_days) == (4, 70)
    assert (alpha.decided, alpha.median_resolution_days) == (4, 6.0)
    assert (beta.rows, beta.rejected, beta.rejected_percent) == (4, 1, 25.0)
    assert (beta.open_held, beta.oldest_held_days, beta.median_resolution_days) == (0, None, None)

    # Today, 10 March: the closed case decided on 5 March (30 days) is resolved, B2 counts.
    alpha, beta = quality.quality_summary(db, on=clock.today())
    assert (alpha.rows, alpha.rejected, alpha.open_held) == (15, 3, 3)
    assert alpha.oldest_held_days == (date(2026, 3, 10) - date(2025, 12, 20)).days == 80
    assert (alpha.decided, alpha.median_resolution_days) == (5, 10.0)
    assert (beta.rows, beta.rejected, beta.rejected_percent) == (6, 2, 33.3)
    assert alpha.as_dict()["rejected_percent"] == 20.0


def test_summary_for_one_day_counts_that_day_only_in_its_90(db: Session, world: World) -> None:
    # 90 days to 19 March 2026 begin on 20 December 2025: A0's rows are in; to 20 March, out.
    (alpha, _) = quality.quality_summary(db, on=date(2026, 3, 19))
    assert alpha.start == date(2025, 12, 20) and alpha.rows == 15
    (alpha, _) = quality.quality_summary(db, on=date(2026, 3, 20))
    assert alpha.rows == 13


def test_months_are_uk_months(db: Session, keyring: FileKeyring) -> None:
    """23:30 UTC on 31 March 2026 is 00:30 on 1 April in the UK (summer time): April's."""
    sender = Sender(db, keyring, make_partner(db))
    sender.rows(sender.file(at(3, 31, 23, 30)), 2)
    sender.rows(sender.file(at(3, 31, 22, 30)), 1)
    with clock.frozen(at(5, 1)):
        built = quality.build_report(db, start=date(2026, 3, 1), end=date(2026, 4, 30))
    march, april = built.partners[0].months
    assert (march.counts.rows, april.counts.rows) == (1, 2)


def test_the_default_period_is_the_last_twelve_months() -> None:
    assert quality.default_range(date(2026, 3, 10)) == (date(2025, 4, 1), date(2026, 3, 10))
    assert quality.default_range(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_period_ending_before_it_starts_or_too_long_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        quality.build_report(db, start=date(2026, 2, 1), end=date(2026, 1, 31))
    with pytest.raises(ValidationFailed):
        quality.build_report(db, start=date(2010, 1, 1), end=date(2026, 1, 31))
    with pytest.raises(ValidationFailed) as refused:  # to tomorrow: today is 10 March
        quality.overview(db, _system(), start=START, end=date(2026, 3, 11))
    assert refused.value.errors == {"to": "The end must be today or earlier"}
    assert quality.overview(db, _system(), end=date(2026, 3, 10)).report.end == date(2026, 3, 10)


def test_a_submission_still_being_checked_counts_its_rows_so_far(
    db: Session, keyring: FileKeyring
) -> None:
    sender = Sender(db, keyring, make_partner(db))
    sender.rows(sender.file(at(2, 1), status=SubmissionStatus.VALIDATING), 2)
    sender.file(at(2, 2), status=SubmissionStatus.RECEIVED)
    (line,) = quality.build_report(db, start=START, end=END).partners
    assert (line.total.submissions, line.total.refused, line.total.rows) == (2, 0, 2)


def test_staff_who_review_intake_or_see_assurance_see_every_partner(
    db: Session, world: World
) -> None:
    for role in (Role.IG_OFFICER, Role.DPO, Role.AUDITOR):
        actor = make_user(db, role).actor
        seen = quality.overview(db, actor, start=START, end=END)
        assert [p.name for p in seen.report.partners] == [world.alpha.name, world.beta.name]
        assert [line.name for line in seen.summary] == [world.alpha.name, world.beta.name]
        assert not seen.own_partner
        assert quality.report(db, actor, partner_id=world.beta.id).name == world.beta.name
        assert len(quality.summary(db, actor)) == 2


def test_a_partner_sees_its_own_figures_only(db: Session, world: World) -> None:
    actor = partner_actor(make_partner_user(db, world.alpha))
    seen = quality.overview(db, actor, start=START, end=END)
    assert [p.partner_id for p in seen.report.partners] == [world.alpha.id]
    assert [line.partner_id for line in seen.summary] == [world.alpha.id]
    assert seen.own_partner and seen.linked
    assert seen.report.total.rows == 13  # Beta's rows are not in its totals or codes
    assert Code.CASE_UNKNOWN not in {c.code for c in seen.report.codes}
    assert (
        quality.report(db, actor, partner_id=world.alpha.id, start=START, end=END).total.rows == 13
    )
    with pytest.raises(NotFound):
        quality.report(db, actor, partner_id=world.beta.id)
    with pytest.raises(NotFound):  # a partner that does not exist reads the same
        quality.report(db, actor, partner_id=world.beta.id + 1000)
    assert [line.partner_id for line in quality.summary(db, actor)] == [world.alpha.id]


def test_a_partner_account_linked_to_no_partner_sees_nothing(db: Session, world: World) -> None:
    actor = make_user(db, Role.PARTNER).actor
    seen = quality.overview(db, actor, start=START, end=END)
    assert (seen.report.partners, seen.summary, seen.linked) == ([], [], False)
    with pytest.raises(NotFound):
        quality.report(db, actor, partner_id=world.alpha.id)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.ADMIN])
def test_other_staff_are_refused(db: Session, world: World, role: Role) -> None:
    actor = make_user(db, role).actor
    with pytest.raises(Forbidden):
        quality.overview(db, actor)
    with pytest.raises(Forbidden):
        quality.report(db, actor, partner_id=world.alpha.id)
    with pytest.raises(Forbidden):
        quality.summary(db, actor)


def test_each_view_is_one_read_event_with_ids_and_dates_only(db: Session, world: World) -> None:
    actor = make_user(db, Role.AUDITOR).actor
    quality.overview(db, actor, start=START, end=END)
    quality.report(db, actor, partner_id=world.alpha.id, start=START, end=END)
    quality.summary(db, actor, on=END)
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == IntakeEvent.QUALITY_READ.value)
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.subject_type, e.subject_id, json.loads(e.details)) for e in events] == [
        (None, None, {"partners": 2, "from": "2026-01-01", "to": "2026-02-28"}),
        ("partner", str(world.alpha.id), {"from": "2026-01-01", "to": "2026-02-28"}),
        (None, None, {"partners": 2, "on": "2026-02-28"}),
    ]


def test_a_summary_in_the_future_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        quality.summary(db, _system(), on=date(2026, 3, 11))


def test_the_definitions_are_the_module_docstrings() -> None:
    """Each definition shown beside a figure is said in the same words in the docstring."""
    doc = " ".join((quality.__doc__ or "").split()).casefold()
    for key, words in quality.DEFINITIONS.items():
        # The docstring's lines start "- Name: " and go on in the dict's words.
        assert " ".join(words.split()).casefold() in doc, key
