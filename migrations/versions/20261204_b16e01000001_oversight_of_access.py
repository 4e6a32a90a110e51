"""assurance: oversight of access: break-glass reviews, access review rounds and their
accounts, and the audit trail's subject index with seq (a record's history, newest first)

Revision ID: b16e01000001
Revises: a17b2c3d4e01
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16e01000001"
down_revision: str | None = "a17b2c3d4e01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "break_glass_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("break_glass_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("follow_up", sa.LargeBinary(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["break_glass_id"],
            ["break_glass.id"],
            name=op.f("fk_break_glass_reviews_break_glass_id_break_glass"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_break_glass_reviews_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["break_glass_reviews.id"],
            name=op.f("fk_break_glass_reviews_supersedes_id_break_glass_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_reviews")),
    )
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_break_glass_reviews_use", ["break_glass_id", "id"], unique=False)
    op.create_table(
        "access_review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_access_review_rounds_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_access_review_rounds_opened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_review_rounds")),
    )
    op.create_table(
        "access_review_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("two_factor", sa.Boolean(), nullable=False),
        sa.Column("last_signin_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("role_after", sa.String(length=32), nullable=True),
        sa.Column("team_after", sa.String(length=64), nullable=True),
        sa.Column("active_after", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_access_review_entries_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["access_review_rounds.id"],
            name=op.f("fk_access_review_entries_round_id_access_review_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_access_review_entries_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_review_entries")),
    )
    with op.batch_alter_table("access_review_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_review_entries_round", ["round_id", "username"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_access_review_entries_user_id"), ["user_id"], unique=False
        )
    # The history of one record, newest first, read from the index (it replaces the index on
    # (subject_type, subject_id), which it covers).
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_subject_seq", ["subject_type", "subject_id", "seq"], unique=False
        )
        batch_op.drop_index("ix_audit_events_subject")


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_subject", ["subject_type", "subject_id"])
        batch_op.drop_index("ix_audit_events_subject_seq")
    op.drop_table("access_review_entries")
    op.drop_table("access_review_rounds")
    op.drop_table("break_glass_reviews")
