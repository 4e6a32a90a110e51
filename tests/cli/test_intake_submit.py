"""`steward intake submit`, `resume`, `outcome` and `shred-expired` on a real database, and
an intake killed midway (a real SIGKILL) that a rerun completes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import keyfile
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.intake.events import IntakeEvent
from steward.intake.models import Submission, SubmissionRow
from steward.intake.policy import RowOutcome, SubmissionStatus
from steward.records.models import Case, Party, Person
from tests.cli.conftest import Cli
from tests.factories.intake import make_agreement, make_partner
from tests.factories.records import make_case
from tests.intake.pipeline import NHS_BAD, child, csv_file

STEWARD = str(Path(sys.executable).with_name("steward"))

FIRST = [
    "Amara",
    "Bruno",
    "Celia",
    "Dmitri",
    "Esther",
    "Faisal",
    "Greta",
    "Hamish",
    "Ingrid",
    "Jonas",
    "Kezia",
    "Lorcan",
    "Maren",
    "Nikhil",
    "Orla",
    "Pavel",
    "Quinn",
    "Rosalind",
    "Soren",
    "Tamsin",
]
LAST = [
    "Okoye",
    "Lindqvist",
    "Barros",
    "Petrov",
    "Nakamura",
    "Haddad",
    "Schultz",
    "Ferreira",
    "Kowalczyk",
    "Mbeki",
    "Larsen",
    "Oyelaran",
    "Villanueva",
    "Dunmore",
    "Achterberg",
    "Quisling",
    "Rasmussen",
    "Tiernan",
    "Ubaldi",
    "Wrexham",
]


def _keyring(cli: Cli) -> FileKeyring:
    return FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))


def _partner_and_cases(cli: Cli, cases: int = 2) -> tuple[str, list[Case]]:
    with cli.session() as db:
        partner = make_partner(db)
        make_agreement(db, partner)
        made = [make_case(db, _keyring(cli)) for _ in range(cases)]
        return partner.code, made


def _count(db: Session, model: type[object], *where: object) -> int:
    query = select(func.count()).select_from(model)  # type: ignore[arg-type]
    return int(db.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]


def test_submit_prints_the_outcome_and_a_refused_file_exits_1_recording_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    code, (case, _) = _partner_and_cases(cli)
    file = tmp_path / "parties.csv"
    file.write_bytes(
        csv_file("party_details", [child(case), child(case, "Ben", "Okafor", nhs_number=NHS_BAD)])
    )
    args = ("intake", "submit", "--partner", code, "--dataset", "party_details", str(file))
    body = json.loads(cli.ok(*args, "--json").stdout)
    assert {k: body[k] for k in ("status", "rows", "accepted", "rejected", "quarantined")} == {
        "status": "complete",
        "rows": 2,
        "accepted": 1,
        "rejected": 1,
        "quarantined": 0,
    }
    assert [(i["row"], i["field"], i["code"]) for i in body["issues"]] == [
        (3, "nhs_number", "nhs.checksum")
    ]
    assert (
        json.loads(cli.ok("intake", "outcome", str(body["submission_id"]), "--json").stdout) == body
    )

    again = cli(*args, "--json")
    assert again.exit_code == 1
    refused = json.loads(again.stdout)
    assert refused["status"] == "refused" and refused["code"] == "file.repeated"
    assert f"as submission {body['submission_id']} on" in refused["message"]

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"case_number,who\nZZ1,Ava\n")
    plain = cli("intake", "submit", "--partner", code, "--dataset", "party_details", str(bad))
    assert plain.exit_code == 1 and "Refused (file.header)" in plain.stderr
    with cli.session() as db:
        assert _count(db, Submission) == 1 and _count(db, SubmissionRow) == 2
        refusals = db.scalars(
            select(AuditEvent.details).where(AuditEvent.tag == IntakeEvent.SUBMISSION_REFUSED)
        ).all()
        assert [json.loads(d or "{}")["code"] for d in refusals] == ["file.repeated", "file.header"]
    summary = cli.ok("intake", "outcome", str(body["submission_id"])).stdout
    assert "1 recorded" in summary and "row 3, nhs_number: nhs.checksum" in summary
    assert json.loads(cli.ok("intake", "shred-expired", "--json").stdout) == {"shredded": []}
    shredded = cli.ok("intake", "shred-expired", "--as-of", "2099-01-01", "--json").stdout
    assert json.loads(shredded) == {"shredded": [body["submission_id"]]}


def _run(cli: Cli, *args: str, crash_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))}
    if "PYTHONPATH" in os.environ:  # a worktree's sources, not the editable install's
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update({"STEWARD_ENV": "test", "STEWARD_DATA_DIR": str(cli.data_dir)})
    if cli.database_url:
        env["STEWARD_DATABASE_URL"] = cli.database_url
    if crash_at:
        env["STEWARD_TEST_INTAKE_CRASH_AT"] = str(crash_at)
    return subprocess.run(
        [STEWARD, "intake", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _wholly_recorded(db: Session, submission_id: int) -> list[SubmissionRow]:
    """Every row kept is wholly there: an accepted row's person and party exist; a row not
    accepted reached no record. No person or party exists that no row made."""
    rows = list(
        db.scalars(
            select(SubmissionRow)
            .where(SubmissionRow.submission_id == submission_id)
            .order_by(SubmissionRow.row_number)
        )
    )
    accepted = [r for r in rows if r.outcome == RowOutcome.ACCEPTED]
    for row in accepted:
        assert row.recorded_at is not None and row.values_sealed is not None
        assert db.get(Person, row.person_id) is not None
        assert (
            _count(db, Party, Party.person_id == row.person_id, Party.case_id == row.case_id) == 1
        )
    assert all(r.recorded_at is None for r in rows if r.outcome != RowOutcome.ACCEPTED)
    made = {r.person_id for r in accepted}
    assert _count(db, Person) == len(made)  # nobody recorded without a row, nobody twice
    assert _count(db, Party) == len(accepted)
    return rows


def test_a_killed_intake_keeps_each_row_wholly_or_not_and_a_rerun_completes_it(
    cli: Cli, tmp_path: Path
) -> None:
    code, cases = _partner_and_cases(cli, cases=5)
    total = 1_000
    rows = []
    for i in range(total):
        row = child(
            cases[i % 5],
            FIRST[i % 20],
            f"{LAST[(i // 20) % 20]}-{LAST[(i // 400) % 20]}",
            date_of_birth=f"{2006 + i % 12}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            postcode=f"LS{1 + i % 9} {1 + i % 9}AP",
        )
        if i % 10 == 7:
            row["nhs_number"] = NHS_BAD  # rejected
        rows.append(row)
    file = tmp_path / "large.csv"
    file.write_bytes(csv_file("party_details", rows))
    args = ("submit", "--partner", code, "--dataset", "party_details", str(file))

    killed = _run(cli, *args, "--batch-rows", "200", "--json", crash_at=3)
    assert killed.returncode == -9, killed.stderr
    with cli.session() as db:
        submission = db.scalars(select(Submission)).one()
        assert submission.status == SubmissionStatus.VALIDATING
        assert (submission.rows, submission.rows_done) == (total, 400)
        kept = _wholly_recorded(db, submission.id)
        assert [r.row_number for r in kept] == list(range(2, 402))
        assert (
            sum(
                (
                    submission.accepted,
                    submission.quarantined,
                    submission.rejected,
                    submission.unchanged,
                )
            )
            == 400
        )

    resumed = _run(cli, "resume", "--batch-rows", "200", "--json")
    assert resumed.returncode == 0, resumed.stderr
    (body,) = json.loads(resumed.stdout)
    assert body["status"] == "complete" and body["rows"] == total
    assert body["rejected"] == total // 10
    assert body["accepted"] + body["quarantined"] + body["rejected"] + body["unchanged"] == total
    with cli.session() as db:
        done = _wholly_recorded(db, body["submission_id"])
        assert [r.row_number for r in done] == list(range(2, total + 2))
        recorded = db.scalars(
            select(AuditEvent.details).where(AuditEvent.tag == IntakeEvent.ROW_RECORDED)
        ).all()
        assert len(recorded) == 5  # one per batch; the killed batch left none
    assert json.loads(_run(cli, "resume", "--json").stdout) == []  # nothing left to do
    assert cli.ok("audit", "verify").exit_code == 0
