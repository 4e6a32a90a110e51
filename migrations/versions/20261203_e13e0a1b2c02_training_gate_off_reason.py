"""training: why the induction gate is off, when and by whom (shown while it stays off)

Revision ID: e13e0a1b2c02
Revises: d13d0a1b2c01
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e13e0a1b2c02"
down_revision: str | None = "d13d0a1b2c01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table in place. The table
    # holds one row of settings, so copying it is nothing.
    with op.batch_alter_table("training_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gate_off_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("gate_off_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("gate_off_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_training_policy_gate_off_by_user_id_users"),
            "users",
            ["gate_off_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("training_policy", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_training_policy_gate_off_by_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("gate_off_by_user_id")
        batch_op.drop_column("gate_off_at")
        batch_op.drop_column("gate_off_reason")
