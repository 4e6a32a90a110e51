"""identity: the queue of suspected duplicate person records; audit: indexes for its filters

Revision ID: a7d9e6f7b007
Revises: a7c3e9d1b010
Create Date: 2026-12-03 00:00:00

The duplicate check reads every person, so its result is kept: the queue pages through it, and
a pair judged "not the same person" stays out of it after later checks. Rows go with either
person (ON DELETE CASCADE), so disposal leaves nothing behind.

The audit trail page filters by subject (a case, a person) and by date: two indexes keep those
from reading the whole trail. The events and their chain are untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d9e6f7b007"
down_revision: str | None = "a7c3e9d1b010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_duplicate_pairs",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_identity_duplicate_pairs_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["persons.id"],
            name=op.f("fk_identity_duplicate_pairs_other_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "person_id", "other_person_id", name=op.f("pk_identity_duplicate_pairs")
        ),
    )
    op.create_index(
        op.f("ix_identity_duplicate_pairs_other_person_id"),
        "identity_duplicate_pairs",
        ["other_person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_identity_duplicate_pairs_decision"),
        "identity_duplicate_pairs",
        ["decision"],
        unique=False,
    )

    op.create_index("ix_audit_events_subject", "audit_events", ["subject_type", "subject_id"])
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_occurred_at", table_name="audit_events")
    op.drop_index("ix_audit_events_subject", table_name="audit_events")
    op.drop_index(
        op.f("ix_identity_duplicate_pairs_decision"), table_name="identity_duplicate_pairs"
    )
    op.drop_index(
        op.f("ix_identity_duplicate_pairs_other_person_id"), table_name="identity_duplicate_pairs"
    )
    op.drop_table("identity_duplicate_pairs")
