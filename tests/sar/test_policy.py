"""The request's life as one transition table: no request can be stuck, and the steps that
protect the requester and third parties cannot be skipped."""

from __future__ import annotations

from collections import deque
from decimal import Decimal

import pytest

from steward.core.errors import InvalidTransition
from steward.sar.policy import (
    ALLOWED,
    FINAL,
    RequesterType,
    Status,
    needs_authority,
    over_cost_limit,
    search_cost,
    transition,
)


def _reachable(start: Status, without: Status | None = None) -> set[Status]:
    seen, queue = {start}, deque([start])
    while queue:
        for onward in ALLOWED[queue.popleft()]:
            if onward not in seen and onward is not without:
                seen.add(onward)
                queue.append(onward)
    return seen


def test_the_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(Status)
    assert {Status.CLOSED, Status.REFUSED, Status.WITHDRAWN} == FINAL


@pytest.mark.parametrize("status", sorted(set(Status) - FINAL))
def test_every_open_request_has_a_way_to_an_end(status: Status) -> None:
    assert ALLOWED[status], f"{status} has no next step"
    assert _reachable(status) & FINAL, f"{status} can never finish"


def test_every_status_can_be_reached_from_a_new_request() -> None:
    assert _reachable(Status.RECEIVED) == set(Status)


@pytest.mark.parametrize("step", [Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL])
def test_nothing_is_sent_without_search_review_and_approval(step: Status) -> None:
    assert Status.SENT not in _reachable(Status.RECEIVED, without=step)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(a, b) for a in Status for b in Status if b not in ALLOWED[a]],
)
def test_every_move_outside_the_table_is_refused(current: Status, wanted: Status) -> None:
    with pytest.raises(InvalidTransition):
        transition(current, wanted)


def test_a_refusal_says_what_can_happen_instead() -> None:
    with pytest.raises(InvalidTransition, match=r"it can become: .*reviewing"):
        transition(Status.SEARCHING, Status.SENT)
    with pytest.raises(InvalidTransition, match="it is finished"):
        transition(Status.CLOSED, Status.SEARCHING)
    assert transition(Status.AWAITING_APPROVAL, Status.SENT) is Status.SENT


def test_those_asking_for_someone_else_must_show_authority() -> None:
    assert needs_authority(RequesterType.PARENT)
    assert needs_authority(RequesterType.REPRESENTATIVE)
    assert not needs_authority(RequesterType.CHILD)
    assert not needs_authority(RequesterType.CARE_LEAVER)


def test_paper_search_cost_and_its_limit() -> None:
    assert search_cost(Decimal(18)) == Decimal("450.00")
    assert not over_cost_limit(Decimal(18))
    assert over_cost_limit(Decimal("18.5"))
    assert not over_cost_limit(Decimal(24), central_government=True)
