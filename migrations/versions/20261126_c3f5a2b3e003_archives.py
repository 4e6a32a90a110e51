"""archives: locations, boxes, paper files, retrievals

Revision ID: c3f5a2b3e003
Revises: a1d3e0f1c001
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

revision: str = "c3f5a2b3e003"
down_revision: str | None = "a1d3e0f1c001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
