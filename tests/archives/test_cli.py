"""`steward archives`: import, search, reconcile, retrievals and export from the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from steward.archives import service
from steward.archives.models import DestructionCertificate, RetrievalPurpose
from steward.archives.schemas import PaperSearch, RetrievalRequest
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from tests.cli.conftest import Cli

INVENTORY = (
    "box_barcode,site,room,bay,shelf,file_reference,case_number,record_class,date_from,date_to,"
    "names_on_file\r\n"
    "B-1,HQ,Basement,A,1,F-1,OLD/1/1,CASE.PRIVATE,1990-01-01,1992-12-31,"
    '"Ava Jones (1986-03-02, child_subject); Mark Jones (1960-11-30)"\r\n'
    "B-1,HQ,Basement,A,1,F-2,OLD/1/2,CASE.PRIVATE,1991-01-01,1993-12-31,"
    "\"=cmd|' /C calc'!A0 (1970-01-01)\"\r\n"
    "B-2,HQ,Basement,A,2,F-3,,NOPE,,,\r\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_reports_bad_rows_and_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "inv.csv", INVENTORY)
    first = cli("archives", "import", str(path), "--json")
    assert first.exit_code == 1
    report = json.loads(first.stdout)
    assert (report["files_added"], report["failed"]) == (2, 1)
    assert report["failures"] == [
        {"line": 4, "reason": "record_class: Use a code of the file plan, e.g. CASE.PRIVATE"}
    ]
    again = json.loads(cli("archives", "import", str(path), "--json").stdout)
    assert (again["files_added"], again["files_updated"], again["unchanged"]) == (0, 0, 2)

    summary = cli("archives", "import", str(path))
    assert "line 4: record_class" in summary.stderr and "Jones" not in summary.stderr


def test_a_malformed_inventory_is_refused_whole(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"box_barcode,file_reference\r\nB1,\xff\r\n")
    result = cli("archives", "import", str(path))
    assert result.exit_code == 1 and "Nothing was imported" in result.stderr
    listed = cli.ok("archives", "export")
    assert listed.stdout.strip().count("\n") == 0  # header only


def test_search_json(cli: Cli, tmp_path: Path) -> None:
    cli("archives", "import", str(_write(tmp_path, "inv.csv", INVENTORY)))
    result = cli.ok(
        "archives",
        "search",
        "--name",
        "Ava Jones",
        "--name",
        "Ava Smith",
        "--dob",
        "1986-02-03",
        "--json",
    )
    hits = json.loads(result.stdout)
    assert [h["file_reference"] for h in hits] == ["F-1"]
    assert "date of birth with day and month swapped" in hits[0]["reasons"]
    assert cli("archives", "search", "--dob", "1986-02-03").exit_code == 1
    bad = cli("archives", "search", "--name", "Ava", "--dob", "03/02/1986")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr


def test_reconcile_and_export(cli: Cli, tmp_path: Path) -> None:
    cli("archives", "import", str(_write(tmp_path, "inv.csv", INVENTORY)))
    with cli.session() as db:
        ids = [
            f.paper_file_id
            for f in service.search_paper_files(
                db, actor=Actor.system(), query=service_query("OLD/1/1")
            )
        ]
        service.mark_for_destruction(db, actor=Actor.system(), file_ids=ids, reference="DISP-7")
    cert = _write(tmp_path, "cert.csv", "file_reference\r\nF-1\r\nF-99\r\n")
    result = json.loads(
        cli.ok("archives", "reconcile", str(cert), "--reference", "DISP-7", "--json").stdout
    )
    assert (result["destroyed"], result["missing"], result["unexpected"]) == (["F-1"], [], ["F-99"])
    again = cli("archives", "reconcile", str(cert), "--reference", "DISP-7")
    assert again.exit_code == 1 and "already been reconciled" in again.stderr

    rows = list(csv.reader(io.StringIO(cli.ok("archives", "export").stdout)))
    assert rows[0][0] == "box_barcode"
    names = {
        r[rows[0].index("file_reference")]: r[rows[0].index("names_on_file")] for r in rows[1:]
    }
    assert names["F-2"] == "'=cmd|' /C calc'!A0 (1970-01-01)"


def service_query(case_number: str) -> PaperSearch:
    return PaperSearch(case_number=case_number)


def test_retrievals_overdue(cli: Cli, tmp_path: Path, keyring: FileKeyring) -> None:
    cli("archives", "import", str(_write(tmp_path, "inv.csv", INVENTORY)))
    with cli.session() as db:
        [hit] = service.search_paper_files(db, actor=Actor.system(), query=service_query("OLD/1/2"))
        with clock.frozen(datetime(2020, 1, 6, tzinfo=UTC)):
            r = service.request_retrieval(
                db,
                Actor.system(),
                keyring,
                RetrievalRequest(paper_file_id=hit.paper_file_id, purpose=RetrievalPurpose.COURT),
            )
            service.hand_out(db, Actor.system(), r.id, due_back_on=date(2020, 1, 20))
    rows = json.loads(cli.ok("archives", "retrievals", "--overdue", "--json").stdout)
    assert [(r["file_reference"], r["overdue"], r["due_back_on"]) for r in rows] == [
        ("F-2", True, "2020-01-20")
    ]
    table = cli.ok("archives", "retrievals")
    assert "F-2" in table.stdout and "yes" in table.stdout


def test_link_catches_up_and_says_how_many(cli: Cli) -> None:
    nothing = json.loads(cli.ok("archives", "link", "--json").stdout)
    assert nothing == {"files_given_a_case": 0, "names_linked": 0}
    assert "0 file(s) linked to a case" in cli.ok("archives", "link").stdout


def test_reconcile_names_each_broken_line_and_refuses_an_unknown_reference(
    cli: Cli, tmp_path: Path
) -> None:
    cli("archives", "import", str(_write(tmp_path, "inv.csv", INVENTORY)))
    with cli.session() as db:
        found = service.search_paper_files(db, actor=Actor.system(), query=service_query("OLD/1/1"))
        ids = [f.paper_file_id for f in found]
        service.mark_for_destruction(db, actor=Actor.system(), file_ids=ids, reference="DISP-8")
    broken = _write(tmp_path, "broken.csv", 'file_reference\r\nF-1\r\n"F-2\r\nF-3\r\n')
    human = cli("archives", "reconcile", str(broken), "--reference", "DISP-8")
    assert human.exit_code == 1
    assert "Fix these lines" in human.stderr and "line 3: not valid CSV" in human.stderr
    as_json = cli("archives", "reconcile", str(broken), "--reference", "DISP-8", "--json")
    assert as_json.exit_code == 1
    assert list(json.loads(as_json.stdout)["errors"]) == ["line 3"]

    good = _write(tmp_path, "good.csv", "file_reference\r\nF-1\r\n")
    unknown = cli("archives", "reconcile", str(good), "--reference", "DISP-9")
    assert unknown.exit_code == 1 and "No paper files were sent" in unknown.stderr
    with cli.session() as db:
        assert db.scalar(select(func.count()).select_from(DestructionCertificate)) == 0


def test_an_unknown_heading_is_named_by_position_not_repeated(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "names.csv", "box_barcode,Ava Jones,file_reference,1986-03-02\r\n")
    result = cli("archives", "import", str(path))
    assert result.exit_code == 1
    assert "Columns 2, 4 of the first line are not inventory columns" in result.stderr
    assert "names_on_file" in result.stderr  # the accepted headings are listed
    assert "Ava" not in result.stderr and "1986" not in result.stderr


def test_export_to_a_file_is_readable_by_its_owner_only(cli: Cli, tmp_path: Path) -> None:
    cli("archives", "import", str(_write(tmp_path, "inv.csv", INVENTORY)))
    out = tmp_path / "inventory.csv"
    old = os.umask(0o022)
    try:
        cli.ok("archives", "export", str(out))
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert "Ava Jones" in out.read_text(encoding="utf-8")
        again = cli("archives", "export", str(out))
        assert again.exit_code == 1 and "give --force" in again.stderr
        out.chmod(0o644)
        cli.ok("archives", "export", str(out), "--force")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
