"""`steward sar bundle REF --out FILE.pdf`: the bundle of an approved disclosure written to a
file and proven free of every redacted text; a readable refusal when it is not approved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steward.core import keyfile
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.redaction.verify import prove_absent
from steward.sar import service as sar
from steward.sar.policy import Status
from steward.sar.service import bundle as bundles
from tests.cli.conftest import Cli
from tests.sar import bundle_helpers as h

REQUEST = {
    "requester_type": "data_subject",
    "channel": "email",
    "received_on": "2026-01-05",
    "requester": {"full_name": h.KEPT},
}


def _awaiting(cli: Cli) -> str:
    reference = cli.ok("sar", "new", "-", input=json.dumps(REQUEST)).stdout.strip()
    kek = FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))
    with cli.session() as db:
        request_id = sar.id_for_reference(db, Actor.system(), reference)
        for status in (Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL):
            sar.move(db, kek, Actor.system(), request_id, status)
    return reference


def test_an_approved_bundle_is_written_and_proven(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _awaiting(cli)
    monkeypatch.setattr(bundles, "default_planner", lambda: h.approved(h.plan(reference)))
    out = tmp_path / "bundle.pdf"
    done = cli.ok("sar", "bundle", reference, "--out", str(out))
    assert "sha256" in done.stdout and h.KEPT not in done.stdout
    assert out.read_bytes().startswith(b"%PDF")
    assert prove_absent(out, [h.TEXT_NEEDLE, h.PDF_NEEDLE, h.REFUGE]) == []


def test_a_disclosure_not_approved_is_refused_readably(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _awaiting(cli)
    monkeypatch.setattr(bundles, "default_planner", lambda: h.not_approved)
    out = tmp_path / "bundle.pdf"
    done = cli("sar", "bundle", reference, "--out", str(out))
    assert done.exit_code == 1
    assert "not been approved" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
    unknown = cli("sar", "bundle", "SAR-2026-99999", "--out", str(out))
    assert unknown.exit_code == 1 and "no request with that reference" in unknown.stderr
