"""The life of a request, as one transition table, and the rules that need no database.

Every status but the final ones has a way out, and none of the steps that protect the
requester and third parties can be skipped: a response is sent only after a search, a review
and a second person's approval (tests/sar/test_policy.py proves both over the whole table).
Ethyca Fides sets its statuses in many places and its users report requests stuck in
"approved" or "requires_input"; here a service changes a status only through ``transition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from steward.core.errors import InvalidTransition


class Status(StrEnum):
    RECEIVED = "received"
    AWAITING_ID = "awaiting_id"  # ID of the requester or proof of a representative's authority
    AWAITING_FEE = "awaiting_fee"  # only for a manifestly unfounded or excessive request
    CLARIFICATION = "clarification"  # the clock is stopped while the requester is asked
    SEARCHING = "searching"
    REVIEWING = "reviewing"
    AWAITING_APPROVAL = "awaiting_approval"  # a second person signs the response off
    SENT = "sent"
    CLOSED = "closed"
    REFUSED = "refused"  # with reasons, and the right to complain to the ICO and to a court
    WITHDRAWN = "withdrawn"


# Before the search starts the request may still turn out to need ID, a fee or clarification.
_BEFORE_SEARCH = frozenset({Status.AWAITING_ID, Status.AWAITING_FEE, Status.CLARIFICATION})
_ENDINGS = frozenset({Status.REFUSED, Status.WITHDRAWN})

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: _BEFORE_SEARCH | _ENDINGS | {Status.SEARCHING},
    # ID that never comes: the request is closed, and the letter says why.
    Status.AWAITING_ID: frozenset({Status.SEARCHING, Status.AWAITING_FEE, Status.CLARIFICATION})
    | _ENDINGS
    | {Status.CLOSED},
    Status.AWAITING_FEE: frozenset({Status.SEARCHING, Status.CLOSED}) | _ENDINGS,
    Status.CLARIFICATION: frozenset({Status.SEARCHING, Status.CLOSED, Status.WITHDRAWN}),
    Status.SEARCHING: frozenset({Status.REVIEWING, Status.CLARIFICATION}) | _ENDINGS,
    Status.REVIEWING: frozenset({Status.AWAITING_APPROVAL, Status.SEARCHING, Status.WITHDRAWN}),
    Status.AWAITING_APPROVAL: frozenset({Status.SENT, Status.REVIEWING, Status.WITHDRAWN}),
    Status.SENT: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
FINAL = frozenset(status for status, onward in ALLOWED.items() if not onward)
# The statutory clock does not run while the requester is asked to clarify (DOMAIN.md §1);
# while ID, authority or a fee is awaited it has not started (day 1 is when they arrive).
CLOCK_STOPPED = frozenset({Status.CLARIFICATION})
CLOCK_NOT_STARTED = frozenset({Status.AWAITING_ID, Status.AWAITING_FEE})
# An extension must be given, with reasons, before the first deadline and while work remains.
EXTENSIBLE = frozenset(
    {
        Status.RECEIVED,
        Status.CLARIFICATION,
        Status.SEARCHING,
        Status.REVIEWING,
        Status.AWAITING_APPROVAL,
    }
)


def transition(current: Status, wanted: Status) -> Status:
    """``wanted`` if the table allows it from ``current``; otherwise a message saying what can
    happen next."""
    if wanted in ALLOWED[current]:
        return wanted
    onward = ", ".join(sorted(s.value.replace("_", " ") for s in ALLOWED[current]))
    raise InvalidTransition(
        f"A request that is {current.value.replace('_', ' ')} cannot become "
        f"{wanted.value.replace('_', ' ')}"
        + (f"; it can become: {onward}." if onward else "; it is finished.")
    )


class Right(StrEnum):
    """The individual rights handled on the same clock and queue (UK GDPR Arts 15-21)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


class RequesterType(StrEnum):
    DATA_SUBJECT = "data_subject"
    PARENT = "parent"  # a person with parental responsibility, asking for a child
    REPRESENTATIVE = "representative"  # a solicitor or other representative
    CHILD = "child"  # a child asking for themselves
    CARE_LEAVER = "care_leaver"  # an adult asking about their time in care


# Who asks on another's behalf must show their authority (a signed authority, a court order or
# proof of parental responsibility) before day 1.
NEEDS_AUTHORITY = frozenset({RequesterType.PARENT, RequesterType.REPRESENTATIVE})


def needs_authority(requester: RequesterType) -> bool:
    return requester in NEEDS_AUTHORITY


class Channel(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    ONLINE = "online"  # the public form


# Paper searches by a public authority: locating, retrieving and extracting are costed at
# £25 an hour, and a search beyond £450 (£600 for central government) may be declined
# (DOMAIN.md §1, the Freedom of Information cost limits the ICO points to).
HOURLY_RATE = Decimal(25)
COST_LIMIT = Decimal(450)
COST_LIMIT_CENTRAL_GOVERNMENT = Decimal(600)


def search_cost(hours: Decimal) -> Decimal:
    return (hours * HOURLY_RATE).quantize(Decimal("0.01"))


def over_cost_limit(hours: Decimal, *, central_government: bool = False) -> bool:
    limit = COST_LIMIT_CENTRAL_GOVERNMENT if central_government else COST_LIMIT
    return search_cost(hours) > limit


@dataclass(frozen=True)
class Task:
    """One thing the law expects to be done for a right, as the handler ticks it off."""

    code: str
    words: str


# What each right needs doing before its decision, in order (UK GDPR Arts 15-21, ICO guidance
# on each right). Rectification and erasure tell those the data was disclosed to (Art 19).
_REPLY = Task("reply", "Reply to the requester with the decision and their right to complain")
TASKS: dict[Right, tuple[Task, ...]] = {
    Right.ACCESS: (
        Task("confirm_identity", "Confirm who the requester is, and any authority"),
        Task("search", "Search every record, electronic and paper"),
        Task("review", "Review what was found and redact third-party data"),
        Task("approve_disclosure", "A second person approves the disclosure"),
        Task("art15_information", "Prepare the Art 15(1)-(2) information"),
        _REPLY,
    ),
    Right.RECTIFICATION: (
        Task("check_accuracy", "Check the claim that the data is inaccurate or incomplete"),
        Task("correct_record", "Correct or complete the record, or add a note of the dispute"),
        Task("tell_recipients", "Tell those it was disclosed to of the correction (Art 19)"),
        _REPLY,
    ),
    Right.ERASURE: (
        Task("check_grounds", "Check a ground for erasure applies (Art 17(1))"),
        Task(
            "check_exceptions", "Check no exception applies (Art 17(3): legal obligation, claims)"
        ),
        Task("erase", "Erase the data, or put it beyond use"),
        Task("tell_recipients", "Tell those it was disclosed to of the erasure (Art 19)"),
        _REPLY,
    ),
    Right.RESTRICTION: (
        Task("check_grounds", "Check a ground for restriction applies (Art 18(1))"),
        Task("restrict", "Mark the records so that only the IG team can use them"),
        Task("tell_recipients", "Tell those it was disclosed to of the restriction (Art 19)"),
        _REPLY,
    ),
    Right.OBJECTION: (
        Task("check_basis", "Check the processing relies on public task or legitimate interests"),
        Task("weigh_grounds", "Weigh compelling legitimate grounds against the person's reasons"),
        Task("stop_processing", "Stop the processing objected to, unless the grounds override"),
        _REPLY,
    ),
}


def task(right: Right, code: str) -> Task | None:
    return next((t for t in TASKS[right] if t.code == code), None)


class Disclosure(StrEnum):
    """The review of what goes out: prepared by the handler, approved by someone else."""

    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"


# Reopening is always possible until the bundle goes: a late consultation answer, a mistake
# seen by the approver. Approval is only ever of what was submitted.
DISCLOSURE_ALLOWED: dict[Disclosure, frozenset[Disclosure]] = {
    Disclosure.OPEN: frozenset({Disclosure.SUBMITTED}),
    Disclosure.SUBMITTED: frozenset({Disclosure.APPROVED, Disclosure.OPEN}),
    Disclosure.APPROVED: frozenset({Disclosure.OPEN}),
}
DISCLOSURE_WORDS = {
    Disclosure.OPEN: "being prepared",
    Disclosure.SUBMITTED: "waiting for approval",
    Disclosure.APPROVED: "approved",
}


def disclosure_transition(current: Disclosure, wanted: Disclosure) -> Disclosure:
    if wanted in DISCLOSURE_ALLOWED[current]:
        return wanted
    raise InvalidTransition(
        f"A disclosure that is {DISCLOSURE_WORDS[current]} cannot become "
        f"{DISCLOSURE_WORDS[wanted]}."
    )


# The request's work on its disclosure happens once the search has started and until the
# response is sent; before that there is nothing in scope, after it nothing may change.
DISCLOSURE_WORK = frozenset({Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL})


class Outcome(StrEnum):
    """The decision on a request: done in full, in part, or refused (with reasons)."""

    DONE = "done"
    PARTLY = "partly"
    REFUSED = "refused"
