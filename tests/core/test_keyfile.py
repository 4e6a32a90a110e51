"""The key file holds every key Steward has: only its owner may read it, a damaged one is
refused with a clear error, and rewriting it never leaves it half-written."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from steward.core import keyfile
from steward.core.keyfile import KeyFileError


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable, as on a carelessly set-up host."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _valid_payload() -> dict[str, Any]:
    return {
        "version": 1,
        "database_key": "ab" * 32,
        "current_kek": "kek-1",
        "keks": {"kek-1": base64.b64encode(b"k" * 32).decode()},
    }


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    path.chmod(0o600)
    return path


def test_a_new_key_file_is_readable_only_by_its_owner(
    tmp_path: Path, permissive_umask: None
) -> None:
    path = tmp_path / "nested" / "steward.key"
    keys = keyfile.load_or_create(path)
    assert _mode(path) == 0o600
    assert len(keys.database_key) == 32
    assert len(keys.keks[keys.current_kek_id]) == 32


def test_a_key_file_loads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "steward.key"
    created = keyfile.load_or_create(path)
    created.add_kek()
    created.save()
    loaded = keyfile.load_or_create(path)
    assert loaded.database_key == created.database_key
    assert loaded.current_kek_id == created.current_kek_id
    assert loaded.keks == created.keks
    assert len(loaded.keks) == 2


def test_two_key_files_share_no_key(tmp_path: Path) -> None:
    a = keyfile.load_or_create(tmp_path / "a.key")
    b = keyfile.load_or_create(tmp_path / "b.key")
    assert a.database_key != b.database_key
    assert set(a.keks.values()).isdisjoint(b.keks.values())


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o620, 0o602, 0o700 | 0o040])
def test_a_key_file_others_can_reach_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "steward.key"
    keyfile.load_or_create(path)
    path.chmod(mode)
    for loader in (keyfile.load, keyfile.load_or_create):
        with pytest.raises(KeyFileError, match=r"chmod 600") as caught:
            loader(path)
        assert str(path) in str(caught.value)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="not found"):
        keyfile.load(tmp_path / "absent.key")


def _malformed() -> list[tuple[str, str | bytes]]:
    def edited(**changes: Any) -> str:
        payload = _valid_payload()
        payload.update(changes)
        return json.dumps(payload)

    def without(key: str) -> str:
        payload = _valid_payload()
        del payload[key]
        return json.dumps(payload)

    return [
        ("empty", ""),
        ("not json", "database_key=abc"),
        ("not utf-8", b"\xff\xfe\x00garbage"),
        ("a json list", "[1, 2, 3]"),
        ("json null", "null"),
        ("no database key", without("database_key")),
        ("no current kek", without("current_kek")),
        ("no keks", without("keks")),
        ("database key not hex", edited(database_key="zz" * 32)),
        ("database key a number", edited(database_key=42)),
        ("database key too short", edited(database_key="ab" * 8)),
        ("kek not base64", edited(keks={"kek-1": "!!!not base64!!!"})),
        ("kek too short", edited(keks={"kek-1": base64.b64encode(b"k" * 8).decode()})),
        ("keks a list", edited(keks=["kek-1"])),
        ("keks a string", edited(keks="kek-1")),
        ("current kek not among keks", edited(current_kek="kek-2")),
        ("no keks at all", edited(keks={})),
    ]


@pytest.mark.parametrize(("case", "content"), _malformed(), ids=[c for c, _ in _malformed()])
def test_a_malformed_key_file_is_refused(tmp_path: Path, case: str, content: str | bytes) -> None:
    path = _write(tmp_path / "steward.key", content)
    with pytest.raises(KeyFileError, match="malformed"):
        keyfile.load(path)


def test_the_valid_payload_used_above_does_load(tmp_path: Path) -> None:
    """Guards the malformed cases: each differs from a file that loads by one defect."""
    path = _write(tmp_path / "steward.key", json.dumps(_valid_payload()))
    assert keyfile.load(path).current_kek_id == "kek-1"


def test_saving_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "steward.key"
    keys = keyfile.load_or_create(path)
    keys.add_kek()
    keys.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["steward.key"]
    assert _mode(path) == 0o600


def test_a_save_that_fails_part_way_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "steward.key"
    keys = keyfile.load_or_create(path)
    before, old_kek = path.read_bytes(), keys.current_kek_id

    def crash_mid_write(payload: Any, out: Any) -> None:
        out.write('{"version": 1, "database_')
        raise OSError("disk full")

    keys.add_kek()
    monkeypatch.setattr(json, "dump", crash_mid_write)
    with pytest.raises(OSError, match="disk full"):
        keys.save()
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert set(keyfile.load(path).keks) == {old_kek}


def test_a_stale_temporary_file_cannot_widen_the_key_files_permissions(
    tmp_path: Path, permissive_umask: None
) -> None:
    """A world-readable leftover from an earlier crash must not become the key file."""
    path = tmp_path / "steward.key"
    keys = keyfile.load_or_create(path)
    stale = path.with_name(path.name + ".tmp")
    stale.write_text("leftover")
    stale.chmod(0o644)
    keys.add_kek()
    keys.save()
    assert _mode(path) == 0o600
    assert keyfile.load(path).current_kek_id == keys.current_kek_id


def test_retiring_keeps_only_the_current_kek(tmp_path: Path) -> None:
    keys = keyfile.load_or_create(tmp_path / "steward.key")
    first = keys.current_kek_id
    second = keys.add_kek()
    assert keys.current_kek_id == second != first
    assert keys.retire_keks_except_current() == [first]
    assert list(keys.keks) == [second]
    assert keys.retire_keks_except_current() == []


def test_the_sqlcipher_passphrase_is_the_raw_key(tmp_path: Path) -> None:
    keys = keyfile.load_or_create(tmp_path / "steward.key")
    # The raw-key form skips SQLCipher's key derivation; a typo here would silently fall back
    # to treating the string as a password.
    assert keys.sqlcipher_passphrase == f"x'{keys.database_key.hex()}'"
    assert len(keys.sqlcipher_passphrase) == 2 + 64 + 1
