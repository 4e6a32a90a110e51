"""The file plan: record classes in a hierarchy, each of which retention will attach a rule to,
and each class's owner (the member of staff who answers for it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.auth import User
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission, Role
from steward.records.events import RecordsEvent
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


def get_class(db: Session, class_id: int) -> RecordClass:
    found = db.get(RecordClass, class_id)
    if found is None:
        raise NotFound("No record class with that id.")
    return found


def owner_choices(db: Session) -> list[tuple[int, str]]:
    """Accounts that may own a class: active staff (a partner organisation's user cannot)."""
    rows = db.execute(
        select(User.id, User.username)
        .where(User.is_active.is_(True), User.role != Role.PARTNER.value)
        .order_by(User.username)
    )
    return [(int(r[0]), str(r[1])) for r in rows]


def set_owner(
    db: Session, actor: Actor, *, class_id: int, owner_user_id: int | None
) -> RecordClass:
    """Name (or clear) the member of staff who owns a class. Whoever manages retention keeps
    the file plan: the records manager's role in Alfresco's and ISO 15489's sense."""
    actor.require(Permission.RETENTION_MANAGE)
    found = get_class(db, class_id)
    if owner_user_id is not None and owner_user_id not in dict(owner_choices(db)):
        raise ValidationFailed(
            "The owner must be an active member of staff; nothing was changed.",
            errors={"owner_user_id": "Choose an owner from the list of active staff"},
        )
    if found.owner_user_id == owner_user_id:
        return found
    found.owner_user_id = owner_user_id
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.CLASS_OWNER_SET,
        subject_type="record_class",
        subject_id=found.id,
        details={"owner_user_id": owner_user_id},
    )
    return found
