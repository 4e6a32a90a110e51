"""training: one index that answers "each person's latest completion of each course, of a
version that still counts" on its own (staff, course, day, version), in place of the index
without the version: the compliance report reads it for every person at once

Revision ID: e13e0a1b2c04
Revises: e13e0a1b2c02
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e13e0a1b2c04"
down_revision: str | None = "e13e0a1b2c02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # With the version in the index, the grouped query never reads the table itself: on the
    # encrypted SQLite file that is most of the report's time (bench/training.py).
    op.create_index(
        "ix_training_completions_standing",
        "training_completions",
        ["staff_id", "course_id", "completed_on", "course_version"],
        unique=False,
    )
    op.drop_index("ix_training_completions_staff_course", table_name="training_completions")


def downgrade() -> None:
    op.create_index(
        "ix_training_completions_staff_course",
        "training_completions",
        ["staff_id", "course_id", "completed_on"],
        unique=False,
    )
    op.drop_index("ix_training_completions_standing", table_name="training_completions")
