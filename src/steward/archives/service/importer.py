"""`steward archives import`: a contractor's box inventory into the archive.

Idempotent: a row that matches what is held changes nothing and records nothing. A blank
cell never clears a field. A file that cannot be read as an inventory at all (wrong
encoding, missing columns, broken CSV) is refused before anything is applied; a bad row is
reported by line number and skipped, each row landing whole or not at all (a savepoint).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from steward.archives.events import ArchivesEvent
from steward.archives.inventory import InventoryMalformed, InventoryRow, RowError, decode, read_rows
from steward.archives.models import (
    ArchiveBox,
    ArchiveLocation,
    BoxStatus,
    LocationKind,
    PaperFile,
    PaperFileName,
    PaperFileStatus,
)
from steward.archives.schemas import LocationCreate, NameOnFile, PaperFileCreate
from steward.archives.service import files as file_service
from steward.archives.service import places
from steward.archives.service.access import require_manage
from steward.archives.service.linking import link_names
from steward.core import audit, clock
from steward.core.errors import Conflict, DomainError, ValidationFailed
from steward.core.permissions import Actor
from steward.records.models import Case


@dataclass
class InventoryReport:
    dry_run: bool = False
    rows: int = 0
    locations_added: int = 0
    boxes_added: int = 0
    boxes_moved: int = 0
    boxes_updated: int = 0
    files_added: int = 0
    files_updated: int = 0
    unchanged: int = 0
    failures: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "locations_added": self.locations_added,
            "boxes_added": self.boxes_added,
            "boxes_moved": self.boxes_moved,
            "boxes_updated": self.boxes_updated,
            "files_added": self.files_added,
            "files_updated": self.files_updated,
            "unchanged": self.unchanged,
            "failed": len(self.failures),
            "failures": [{"line": f.line, "reason": f.reason} for f in self.failures],
        }


DEFAULT_BATCH_ROWS = 500
BATCH_SECONDS = 5.0


class _Rollback(Exception):
    pass


class _Importer:
    def __init__(self, db: Session, actor: Actor, report: InventoryReport) -> None:
        self.db, self.actor, self.report = db, actor, report
        # Rows of one inventory repeat the same boxes and shelves; remembered only while every
        # row lands (a failed row's savepoint may have taken a new one back with it).
        self.locations: dict[str, ArchiveLocation] = {}
        self.boxes: dict[str, ArchiveBox] = {}
        self.row = Counter[str]()  # what the row being applied changed
        # Looked up once for the whole inventory rather than once per row.
        self.held_refs: set[str] = set()
        self.cases: dict[str, tuple[int, int]] = {}  # case number -> (case id, class id)
        self.classes: dict[str, int | None] = {}

    def prefetch(self, rows: list[InventoryRow]) -> None:
        refs = sorted({r.file_reference for r in rows if r.file_reference})
        numbers = sorted({r.case_number for r in rows if r.case_number})
        for chunk in _chunks(refs):
            held = select(PaperFile.file_reference).where(PaperFile.file_reference.in_(chunk))
            self.held_refs.update(self.db.scalars(held))
        for chunk in _chunks(numbers):
            cases = select(Case.case_number, Case.id, Case.record_class_id).where(
                Case.case_number.in_(chunk)
            )
            for number, case_id, class_id in self.db.execute(cases):
                self.cases[number] = (case_id, class_id)

    def _class_id(self, code: str) -> int | None:
        if code not in self.classes:
            self.classes[code] = file_service.record_class_id(self.db, code, None)
        return self.classes[code]

    def apply(self, row: InventoryRow) -> None:
        self.row = Counter[str]()
        try:
            with self.db.begin_nested():
                location = self._location(row)
                box = self._box(row, location)
                if row.file_reference:
                    self._file(row, box)
        except (DomainError, ValidationError, DBAPIError) as exc:
            self.locations.clear()
            self.boxes.clear()
            self.report.failures.append(RowError(row.line, _reason(exc)))
            return
        for counter, n in self.row.items():
            setattr(self.report, counter, getattr(self.report, counter) + n)
        if not self.row:
            self.report.unchanged += 1

    def _location(self, row: InventoryRow) -> ArchiveLocation | None:
        if not row.has_location:
            return None
        data = _location_data(row)
        code = places.derived_code(data)
        found = self.locations.get(code) or places.location_by_code(self.db, code)
        if found is None:
            if not (row.site or row.contractor):
                raise ValidationFailed(
                    "location_code: no location has this code; give site, room, bay and shelf "
                    "(or contractor) on the row to create it"
                )
            found = places.create_location(self.db, self.actor, data)
            self.row["locations_added"] += 1
        self.locations[code] = found
        return found

    def _box(self, row: InventoryRow, location: ArchiveLocation | None) -> ArchiveBox:
        box = self.boxes.get(row.box_barcode) or places.box_by_barcode(self.db, row.box_barcode)
        if box is None:
            box = places.create_box(
                self.db,
                self.actor,
                barcode=row.box_barcode,
                location_id=location.id if location else None,
                contractor_ref=row.contractor_ref,
            )
            self.row["boxes_added"] += 1
        elif box.status == BoxStatus.DESTROYED:
            raise Conflict("box_barcode: that box has been destroyed; it cannot be changed")
        elif location is not None and box.location_id != location.id:
            places.move_box(
                self.db,
                self.actor,
                box_id=box.id,
                location_id=location.id,
                contractor_ref=row.contractor_ref,
            )
            self.row["boxes_moved"] += 1
        elif row.contractor_ref and row.contractor_ref != box.contractor_ref:
            box.contractor_ref = row.contractor_ref
            box.updated_at = clock.now()
            audit.record(
                self.db,
                self.actor,
                ArchivesEvent.BOX_UPDATED,
                subject_type="archive_box",
                subject_id=box.id,
                details={"fields": ["contractor_ref"]},
            )
            self.row["boxes_updated"] += 1
        self.boxes[row.box_barcode] = box
        return box

    def _file(self, row: InventoryRow, box: ArchiveBox) -> None:
        assert row.file_reference is not None
        existing = None
        if row.file_reference in self.held_refs:
            existing = self.db.scalars(
                select(PaperFile)
                .where(PaperFile.file_reference == row.file_reference)
                .options(selectinload(PaperFile.names))
            ).first()
        if existing is None:
            case_id, case_class = self.cases.get(row.case_number or "", (None, None))
            class_id = self._class_id(row.record_class) if row.record_class else case_class
            file_service.insert_file(
                self.db, self.actor, _file_data(row, box), case_id=case_id, class_id=class_id
            )
            self.held_refs.add(row.file_reference)
            self.row["files_added"] += 1
            return
        if existing.status == PaperFileStatus.DESTROYED:
            raise Conflict("file_reference: that file has been destroyed; it cannot be changed")
        changed = _update_file(self.db, existing, row, box)
        if changed:
            existing.updated_at = clock.now()
            audit.record(
                self.db,
                self.actor,
                ArchivesEvent.FILE_UPDATED,
                subject_type="paper_file",
                subject_id=existing.id,
                details={"fields": changed},
            )
            self.row["files_updated"] += 1


def _location_data(row: InventoryRow) -> LocationCreate:
    off_site = bool(row.contractor) and not row.site
    return LocationCreate.model_construct(
        kind=LocationKind.OFF_SITE if off_site else LocationKind.ON_SITE,
        site=row.site,
        room=row.room,
        bay=row.bay,
        shelf=row.shelf,
        contractor=row.contractor,
        contractor_ref=row.contractor_location,
        code=row.location_code,
    )


def _file_data(row: InventoryRow, box: ArchiveBox) -> PaperFileCreate:
    return PaperFileCreate(
        file_reference=row.file_reference or "",
        box_id=box.id,
        case_number=row.case_number,
        record_class=row.record_class,
        date_from=row.date_from,
        date_to=row.date_to,
        names=[
            NameOnFile(name=n.name, date_of_birth=n.date_of_birth, role=n.role)
            for n in row.names or []
        ],
    )


def _update_file(
    db: Session, paper_file: PaperFile, row: InventoryRow, box: ArchiveBox
) -> list[str]:
    """Set each field the row gives and that differs; a blank cell leaves the field alone."""
    changed = []
    if paper_file.box_id != box.id:
        paper_file.box_id = box.id
        changed.append("box")
    if row.case_number and row.case_number != paper_file.case_number:
        paper_file.case_number = row.case_number
        paper_file.case_id = file_service.case_id_for(db, row.case_number)
        for held_name in paper_file.names:  # linked to the other case's parties: look again
            held_name.person_id = None
        changed.append("case_number")
    if row.record_class:
        class_id = file_service.record_class_id(db, row.record_class, None)
        if class_id != paper_file.record_class_id:
            paper_file.record_class_id = class_id
            changed.append("record_class")
    for column in ("date_from", "date_to"):
        value = getattr(row, column)
        if value is not None and value != getattr(paper_file, column):
            setattr(paper_file, column, value)
            changed.append(column)
    if row.names and _merge_names(paper_file, row.names):
        changed.append("names")
    db.flush()
    if {"case_number", "names"} & set(changed):
        link_names(db, paper_file)
    return changed


def _merge_names(paper_file: PaperFile, given: Sequence[Any]) -> bool:
    """Bring the file's names up to date with the row's. Names are never taken away (an
    inventory listing fewer names than the file holds is a shorter list, not a correction),
    but a name the file already holds once, given once in the row, is the same person:
    a different date of birth or role there is a correction, and replaces what was written
    (it dates the file: DOMAIN.md section 2). A name given without a date or role leaves
    the held one alone. Names the file does not hold are added."""
    changed = False
    rows = [
        file_service.name_row(NameOnFile(name=n.name, date_of_birth=n.date_of_birth, role=n.role))
        for n in given
    ]
    given_count = Counter(r.normalised_name for r in rows)
    for new in rows:
        held = [n for n in paper_file.names if n.normalised_name == new.normalised_name]
        if any(_same(n, new) for n in held):
            continue
        if len(held) == 1 and given_count[new.normalised_name] == 1:
            changed |= _correct(held[0], new)
            continue
        paper_file.names.append(new)
        changed = True
    return changed


def _same(held: PaperFileName, new: PaperFileName) -> bool:
    return (new.date_of_birth in (None, held.date_of_birth)) and (new.role in (None, held.role))


def _correct(held: PaperFileName, new: PaperFileName) -> bool:
    if new.date_of_birth is not None and new.date_of_birth != held.date_of_birth:
        held.date_of_birth = new.date_of_birth
    if new.role is not None and new.role != held.role:
        held.role = new.role
    held.name_as_written = new.name_as_written
    # Linked to a person by the old details: looked at again by link_names.
    held.person_id = None
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return "invalid value in " + ", ".join(fields)
    assert isinstance(exc, DBAPIError)
    # The driver's text may quote values: name only the kind of refusal.
    return f"the database refused it ({type(exc.orig).__name__})"


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def import_inventory(
    db: Session,
    actor: Actor,
    content: bytes,
    *,
    dry_run: bool = False,
    on_row: Callable[[int, int], None] | None = None,
    checkpoint: Callable[[], None] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> InventoryReport:
    """Import a box inventory CSV; see docs/archives.md.

    ``checkpoint`` is where the caller may commit, every ``batch_rows`` rows or
    ``BATCH_SECONDS``, between whole rows: a long import then never holds the database (and
    the audit trail's head) for its whole length, and one stopped part-way is resumed by
    running it again. Without it the import is one transaction, the caller's. ``dry_run``
    applies every row as a real import would and then rolls everything back."""
    require_manage(actor)
    try:
        rows = list(read_rows(decode(content)))
    except InventoryMalformed as exc:
        raise ValidationFailed(f"{exc} Nothing was imported.") from None
    report = InventoryReport(dry_run=dry_run, rows=len(rows))
    importer = _Importer(db, actor, report)
    importer.prefetch([r for r in rows if isinstance(r, InventoryRow)])
    if not dry_run:
        _apply_all(db, importer, rows, on_row, checkpoint, batch_rows)
        _record_run(db, actor, report)
        return report
    try:
        with db.begin_nested():
            _apply_all(db, importer, rows, on_row, None, batch_rows)
            _record_run(db, actor, report)
            raise _Rollback
    except _Rollback:
        pass
    return report


def _apply_all(
    db: Session,
    importer: _Importer,
    rows: list[InventoryRow | RowError],
    on_row: Callable[[int, int], None] | None,
    checkpoint: Callable[[], None] | None,
    batch_rows: int,
) -> None:
    since = time.monotonic()
    for done, row in enumerate(rows, start=1):
        if isinstance(row, RowError):
            importer.report.failures.append(row)
        else:
            importer.apply(row)
        if checkpoint is not None and (
            done % batch_rows == 0 or time.monotonic() - since > BATCH_SECONDS
        ):
            checkpoint()
            since = time.monotonic()
        if on_row is not None:
            on_row(done, len(rows))


def _record_run(db: Session, actor: Actor, report: InventoryReport) -> None:
    counts = {k: v for k, v in report.as_dict().items() if isinstance(v, int | bool)}
    audit.record(db, actor, ArchivesEvent.IMPORT_RUN, details=counts)
