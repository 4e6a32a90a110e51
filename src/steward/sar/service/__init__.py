"""Use-cases of subject access requests; adapters import this module only."""

# Letters and their templates, as a module of their own: sar.service.letters.make(...).
from steward.sar.service import documents, letters, public
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
from steward.sar.service.tasks import (
    DecisionView,
    TaskState,
    complete_tasks,
    decide,
    decision_of,
    tasks_of,
)
from steward.sar.service.work import (
    DueCounts,
    Handler,
    TimelineStep,
    assign,
    due_counts,
    handlers,
    timeline,
)

__all__ = [
    "Clock",
    "DecisionView",
    "DueCounts",
    "Handler",
    "TaskState",
    "TimelineStep",
    "ask_clarification",
    "assign",
    "clarification_answered",
    "clock_of",
    "complete_tasks",
    "decide",
    "decision_of",
    "details",
    "documents",
    "due_counts",
    "evidence_received",
    "extend",
    "get",
    "handlers",
    "id_for_reference",
    "letters",
    "move",
    "public",
    "queue",
    "receive",
    "tasks_of",
    "timeline",
]
