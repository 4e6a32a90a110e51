"""The audit trail pages: filter, read, verify and export the trail.

Filters sit in the URL (GET): they are ids, tags, case numbers and dates, never personal
data. Who and what are shown in words: usernames, event labels, case numbers; a person's
name only to a reader whose role may read every case (an auditor sees no case content, so
sees the person record's number instead).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, auth
from steward.core.audit import AuditEvent, EventFilter
from steward.core.errors import NotFound
from steward.core.event_labels import EVENT_LABELS, SUBJECT_LABELS, event_label, subject_label
from steward.core.files import csv_cell
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.records.models import Case, Person
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateAnswer, read_date
from steward.web.ids import MAX_ID
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

_SUBJECT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}\Z")
_CASE_NUMBER = re.compile(r"^[A-Za-z0-9/\-]{1,32}\Z")
# Who acted, when no account did.
ACTOR_KIND_NAMES = {
    "system": "Steward itself (system)",
    "public": "A member of the public (online form)",
}


@dataclass(frozen=True)
class FilterForm:
    """The filter as typed (to show again), what it means, and what was wrong with it."""

    values: dict[str, str]
    since: DateAnswer
    until: DateAnswer
    errors: dict[str, str]
    filter: EventFilter

    @property
    def active(self) -> bool:
        return self.filter != EventFilter()


def _read_filter(db: Session, params: Mapping[str, str]) -> FilterForm:
    values = {
        name: (params.get(name) or "").strip()
        for name in ("user", "event", "subject", "subject_id", "case")
    }
    errors: dict[str, str] = {}
    user_id: int | None = None
    if values["user"]:
        if values["user"].isdigit() and 1 <= int(values["user"]) <= MAX_ID:
            user_id = int(values["user"])
        else:
            errors["user"] = "Choose a user from the list"
    tag = values["event"] or None
    if tag is not None and tag not in EVENT_LABELS:
        errors["event"] = "Choose an event from the list"
    subject_type = values["subject"] or None
    if subject_type is not None and subject_type not in SUBJECT_LABELS:
        errors["subject"] = "Choose what the event was about from the list"
    subject_id = values["subject_id"] or None
    if subject_id is not None:
        if not _SUBJECT_ID.match(subject_id):
            errors["subject_id"] = "Enter a number (letters, digits and dashes only)"
        elif subject_type is None:
            errors["subject"] = "Choose what the number refers to"
    if values["case"]:
        if not _CASE_NUMBER.match(values["case"]):
            errors["case"] = "Enter a case number, for example CW-2024-0001"
        elif subject_id is not None or subject_type not in (None, "case"):
            errors["case"] = "Filter by a case number or by a subject, not both"
        else:
            try:
                subject_type = "case"
                subject_id = str(records.case_id_for_number(db, values["case"]))
            except NotFound:
                errors["case"] = "There is no case with that number"
    since = read_date(params, "from", what="The date from", required=False)
    until = read_date(params, "to", what="The date to", required=False)
    for name, answer in (("from", since), ("to", until)):
        if answer.error:
            errors[name] = answer.error
    if since.value and until.value and until.value < since.value:
        errors["to"] = "The date to must be the same as or after the date from"
    event_filter = (
        EventFilter()
        if errors
        else EventFilter(
            user_id=user_id,
            tag=tag,
            subject_type=subject_type,
            subject_id=subject_id,
            since=since.value,
            until=until.value,
        )
    )
    return FilterForm(values, since, until, errors, event_filter)


class Describer:
    """Words for the events of one page or one export batch: who, what about, and details."""

    def __init__(
        self, db: Session, actor: Actor, events: Sequence[AuditEvent], *, names: bool = True
    ) -> None:
        self.users = auth.usernames(db, {e.actor_id for e in events if e.actor_id is not None})
        self.users.update(auth.usernames(db, _ids(events, "user")))
        self.cases: dict[int, str] = {}
        if case_ids := _ids(events, "case"):
            rows = db.execute(select(Case.id, Case.case_number).where(Case.id.in_(case_ids)))
            self.cases = {case_id: number for case_id, number in rows}
        # Names only for a reader who may read every case: they are case content (so not
        # while the induction gate keeps case content closed to them).
        self.names: dict[int, str] = {}
        person_ids = _ids(events, "person")
        if (
            names
            and person_ids
            and actor.can(Permission.CASES_READ_ALL)
            and not records.induction_outstanding(db, actor)
        ):
            found = db.execute(
                select(Person.id, Person.first_name, Person.last_name).where(
                    Person.id.in_(person_ids)
                )
            )
            self.names = {pid: f"{first} {last}" for pid, first, last in found}

    def who(self, e: AuditEvent) -> str:
        if e.actor_id is not None:
            return self.users.get(e.actor_id, "a removed account")
        return ACTOR_KIND_NAMES.get(e.actor_kind, e.actor_kind.capitalize())

    def subject(self, e: AuditEvent) -> str:
        if not e.subject_type:
            return ""
        what = subject_label(e.subject_type)
        if e.subject_id is None:
            return what
        number = int(e.subject_id) if e.subject_id.isdigit() else None
        if e.subject_type == "case" and number in self.cases:
            return f"Case {self.cases[number]}"
        if e.subject_type == "user" and number in self.users:
            return f"Account {self.users[number]}"
        if e.subject_type == "person" and number in self.names:
            return f"Person: {self.names[number]}"
        return f"{what} {e.subject_id}"

    @staticmethod
    def details(e: AuditEvent) -> list[tuple[str, str]]:
        try:
            parsed = json.loads(e.details or "{}")
        except ValueError:
            return [("details", e.details)]
        return [(str(k).replace("_", " "), _detail_text(v)) for k, v in parsed.items()]


def _detail_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join("" if v is None else str(v) for v in value)
    return "" if value is None else str(value)


def _ids(events: Iterable[AuditEvent], subject_type: str) -> set[int]:
    return {
        int(e.subject_id)
        for e in events
        if e.subject_type == subject_type and e.subject_id and e.subject_id.isdigit()
    }


def _choices(db: Session) -> dict[str, Any]:
    staff = db.execute(select(auth.User.id, auth.User.username).order_by(auth.User.username))
    return {
        "user_choices": [(str(uid), name) for uid, name in staff],
        "event_choices": sorted(EVENT_LABELS.items(), key=lambda item: item[1]),
        "subject_choices": sorted(SUBJECT_LABELS.items(), key=lambda item: item[1]),
    }


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    form: FilterForm,
    page: Any,
    **extra: object,
) -> Response:
    context: dict[str, Any] = {
        "form": form,
        "last_anchor": audit.last_anchor(db),
        **_choices(db),
        **extra,
    }
    if form.errors:
        return render(
            request,
            "audit.html",
            {**context, "error": "Check the filter", "errors": form.errors, "page": None},
            status_code=422,
        )
    found = audit.search_events(db, actor, form.filter, page)
    describe = Describer(db, actor, found.items)
    rows = [
        {
            "event": e,
            "who": describe.who(e),
            "what": event_label(e.tag),
            "subject": describe.subject(e),
            "details": describe.details(e),
        }
        for e in found.items
    ]
    export_query = request.url.remove_query_params("page").query
    return render(
        request,
        "audit.html",
        {**context, "page": found, "rows": rows, "export_query": export_query},
    )


@router.get("/audit")
def audit_trail(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    actor.require(Permission.AUDIT_READ)
    return _page(request, db, actor, _read_filter(db, request.query_params), page)


@router.post("/audit/verify")
def audit_verify(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    actor.require(Permission.AUDIT_READ)
    result = audit.verify(db)
    return _page(request, db, actor, _read_filter(db, {}), page, verification=result)


@router.get("/audit/export.csv")
def audit_export(request: Request, db: DB, actor: PageActor) -> Response:
    """The filtered events as CSV, streamed batch by batch from a session of its own (the
    request's unit of work has committed the record of the export by then)."""
    actor.require(Permission.AUDIT_READ)
    form = _read_filter(db, request.query_params)
    if form.errors:
        return _page(request, db, actor, form, None)
    upto = audit.start_export(db, actor, form.filter)
    factory: sessionmaker[Session] = request.app.state.session_factory
    return StreamingResponse(
        _csv_lines(factory, actor, form.filter, upto),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-trail.csv"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


CSV_COLUMNS = (
    "Sequence",
    "When (UTC)",
    "Who",
    "Event",
    "Event code",
    "Subject",
    "Subject type",
    "Subject id",
    "Details",
)


def _csv_lines(
    factory: sessionmaker[Session], actor: Actor, event_filter: EventFilter, upto: int
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[object]) -> str:
        writer.writerow([csv_cell(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_COLUMNS)
    with factory() as session:
        for batch in audit.export_batches(session, event_filter, upto_seq=upto):
            # No names in the file, whoever asks: a CSV travels further than a page.
            describe = Describer(session, actor, batch, names=False)
            for e in batch:
                yield line(
                    (
                        e.seq,
                        e.occurred_at.isoformat(),
                        describe.who(e),
                        event_label(e.tag),
                        e.tag,
                        describe.subject(e),
                        e.subject_type or "",
                        e.subject_id or "",
                        "; ".join(f"{k}: {v}" for k, v in describe.details(e)),
                    )
                )
