"""assurance: the control catalogue's versions and the DPO's measure thresholds

Revision ID: b16a01000001
Revises: b16e01000001
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16a01000001"
down_revision: str | None = "b16d01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assurance_catalogue_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_user_id"],
            ["users.id"],
            name=op.f("fk_assurance_catalogue_versions_published_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_catalogue_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_assurance_catalogue_versions_version")),
    )
    op.create_table(
        "assurance_thresholds",
        sa.Column("measure_key", sa.String(length=64), nullable=False),
        sa.Column("green", sa.Float(), nullable=False),
        sa.Column("amber", sa.Float(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"],
            ["users.id"],
            name=op.f("fk_assurance_thresholds_set_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("measure_key", name=op.f("pk_assurance_thresholds")),
    )


def downgrade() -> None:
    op.drop_table("assurance_thresholds")
    op.drop_table("assurance_catalogue_versions")
