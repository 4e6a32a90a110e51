"""identity: person match keys, match model, merges

Revision ID: a1d3e0f1c001
Revises: f0d46b6be5b4
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

revision: str = "a1d3e0f1c001"
down_revision: str | None = "f0d46b6be5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
