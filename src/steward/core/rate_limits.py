"""Rate limits per API token for the expensive operations of /api/v1 (full-text search,
identity lookups, break-glass): a sliding window over the requests one token made of one
kind.

The requests are counted in the database, as the public request form counts its posts
(``sar.service.public.take``): the limit then holds across every web worker and app process,
on a fresh machine's SQLite as on PostgreSQL, with no Redis to run. A request is counted
whatever its answer (a lookup of an id that does not exist counts, or the limit would not
slow anyone probing for ids), in a short write of its own after the request's transaction
(``web.deps``), so a search stays a reader that takes no write lock. Two requests of one
token in flight at once may both pass the last free place: the limit is exact to within
the requests a token has in flight, which is what a throttle needs (break-glass keeps its
own exact per-user limits besides, counted from the audit trail).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.core import clock
from steward.core.config import Settings
from steward.core.db import Base, UTCDateTime


class RateKind(StrEnum):
    """The kinds of operation limited, each with its own count and limit per token."""

    SEARCH = "search"
    IDENTITY = "identity"
    BREAK_GLASS = "break_glass"
    OTHER = "other"  # an operation marked rate-limited without a kind of its own


_WHAT = {
    RateKind.SEARCH: "searches",
    RateKind.IDENTITY: "identity lookups",
    RateKind.BREAK_GLASS: "break-glass requests",
    RateKind.OTHER: "requests of this kind",
}


class ApiRateHit(Base):
    """One request of a rate-limited kind made with an API token: which token, which kind,
    when. Nothing about what was asked. A token's rows older than its window go as it
    makes new ones; a revoked or deleted token's with it."""

    __tablename__ = "api_rate_hits"
    __table_args__ = (Index("ix_api_rate_hits_token", "token_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests of one kind by one token in any ``window``."""

    count: int
    window: timedelta


def limit_for(settings: Settings, kind: RateKind | str) -> Limit:
    counts = {
        RateKind.SEARCH: settings.api_rate_search,
        RateKind.IDENTITY: settings.api_rate_identity,
        RateKind.BREAK_GLASS: settings.api_rate_break_glass,
    }
    count = counts.get(RateKind(kind), settings.api_rate_other)
    return Limit(count, timedelta(seconds=settings.api_rate_window_seconds))


class RateLimited(Exception):
    """A token has used up its requests of a kind: wait ``retry_after`` seconds."""

    def __init__(self, kind: RateKind | str, limit: Limit, retry_after: int) -> None:
        seconds = int(limit.window.total_seconds())
        what = _WHAT.get(RateKind(kind), _WHAT[RateKind.OTHER])
        self.retry_after = retry_after
        self.message = (
            f"This API token has made {limit.count} {what} in the last {seconds} seconds, "
            f"the most allowed. Wait {retry_after} seconds (the Retry-After header) and "
            "try again."
        )
        super().__init__(self.message)


def check(db: Session, token_id: int, kind: RateKind | str, limit: Limit) -> None:
    """Raise RateLimited when ``token_id`` has made ``limit.count`` requests of ``kind`` in
    the window; the caller then counts this one with ``count``. Only reads, so it may run
    in a request that only reads."""
    now = clock.now()
    recent = (
        select(ApiRateHit.at)
        .where(
            ApiRateHit.token_id == token_id,
            ApiRateHit.kind == str(kind),
            ApiRateHit.at > now - limit.window,
        )
        .order_by(ApiRateHit.at)
    )
    used = db.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if used < limit.count:
        return
    # The window has room again when enough of its oldest requests have left it.
    leaves = db.scalar(recent.offset(used - limit.count).limit(1))
    wait = (leaves + limit.window - now).total_seconds() if leaves else limit.window.seconds
    raise RateLimited(kind, limit, max(1, math.ceil(wait)))


def count(db: Session, token_id: int, kind: RateKind | str, limit: Limit) -> None:
    """Count one request of ``kind`` by ``token_id``, and forget its requests that have
    left the window."""
    now = clock.now()
    db.execute(
        delete(ApiRateHit)
        .where(
            ApiRateHit.token_id == token_id,
            ApiRateHit.kind == str(kind),
            ApiRateHit.at <= now - limit.window,
        )
        .execution_options(synchronize_session=False)
    )
    db.add(ApiRateHit(token_id=token_id, kind=str(kind), at=now))
    db.flush()
