"""Which access an event happened under: what the event recorded wins, then a break-glass
window, then the account's role, assignment and team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from steward.assurance.oversight import policy
from steward.assurance.oversight.policy import AccessKind

AT = datetime(2026, 5, 1, 12, tzinfo=UTC)
NOTHING = {"reads_all": False, "assigned": False, "same_team": False, "break_glass_open": False}


def kind(
    tag: str = "records:document:viewed",
    actor_kind: str = "user",
    recorded: str | None = None,
    **facts: bool,
) -> AccessKind:
    return policy.access_kind(
        tag=tag, actor_kind=actor_kind, recorded=recorded, **{**NOTHING, **facts}
    )


def test_what_the_event_recorded_wins() -> None:
    assert kind(recorded="team", reads_all=True, break_glass_open=True) is AccessKind.TEAM
    assert kind(recorded="not-a-kind", assigned=True) is AccessKind.ASSIGNED


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"break_glass_open": True, "reads_all": True}, AccessKind.BREAK_GLASS),
        ({"reads_all": True, "assigned": True}, AccessKind.IG_DUTY),
        ({"assigned": True, "same_team": True}, AccessKind.ASSIGNED),
        ({"same_team": True}, AccessKind.TEAM),
        ({}, AccessKind.NONE),
    ],
)
def test_otherwise_the_narrowest_reason_comes_first(
    facts: dict[str, bool], expected: AccessKind
) -> None:
    assert kind(**facts) is expected


def test_the_command_line_and_oversight_are_their_own_kinds() -> None:
    assert kind(actor_kind="system", assigned=True) is AccessKind.SYSTEM
    assert kind(tag="assurance:access_history:read", reads_all=True) is AccessKind.OVERSIGHT
    assert kind(tag="audit:log:read") is AccessKind.OVERSIGHT


def test_a_break_glass_window_includes_its_opening_and_excludes_its_end() -> None:
    window = [(AT, AT + timedelta(hours=8))]
    assert policy.within(AT, window)
    assert policy.within(AT + timedelta(hours=7, minutes=59), window)
    assert not policy.within(AT + timedelta(hours=8), window)
    assert not policy.within(AT - timedelta(seconds=1), window)


def test_a_note_is_limited_in_length() -> None:
    assert policy.text_problem("", what="a note", required=True) == "Enter a note"
    assert policy.text_problem("", what="a note", required=False) is None
    assert policy.text_problem("x" * (policy.NOTE_MAX + 1), what="a note", required=False)
