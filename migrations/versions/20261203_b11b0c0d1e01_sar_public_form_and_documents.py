"""sar: the public request form's sealed drafts and rate limit, and a request's documents

Revision ID: b11b0c0d1e01
Revises: a11a0c0de001
Create Date: 2026-12-03 06:30:00

Documents and drafts hold only sealed content (under the request's or the draft's own data
key) and codes; the rate limit keeps a keyed hash of the client's address, never the address.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b11b0c0d1e01"
down_revision: str | None = "a11a0c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_user_id", sa.Integer(), nullable=True),
        sa.Column("filename_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_documents_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_documents_added_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_documents")),
    )
    with op.batch_alter_table("sar_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_documents_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "sar_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("data_key_id", sa.String(length=36), nullable=False),
        sa.Column("answers_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_drafts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sar_drafts_token_hash")),
    )
    with op.batch_alter_table("sar_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_drafts_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "sar_draft_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("filename_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["sar_drafts.id"],
            name=op.f("fk_sar_draft_files_draft_id_sar_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_draft_files")),
    )
    with op.batch_alter_table("sar_draft_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_draft_files_draft_id"), ["draft_id"], unique=False)

    op.create_table(
        "sar_public_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_public_hits")),
    )
    with op.batch_alter_table("sar_public_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_public_hits_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_sar_public_hits_client", ["client_hash", "bucket", "at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sar_public_hits")
    op.drop_table("sar_draft_files")
    op.drop_table("sar_drafts")
    op.drop_table("sar_documents")
