"""`steward sar bundle REF --out FILE.pdf`: the bundle of a disclosure a reviewer prepared
(the real detector) and a second person approved, planned by the default planner, written to
a file and proven free of every redacted text; a readable refusal when it is not approved."""

from __future__ import annotations

from pathlib import Path

from steward.core import keyfile
from steward.core.crypto import FileKeyring
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Role
from steward.redaction.verify import prove_absent
from steward.sar import service as sar
from tests.cli.conftest import Cli
from tests.factories.core import make_user
from tests.sar import journey_helpers as j


def _journey(cli: Cli, *, approve: bool) -> str:
    """The journey's request in the CLI's database: the real detector run, every proposal
    accepted by one officer and (``approve``) approved by another. Returns its reference."""
    kek = FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))
    with cli.engine() as engine:
        factory = make_sessionmaker(engine)
        with session_scope(factory) as db:
            preparer = make_user(db, Role.IG_OFFICER).actor
            approver = make_user(db, Role.DPO).actor
            journey = j.holdings_and_request(db, kek, factory, preparer)
            if approve:
                j.review_and_approve(db, kek, preparer, approver, journey.request.id)
            else:
                sar.disclosure.gather(db, kek, preparer, request_id=journey.request.id)
            return journey.request.reference


def test_an_approved_bundle_is_written_and_proven(cli: Cli, tmp_path: Path) -> None:
    reference = _journey(cli, approve=True)
    out = tmp_path / "bundle.pdf"
    done = cli.ok("sar", "bundle", reference, "--out", str(out))
    assert "sha256" in done.stdout and j.REQUESTER not in done.stdout
    assert out.read_bytes().startswith(b"%PDF")
    needles = [j.OTHER_PARENT, j.OTHER_ADDRESS, j.SISTER, j.REFUGE, j.NEIGHBOUR]
    assert prove_absent(out, needles) == []
    # Plaintext control: the letter it was drawn from names them.
    source = tmp_path / "letter.pdf"
    source.write_bytes(j.letter_pdf())
    assert prove_absent(source, [j.OTHER_PARENT, j.SISTER, j.REFUGE])


def test_a_disclosure_not_approved_is_refused_readably(cli: Cli, tmp_path: Path) -> None:
    reference = _journey(cli, approve=False)
    out = tmp_path / "bundle.pdf"
    done = cli("sar", "bundle", reference, "--out", str(out))
    assert done.exit_code == 1
    assert "approved by a second person" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    unknown = cli("sar", "bundle", "SAR-2026-99999", "--out", str(out))
    assert unknown.exit_code == 1 and "no request with that reference" in unknown.stderr
