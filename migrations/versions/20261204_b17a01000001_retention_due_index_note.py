"""retention: the due index holds each date's note, so the undatable are counted from it

Revision ID: b17a01000001
Revises: b16f01000001
Create Date: 2026-12-04 21:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b17a01000001"
down_revision: str | None = "b16f01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rebuilt, not altered: an index's columns cannot change in place (a sort of the dates,
    # seconds at a million records).
    op.drop_index("ix_retention_dates_due", table_name="retention_dates")
    op.create_index(
        "ix_retention_dates_due", "retention_dates", ["schedule_id", "due_on", "note"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_retention_dates_due", table_name="retention_dates")
    op.create_index(
        "ix_retention_dates_due", "retention_dates", ["schedule_id", "due_on"], unique=False
    )
