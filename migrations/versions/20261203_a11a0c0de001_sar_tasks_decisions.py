"""sar: the task list of each request's right, and the decision with its reasons

Revision ID: a11a0c0de001
Revises: d11d0a1b2c01
Create Date: 2026-12-03 06:30:00

The decision's reasons are sealed (reasons_sealed) under the request's data key; a task row
holds a code, when and by whom.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a11a0c0de001"
down_revision: str | None = "d11d0a1b2c01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["done_by_user_id"], ["users.id"], name=op.f("fk_sar_tasks_done_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_tasks_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_tasks")),
        sa.UniqueConstraint("request_id", "code", name=op.f("uq_sar_tasks_request_id")),
    )
    with op.batch_alter_table("sar_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_tasks_request_id"), ["request_id"], unique=False)

    op.create_table(
        "sar_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_decisions_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_decisions_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_decisions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sar_decisions_request_id")),
    )


def downgrade() -> None:
    op.drop_table("sar_decisions")
    with op.batch_alter_table("sar_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_tasks_request_id"))
    op.drop_table("sar_tasks")
