"""sar: subject access requests, their clarification pauses and their timeline

Revision ID: a7c3e9d1b010
Revises: f6c8d5e6a006
Create Date: 2026-12-03 03:19:28

What the requester told us is sealed (details_sealed, note_sealed) under the request's own
data key; the columns hold codes, dates and ids only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d1b010"
down_revision: str | None = "f6c8d5e6a006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("right", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requester_type", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("id_required", sa.Boolean(), nullable=False),
        sa.Column("id_received_on", sa.Date(), nullable=True),
        sa.Column("authority_required", sa.Boolean(), nullable=False),
        sa.Column("authority_received_on", sa.Date(), nullable=True),
        sa.Column("fee_required", sa.Boolean(), nullable=False),
        sa.Column("fee_received_on", sa.Date(), nullable=True),
        sa.Column("extended_on", sa.Date(), nullable=True),
        sa.Column("region", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("handler_user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("data_key_id", sa.String(length=36), nullable=False),
        sa.Column("details_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handler_user_id"], ["users.id"], name=op.f("fk_sar_requests_handler_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_requests_submitted_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_sar_requests_reference")),
    )
    with op.batch_alter_table("sar_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_requests_closed_on"), ["closed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_sar_requests_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sar_requests_handler_user_id"), ["handler_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sar_requests_status"), ["status"], unique=False)

    op.create_table(
        "sar_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_pauses_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_pauses")),
    )
    with op.batch_alter_table("sar_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_pauses_request_id"), ["request_id"], unique=False)

    op.create_table(
        "sar_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_steps_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sar_steps_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_steps")),
    )
    with op.batch_alter_table("sar_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_steps_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sar_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_steps_request_id"))

    op.drop_table("sar_steps")
    with op.batch_alter_table("sar_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_pauses_request_id"))

    op.drop_table("sar_pauses")
    with op.batch_alter_table("sar_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_requests_status"))
        batch_op.drop_index(batch_op.f("ix_sar_requests_handler_user_id"))
        batch_op.drop_index(batch_op.f("ix_sar_requests_due_on"))
        batch_op.drop_index(batch_op.f("ix_sar_requests_closed_on"))

    op.drop_table("sar_requests")
