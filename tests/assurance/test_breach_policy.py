"""The breach register's pure rules: the 72-hour clock in clock hours (through a weekend and
a change of the clocks), what a decision on the ICO or the people affected needs, and what
closing needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from steward.assurance.breaches import policy
from steward.assurance.breaches.policy import (
    ClockState,
    Facts,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.core.clock import UK


def _uk(*args: int) -> datetime:
    return datetime(*args, tzinfo=UK).astimezone(UTC)  # type: ignore[misc]


def _clock(aware: datetime, now: datetime, **kwargs: object) -> policy.Clock:
    fields: dict[str, object] = {
        "kind": Kind.INCIDENT,
        "aware_at": aware,
        "ico_decision": None,
        "ico_notified_at": None,
        "now": now,
    }
    fields.update(kwargs)
    return policy.clock(**fields)  # type: ignore[arg-type]


def test_aware_at_ten_on_monday_is_due_at_ten_on_thursday() -> None:
    monday = _uk(2026, 3, 2, 10, 0)  # Monday 2 March 2026, 10:00 GMT
    assert policy.deadline(monday).astimezone(UK) == datetime(2026, 3, 5, 10, 0, tzinfo=UK)
    running = _clock(monday, _uk(2026, 3, 2, 11, 30))
    assert running.state is ClockState.RUNNING
    assert (running.hours, running.minutes) == (70, 30)
    assert _clock(monday, _uk(2026, 3, 5, 10, 0)).state is ClockState.RUNNING
    overdue = _clock(monday, _uk(2026, 3, 5, 13, 15))
    assert overdue.state is ClockState.OVERDUE and (overdue.hours, overdue.minutes) == (3, 15)


def test_the_clock_counts_elapsed_hours_across_a_change_of_the_clocks() -> None:
    # The clocks go back at 02:00 BST on Sunday 25 October 2026: 72 elapsed hours from noon
    # on Friday end at 11:00 GMT on Monday, not noon: the ICO counts hours, not wall clocks.
    friday = _uk(2026, 10, 23, 12, 0)
    assert policy.deadline(friday).astimezone(UK) == datetime(2026, 10, 26, 11, 0, tzinfo=UK)
    # ...and forward at 01:00 GMT on Sunday 29 March 2026: noon Friday ends 13:00 BST Monday.
    spring = _uk(2026, 3, 27, 12, 0)
    assert policy.deadline(spring).astimezone(UK) == datetime(2026, 3, 30, 13, 0, tzinfo=UK)
    assert policy.deadline(spring) - spring == timedelta(hours=72)


def test_notified_within_or_after_the_72_hours() -> None:
    aware = _uk(2026, 3, 2, 10, 0)
    now = _uk(2026, 4, 1, 0, 0)
    met = _clock(
        aware, now, ico_decision=IcoDecision.NOTIFIED, ico_notified_at=_uk(2026, 3, 5, 10, 0)
    )
    assert met.state is ClockState.MET
    late = _clock(
        aware, now, ico_decision=IcoDecision.NOTIFIED, ico_notified_at=_uk(2026, 3, 5, 12, 0)
    )
    assert late.state is ClockState.LATE and late.hours == 2
    not_told = _clock(aware, now, ico_decision=IcoDecision.NOT_NOTIFIED)
    assert not_told.state is ClockState.NOT_NOTIFIED and not not_told.open


def test_a_near_miss_and_an_untriaged_report_have_no_running_clock() -> None:
    now = _uk(2026, 3, 2, 10, 0)
    assert _clock(now, now, kind=Kind.NEAR_MISS).state is ClockState.NOT_NEEDED
    assert (
        policy.clock(
            kind=None, aware_at=None, ico_decision=None, ico_notified_at=None, now=now
        ).state
        is ClockState.NOT_STARTED
    )


def _ico(**kwargs: object) -> dict[str, str]:
    fields: dict[str, object] = {
        "kind": Kind.INCIDENT,
        "risk": Risk.UNLIKELY,
        "aware_at": _uk(2026, 3, 2, 10, 0),
        "decision": IcoDecision.NOT_NOTIFIED,
        "notified_at": None,
        "reference": "",
        "reason": "",
        "now": _uk(2026, 3, 3, 10, 0),
    }
    fields.update(kwargs)
    return policy.ico_decision_problems(**fields)  # type: ignore[arg-type]


def test_a_decision_not_to_notify_needs_a_reason() -> None:
    assert set(_ico()) == {"reason"}
    assert _ico(reason="Encrypted laptop recovered unopened") == {}


def test_a_risky_breach_cannot_be_left_unreported() -> None:
    assert "decision" in _ico(risk=Risk.RISK, reason="We would rather not")
    assert "decision" in _ico(risk=Risk.HIGH, reason="We would rather not")


def test_a_notification_needs_when_and_the_reference_and_reasons_if_late() -> None:
    notified = {"decision": IcoDecision.NOTIFIED, "risk": Risk.RISK}
    assert set(_ico(**notified)) == {"notified_at", "reference"}
    on_time = _uk(2026, 3, 3, 9, 0)
    assert _ico(**notified, notified_at=on_time, reference="IC-1234-5678") == {}
    late = {**notified, "notified_at": _uk(2026, 3, 6, 9, 0), "now": _uk(2026, 3, 7, 0, 0)}
    assert set(_ico(**late, reference="IC-1")) == {"reason"}
    assert _ico(**late, reference="IC-1", reason="Facts only established on day 4") == {}
    assert "notified_at" in _ico(**notified, notified_at=_uk(2026, 3, 1, 9, 0), reference="x")
    assert "notified_at" in _ico(**notified, notified_at=_uk(2026, 3, 4, 9, 0), reference="x")


def test_no_ico_decision_before_assessment_nor_for_a_near_miss() -> None:
    assert "decision" in _ico(risk=None)
    assert "decision" in _ico(kind=Kind.NEAR_MISS, reason="x")


def test_people_decision_needs_a_date_or_a_reason() -> None:
    today = datetime(2026, 3, 10).date()
    base = {"risk": Risk.HIGH, "told_on": None, "reason": "", "aware_on": today, "today": today}
    assert set(policy.people_decision_problems(decision=PeopleDecision.NOT_TOLD, **base)) == {
        "reason"
    }  # type: ignore[arg-type]
    assert set(policy.people_decision_problems(decision=PeopleDecision.TOLD, **base)) == {"told_on"}  # type: ignore[arg-type]
    base["told_on"] = today + timedelta(days=1)
    assert "told_on" in policy.people_decision_problems(decision=PeopleDecision.TOLD, **base)  # type: ignore[arg-type]


def _facts(**kwargs: object) -> Facts:
    fields: dict[str, object] = {
        "status": Status.ASSESSING,
        "kind": Kind.INCIDENT,
        "risk": Risk.HIGH,
        "aware_at": _uk(2026, 3, 2, 10, 0),
        "ico_decision": IcoDecision.NOTIFIED,
        "people_decision": PeopleDecision.TOLD,
        "lessons": "Check the address before sending",
    }
    fields.update(kwargs)
    return Facts(**fields)  # type: ignore[arg-type]


def test_a_high_risk_breach_without_an_individuals_decision_cannot_be_closed() -> None:
    assert policy.closure_problems(_facts()) == {}
    assert set(policy.closure_problems(_facts(people_decision=None))) == {"people"}
    # Lower risk: telling people is not required to close.
    assert policy.closure_problems(_facts(risk=Risk.RISK, people_decision=None)) == {}


def test_closing_needs_assessment_ico_decision_and_lessons() -> None:
    assert "assessment" in policy.closure_problems(_facts(risk=None))
    assert "ico" in policy.closure_problems(_facts(ico_decision=None))
    assert "lessons" in policy.closure_problems(_facts(lessons="  "))
    near_miss = _facts(kind=Kind.NEAR_MISS, ico_decision=None, people_decision=None)
    assert policy.closure_problems(near_miss) == {}
    assert "status" in policy.closure_problems(_facts(status=Status.REPORTED))


@pytest.mark.parametrize("status", list(Status))
def test_the_workflow_never_reopens_a_closed_breach(status: Status) -> None:
    assert not policy.can_move(Status.CLOSED, status)
    assert policy.can_move(Status.REPORTED, Status.ASSESSING)
    assert not policy.can_move(Status.REPORTED, Status.CLOSED)
