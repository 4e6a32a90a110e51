"""`steward assurance evidence-pack` on a real, committed database: a zip written owner-only
that opens, with its README and manifest; a bad date refused and nothing written."""

from __future__ import annotations

import json
import stat
import zipfile

from tests.cli.conftest import Cli
from tests.training.test_report_cli import _workforce


def test_the_evidence_pack_is_written_owner_only(cli: Cli) -> None:
    _workforce(cli)
    out = cli.data_dir / "pack.zip"
    result = cli.ok("assurance", "evidence-pack", "--as-of", "2026-06-01", "--out", str(out))
    assert "files" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["as_of"] == "2026-06-01"
        assert "Operator (command line)" in archive.read("00-README.txt").decode()
        figures = archive.read("02-measures/measures.csv").decode()
        assert "training_current" in figures
        assert "Bo Lapsed" not in figures  # figures only


def test_a_bad_date_is_refused_and_nothing_written(cli: Cli) -> None:
    out = cli.data_dir / "pack.zip"
    refused = cli("assurance", "evidence-pack", "--as-of", "2026-13-01", "--out", str(out))
    assert refused.exit_code != 0 and "YYYY-MM-DD" in refused.stdout + refused.stderr
    assert not out.exists()
