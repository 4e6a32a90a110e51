"""One way to page a list, for every service: a page number and size in, the page's rows and
the total out, so every screen and API can say "1 to 50 of 1,273" instead of stopping silently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import CompoundSelect, Select, func, select
from sqlalchemy.orm import Session

from steward.core.errors import ValidationFailed

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_SIZE = 50
MAX_SIZE = 500
# Where a long list stops counting: past it a page says "more than 10,000", which is all a
# reader can use (they narrow the list with its filters), and counting a million rows for
# every page would cost more than the page itself.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list is wanted: ``number`` counts from 1."""

    number: int = 1
    size: int = DEFAULT_SIZE

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValidationFailed(
                "The page number must be 1 or more.",
                errors={"page": "Enter a page number of 1 or more"},
            )
        if not 1 <= self.size <= MAX_SIZE:
            raise ValidationFailed(
                f"A page holds between 1 and {MAX_SIZE} items.",
                errors={"size": f"Enter a page size between 1 and {MAX_SIZE}"},
            )

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and where it sits in the whole."""

    items: Sequence[T]
    total: int
    number: int
    size: int
    # True when counting stopped at ``total``: there are more, and the list says "more than".
    capped: bool = False

    @property
    def first(self) -> int:
        """Position of the first item on this page, counting from 1 (0 when the list is empty)."""
        return 0 if not self.items else (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return 0 if not self.items else self.first + len(self.items) - 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self.capped:  # beyond the count there are more: a full page has a next one
            return self.number < self.pages or len(self.items) == self.size
        return self.number < self.pages

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with each item converted (rows to what a page shows)."""
        return Page(
            [convert(item) for item in self.items], self.total, self.number, self.size, self.capped
        )


def count(
    db: Session, query: Select[Any] | CompoundSelect[Any], cap: int | None = None
) -> tuple[int, bool]:
    """How many rows ``query`` gives, and whether counting stopped at ``cap`` (there are
    more). A capped count reads at most ``cap + 1`` rows, however long the list."""
    unordered = query.order_by(None)
    if cap is not None:
        unordered = unordered.limit(cap + 1)
    total = db.scalar(select(func.count()).select_from(unordered.subquery())) or 0
    if cap is not None and total > cap:
        return cap, True
    return total, False


def paginate(
    db: Session,
    query: Select[*tuple[Any, ...]],
    request: PageRequest,
    *,
    scalars: bool = True,
    cap: int | None = None,
    total: tuple[int, bool] | None = None,
) -> Page[Any]:
    """Run ``query`` for one page, counting the whole list in the same transaction.

    ``query`` must be ordered by something unique (end with the primary key) so that pages
    neither repeat nor skip rows. ``scalars=False`` keeps multi-column rows as rows.
    ``cap``: count no further than this (see ``count``); ``total``: the count, when the
    caller has a cheaper way to know it.
    """
    counted, capped = total if total is not None else count(db, query, cap)
    window = query.limit(request.size).offset(request.offset)
    rows: Sequence[Any] = list(db.scalars(window)) if scalars else list(db.execute(window).all())
    return Page(rows, counted, request.number, request.size, capped)
