"""The one place Steward reads the time, so tests and statutory-date rules can fix it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _now()


# Statutory days (a request received at 00:30 BST in June arrived on that day, not the one
# before) are counted in UK local time.
UK = ZoneInfo("Europe/London")


def today() -> date:
    """Today's date in the UK."""
    return now().astimezone(UK).date()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Fix the clock at ``at`` (UTC) for the duration of the block."""
    global _now
    # Normalised so now() keeps its promise of UTC whatever zone the test wrote the time in.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    previous = _now
    _now = lambda: at  # noqa: E731
    try:
        yield
    finally:
        _now = previous
