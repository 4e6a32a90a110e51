"""The embedded database and its journals are created 0600, and Steward refuses to start on a
data directory other users can read, saying how to fix it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from steward.core.config import Environment, Settings
from steward.core.db import make_engine
from steward.core.keyfile import DataDirectoryExposed, KeyFileError


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022: new files would be world-readable."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("loose_umask")
def test_the_database_and_its_journals_are_for_the_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    engine = make_engine(Settings(env=Environment.TEST, data_dir=data_dir))
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as connection:  # WAL and shared memory exist while open
            connection.execute(text("SELECT * FROM t")).all()
            files = sorted(p for p in data_dir.iterdir() if p.is_file())
            assert {p.name for p in files} >= {"steward.db", "steward.db-wal", "steward.db-shm"}
            assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        engine.dispose()
    assert _mode(data_dir) == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o701])
def test_a_data_directory_others_can_enter_is_refused(tmp_path: Path, mode: int) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    data_dir.chmod(mode)
    with pytest.raises(DataDirectoryExposed) as raised:
        make_engine(Settings(env=Environment.TEST, data_dir=data_dir))
    assert isinstance(raised.value, KeyFileError)  # so the CLI shows it as one red line
    assert f"chmod 700 {data_dir}" in str(raised.value)
    assert not (data_dir / "steward.db").exists()


def test_an_existing_database_file_is_narrowed_to_the_owner(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    engine = make_engine(Settings(env=Environment.TEST, data_dir=data_dir))
    engine.dispose()
    (data_dir / "steward.db").chmod(0o644)
    make_engine(Settings(env=Environment.TEST, data_dir=data_dir)).dispose()
    assert _mode(data_dir / "steward.db") == 0o600
