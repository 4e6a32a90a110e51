"""archives: locations, boxes, paper files, retrievals

Revision ID: c3f5a2b3e003
Revises: b2e4f1a2d002
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

revision: str = "c3f5a2b3e003"
down_revision: str | None = "b2e4f1a2d002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
