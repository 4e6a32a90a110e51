"""sar: consultations of partners and professionals before disclosure

Revision ID: f11f3c5d7e01
Revises: e11e0a1b2c01
Create Date: 2026-12-03 06:30:00

Who was consulted and why are sealed under the request's data key (who_sealed, why_sealed);
the columns hold codes and dates only. Rows go with their request (ON DELETE CASCADE), so
destroying a request file at the end of its retention destroys its consultations too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f11f3c5d7e01"
down_revision: str | None = "e11e0a1b2c01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("who_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("why_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("raised_by_user_id", sa.Integer(), nullable=True),
        sa.Column("chased_on", sa.Date(), nullable=True),
        sa.Column("chases", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["raised_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_consultations_raised_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_consultations_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_consultations")),
    )
    with op.batch_alter_table("sar_consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_consultations_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sar_consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_consultations_request_id"))
    op.drop_table("sar_consultations")
