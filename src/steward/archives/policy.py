"""Pure rules of the paper archive: the retrieval workflow, overdue, reconciliation, safe text.

No database and no I/O, so each rule is tested exhaustively on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from steward.archives.models import (
    BoxStatus,
    CertificateOutcome,
    LocationKind,
    PaperFileStatus,
    RetrievalStatus,
)
from steward.core.errors import InvalidTransition

# The one place a retrieval's status may change. A returned or cancelled retrieval is closed:
# the next use of the file is a new request, so each loan keeps its own chain of custody.
ALLOWED: dict[RetrievalStatus, frozenset[RetrievalStatus]] = {
    RetrievalStatus.REQUESTED: frozenset({RetrievalStatus.OUT, RetrievalStatus.CANCELLED}),
    RetrievalStatus.OUT: frozenset({RetrievalStatus.RETURNED}),
    RetrievalStatus.RETURNED: frozenset(),
    RetrievalStatus.CANCELLED: frozenset(),
}

# A retrieval still open holds the file: it cannot be sent for destruction meanwhile.
OPEN_RETRIEVAL = frozenset({RetrievalStatus.REQUESTED, RetrievalStatus.OUT})

DEFAULT_LOAN_DAYS = 28
MAX_LOAN_DAYS = 366


def check_transition(current: RetrievalStatus, target: RetrievalStatus) -> None:
    if target not in ALLOWED[current]:
        raise InvalidTransition(
            f"A retrieval that is {current.value.replace('_', ' ')} cannot be marked "
            f"{target.value.replace('_', ' ')}."
        )


def is_overdue(status: RetrievalStatus, due_back_on: date | None, today: date) -> bool:
    """Out and past the day it was due back (due today is not yet overdue)."""
    return status == RetrievalStatus.OUT and due_back_on is not None and due_back_on < today


def due_back(out_on: date, requested_due: date | None) -> date:
    """The day a file handed out today is due back: as asked, or the default loan."""
    if requested_due is None:
        return out_on + timedelta(days=DEFAULT_LOAN_DAYS)
    if requested_due < out_on:
        raise ValueError("The due-back date must not be before the day the file goes out.")
    if requested_due > out_on + timedelta(days=MAX_LOAN_DAYS):
        raise ValueError(f"A file may be out for at most {MAX_LOAN_DAYS} days; ask again later.")
    return requested_due


def box_status_at(kind: LocationKind | None) -> BoxStatus:
    return BoxStatus.OFF_SITE if kind == LocationKind.OFF_SITE else BoxStatus.ON_SITE


# --- destruction ----------------------------------------------------------------------------


def markable(status: PaperFileStatus) -> bool:
    """A file may be sent for destruction once: not again, and not after it is gone."""
    return status == PaperFileStatus.ACTIVE


@dataclass(frozen=True)
class Reconciliation:
    destroyed: frozenset[int]
    missing: frozenset[int]
    unexpected: frozenset[int]


def reconcile(expected: Iterable[int], certified: Iterable[int]) -> Reconciliation:
    """File ids sent for destruction vs. file ids the contractor certifies destroyed."""
    exp, cert = frozenset(expected), frozenset(certified)
    return Reconciliation(destroyed=exp & cert, missing=exp - cert, unexpected=cert - exp)


def outcome_counts(outcomes: Mapping[CertificateOutcome, int]) -> dict[str, int]:
    return {o.value: outcomes.get(o, 0) for o in CertificateOutcome}


def box_fully_destroyed(file_statuses: Iterable[PaperFileStatus]) -> bool:
    """A box is gone when every file it held is destroyed (an empty box is not proof)."""
    statuses = list(file_statuses)
    return bool(statuses) and all(s == PaperFileStatus.DESTROYED for s in statuses)


# --- text that came from outside -------------------------------------------------------------

# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CODE_PART = re.compile(r"[^A-Z0-9]+")


def csv_safe(value: object) -> str:
    """A cell that a spreadsheet shows as text: formula-like values get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def location_code(parts: Iterable[str | None]) -> str:
    """A label-style code from a location's parts: ("HQ", "Room 2", "B", "3") -> HQ-ROOM2-B-3.

    Two spellings of one shelf ("room 2", "Room-2") give one code, so importing the same
    inventory twice finds the same location instead of making another."""
    cleaned = [_CODE_PART.sub("", (p or "").upper()) for p in parts]
    return "-".join(p for p in cleaned if p)
