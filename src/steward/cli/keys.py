"""`steward keys`: the key-encryption keys (KEKs) in the key file."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from steward.cli.runtime import console, fail, load_settings, unit_of_work
from steward.core import audit, crypto, keyfile
from steward.core.audit import EventTag
from steward.core.crypto import DataKey, FileKeyring
from steward.core.permissions import Actor

app = typer.Typer(help="Encryption keys: rotate the key-encryption key.", no_args_is_help=True)


@app.command()
def rotate() -> None:
    """Make a new key-encryption key, re-wrap every data key under it, then drop the old ones.

    Stop every `steward serve` process first and start them again afterwards: a running server
    holds the key file in memory, so it would neither know the new key nor stop using the old.
    Document content is not re-encrypted; only the wrapped data keys change."""
    settings = load_settings()
    keys = keyfile.load(settings.resolved_key_file)
    # The order makes a crash at any point recoverable by running the command again:
    # 1. The new KEK is saved *beside* the old ones before any row uses it (save() writes a
    #    temporary file, fsyncs and renames, so the file is always wholly old or wholly new).
    # 2. Re-wrapping and its audit event commit together in one transaction: rows are either
    #    all under the new KEK or all as they were, and the file can unwrap both states.
    # 3. Old KEKs leave the file only after that commit. Retiring first would leave a window
    #    in which committed rows name a KEK the file no longer holds: their content lost.
    # The database key in the same file is never touched, so the database stays readable.
    new_kek = keys.add_kek()
    keys.save()
    with unit_of_work(settings) as db:
        rewrapped = crypto.rewrap_all(db, FileKeyring(keys))
        audit.record(db, Actor.system(), EventTag.KEK_ROTATED, details={"rewrapped": rewrapped})
    with unit_of_work(settings) as db:
        # A server still running on the old file may have wrapped a new data key since.
        stragglers = db.scalar(
            select(func.count())
            .select_from(DataKey)
            .where(DataKey.wrapped_key.is_not(None), DataKey.kek_id != new_kek)
        )
    if stragglers:
        fail(
            f"{stragglers} data keys were wrapped under an old key-encryption key during the "
            "rotation (is `steward serve` still running?). The old keys were kept so nothing "
            "is lost. Stop every server and run `steward keys rotate` again."
        )
        raise typer.Exit(1)
    retired = keys.retire_keks_except_current()
    keys.save()
    console.print(
        f"Key-encryption key rotated: {rewrapped} data keys re-wrapped under {new_kek}; "
        f"{len(retired)} old key(s) removed from {settings.resolved_key_file}.",
        markup=False,
        soft_wrap=True,
    )
