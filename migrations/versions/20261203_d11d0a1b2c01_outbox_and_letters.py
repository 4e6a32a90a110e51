"""core outbox (sealed email) and subject access letters with their editable templates

Revision ID: d11d0a1b2c01
Revises: a7d9e1f2b015
Create Date: 2026-12-03 06:30:00

Outbox messages hold their recipient, subject, body and attachments sealed under a data key of
their own; a letter's PDF is sealed under its request's data key. Template bodies hold wording
and placeholders only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d11d0a1b2c01"
down_revision: str | None = "a7d9e1f2b015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure", sa.String(length=80), nullable=True),
        sa.Column("attachment_count", sa.Integer(), nullable=False),
        sa.Column("data_key_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("subject_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("attachments_sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_messages_status"), ["status"], unique=False)

    op.create_table(
        "sar_letter_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_letter_templates_edited_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_letter_templates")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_sar_letter_templates_kind")),
    )

    op.create_table(
        "sar_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("pdf_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sent_via", sa.String(length=8), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sar_letters_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_sar_letters_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sar_requests.id"],
            name=op.f("fk_sar_letters_request_id_sar_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_letters")),
    )
    with op.batch_alter_table("sar_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_letters_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sar_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_letters_request_id"))
    op.drop_table("sar_letters")
    op.drop_table("sar_letter_templates")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_created_at"))
    op.drop_table("outbox_messages")
