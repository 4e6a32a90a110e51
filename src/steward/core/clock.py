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


def govuk_date(value: date | None) -> str:
    """A date as GOV.UK writes it: "2 March 2024" (an instant: its day in UK time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: datetime | None) -> str:
    """An instant in UK time as GOV.UK writes it: "2 March 2024 at 3:04pm"."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{govuk_date(local.date())} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
