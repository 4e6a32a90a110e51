"""sar: the disclosure bundle (sealed in chunks) and the links that deliver it

Revision ID: b12b0de11001
Revises: a12a0d15c001
Create Date: 2026-12-03 09:46:48

The bundle's bytes are sealed under the request's data key, 1 MiB a row; a link keeps only
the sha256 of its token and the argon2 hash of its passcode. Every row goes with its request
(ON DELETE CASCADE), so destroying a request file destroys its bundles and links too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b12b0de11001"
down_revision: str | None = "a12a0d15c001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("documents", sa.Integer(), nullable=True),
        sa.Column("withheld", sa.Integer(), nullable=True),
        sa.Column("paper", sa.Integer(), nullable=True),
        sa.Column("redactions_json", sa.Text(), nullable=True),
        sa.Column("log_json", sa.Text(), nullable=True),
        sa.Column("needles_checked", sa.Integer(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by_user_id", sa.Integer(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("printed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["built_by_user_id"], ["users.id"], name=op.f("fk_sar_bundles_built_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_sar_bundles_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["posted_by_user_id"], ["users.id"], name=op.f("fk_sar_bundles_posted_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["printed_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_bundles_printed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_bundles_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_bundles")),
    )
    with op.batch_alter_table("sar_bundles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_bundles_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sar_bundles_status"), ["status"], unique=False)

    op.create_table(
        "sar_bundle_chunks",
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["sar_bundles.id"],
            name=op.f("fk_sar_bundle_chunks_bundle_id_sar_bundles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bundle_id", "seq", name=op.f("pk_sar_bundle_chunks")),
    )
    op.create_table(
        "sar_delivery_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("passcode_hash", sa.String(length=200), nullable=False),
        sa.Column("passcode_channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("first_downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["sar_bundles.id"],
            name=op.f("fk_sar_delivery_links_bundle_id_sar_bundles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_delivery_links_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_sar_delivery_links_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_delivery_links_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_delivery_links_revoked_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_delivery_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sar_delivery_links_token_hash")),
    )
    with op.batch_alter_table("sar_delivery_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sar_delivery_links_bundle_id"), ["bundle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sar_delivery_links_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sar_delivery_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_delivery_links_request_id"))
        batch_op.drop_index(batch_op.f("ix_sar_delivery_links_bundle_id"))

    op.drop_table("sar_delivery_links")
    op.drop_table("sar_bundle_chunks")
    with op.batch_alter_table("sar_bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_bundles_status"))
        batch_op.drop_index(batch_op.f("ix_sar_bundles_request_id"))

    op.drop_table("sar_bundles")
