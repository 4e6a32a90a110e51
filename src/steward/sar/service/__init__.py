"""Use-cases of subject access requests; adapters import this module only."""

# Letters and their templates, as a module of their own: sar.service.letters.make(...).
from steward.sar.service import letters
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
    "evidence_received",
    "extend",
    "get",
    "id_for_reference",
    "letters",
    "move",
    "queue",
    "receive",
]
