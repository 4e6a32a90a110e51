"""sar: the search for a request's subject, its hits and triage, and paper files asked for

Revision ID: c11c5ea70001
Revises: b11b0c0d1e01
Create Date: 2026-12-03 06:20:00

Search terms and triage reasons are sealed under the request's data key; the columns hold
ids, counts, codes and times only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c11c5ea70001"
down_revision: str | None = "b11b0c0d1e01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_search_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("started_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("terms_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("steps_total", sa.Integer(), nullable=False),
        sa.Column("steps_done", sa.Integer(), nullable=False),
        sa.Column("people_found", sa.Integer(), nullable=True),
        sa.Column("paper_files_found", sa.Integer(), nullable=True),
        sa.Column("documents_found", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_search_runs_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_search_runs_started_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_sar_search_runs_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_search_runs")),
    )
    with op.batch_alter_table("sar_search_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_search_runs_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "sar_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("shown_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("triage", sa.String(length=16), nullable=True),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("triaged_by_user_id", sa.Integer(), nullable=True),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sar_search_runs.id"],
            name=op.f("fk_sar_hits_run_id_sar_search_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_hits_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by_user_id"], ["users.id"], name=op.f("fk_sar_hits_triaged_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_hits")),
        sa.UniqueConstraint("run_id", "source", "target_id", name=op.f("uq_sar_hits_run_id")),
    )
    with op.batch_alter_table("sar_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_hits_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sar_hits_request_id"), ["request_id"], unique=False)

    op.create_table(
        "sar_paper_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("hit_id", sa.Integer(), nullable=False),
        sa.Column("retrieval_id", sa.Integer(), nullable=True),
        sa.Column("hours_locating", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("hours_retrieving", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("hours_extracting", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_paper_requests_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hit_id"],
            ["sar_hits.id"],
            name=op.f("fk_sar_paper_requests_hit_id_sar_hits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retrieval_id"],
            ["archive_retrievals.id"],
            name=op.f("fk_sar_paper_requests_retrieval_id_archive_retrievals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_paper_requests_requested_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_paper_requests")),
    )
    with op.batch_alter_table("sar_paper_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_paper_requests_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sar_paper_requests_hit_id"), ["hit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sar_paper_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_paper_requests_hit_id"))
        batch_op.drop_index(batch_op.f("ix_sar_paper_requests_request_id"))
    op.drop_table("sar_paper_requests")
    with op.batch_alter_table("sar_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_hits_request_id"))
        batch_op.drop_index(batch_op.f("ix_sar_hits_run_id"))
    op.drop_table("sar_hits")
    with op.batch_alter_table("sar_search_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_search_runs_request_id"))
    op.drop_table("sar_search_runs")
