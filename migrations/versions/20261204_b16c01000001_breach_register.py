"""assurance: the breach register (UK GDPR Arts 33-34): breaches, their links to cases and
people, and the timeline of decisions

Revision ID: b16c01000001
Revises: b16e01000001
Create Date: 2026-12-04 10:00:00

Free text that may name people is sealed under each breach's own data key (the *_sealed
columns); the columns hold codes, counts and instants. Links to cases and people are plain
ids, not foreign keys: the breach's record outlives a case disposed of at the end of its
retention (Art 33(5)), and must not block that disposal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16c01000001"
down_revision: str | None = "b16b01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED = (
    "description",
    "data_involved",
    "reference_text",
    "cause",
    "effects",
    "containment",
    "ico_reason",
    "people_reason",
    "lessons",
)


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by_user_id", sa.Integer(), nullable=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aware_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("people_affected", sa.Integer(), nullable=True),
        sa.Column("data_categories", sa.String(length=200), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=True),
        sa.Column("ico_decision", sa.String(length=16), nullable=True),
        sa.Column("ico_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ico_reference", sa.String(length=40), nullable=True),
        sa.Column("people_decision", sa.String(length=16), nullable=True),
        sa.Column("people_told_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_key_id", sa.String(length=36), nullable=False),
        *[sa.Column(f"{name}_sealed", sa.LargeBinary(), nullable=True) for name in SEALED],
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"],
            ["users.id"],
            name=op.f("fk_breaches_reported_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breaches_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_breaches_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_breaches_reported_by_user_id"), ["reported_by_user_id"], unique=False
        )
    op.create_table(
        "breach_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
            name=op.f("fk_breach_links_breach_id_breaches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"],
            ["users.id"],
            name=op.f("fk_breach_links_added_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_links")),
    )
    with op.batch_alter_table("breach_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_links_breach_id"), ["breach_id"], unique=False)
    op.create_table(
        "breach_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
            name=op.f("fk_breach_steps_breach_id_breaches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["users.id"],
            name=op.f("fk_breach_steps_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_steps")),
    )
    with op.batch_alter_table("breach_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_steps_breach_id"), ["breach_id"], unique=False)


def downgrade() -> None:
    op.drop_table("breach_steps")
    op.drop_table("breach_links")
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaches_reported_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_breaches_reported_at"))
        batch_op.drop_index(batch_op.f("ix_breaches_status"))
    op.drop_table("breaches")
