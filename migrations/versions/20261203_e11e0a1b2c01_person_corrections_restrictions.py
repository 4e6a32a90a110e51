"""records: person corrections (Art 16) and restrictions of processing (Art 18)

Revision ID: e11e0a1b2c01
Revises: c11c5ea70001
Create Date: 2026-12-03 06:30:00

A correction keeps the values before and after, and its reason, sealed under its own data
key; a restriction keeps its reasons sealed the same way. Both go with the person
(ON DELETE CASCADE), whose deletion destroys their keys first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e11e0a1b2c01"
down_revision: str | None = "c11c5ea70001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrected_by_user_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.String(400), nullable=False),
        sa.Column("data_key_id", sa.String(36), nullable=False),
        sa.Column("previous_values", sa.LargeBinary(), nullable=False),
        sa.Column("new_values", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("sar_reference", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_corrections_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_user_id"],
            ["users.id"],
            name=op.f("fk_person_corrections_corrected_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["data_key_id"],
            ["data_keys.id"],
            name=op.f("fk_person_corrections_data_key_id_data_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_corrections")),
    )
    op.create_index(op.f("ix_person_corrections_person_id"), "person_corrections", ["person_id"])
    op.create_index(
        op.f("ix_person_corrections_sar_reference"), "person_corrections", ["sar_reference"]
    )
    op.create_table(
        "person_restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restricted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("data_key_id", sa.String(36), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("sar_reference", sa.String(20), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_restrictions_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restricted_by_user_id"],
            ["users.id"],
            name=op.f("fk_person_restrictions_restricted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_user_id"],
            ["users.id"],
            name=op.f("fk_person_restrictions_lifted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["data_key_id"],
            ["data_keys.id"],
            name=op.f("fk_person_restrictions_data_key_id_data_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_restrictions")),
    )
    op.create_index(op.f("ix_person_restrictions_person_id"), "person_restrictions", ["person_id"])
    op.create_index(
        op.f("ix_person_restrictions_sar_reference"), "person_restrictions", ["sar_reference"]
    )
    op.create_index(op.f("ix_person_restrictions_lifted_at"), "person_restrictions", ["lifted_at"])


def downgrade() -> None:
    op.drop_table("person_restrictions")
    op.drop_table("person_corrections")
