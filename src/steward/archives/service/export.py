"""The inventory as CSV rows, in the import's own columns, safe to open in a spreadsheet.

Text came from contractors' spreadsheets and may hold anything ("=cmd|' /C calc'!A0"):
every cell goes through ``policy.csv_safe`` so a spreadsheet shows it and never runs it.
Re-importing an export changes nothing except that formula-like cells carry the apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from steward.archives.events import ArchivesEvent
from steward.archives.inventory import COLUMNS
from steward.archives.models import ArchiveBox, PaperFile
from steward.archives.names import WrittenName, format_names
from steward.archives.policy import csv_safe
from steward.archives.service.access import require_manage, require_names
from steward.core import audit
from steward.core.permissions import Actor
from steward.records.models import RecordClass


def inventory_rows(db: Session, actor: Actor) -> Iterator[list[str]]:
    """Header then one row per paper file (names included). Recorded as one read."""
    require_manage(actor)
    require_names(db, actor)
    codes = {i: c for i, c in db.execute(select(RecordClass.id, RecordClass.code))}
    files = db.scalars(
        select(PaperFile)
        .options(
            selectinload(PaperFile.names),
            selectinload(PaperFile.box).selectinload(ArchiveBox.location),
        )
        .order_by(PaperFile.file_reference)
        .execution_options(yield_per=1000)
    )
    audit.record(db, actor, ArchivesEvent.INVENTORY_EXPORTED)
    yield list(COLUMNS)
    for f in files:
        box, location = f.box, f.box.location if f.box else None
        names = [WrittenName(n.name_as_written, n.date_of_birth, n.role) for n in f.names]
        values = {
            "box_barcode": box.barcode if box else "",
            "contractor_ref": box.contractor_ref if box else "",
            "location_code": location.code if location else "",
            "file_reference": f.file_reference,
            "case_number": f.case_number,
            "record_class": codes.get(f.record_class_id) if f.record_class_id else "",
            "date_from": f.date_from.isoformat() if f.date_from else "",
            "date_to": f.date_to.isoformat() if f.date_to else "",
            "names_on_file": format_names(names),
        }
        yield [csv_safe(values.get(column) or "") for column in COLUMNS]
