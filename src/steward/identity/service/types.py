"""The values the identity use-cases take and return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Band = Literal["match", "possible"]


@dataclass(frozen=True)
class PersonQuery:
    """What a requester (or a partner's record) tells us about a person."""

    first_name: str
    last_name: str
    middle_names: str | None = None
    previous_last_names: tuple[str, ...] = ()
    dob: date | None = None
    postcode: str | None = None
    address: str | None = None
    previous_postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    person_id: int
    record_id: str | None  # the legacy record_id for imported people, else None
    score: float  # posterior probability (0..1) that this record is the queried person
    band: Band
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "record_id": self.record_id,
            "score": round(self.score, 6),
            "band": self.band,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class DuplicateCluster:
    """Person records believed to be one human, with the lowest pair score inside the cluster."""

    person_ids: tuple[int, ...]
    score: float
    merged: bool = False  # every record in it is already linked by confirmed merges

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_ids": list(self.person_ids),
            "score": round(self.score, 6),
            "merged": self.merged,
        }


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str  # names the column and the rule, never the value


@dataclass
class PeopleImportReport:
    created: int = 0
    skipped: int = 0  # record_id already imported (re-runs are idempotent)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)  # imported, with what was set aside
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "skipped": self.skipped,
            "failed": len(self.problems),
            "problems": [{"line": p.line, "reason": p.reason} for p in self.problems],
            "notes": [{"line": p.line, "reason": p.reason} for p in self.notes],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class MatchModelInfo:
    version: int
    trained_at: datetime
    trainer: str
    record_count: int
    seconds: float
    weights: dict[str, dict[str, float]]  # comparison -> level label -> match weight (bits)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "trained_at": self.trained_at.isoformat(),
            "trainer": self.trainer,
            "record_count": self.record_count,
            "seconds": round(self.seconds, 2),
            "weights": self.weights,
        }
