"""assurance: audits, recommendations (the action plan) with updates and follow-ups,
attestations and self-assessments per ICO audit area (issue 16)

Revision ID: b16b01000001
Revises: b16e01000001
Create Date: 2026-12-04 09:49:40.523354
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b16b01000001"
down_revision: str | None = "b16e01000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assurance_attestations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("expectation_id", sa.String(length=64), nullable=False),
        sa.Column("attested_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=36), nullable=False),
        sa.Column("statement_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("document_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("document_media_type", sa.String(length=100), nullable=False),
        sa.Column("document_filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_assurance_attestations_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_attestations")),
    )
    with op.batch_alter_table("assurance_attestations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_attestations_expectation_id"), ["expectation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assurance_attestations_review_on"), ["review_on"], unique=False
        )

    op.create_table(
        "assurance_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("auditor", sa.String(length=200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("overall_rating", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_assurance_audits_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_audits")),
    )
    op.create_table(
        "assurance_self_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=36), nullable=False),
        sa.Column("statement_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"],
            ["users.id"],
            name=op.f("fk_assurance_self_assessments_assessed_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_self_assessments")),
    )
    with op.batch_alter_table("assurance_self_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assurance_self_assessments_area", ["area", "assessed_on", "id"], unique=False
        )

    op.create_table(
        "assurance_audit_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["assurance_audits.id"],
            name=op.f("fk_assurance_audit_areas_audit_id_assurance_audits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_audit_areas")),
        sa.UniqueConstraint("audit_id", "area", name=op.f("uq_assurance_audit_areas_audit_id")),
    )
    with op.batch_alter_table("assurance_audit_areas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_audit_areas_audit_id"), ["audit_id"], unique=False
        )

    op.create_table(
        "assurance_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=36), nullable=False),
        sa.Column("findings_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["assurance_audits.id"],
            name=op.f("fk_assurance_follow_ups_audit_id_assurance_audits"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_assurance_follow_ups_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_follow_ups")),
    )
    with op.batch_alter_table("assurance_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_follow_ups_audit_id"), ["audit_id"], unique=False
        )

    op.create_table(
        "assurance_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("key_id", sa.String(length=36), nullable=True),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["assurance_audits.id"],
            name=op.f("fk_assurance_recommendations_audit_id_assurance_audits"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_assurance_recommendations_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_recommendations")),
    )
    with op.batch_alter_table("assurance_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_recommendations_audit_id"), ["audit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assurance_recommendations_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_assurance_recommendations_plan", ["status", "priority", "agreed_on"], unique=False
        )

    op.create_table(
        "assurance_action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("posted_by", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_from", sa.String(length=16), nullable=False),
        sa.Column("status_to", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=36), nullable=False),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("evidence_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_media_type", sa.String(length=100), nullable=True),
        sa.Column("evidence_filename", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["users.id"], name=op.f("fk_assurance_action_updates_posted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["assurance_recommendations.id"],
            name=op.f("fk_assurance_action_updates_recommendation_id_assurance_recommendations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_action_updates")),
    )
    with op.batch_alter_table("assurance_action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_action_updates_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assurance_action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_action_updates_recommendation_id"))

    op.drop_table("assurance_action_updates")
    with op.batch_alter_table("assurance_recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_assurance_recommendations_plan")
        batch_op.drop_index(batch_op.f("ix_assurance_recommendations_owner_id"))
        batch_op.drop_index(batch_op.f("ix_assurance_recommendations_audit_id"))

    op.drop_table("assurance_recommendations")
    with op.batch_alter_table("assurance_follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_follow_ups_audit_id"))

    op.drop_table("assurance_follow_ups")
    with op.batch_alter_table("assurance_audit_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_audit_areas_audit_id"))

    op.drop_table("assurance_audit_areas")
    with op.batch_alter_table("assurance_self_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assurance_self_assessments_area")

    op.drop_table("assurance_self_assessments")
    op.drop_table("assurance_audits")
    with op.batch_alter_table("assurance_attestations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_attestations_review_on"))
        batch_op.drop_index(batch_op.f("ix_assurance_attestations_expectation_id"))

    op.drop_table("assurance_attestations")
