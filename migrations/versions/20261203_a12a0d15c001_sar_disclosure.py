"""sar: disclosure review (documents in scope, redactions and their decisions, approval)

Revision ID: a12a0d15c001
Revises: f11f3c5d7e01
Create Date: 2026-12-03 09:49:53

What is redacted and why is sealed under the request's data key (sar_redactions.sealed,
sar_disclosure_items.kept_sealed); the columns hold offsets, codes, counts and ids. Rows go
with their request (ON DELETE CASCADE), so destroying a request file destroys its review.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a12a0d15c001"
down_revision: str | None = "f11f3c5d7e01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prepared_by_user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("own_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_disclosures_approved_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_sar_disclosures_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_disclosures_prepared_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_disclosures_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_disclosures")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sar_disclosures_request_id")),
    )
    op.create_table(
        "sar_disclosure_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("found_as", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("withheld_code", sa.String(length=24), nullable=True),
        sa.Column("withheld_by_user_id", sa.Integer(), nullable=True),
        sa.Column("withheld_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detect_status", sa.String(length=16), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kept_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("text_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("kept_count", sa.Integer(), nullable=False),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_sar_disclosure_items_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_sar_disclosure_items_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_disclosure_items_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["withheld_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_disclosure_items_withheld_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_disclosure_items")),
        sa.UniqueConstraint(
            "request_id", "document_id", name=op.f("uq_sar_disclosure_items_request_id")
        ),
    )
    with op.batch_alter_table("sar_disclosure_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_disclosure_items_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sar_disclosure_items_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "sar_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_redactions_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_redactions_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["sar_disclosure_items.id"],
            name=op.f("fk_sar_redactions_item_id_sar_disclosure_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_sar_redactions_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_redactions_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_redactions")),
    )
    with op.batch_alter_table("sar_redactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_redactions_decision"), ["decision"], unique=False)
        batch_op.create_index(batch_op.f("ix_sar_redactions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sar_redactions_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sar_redactions_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sar_redactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_redactions_request_id"))
        batch_op.drop_index(batch_op.f("ix_sar_redactions_person_id"))
        batch_op.drop_index(batch_op.f("ix_sar_redactions_item_id"))
        batch_op.drop_index(batch_op.f("ix_sar_redactions_decision"))

    op.drop_table("sar_redactions")
    with op.batch_alter_table("sar_disclosure_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_disclosure_items_request_id"))
        batch_op.drop_index(batch_op.f("ix_sar_disclosure_items_document_id"))

    op.drop_table("sar_disclosure_items")
    op.drop_table("sar_disclosures")
