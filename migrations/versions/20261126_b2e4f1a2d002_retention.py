"""retention: schedule versions, rules, holds, disposal

Revision ID: b2e4f1a2d002
Revises: c3f5a2b3e003
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

revision: str = "b2e4f1a2d002"
down_revision: str | None = "c3f5a2b3e003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
