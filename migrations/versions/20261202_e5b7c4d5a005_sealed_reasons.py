"""retention and archives: hold, release and retain reasons and retrieval notes sealed

Revision ID: e5b7c4d5a005
Revises: d4e7b2c3f009
Create Date: 2026-12-02 00:00:00

The free text was stored in plain text. A migration cannot open the key file, so the plain
text is kept here only in nullable ``legacy_*`` columns; ``steward db upgrade`` then seals it
with the key file and clears those columns in one transaction (see cli/db.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5b7c4d5a005"
down_revision: str | None = "d4e7b2c3f009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, old plain column, legacy column, key column, sealed columns)
_SEALED = (
    ("retention_holds", "reason", "legacy_reason", "data_key_id", ("reason_sealed",)),
    (
        "retention_holds",
        "release_reason",
        "legacy_release_reason",
        None,
        ("release_reason_sealed",),
    ),
    ("retention_overrides", "reason", "legacy_reason", "reason_key_id", ("reason_sealed",)),
    (
        "disposal_items",
        "retain_reason",
        "legacy_retain_reason",
        "retain_key_id",
        ("retain_reason_sealed",),
    ),
    ("archive_retrievals", "note", "legacy_note", "note_key_id", ("note_sealed",)),
)


def upgrade() -> None:
    # Add, copy, drop rather than rename: the legacy column must also become nullable,
    # which SQLite cannot alter in place without recreating the table.
    for table, old, legacy, key, sealed in _SEALED:
        if key is not None:
            op.add_column(table, sa.Column(key, sa.String(length=36), nullable=True))
        for column in sealed:
            op.add_column(table, sa.Column(column, sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column(legacy, sa.Text(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET {legacy} = {old}"))
        op.drop_column(table, old)


def downgrade() -> None:
    # The sealed text cannot be opened here: only what was never sealed comes back.
    for table, old, legacy, key, sealed in reversed(_SEALED):
        op.add_column(table, sa.Column(old, sa.Text(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET {old} = {legacy}"))
        op.drop_column(table, legacy)
        for column in sealed:
            op.drop_column(table, column)
        if key is not None:
            op.drop_column(table, key)
