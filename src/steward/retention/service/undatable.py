"""Records that cannot be dated, one by one, with what each lacks, so someone can fix them.

The report counts them per class; this names the records (case numbers and paper file
references, never people) and says what is missing ("a child subject has no date of birth",
"no closure date", "no adoption order date recorded"), worked out from the record's facts
by policy.missing. One page at a time: the facts are read only for the records shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, func, select, union_all
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile, PaperFileName
from steward.core import audit
from steward.core.permissions import Actor, Permission
from steward.records.models import Case
from steward.retention import policy
from steward.retention.events import RetentionAudit
from steward.retention.models import RecordKind, RetentionDate, RetentionRule
from steward.retention.service import dates, schedules

PAGE_SIZE = 50
MISSING = "missing_facts"


@dataclass(frozen=True)
class UndatableRow:
    kind: RecordKind
    record_id: int
    identifier: str
    class_code: str
    missing: list[str]
    link: str  # where it is fixed: the case, or the paper file


@dataclass(frozen=True)
class UndatablePage:
    total: int
    page: int
    page_size: int
    by_class: list[tuple[str, int]]
    rows: list[UndatableRow]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def missing_facts(schedule_id: int) -> tuple[ColumnElement[bool], ...]:
    """The schedule's dates its rules cannot set for want of a fact. Missing facts leave no
    date (records_sql.py): said too, so the undated are read from the due index alone."""
    rd = RetentionDate
    return (rd.schedule_id == schedule_id, rd.due_on.is_(None), rd.note == MISSING)


def _listed(schedule_id: int):  # type: ignore[no-untyped-def]
    rd = RetentionDate
    parts = [
        select(
            rd.record_kind.label("kind"),
            rd.record_id.label("record_id"),
            cast(identifier, String).label("identifier"),
            RetentionRule.class_code.label("class_code"),
        )
        .join(table, key == rd.record_id)
        .join(RetentionRule, RetentionRule.id == rd.rule_id)
        .where(*missing_facts(schedule_id), rd.record_kind == kind.value)
        for kind, table, key, identifier in (
            (RecordKind.CASE, Case, Case.id, Case.case_number),
            (RecordKind.PAPER_FILE, PaperFile, PaperFile.id, PaperFile.file_reference),
        )
    ]
    return union_all(*parts).subquery("undatable")


def undatable(
    db: Session, actor: Actor, *, page: int = 1, page_size: int = PAGE_SIZE
) -> UndatablePage:
    """One page of the records the approved schedule cannot date, by class then identifier."""
    actor.require(Permission.RETENTION_MANAGE)
    schedule = schedules.require_approved(db)
    rules = schedules.parsed_rules(schedule)
    q = _listed(schedule.id)
    total = db.scalar(select(func.count()).select_from(q)) or 0
    by_class = [
        (str(c), int(n))
        for c, n in db.execute(
            select(q.c.class_code, func.count()).group_by(q.c.class_code).order_by(q.c.class_code)
        )
    ]
    page = max(1, page)
    found = db.execute(
        select(q)
        .order_by(q.c.class_code, q.c.identifier, q.c.kind)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    rows = [_row(db, rules, r) for r in found]
    audit.record(db, actor, RetentionAudit.UNDATABLE_LISTED, details={"count": total, "page": page})
    return UndatablePage(int(total), page, page_size, by_class, rows)


def _row(db: Session, rules: dict[str, policy.Rule], r: object) -> UndatableRow:
    kind = RecordKind(r.kind)  # type: ignore[attr-defined]
    record_id, identifier, code = int(r.record_id), str(r.identifier), str(r.class_code)  # type: ignore[attr-defined]
    rule = rules[code]
    if kind is RecordKind.CASE:
        case = db.get(Case, record_id)
        assert case is not None
        missing = policy.missing(rule, dates.facts_for_case(db, case))
        return UndatableRow(kind, record_id, identifier, code, missing, f"/cases/{record_id}")
    paper = db.get(PaperFile, record_id)
    assert paper is not None
    link = f"/archives/files/{record_id}"
    if paper.case_id is not None and _follows(db, paper):
        number = db.scalar(select(Case.case_number).where(Case.id == paper.case_id))
        missing = [f"follows case {number}, which cannot be dated: fix the case"]
    else:
        missing = policy.missing(rule, _paper_facts(db, paper))
    return UndatableRow(kind, record_id, identifier, code, missing, link)


def _follows(db: Session, paper: PaperFile) -> bool:
    """Whether the file took its (missing) date from its case: the case's row has the same
    rule and no date either."""
    row = db.get(RetentionDate, (_schedule_id(db), RecordKind.PAPER_FILE.value, paper.id))
    case_row = db.get(RetentionDate, (_schedule_id(db), RecordKind.CASE.value, paper.case_id))
    return row is not None and case_row is not None and row.rule_id == case_row.rule_id


def _schedule_id(db: Session) -> int:
    return schedules.require_approved(db).id


def _paper_facts(db: Session, paper: PaperFile) -> policy.RecordFacts:
    names = db.execute(
        select(PaperFileName.role, PaperFileName.date_of_birth).where(
            PaperFileName.paper_file_id == paper.id, PaperFileName.role.is_not(None)
        )
    ).all()
    return policy.RecordFacts(
        created=paper.date_from,
        closed=paper.date_to,
        last_activity=paper.date_to or paper.date_from,
        is_open=False,
        persons=[policy.PersonFacts(str(role), born, None) for role, born in names],
    )


__all__ = ["PAGE_SIZE", "UndatablePage", "UndatableRow", "undatable"]
