"""The key file: the SQLCipher key and the key-encryption keys (KEKs), kept under the data directory.

It is created on first run with 0600 permissions and refused if anyone but its owner can read it.
A KMS can replace the KEK half (see ``crypto.KeyEncryptionKeys``); the database key stays here.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from steward.core import clock

FORMAT_VERSION = 1
KEY_BYTES = 32


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, malformed or too widely readable."""


class DataDirectoryExposed(KeyFileError):
    """The data directory (the database and, by default, the key file) is open to others."""


def private_directory(path: Path) -> None:
    """Create ``path`` readable by its owner only, or refuse one that others can enter.

    Files inside inherit nothing from their directory, but a directory others can list and
    enter lets them read any file created there with the usual 0644 (a SQLite -wal or -shm,
    a copy an operator made): Steward will not start on one."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True)
        os.chmod(path, 0o700)  # mkdir's mode is cut by the umask, never widened
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DataDirectoryExposed(
            f"the data directory {path} can be read by other users "
            f"(mode {stat.S_IMODE(mode):03o}); run: chmod 700 {path}"
        )


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist, and narrow it to 0600 if it
    does. SQLite creates its -wal and -shm files with the mode of the database file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@dataclass
class KeyFile:
    path: Path
    database_key: bytes
    current_kek_id: str
    keks: dict[str, bytes] = field(default_factory=dict)

    @property
    def sqlcipher_passphrase(self) -> str:
        # A raw 256-bit key in SQLCipher's x'..' form skips its per-connection PBKDF2,
        # which would otherwise cost ~0.5 s on every new connection.
        return f"x'{self.database_key.hex()}'"

    def derive(self, label: bytes) -> bytes:
        """A 256-bit sub-key for one purpose, named by ``label`` (HKDF-SHA256).

        Derived from the database key, the one secret here that never rotates (KEKs do, and
        may live in a KMS): a sub-key that changed with a rotation would orphan whatever it
        protects. Sub-keys with different labels are independent, and none reveals the
        database key."""
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label).derive(
            self.database_key
        )

    def add_kek(self) -> str:
        kek_id = new_kek_id()
        self.keks[kek_id] = secrets.token_bytes(32)
        self.current_kek_id = kek_id
        return kek_id

    def retire_keks_except_current(self) -> list[str]:
        retired = [k for k in self.keks if k != self.current_kek_id]
        for kek_id in retired:
            del self.keks[kek_id]
        return retired

    def save(self) -> None:
        payload = {
            "version": FORMAT_VERSION,
            "database_key": self.database_key.hex(),
            "current_kek": self.current_kek_id,
            "keks": {k: base64.b64encode(v).decode() for k, v in self.keks.items()},
        }
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        # O_CREAT's mode applies only to a new file; a stale .tmp keeps whatever mode it had.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(payload, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


def new_kek_id() -> str:
    return f"kek-{clock.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def load_or_create(path: Path) -> KeyFile:
    if not path.exists():
        keyfile = KeyFile(path=path, database_key=secrets.token_bytes(32), current_kek_id="")
        keyfile.add_kek()
        keyfile.save()
        return keyfile
    return load(path)


def load(path: Path) -> KeyFile:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyFileError(f"key file {path} not found") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"key file {path} is readable by others; run: chmod 600 {path}")
    try:
        payload = json.loads(path.read_text())
        keys = KeyFile(
            path=path,
            database_key=bytes.fromhex(payload["database_key"]),
            current_kek_id=payload["current_kek"],
            keks={k: base64.b64decode(v, validate=True) for k, v in payload["keks"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileError(f"key file {path} is malformed") from exc
    # Refuse here rather than fail later: a short database key would make SQLCipher treat it
    # as a passphrase (a different key), and a missing current KEK would break the first seal.
    if (
        len(keys.database_key) != KEY_BYTES
        or keys.current_kek_id not in keys.keks
        or any(len(kek) != KEY_BYTES for kek in keys.keks.values())
    ):
        raise KeyFileError(f"key file {path} is malformed: a key is missing or the wrong length")
    return keys
