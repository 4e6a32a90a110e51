"""Files Steward writes outside its database that may hold personal data (exports): readable
by their owner only, and never written through a link or over a file nobody meant to replace.

Mode 0600 is set on the open descriptor, not left to the umask (0644 on most systems), and
again with fchmod: ``os.open``'s mode applies to a new file only, so an overwritten file
would keep whatever rights it had."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

PRIVATE_MODE = 0o600
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text and never runs: formula-like text gets an apostrophe.
    (Here, below every domain, so a service that writes a CSV export uses the same rule as
    the pages.)"""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@contextlib.contextmanager
def open_private(
    path: Path, *, overwrite: bool = False, newline: str | None = None
) -> Iterator[TextIO]:
    """``path`` opened for writing UTF-8 text, mode 0600.

    Raises FileExistsError if it exists and ``overwrite`` is false, and OSError if it is a
    symbolic link (one planted in a shared folder would send the data elsewhere). A write
    that fails part-way removes the file rather than leave half an export behind."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)
        stream = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    try:
        with stream:
            yield stream
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_private(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` to ``path`` as open_private does."""
    with open_private(path, overwrite=overwrite) as out:
        out.write(text)


def append_private(path: Path, line: str) -> None:
    """Append ``line`` to ``path``, creating it with mode 0600, and sync it to disk: for
    records kept over time (audit anchors), where each line must survive a crash. A file
    that exists is narrowed to 0600, and a symbolic link refused, as open_private does."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)
        os.write(fd, (line.rstrip("\n") + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
