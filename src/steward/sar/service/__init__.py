"""Use-cases of subject access requests; adapters import this module only."""

from steward.sar.service import documents, public
from steward.sar.service.requests import (
    Clock,
    ask_clarification,
    clarification_answered,
    clock_of,
    details,
    evidence_received,
    extend,
    get,
    id_for_reference,
    move,
    queue,
    receive,
)

__all__ = [
    "Clock",
    "ask_clarification",
    "clarification_answered",
    "clock_of",
    "details",
    "documents",
    "evidence_received",
    "extend",
    "get",
    "id_for_reference",
    "move",
    "public",
    "queue",
    "receive",
]
