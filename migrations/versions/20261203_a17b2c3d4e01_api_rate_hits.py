"""api: the requests each API token made of a rate-limited kind (search, identity lookups,
break-glass), counted for its rate limits across every web worker

Revision ID: a17b2c3d4e01
Revises: f14a0a1b2c06
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a17b2c3d4e01"
down_revision: str | None = "f14a0a1b2c06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_rate_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_api_rate_hits_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_rate_hits")),
    )
    with op.batch_alter_table("api_rate_hits", schema=None) as batch_op:
        batch_op.create_index("ix_api_rate_hits_token", ["token_id", "kind", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("api_rate_hits")
