"""`steward documents extract`: the extraction worker run from cron, on a committed database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from steward.records.models import Document
from tests.cli.conftest import Cli

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.jsonl"


def _statuses(cli: Cli) -> list[str]:
    with cli.session() as db:
        return sorted(db.scalars(select(Document.extraction_status)))


def test_extract_takes_one_pending_document_or_all_of_them(cli: Cli) -> None:
    cli.ok("import", "cases", str(EXAMPLE))
    pending = _statuses(cli)
    assert pending and set(pending) == {"pending"}  # imported documents wait for the worker

    one = cli.ok("documents", "extract")
    assert "Extracted the text of 1 document(s): 1 done." in one.stdout
    assert _statuses(cli).count("pending") == len(pending) - 1

    rest = cli.ok("documents", "extract", "--all-pending", "--json")
    assert json.loads(rest.stdout) == {"extracted": len(pending) - 1, "done": len(pending) - 1}
    assert set(_statuses(cli)) == {"done"}

    again = cli.ok("documents", "extract", "--all-pending")
    assert "No document is waiting" in again.stdout
