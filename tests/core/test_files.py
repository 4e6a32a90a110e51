"""Files that may hold personal data are their owner's alone, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from steward.core.files import open_private, write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_0600_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_private(tmp_path / "out.csv", "Ava Jones,1986-03-02\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "out.csv") == 0o600


def test_an_existing_file_is_kept_unless_replacing_is_asked_for_and_then_made_0600(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out.csv"
    path.write_text("before")
    path.chmod(0o644)
    with pytest.raises(FileExistsError):
        write_private(path, "after")
    assert path.read_text() == "before"
    write_private(path, "after", overwrite=True)
    assert path.read_text() == "after" and _mode(path) == 0o600


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.csv"
    target.write_text("")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    with pytest.raises(OSError):
        write_private(link, "data", overwrite=True)
    assert target.read_text() == ""


def test_a_write_that_fails_part_way_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), open_private(path) as out:
        out.write("half")
        raise RuntimeError("the database went away")
    assert not path.exists()
