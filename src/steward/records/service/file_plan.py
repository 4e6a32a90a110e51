"""The file plan: record classes in a hierarchy, each of which retention will attach a rule to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.errors import ValidationFailed
from steward.records.models import CaseType, RecordClass

# code, name, parent code
DEFAULT_FILE_PLAN: tuple[tuple[str, str, str | None], ...] = (
    ("CASE", "Case files", None),
    ("CASE.PRIVATE", "Private law case files", "CASE"),
    ("CASE.PUBLIC", "Public law case files", "CASE"),
    ("CASE.ADOPTION", "Adoption case files", "CASE"),
    ("CASE.OTHER", "Other case files", "CASE"),
    ("CORR", "Correspondence", None),
    ("PARTNER", "Partner submissions", None),
    ("SAR", "Subject access request files", None),
)
CLASS_FOR_CASE_TYPE = {
    CaseType.PRIVATE_LAW: "CASE.PRIVATE",
    CaseType.PUBLIC_LAW: "CASE.PUBLIC",
    CaseType.ADOPTION: "CASE.ADOPTION",
    CaseType.OTHER: "CASE.OTHER",
}


def ensure_default_file_plan(db: Session) -> int:
    """Create the default record classes that are missing; returns how many were made."""
    existing = {c.code: c for c in db.scalars(select(RecordClass))}
    made = 0
    for code, name, parent in DEFAULT_FILE_PLAN:
        if code in existing:
            continue
        row = RecordClass(code=code, name=name, parent_id=existing[parent].id if parent else None)
        db.add(row)
        db.flush()
        existing[code] = row
        made += 1
    return made


def record_class(db: Session, code: str) -> RecordClass:
    # The default plan is made only when a lookup misses: every case and upload calls this,
    # and loading the whole plan each time cost a second query (an import does it per case).
    query = select(RecordClass).where(RecordClass.code == code)
    found = db.scalar(query)
    if found is None and ensure_default_file_plan(db):
        found = db.scalar(query)
    if found is None:
        raise ValidationFailed(
            f"There is no record class {code!r} in the file plan.",
            errors={"record_class": "Choose a class of the file plan"},
        )
    return found


def list_classes(db: Session) -> list[RecordClass]:
    ensure_default_file_plan(db)
    return list(db.scalars(select(RecordClass).order_by(RecordClass.code)))
