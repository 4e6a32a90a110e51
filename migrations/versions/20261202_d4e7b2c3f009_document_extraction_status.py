"""documents: text extraction status, for extraction after the upload in the background

Revision ID: d4e7b2c3f009
Revises: d4a6b3c4f004
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e7b2c3f009"
down_revision: str | None = "d4a6b3c4f004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Documents stored before this revision had their text extracted at upload: they are
    # done. Added column by column (no table rebuild on SQLite, which would cascade-delete
    # the documents' sealed contents through their foreign key while the table is copied).
    op.add_column(
        "documents",
        sa.Column("extraction_status", sa.String(length=16), nullable=False, server_default="done"),
    )
    op.add_column("documents", sa.Column("extraction_reason", sa.String(length=32), nullable=True))
    op.add_column(
        "documents",
        sa.Column("extraction_claimed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        op.f("ix_documents_extraction_status"), "documents", ["extraction_status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_extraction_status"), table_name="documents")
    op.drop_column("documents", "extraction_claimed_at")
    op.drop_column("documents", "extraction_reason")
    op.drop_column("documents", "extraction_status")
