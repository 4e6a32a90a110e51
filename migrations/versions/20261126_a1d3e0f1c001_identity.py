"""identity: person match keys, match model, merges

Revision ID: a1d3e0f1c001
Revises: f0d46b6be5b4
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1d3e0f1c001"
down_revision: str | None = "f0d46b6be5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_profiles",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_names", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("surnames", sa.String(length=400), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("postcodes", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_identity_profiles_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_identity_profiles")),
    )
    op.create_index(
        op.f("ix_identity_profiles_record_id"), "identity_profiles", ["record_id"], unique=False
    )
    op.create_table(
        "identity_match_keys",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_identity_match_keys_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "key", name=op.f("pk_identity_match_keys")),
    )
    op.create_index(
        "ix_identity_match_keys_key", "identity_match_keys", ["key", "person_id"], unique=False
    )
    op.create_table(
        "identity_models",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trainer", sa.String(length=40), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("prior", sa.Float(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_identity_models")),
    )
    op.create_table(
        "identity_model_levels",
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("comparison", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("m_probability", sa.Float(), nullable=False),
        sa.Column("u_probability", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version"],
            ["identity_models.version"],
            name=op.f("fk_identity_model_levels_model_version_identity_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "model_version", "comparison", "level", name=op.f("pk_identity_model_levels")
        ),
    )
    op.create_table(
        "identity_term_frequencies",
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("frequency", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version"],
            ["identity_models.version"],
            name=op.f("fk_identity_term_frequencies_model_version_identity_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "model_version", "column", "value", name=op.f("pk_identity_term_frequencies")
        ),
    )
    op.create_table(
        "identity_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sa.Integer(), nullable=True),
        sa.Column("unmerged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unmerged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_identity_merges_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["persons.id"],
            name=op.f("fk_identity_merges_other_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_merges")),
    )
    op.create_index(
        op.f("ix_identity_merges_person_id"), "identity_merges", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_identity_merges_other_person_id"),
        "identity_merges",
        ["other_person_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_merges_other_person_id"), table_name="identity_merges")
    op.drop_index(op.f("ix_identity_merges_person_id"), table_name="identity_merges")
    op.drop_table("identity_merges")
    op.drop_table("identity_term_frequencies")
    op.drop_table("identity_model_levels")
    op.drop_table("identity_models")
    op.drop_index("ix_identity_match_keys_key", table_name="identity_match_keys")
    op.drop_table("identity_match_keys")
    op.drop_index(op.f("ix_identity_profiles_record_id"), table_name="identity_profiles")
    op.drop_table("identity_profiles")
