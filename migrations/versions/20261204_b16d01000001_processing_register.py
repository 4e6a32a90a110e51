"""assurance: the record of processing, the information asset register and the class mapping

Revision ID: b16d01000001
Revises: b16b01000001
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16d01000001"
down_revision: str | None = "b16c01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "information_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("security_notes", sa.Text(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["users.id"],
            name=op.f("fk_information_assets_changed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_information_assets_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_assets")),
        sa.UniqueConstraint("name", name=op.f("uq_information_assets_name")),
    )
    op.create_table(
        "processing_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("controller_contact", sa.Text(), nullable=False),
        sa.Column("dpo_contact", sa.Text(), nullable=False),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("data_subjects", sa.Text(), nullable=False),
        sa.Column("data_categories", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("transfers", sa.Text(), nullable=False),
        sa.Column("erasure_limits", sa.Text(), nullable=False),
        sa.Column("security_measures", sa.Text(), nullable=False),
        sa.Column("lawful_basis", sa.String(length=16), nullable=True),
        sa.Column("special_category", sa.Boolean(), nullable=False),
        sa.Column("criminal_offence", sa.Boolean(), nullable=False),
        sa.Column("art9_condition", sa.String(length=16), nullable=True),
        sa.Column("sch1_condition", sa.String(length=16), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["users.id"],
            name=op.f("fk_processing_activities_changed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_processing_activities_owner_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_activities")),
        sa.UniqueConstraint("name", name=op.f("uq_processing_activities_name")),
    )
    op.create_table(
        "information_asset_activities",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["processing_activities.id"],
            name=op.f("fk_information_asset_activities_activity_id_processing_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["information_assets.id"],
            name=op.f("fk_information_asset_activities_asset_id_information_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "asset_id", "activity_id", name=op.f("pk_information_asset_activities")
        ),
    )
    with op.batch_alter_table("information_asset_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_information_asset_activities_activity_id"), ["activity_id"], unique=False
        )

    op.create_table(
        "information_asset_classes",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["information_assets.id"],
            name=op.f("fk_information_asset_classes_asset_id_information_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "asset_id", "class_code", name=op.f("pk_information_asset_classes")
        ),
    )
    op.create_table(
        "processing_activity_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["processing_activities.id"],
            name=op.f("fk_processing_activity_versions_activity_id_processing_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_processing_activity_versions_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_activity_versions")),
        sa.UniqueConstraint(
            "activity_id", "version", name=op.f("uq_processing_activity_versions_activity_id")
        ),
    )
    with op.batch_alter_table("processing_activity_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processing_activity_versions_activity_id"), ["activity_id"], unique=False
        )

    op.create_table(
        "processing_class_mappings",
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("mapped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mapped_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["processing_activities.id"],
            name=op.f("fk_processing_class_mappings_activity_id_processing_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mapped_by_user_id"],
            ["users.id"],
            name=op.f("fk_processing_class_mappings_mapped_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("class_code", name=op.f("pk_processing_class_mappings")),
    )
    with op.batch_alter_table("processing_class_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processing_class_mappings_activity_id"), ["activity_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("processing_class_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processing_class_mappings_activity_id"))

    op.drop_table("processing_class_mappings")
    with op.batch_alter_table("processing_activity_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processing_activity_versions_activity_id"))

    op.drop_table("processing_activity_versions")
    op.drop_table("information_asset_classes")
    with op.batch_alter_table("information_asset_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_information_asset_activities_activity_id"))

    op.drop_table("information_asset_activities")
    op.drop_table("processing_activities")
    op.drop_table("information_assets")
