"""assurance: evidence packs built for an auditor, kept sealed for a limited time

Revision ID: b16f01000001
Revises: b16g01000001
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16f01000001"
down_revision: str | None = "b16g01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assurance_evidence_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_assurance_evidence_packs_requested_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_evidence_packs")),
    )
    op.create_index(
        op.f("ix_assurance_evidence_packs_status"),
        "assurance_evidence_packs",
        ["status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_assurance_evidence_packs_requested_by_user_id"),
        "assurance_evidence_packs",
        ["requested_by_user_id"],
        unique=False,
    )
    op.create_table(
        "assurance_evidence_pack_chunks",
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["assurance_evidence_packs.id"],
            name=op.f("fk_assurance_evidence_pack_chunks_pack_id_assurance_evidence_packs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pack_id", "seq", name=op.f("pk_assurance_evidence_pack_chunks")),
    )


def downgrade() -> None:
    op.drop_table("assurance_evidence_pack_chunks")
    op.drop_index(
        op.f("ix_assurance_evidence_packs_requested_by_user_id"),
        table_name="assurance_evidence_packs",
    )
    op.drop_index(op.f("ix_assurance_evidence_packs_status"), table_name="assurance_evidence_packs")
    op.drop_table("assurance_evidence_packs")
