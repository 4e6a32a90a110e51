"""accounts: a password reset to change at next sign-in, two-factor required per account

Revision ID: a7d9e6f7b010
Revises: a7d9e6f7b007
Create Date: 2026-12-03 00:00:00

An administrator's reset leaves a temporary password that the account must replace when it
next signs in, and an administrator may require two-factor sign-in of an account whose role
does not already need it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d9e6f7b010"
down_revision: str | None = "a7d9e6f7b007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column(
                "two_factor_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("two_factor_required")
        batch.drop_column("must_change_password")
