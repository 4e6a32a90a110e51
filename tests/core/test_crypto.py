"""Envelope encryption: sealed content opens only where it was sealed, with its own key, and
not at all once that key is destroyed; rotating the key-encryption key loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from steward.core import crypto, keyfile
from steward.core.crypto import DataKey, DecryptionFailed, FileKeyring, KeyDestroyed

# Hypothesis examples share the test's transaction; each one only adds rows, so that is safe.
_with_db = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _seal(db: Session, keyring: FileKeyring, body: bytes, context: str) -> tuple[str, bytes]:
    key = crypto.create_data_key(db, keyring, purpose="case")
    return key.id, crypto.seal(db, keyring, key_id=key.id, plaintext=body, context=context)


def _open(db: Session, keyring: FileKeyring, key_id: str, sealed: bytes, context: str) -> bytes:
    return crypto.open_sealed(db, keyring, key_id=key_id, sealed=sealed, context=context)


@_with_db
@given(body=st.binary(max_size=2048), context=st.text(min_size=1, max_size=60))
def test_sealed_content_opens_to_what_was_sealed(
    db: Session, keyring: FileKeyring, body: bytes, context: str
) -> None:
    key_id, sealed = _seal(db, keyring, body, context)
    assert _open(db, keyring, key_id, sealed, context) == body


def test_sealed_content_holds_no_plaintext_and_differs_each_time(
    db: Session, keyring: FileKeyring
) -> None:
    body = b"Child disclosed concerns at school on Tuesday"
    key = crypto.create_data_key(db, keyring, purpose="case")
    first = crypto.seal(db, keyring, key_id=key.id, plaintext=body, context="document:1:body")
    second = crypto.seal(db, keyring, key_id=key.id, plaintext=body, context="document:1:body")
    assert body not in first
    assert b"disclosed" not in first
    assert first != second  # a fresh nonce each time: equal bodies do not look equal


def test_a_sealed_value_moved_to_another_record_does_not_open(
    db: Session, keyring: FileKeyring
) -> None:
    key_id, sealed = _seal(db, keyring, b"statement", "document:1:body")
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, key_id, sealed, "document:2:body")
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, key_id, sealed, "document:1:title")


def test_a_sealed_value_does_not_open_under_another_case_key(
    db: Session, keyring: FileKeyring
) -> None:
    _, sealed = _seal(db, keyring, b"statement", "document:1:body")
    other = crypto.create_data_key(db, keyring, purpose="case")
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, other.id, sealed, "document:1:body")


@_with_db
@given(data=st.data())
def test_any_flipped_byte_is_detected(
    db: Session, keyring: FileKeyring, data: st.DataObject
) -> None:
    key_id, sealed = _seal(db, keyring, b"a body worth protecting", "note:7:text")
    index = data.draw(st.integers(0, len(sealed) - 1), label="index")
    mask = data.draw(st.integers(1, 255), label="mask")
    tampered = bytearray(sealed)
    tampered[index] ^= mask
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, key_id, bytes(tampered), "note:7:text")


@_with_db
@given(data=st.data())
def test_truncated_content_is_detected(
    db: Session, keyring: FileKeyring, data: st.DataObject
) -> None:
    key_id, sealed = _seal(db, keyring, b"a body worth protecting", "note:7:text")
    length = data.draw(st.integers(0, len(sealed) - 1), label="length")
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, key_id, sealed[:length], "note:7:text")


def test_destroying_the_data_key_destroys_the_content(db: Session, keyring: FileKeyring) -> None:
    key_id, sealed = _seal(db, keyring, b"to be disposed of", "document:3:body")
    crypto.destroy_data_key(db, key_id=key_id)
    db.expire_all()

    with pytest.raises(KeyDestroyed):
        _open(db, keyring, key_id, sealed, "document:3:body")
    with pytest.raises(KeyDestroyed):
        crypto.seal(db, keyring, key_id=key_id, plaintext=b"new", context="document:3:body")
    wrapped, kek_id, destroyed_at = db.execute(
        text("SELECT wrapped_key, kek_id, destroyed_at FROM data_keys WHERE id = :id"),
        {"id": key_id},
    ).one()
    assert wrapped is None
    assert kek_id is None
    assert destroyed_at is not None


def test_opening_under_an_unknown_key_id_reports_it_destroyed(
    db: Session, keyring: FileKeyring
) -> None:
    _, sealed = _seal(db, keyring, b"x", "document:4:body")
    with pytest.raises(KeyDestroyed):
        _open(db, keyring, "00000000-0000-0000-0000-000000000000", sealed, "document:4:body")


def test_a_key_wrapped_for_one_id_cannot_be_unwrapped_as_another(keyring: FileKeyring) -> None:
    kek_id, wrapped = keyring.wrap(b"k" * 32, key_id="key-a")
    assert keyring.unwrap(wrapped, kek_id=kek_id, key_id="key-a") == b"k" * 32
    with pytest.raises(DecryptionFailed):
        keyring.unwrap(wrapped, kek_id=kek_id, key_id="key-b")


@given(length=st.integers(0, 12 + 32 + 16 - 1))
def test_a_truncated_wrapped_key_is_detected(keyring: FileKeyring, length: int) -> None:
    kek_id, wrapped = keyring.wrap(b"k" * 32, key_id="key-a")
    with pytest.raises(DecryptionFailed):
        keyring.unwrap(wrapped[:length], kek_id=kek_id, key_id="key-a")


def test_swapping_wrapped_keys_between_rows_is_detected(db: Session, keyring: FileKeyring) -> None:
    a_id, a_sealed = _seal(db, keyring, b"case a", "document:5:body")
    b = crypto.create_data_key(db, keyring, purpose="case")
    # Someone with database access gives case A the (validly wrapped) key of case B.
    db.execute(
        update(DataKey).where(DataKey.id == a_id).values(wrapped_key=b.wrapped_key, kek_id=b.kek_id)
    )
    db.expire_all()
    with pytest.raises(DecryptionFailed):
        _open(db, keyring, a_id, a_sealed, "document:5:body")


def test_rotation_rewraps_every_live_key_and_content_still_opens(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "k.key"
    keys = keyfile.load_or_create(path)
    keyring = FileKeyring(keys)
    old_kek = keys.current_kek_id
    sealed = [_seal(db, keyring, f"body {i}".encode(), f"document:{i}:body") for i in range(3)]
    shredded_id, _ = _seal(db, keyring, b"gone", "document:99:body")
    crypto.destroy_data_key(db, key_id=shredded_id)

    new_kek = keys.add_kek()
    assert new_kek != old_kek
    assert crypto.rewrap_all(db, keyring) >= len(sealed)
    keys.save()

    mine = [key_id for key_id, _ in sealed]
    rows = db.scalars(select(DataKey).where(DataKey.id.in_(mine))).all()
    assert {row.kek_id for row in rows} == {new_kek}
    shredded = db.get(DataKey, shredded_id)
    assert shredded is not None
    assert shredded.wrapped_key is None and shredded.kek_id is None
    assert crypto.rewrap_all(db, keyring) == 0  # nothing left under the old KEK

    assert keys.retire_keks_except_current() == [old_kek]
    keys.save()
    reloaded = FileKeyring(keyfile.load(path))
    assert set(reloaded.keys.keks) == {new_kek}
    for i, (key_id, blob) in enumerate(sealed):
        assert _open(db, reloaded, key_id, blob, f"document:{i}:body") == f"body {i}".encode()


def test_content_wrapped_under_a_retired_kek_does_not_open(db: Session, tmp_path: Path) -> None:
    """Retiring a KEK before re-wrapping is the mistake rotation must not make silently."""
    keys = keyfile.load_or_create(tmp_path / "k.key")
    keyring = FileKeyring(keys)
    key_id, sealed = _seal(db, keyring, b"body", "document:1:body")
    db.commit()  # unwrapped keys are remembered within one transaction only
    keys.add_kek()
    keys.retire_keks_except_current()
    with pytest.raises(DecryptionFailed, match="not in the key file"):
        _open(db, keyring, key_id, sealed, "document:1:body")


def test_rotation_reaches_keys_beyond_the_first_batch(db: Session, tmp_path: Path) -> None:
    """rewrap_all streams rows in batches of 1000; a key past the first batch must not be
    left under a KEK that is about to be retired."""
    keys = keyfile.load_or_create(tmp_path / "k.key")
    keyring = FileKeyring(keys)
    mine = [crypto.create_data_key(db, keyring, purpose="case").id for _ in range(1_205)]
    new_kek = keys.add_kek()
    assert crypto.rewrap_all(db, keyring) >= len(mine)
    db.expire_all()
    stale = select(func.count()).where(DataKey.id.in_(mine), DataKey.kek_id != new_kek)
    assert db.scalar(stale) == 0


def test_keyed_hashes_come_from_the_key_file_one_key_per_purpose(
    db: Session, keyring: FileKeyring
) -> None:
    import hashlib
    import hmac

    files = crypto.hash_key(db, b"steward intake files v1")
    assert files == keyring.keys.derive(b"steward intake files v1")
    assert files != crypto.hash_key(db, b"steward intake facts v1")
    digest = crypto.keyed_hash(files, b"a file")
    assert digest != hashlib.sha256(b"a file").hexdigest()
    assert digest == hmac.new(files, (6).to_bytes(8, "big") + b"a file", "sha256").hexdigest()
    # Each part is length-prefixed: parts that join to the same bytes hash apart.
    assert crypto.keyed_hash(files, b"ab", b"c") != crypto.keyed_hash(files, b"a", b"bc")
