"""records: when each member of staff last read each case (case_views)

Revision ID: a7d1c2e3f007
Revises: a7d9e6f7b010
Create Date: 2026-12-03 00:00:00

The home page shows a caseworker the documents added to their cases since they last looked;
this keeps, per person and case, when that was. Destroyed with the case (ON DELETE CASCADE and
records.service.destroy).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d1c2e3f007"
down_revision: str | None = "a7d9e6f7b010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_views",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_views_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_views_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "case_id", name=op.f("pk_case_views")),
    )
    op.create_index(op.f("ix_case_views_case_id"), "case_views", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_views_case_id"), table_name="case_views")
    op.drop_table("case_views")
