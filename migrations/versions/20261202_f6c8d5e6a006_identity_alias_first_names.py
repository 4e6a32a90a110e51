"""identity: a person's alias first names kept in the match profile

Revision ID: f6c8d5e6a006
Revises: c5c1ec91180f
Create Date: 2026-12-02 00:00:00

Alias first names were match keys but missing from the stored profile, so an alias query
found the person and then scored them as if the alias were unknown. The persons who have an
alias lose their profile and keys here; ``index_missing`` (run by ``steward people train`` and
``steward people reindex``) rebuilds them with the aliases in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6c8d5e6a006"
down_revision: str | None = "c5c1ec91180f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WITH_ALIAS = "SELECT person_id FROM person_names WHERE kind = 'alias' AND first_name IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("identity_profiles") as batch:
        batch.add_column(
            sa.Column("other_first_names", sa.String(200), nullable=False, server_default="")
        )
    op.execute(f"DELETE FROM identity_match_keys WHERE person_id IN ({_WITH_ALIAS})")  # noqa: S608 - fixed text
    op.execute(f"DELETE FROM identity_profiles WHERE person_id IN ({_WITH_ALIAS})")  # noqa: S608 - fixed text


def downgrade() -> None:
    with op.batch_alter_table("identity_profiles") as batch:
        batch.drop_column("other_first_names")
