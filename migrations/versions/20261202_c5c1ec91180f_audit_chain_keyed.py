"""audit trail: the chain keyed with an HMAC key from the key file

Revision ID: c5c1ec91180f
Revises: e5b7c4d5a005
Create Date: 2026-12-02 20:00:00

Only the schema is here: a migration cannot open the key file. ``steward.core.migrate``
re-hashes the existing plain SHA-256 chain under the key file's chain key in the same
transaction, once this column appears (and back to plain when a downgrade removes it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5c1ec91180f"
down_revision: str | None = "e5b7c4d5a005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("key_id")
