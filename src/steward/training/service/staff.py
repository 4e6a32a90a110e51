"""Staff from HR: looking them up, importing HR's list, and linking a person to their account.

The import makes Steward's records match HR's file row by row: starters are added, changes
applied, leavers given their leaving date (from which they drop out of every figure). A row
with a problem changes nothing and is reported by row and column; the other rows are still
applied, in the same transaction. A file that cannot be read as a whole changes nothing at
all. Importing the same file again changes nothing. One audit event per import, with counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training import hr_file
from steward.training.events import TrainingEvent
from steward.training.files import Problem, decode
from steward.training.hr_file import StaffRow
from steward.training.models import StaffMember
from steward.training.service import gate

SUBJECT_TYPE = "training_staff"
MAX_BYTES = 10 * 1024 * 1024


def for_user(db: Session, user_id: int | None) -> StaffMember | None:
    """The staff record of a Steward account, if it is linked to one."""
    if user_id is None:
        return None
    return db.scalar(select(StaffMember).where(StaffMember.user_id == user_id))


def get(db: Session, staff_id: int) -> StaffMember:
    staff = db.get(StaffMember, staff_id)
    if staff is None:
        raise NotFound("There is no such member of staff.")
    return staff


def for_number(db: Session, staff_number: str) -> StaffMember:
    staff = db.scalar(
        select(StaffMember).where(StaffMember.staff_number == staff_number.strip().upper())
    )
    if staff is None:
        raise NotFound("No member of staff has that staff number.")
    return staff


def reports_of(db: Session, manager_id: int) -> list[StaffMember]:
    """Those who report to this manager directly, by name."""
    return list(
        db.scalars(
            select(StaffMember)
            .where(StaffMember.manager_id == manager_id)
            .order_by(StaffMember.name, StaffMember.id)
        )
    )


@dataclass
class StaffImportReport:
    """What an HR import did. ``rows`` counts the data rows read (blank ones left out)."""

    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    # Of those added or changed, the people whose leaving date this import set.
    leavers: int = 0
    linked: int = 0
    # Held staff the file does not mention: left as they are (absence is not leaving).
    not_in_file: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        applied = self.rows - self.rejected
        if self.added == self.changed == 0:
            done = (
                "Nothing changed: every row matches what is already held."
                if applied
                else "Nothing changed."
            )
        else:
            done = (
                f"Added {self.added:,} new member(s) of staff and changed {self.changed:,} "
                f"({self.leavers:,} leaving date(s) set); {self.unchanged:,} row(s) already "
                "matched."
            )
        if self.problems:
            done += (
                f" {self.rejected:,} row(s) had problems and changed nothing; the other "
                f"{applied:,} row(s) were applied. Put those rows right and import the file "
                "again."
            )
        return done

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": "hr_staff",
            "rows": self.rows,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "leavers": self.leavers,
            "linked": self.linked,
            "not_in_file": self.not_in_file,
            "rejected": self.rejected,
            "errors": [p.as_dict() for p in self.problems],
            "message": self.summary,
        }


def import_staff(db: Session, actor: Actor, content: bytes) -> StaffImportReport:
    """Apply HR's staff list (docs/training.md). Raises ValidationFailed, changing nothing,
    when the file cannot be read as a whole; otherwise reports row by row."""
    actor.require(Permission.TRAINING_MANAGE)
    text = decode(content, max_bytes=MAX_BYTES, what=hr_file.WHAT)
    report = StaffImportReport()
    good: dict[int, StaffRow] = {}
    refused: dict[str, int] = {}  # staff number → the refused row naming it
    named: dict[str, list[int]] = {}  # staff number → every row naming it
    for read in hr_file.read(text):
        report.rows += 1
        if read.staff_number:
            named.setdefault(read.staff_number, []).append(read.row)
        if read.staff is not None:
            good[read.row] = read.staff
        else:
            report.problems += read.problems
            refused.setdefault(read.staff_number, read.row)
    held = _held(db)
    report.not_in_file = len(held.keys() - named)
    users = _accounts(db, [r.username for r in good.values() if r.username])
    _cross_check(good, held, users, refused, named, report)
    _apply(db, good, held, users, report)
    report.problems.sort(key=lambda p: (p.row, p.column))
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.STAFF_IMPORTED,
        details={
            "rows": report.rows,
            "added": report.added,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "leavers": report.leavers,
            "linked": report.linked,
            "rejected": report.rejected,
        },
    )
    return report


def _rows(rows: list[int]) -> str:
    return ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"


def _held(db: Session) -> dict[str, StaffMember]:
    return {s.staff_number: s for s in db.scalars(select(StaffMember))}


def _accounts(db: Session, usernames: Iterable[str]) -> dict[str, auth.User]:
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    return {
        u.username: u for u in db.scalars(select(auth.User).where(auth.User.username.in_(wanted)))
    }


def _cross_check(
    good: dict[int, StaffRow],
    held: dict[str, StaffMember],
    users: dict[str, auth.User],
    refused: dict[str, int],
    named: dict[str, list[int]],
    report: StaffImportReport,
) -> None:
    """The checks that need other rows or what is held. Each refusal can make another row
    wrong (a manager whose row is refused), so they run until no more rows are refused."""

    def refuse(row: StaffRow, column: str, message: str) -> None:
        report.problems.append(Problem(row.row, column, message))
        good.pop(row.row, None)
        refused.setdefault(row.staff_number, row.row)

    for row in list(good.values()):
        rows = named.get(row.staff_number, [])
        if len(rows) > 1:
            refuse(
                row,
                "staff_number",
                f"The same staff number is on rows {_rows(rows)}: each person must be on "
                "one row only",
            )
    for column in ("email", "username"):
        seen: dict[str, list[StaffRow]] = {}
        for row in good.values():
            value = getattr(row, column)
            if value:
                seen.setdefault(value, []).append(row)
        for same in seen.values():
            if len(same) > 1:
                where = _rows([r.row for r in same])
                for row in same:
                    refuse(
                        row,
                        column,
                        f"The same {column} is on rows {where}: each person must have their "
                        f"own {column}",
                    )
    linked_to = {s.user_id: s.staff_number for s in held.values() if s.user_id is not None}
    email_of = {s.email: s.staff_number for s in held.values() if s.email}
    while True:
        numbers = {r.staff_number for r in good.values()}
        before = len(good)
        for row in list(good.values()):
            if row.manager is not None and row.manager not in numbers | held.keys():
                manager_row = refused.get(row.manager)
                refuse(
                    row,
                    "manager",
                    f"The manager's own row (row {manager_row}) has problems: put that row "
                    "right first"
                    if manager_row is not None
                    else "Manager's staff number is not held and is on no row of this file: "
                    "add the manager's own row, or correct the number",
                )
                continue
            owner = email_of.get(row.email) if row.email else None
            if owner is not None and owner != row.staff_number and owner not in numbers:
                refuse(
                    row,
                    "email",
                    f"Email already belongs to another member of staff ({owner}): give "
                    "their new email in this file too if it has changed",
                )
                continue
            if row.username is not None:
                user = users.get(row.username)
                if user is None:
                    refuse(row, "username", "Username is not the username of a Steward account")
                    continue
                holder = linked_to.get(user.id)
                if holder is not None and holder != row.staff_number:
                    refuse(
                        row,
                        "username",
                        f"That account is already linked to another member of staff "
                        f"({holder}): unlink it on their page first",
                    )
        if len(good) == before:
            return


def _apply(
    db: Session,
    good: dict[int, StaffRow],
    held: dict[str, StaffMember],
    users: dict[str, auth.User],
    report: StaffImportReport,
) -> None:
    now = clock.now()
    starters = {
        row.staff_number: StaffMember(
            staff_number=row.staff_number,
            **_fields(row, users),
            created_at=now,
            updated_at=now,
        )
        for row in good.values()
        if row.staff_number not in held
    }
    db.add_all(starters.values())
    db.flush()  # the starters' ids, for those they manage
    by_number = held | starters
    for row in good.values():
        staff = by_number[row.staff_number]
        wanted = _fields(row, users)
        wanted["manager_id"] = by_number[row.manager].id if row.manager else None
        changed = {k for k, v in wanted.items() if getattr(staff, k) != v}
        is_new = row.staff_number in starters
        if is_new:
            report.added += 1
            report.linked += staff.user_id is not None
            report.leavers += row.leaving_date is not None
        elif changed:
            report.changed += 1
            report.linked += "user_id" in changed
            report.leavers += row.leaving_date is not None and "leaving_date" in changed
            staff.updated_at = now
        else:
            report.unchanged += 1
        for key in changed:
            setattr(staff, key, wanted[key])
    db.flush()


def _fields(row: StaffRow, users: dict[str, auth.User]) -> dict[str, Any]:
    """What the row says of the person; the account only where it names one."""
    fields: dict[str, Any] = {
        "name": row.name,
        "email": row.email,
        "team": row.team,
        "job_role": row.job_role,
        "employment_type": row.employment_type.value,
        "start_date": row.start_date,
        "leaving_date": row.leaving_date,
    }
    if row.username is not None:
        fields["user_id"] = users[row.username].id
    return fields


def link_account(db: Session, actor: Actor, staff_id: int, username: str) -> StaffMember:
    """Link a member of staff to the Steward account they sign in with."""
    actor.require(Permission.TRAINING_MANAGE)
    staff = get(db, staff_id)
    wanted = username.strip().lower()
    if not wanted:
        raise ValidationFailed(
            "Enter the username of the account to link.",
            errors={"username": "Enter the username of the account to link"},
        )
    user = db.scalar(select(auth.User).where(auth.User.username == wanted))
    if user is None:
        raise ValidationFailed(
            "There is no Steward account with that username.",
            errors={"username": "Enter the username of an existing Steward account"},
        )
    if staff.user_id == user.id:
        return staff
    holder = for_user(db, user.id)
    if holder is not None:
        raise Conflict(
            f"That account is already linked to another member of staff ({holder.staff_number}). "
            "Unlink it on their page first."
        )
    previous = staff.user_id
    staff.user_id = user.id
    staff.updated_at = clock.now()
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.STAFF_LINKED,
        subject_type=SUBJECT_TYPE,
        subject_id=staff.id,
        details={"user_id": user.id, "previous_user_id": previous},
    )
    return staff


def unlink_account(db: Session, actor: Actor, staff_id: int) -> StaffMember:
    """Take the account link off a member of staff (the account itself is untouched)."""
    actor.require(Permission.TRAINING_MANAGE)
    staff = get(db, staff_id)
    if staff.user_id is None:
        raise Conflict("This member of staff is not linked to an account.")
    previous = staff.user_id
    staff.user_id = None
    staff.updated_at = clock.now()
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.STAFF_UNLINKED,
        subject_type=SUBJECT_TYPE,
        subject_id=staff.id,
        details={"user_id": previous},
    )
    return staff
