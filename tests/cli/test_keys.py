"""`steward keys rotate`."""

from __future__ import annotations

import json

import pytest

from steward.core import crypto, keyfile
from steward.core.crypto import FileKeyring
from tests.cli.conftest import Cli

CONTEXT = "document:1:body"
PLAINTEXT = b"sealed before the rotation"


def test_rotation_rewraps_data_keys_and_retires_the_old_kek(cli: Cli) -> None:
    key_path = cli.settings.resolved_key_file
    # On SQLite `db upgrade` made the key file; on PostgreSQL the app makes it on first use.
    keys = keyfile.load_or_create(key_path)
    old_kek = keys.current_kek_id
    with cli.session() as db:
        data_key = crypto.create_data_key(db, FileKeyring(keys), purpose="case")
        sealed = crypto.seal(
            db, FileKeyring(keys), key_id=data_key.id, plaintext=PLAINTEXT, context=CONTEXT
        )
        key_id = data_key.id
    database_key = keys.database_key

    result = cli.ok("keys", "rotate")
    assert "1 data keys re-wrapped" in result.stdout

    rotated = keyfile.load(key_path)
    assert rotated.current_kek_id != old_kek
    assert list(rotated.keks) == [rotated.current_kek_id]
    assert rotated.database_key == database_key
    with cli.session() as db:
        row = db.get(crypto.DataKey, key_id)
        assert row is not None and row.kek_id == rotated.current_kek_id
        opened = crypto.open_sealed(
            db, FileKeyring(rotated), key_id=key_id, sealed=sealed, context=CONTEXT
        )
        assert opened == PLAINTEXT

    [event] = json.loads(cli.ok("audit", "log", "--json", "--limit", "1").stdout)
    assert event["tag"] == "crypto:kek:rotated"
    assert event["details"] == {"rewrapped": 1}
    assert "Audit trail intact" in cli.ok("audit", "verify").stdout


def test_rotation_without_a_key_file_fails_clearly(cli: Cli) -> None:
    key_path = cli.settings.resolved_key_file
    if key_path.exists():
        key_path.rename(key_path.with_name("elsewhere.key"))
    result = cli("keys", "rotate")
    assert result.exit_code == 1
    assert "not found" in result.stderr


def test_a_widely_readable_key_file_is_refused(cli: Cli) -> None:
    key_path = cli.settings.resolved_key_file
    keyfile.load_or_create(key_path)
    key_path.chmod(0o644)
    result = cli("keys", "rotate")
    assert result.exit_code == 1
    assert "chmod 600" in result.stderr


def test_old_keks_are_kept_while_a_data_key_still_needs_one(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for a server that wrapped a new data key under the old KEK mid-rotation.
    key_path = cli.settings.resolved_key_file
    keys = keyfile.load_or_create(key_path)
    old_kek = keys.current_kek_id
    with cli.session() as db:
        crypto.create_data_key(db, FileKeyring(keys), purpose="case")
    monkeypatch.setattr(crypto, "rewrap_all", lambda db, kek: 0)

    result = cli("keys", "rotate")
    assert result.exit_code == 1
    assert "The old keys were kept" in result.stderr
    assert old_kek in keyfile.load(key_path).keks
