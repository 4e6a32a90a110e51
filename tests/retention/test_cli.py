"""The retention and disposal commands on a real database, and a disposal killed midway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from steward.core import crypto, keyfile
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Case
from steward.retention.events import RetentionAudit
from steward.retention.models import DisposalItem, Outcome, RetentionSchedule
from tests.cli.conftest import Cli
from tests.factories.records import make_document
from tests.retention.helpers import case_with_children

STEWARD = str(Path(sys.executable).with_name("steward"))


def _keyring(cli: Cli) -> FileKeyring:
    return FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))


def _cases(cli: Cli, births: list[date]) -> list[str]:
    numbers = []
    with cli.session() as db:
        for born in births:
            case = case_with_children(db, _keyring(cli), born)
            make_document(db, _keyring(cli), case, text=f"note of {case.case_number}")
            numbers.append(case.case_number)
    cli.ok("documents", "extract", "--all-pending")  # the text, as steward serve extracts it
    return numbers


def test_schedule_due_explain_and_a_bad_schedule(cli: Cli, tmp_path: Path) -> None:
    (number,) = _cases(cli, [date(2011, 3, 2)])
    loaded = json.loads(cli.ok("retention", "schedule", "load", "--default", "--json").stdout)
    assert loaded["status"] == "draft"
    assert {"class_code": "CASE.PRIVATE", "records": 1}.items() <= next(
        i for i in loaded["impact"] if i["class_code"] == "CASE.PRIVATE"
    ).items()
    cli.ok("retention", "schedule", "approve", str(loaded["version"]))
    due = json.loads(cli.ok("retention", "due", "--as-of", "2036-03-02", "--json").stdout)
    assert [(d["identifier"], d["due_on"], d["action"], d["held"]) for d in due] == [
        (number, "2036-03-02", "destroy", False)
    ]
    assert json.loads(cli.ok("retention", "due", "--as-of", "2036-03-01", "--json").stdout) == []
    explained = json.loads(cli.ok("retention", "explain", number, "--json").stdout)
    assert (
        "youngest child subject Child0, born 2011-03-02, reaches 25 on 2036-03-02"
        in explained["facts"]
    )

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: x\nowner: y\nrules:\n  - class: CASE.NOPE\n    authority: a\n    citation: c\n"
        "    trigger: {record: closed}\n    period: {years: -1}\n    action: burn\n"
    )
    result = cli("retention", "schedule", "load", str(bad))
    assert result.exit_code == 1
    assert "rules[0].period.years" in result.stderr and "rules[0].action" in result.stderr
    shown = json.loads(cli.ok("retention", "schedule", "show", "--json").stdout)
    assert shown["version"] == loaded["version"]  # nothing applied


def _prepare_list(cli: Cli, count: int) -> int:
    cli.create_user("reviewer", "ig_officer")
    cli.create_user("approver", "dpo")
    _cases(cli, [date(2005 + i % 5, 1, 1) for i in range(count)])
    cli.ok("retention", "schedule", "load", "--default")
    cli.ok("retention", "schedule", "approve", "1")
    made = json.loads(
        cli.ok("disposal", "propose", "--as-of", "2035-01-01", "--as", "reviewer", "--json").stdout
    )
    assert len(made["items"]) == count
    cli.ok("disposal", "decide", str(made["id"]), "--decision", "destroy", "--as", "reviewer")
    cli.ok("disposal", "approve", str(made["id"]), "--as", "approver")
    return int(made["id"])


def _run_execute(cli: Cli, list_id: int, crash_at: int | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))}
    env.update({"STEWARD_ENV": "test", "STEWARD_DATA_DIR": str(cli.data_dir)})
    if cli.database_url:
        env["STEWARD_DATABASE_URL"] = cli.database_url
    if crash_at:
        env["STEWARD_TEST_DISPOSAL_CRASH_AT"] = str(crash_at)
    return subprocess.run(
        [STEWARD, "disposal", "execute", str(list_id), "--as", "approver", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_killed_disposal_keeps_or_destroys_each_item_wholly_and_resumes(cli: Cli) -> None:
    list_id = _prepare_list(cli, 4)
    killed = _run_execute(cli, list_id, crash_at=3)
    assert killed.returncode == -9, killed.stderr

    with cli.session() as db:
        items = db.scalars(
            select(DisposalItem).where(DisposalItem.list_id == list_id).order_by(DisposalItem.id)
        ).all()
        assert [i.outcome for i in items] == [Outcome.DESTROYED] * 2 + [Outcome.PENDING] * 2
        third = db.get(Case, items[2].record_id)  # killed inside its transaction: wholly kept
        assert third is not None and len(third.documents) == 1 and len(third.parties) == 2
        text = records.view_document(db, _keyring(cli), Actor.system(), third.documents[0].id)[1]
        assert text == f"note of {third.case_number}"
        assert db.get(Case, items[0].record_id) is None

    resumed = _run_execute(cli, list_id, crash_at=None)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["destroyed"] == 4
    with cli.session() as db:
        destroyed_events = db.scalars(
            select(AuditEvent.subject_id).where(AuditEvent.tag == RetentionAudit.ITEM_DESTROYED)
        ).all()
        assert sorted(destroyed_events) == sorted({str(i) for i in destroyed_events})  # none twice
        assert len(destroyed_events) == 4
        items = db.scalars(select(DisposalItem).where(DisposalItem.list_id == list_id)).all()
        assert {i.outcome for i in items} == {Outcome.DESTROYED}
        assert all(db.get(Case, i.record_id) is None for i in items)
        keys = db.scalars(select(crypto.DataKey).where(crypto.DataKey.purpose == "case")).all()
        assert keys and all(k.wrapped_key is None for k in keys)
    certificate = json.loads(cli.ok("disposal", "certificate", str(list_id), "--json").stdout)
    assert certificate["destroyed"] == 4 and certificate["approvers"]["approved_by"] is not None
    assert cli.ok("audit", "verify").exit_code == 0


def test_a_schedule_whose_aliases_fan_out_is_refused_by_the_cli(cli: Cli, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        "title: t\nowner: o\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n"
        + "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 9))
    )
    result = cli("retention", "schedule", "load", str(bomb))
    assert result.exit_code == 1
    assert "line 3: anchors (&) and aliases (*) are not allowed" in result.stderr
    with cli.session() as db:
        assert db.scalar(select(func.count()).select_from(RetentionSchedule)) == 0
