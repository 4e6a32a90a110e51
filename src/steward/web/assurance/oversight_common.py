"""What the oversight pages share: the sub-navigation and CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response

from steward.core.files import csv_cell
from steward.core.permissions import Actor
from steward.web.assurance.sections import sections_for


def nav(actor: Actor, current: str) -> dict[str, Any]:
    return {"sections": sections_for(actor), "current_section": current}


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A CSV whose every cell is neutralised (a spreadsheet shows it, never runs it). Built
    whole: one record's history or the break-glass uses are thousands of lines, not millions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
