"""records and retention: each record class's owner, and reviews of its retention rule

Revision ID: b16g01000001
Revises: b16a01000001
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16g01000001"
down_revision: str | None = "b16a01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place, its foreign key inline: batch mode would rebuild record_classes, and on
    # SQLite dropping the old table (cases refer to it) fails once an installation has cases.
    # SQLite's ADD COLUMN allows a REFERENCES clause on a column whose default is NULL.
    if op.get_context().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE record_classes ADD COLUMN owner_user_id INTEGER "
            "CONSTRAINT fk_record_classes_owner_user_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("record_classes", sa.Column("owner_user_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_record_classes_owner_user_id_users",
            "record_classes",
            "users",
            ["owner_user_id"],
            ["id"],
        )
    op.create_index(
        "ix_record_classes_owner_user_id", "record_classes", ["owner_user_id"], unique=False
    )
    op.create_table(
        "record_class_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_class_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_class_id"],
            ["record_classes.id"],
            name=op.f("fk_record_class_reviews_record_class_id_record_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["users.id"],
            name=op.f("fk_record_class_reviews_reviewed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_class_reviews")),
    )
    op.create_index(
        "ix_record_class_reviews_class_on",
        "record_class_reviews",
        ["record_class_id", "reviewed_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_record_class_reviews_class_on", table_name="record_class_reviews")
    op.drop_table("record_class_reviews")
    op.drop_index("ix_record_classes_owner_user_id", table_name="record_classes")
    if op.get_context().dialect.name == "sqlite":
        # The inline foreign key has no name SQLite reports; the rebuilt table leaves it out
        # with its column.
        with op.batch_alter_table("record_classes", schema=None) as batch_op:
            batch_op.drop_column("owner_user_id")
    else:
        op.drop_constraint(
            "fk_record_classes_owner_user_id_users", "record_classes", type_="foreignkey"
        )
        op.drop_column("record_classes", "owner_user_id")
