"""accounts: role grants (maker-checker), sealed TOTP secrets, API token expiry

Revision ID: d4a6b3c4f004
Revises: b2e4f1a2d002
Create Date: 2026-12-02 00:00:00

TOTP secrets were stored in plain text and cannot be sealed here (the key file is not open to a
migration): they are dropped, so accounts that had two-factor sign-in set it up again (where it
is required, they are taken to do so at their next sign-in). Existing API tokens get the
default 90 days from when they were made.
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "d4a6b3c4f004"
down_revision: str | None = "b2e4f1a2d002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_tokens = sa.table(
    "api_tokens",
    sa.column("id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("expires_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("previous_role", sa.String(length=32), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_role_grants_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_role_grants_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    op.create_index(op.f("ix_role_grants_user_id"), "role_grants", ["user_id"], unique=False)

    # Plain ALTER TABLE, not a batch copy: recreating `users` would, with foreign keys on,
    # delete every row that refers to an account.
    op.add_column(
        "users",
        sa.Column("role_approved", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column("users", sa.Column("totp_key_id", sa.String(length=36), nullable=True))
    op.add_column("users", sa.Column("totp_sealed", sa.LargeBinary(), nullable=True))
    op.add_column("users", sa.Column("totp_pending", sa.LargeBinary(), nullable=True))
    op.execute(sa.text("UPDATE users SET totp_enabled = false, totp_last_step = NULL"))
    op.drop_column("users", "totp_secret")

    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    for token_id, created_at in bind.execute(sa.select(_tokens.c.id, _tokens.c.created_at)):
        bind.execute(
            _tokens.update()
            .where(_tokens.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=90))
        )


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at")
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.drop_column("users", "totp_pending")
    op.drop_column("users", "totp_sealed")
    op.drop_column("users", "totp_key_id")
    op.drop_column("users", "role_approved")
    op.drop_index(op.f("ix_role_grants_user_id"), table_name="role_grants")
    op.drop_table("role_grants")
