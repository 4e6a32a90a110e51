"""Use-cases of subject access requests; adapters import this module only.

Importing it registers the request file with retention as a kind of record (file.py)."""

from steward.sar.service import consultations, report
from steward.sar.service import file as request_file
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
    "consultations",
    "details",
    "evidence_received",
    "extend",
    "get",
    "id_for_reference",
    "move",
    "queue",
    "receive",
    "report",
    "request_file",
]
