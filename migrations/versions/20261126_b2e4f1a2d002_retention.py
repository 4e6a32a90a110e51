"""retention: schedule versions, rules, dates, events, overrides, holds, disposal

Revision ID: b2e4f1a2d002
Revises: c3f5a2b3e003
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2e4f1a2d002"
down_revision: str | None = "c3f5a2b3e003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disposal_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["users.id"],
            name=op.f("fk_disposal_lists_approved_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["users.id"],
            name=op.f("fk_disposal_lists_proposed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_lists")),
        sa.UniqueConstraint("reference", name=op.f("uq_disposal_lists_reference")),
    )
    op.create_index(op.f("ix_disposal_lists_status"), "disposal_lists", ["status"], unique=False)
    op.create_table(
        "retention_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_events_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_events")),
        sa.UniqueConstraint(
            "record_kind", "record_id", "event", name=op.f("uq_retention_events_record_kind")
        ),
    )
    op.create_index(
        op.f("ix_retention_events_record_id"), "retention_events", ["record_id"], unique=False
    )
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by_user_id", sa.Integer(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["placed_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_holds_placed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_holds_released_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_holds")),
    )
    op.create_index(
        op.f("ix_retention_holds_reference"), "retention_holds", ["reference"], unique=False
    )
    op.create_index(
        op.f("ix_retention_holds_released_at"), "retention_holds", ["released_at"], unique=False
    )
    op.create_table(
        "retention_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_overrides_decided_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_overrides")),
        sa.UniqueConstraint(
            "record_kind", "record_id", name=op.f("uq_retention_overrides_record_kind")
        ),
    )
    op.create_table(
        "retention_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("dated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_schedules_approved_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["loaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_retention_schedules_loaded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_schedules")),
        sa.UniqueConstraint("version", name=op.f("uq_retention_schedules_version")),
    )
    op.create_index(
        op.f("ix_retention_schedules_status"), "retention_schedules", ["status"], unique=False
    )
    op.create_table(
        "disposal_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_count", sa.Integer(), nullable=False),
        sa.Column("paper_count", sa.Integer(), nullable=False),
        sa.Column("kept_count", sa.Integer(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("approvers", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["disposal_lists.id"],
            name=op.f("fk_disposal_certificates_list_id_disposal_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_certificates")),
        sa.UniqueConstraint("list_id", name=op.f("uq_disposal_certificates_list_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_disposal_certificates_reference")),
    )
    op.create_table(
        "retention_hold_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["retention_holds.id"],
            name=op.f("fk_retention_hold_targets_hold_id_retention_holds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_hold_targets")),
        sa.UniqueConstraint("hold_id", "target_id", name=op.f("uq_retention_hold_targets_hold_id")),
    )
    op.create_index(
        op.f("ix_retention_hold_targets_hold_id"),
        "retention_hold_targets",
        ["hold_id"],
        unique=False,
    )
    op.create_index(
        "ix_retention_hold_targets_scope",
        "retention_hold_targets",
        ["scope", "target_id"],
        unique=False,
    )
    op.create_table(
        "retention_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("citation", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["retention_schedules.id"],
            name=op.f("fk_retention_rules_schedule_id_retention_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rules")),
        sa.UniqueConstraint(
            "schedule_id", "class_code", name=op.f("uq_retention_rules_schedule_id")
        ),
    )
    op.create_index(
        op.f("ix_retention_rules_schedule_id"), "retention_rules", ["schedule_id"], unique=False
    )
    op.create_table(
        "disposal_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("trigger_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("retain_reason", sa.Text(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_disposal_items_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["disposal_lists.id"],
            name=op.f("fk_disposal_items_list_id_disposal_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["retention_rules.id"],
            name=op.f("fk_disposal_items_rule_id_retention_rules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_items")),
        sa.UniqueConstraint(
            "list_id", "record_kind", "record_id", name=op.f("uq_disposal_items_list_id")
        ),
    )
    op.create_index(
        op.f("ix_disposal_items_decision"), "disposal_items", ["decision"], unique=False
    )
    op.create_index(op.f("ix_disposal_items_list_id"), "disposal_items", ["list_id"], unique=False)
    op.create_index(op.f("ix_disposal_items_outcome"), "disposal_items", ["outcome"], unique=False)
    op.create_table(
        "retention_dates",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("trigger_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["retention_rules.id"],
            name=op.f("fk_retention_dates_rule_id_retention_rules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["retention_schedules.id"],
            name=op.f("fk_retention_dates_schedule_id_retention_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "schedule_id", "record_kind", "record_id", name=op.f("pk_retention_dates")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_retention_dates_due", "retention_dates", ["schedule_id", "due_on"], unique=False
    )
    op.create_table(
        "retention_tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disposal_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposal_item_id"],
            ["disposal_items.id"],
            name=op.f("fk_retention_tombstones_disposal_item_id_disposal_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_tombstones")),
        sa.UniqueConstraint(
            "disposal_item_id", name=op.f("uq_retention_tombstones_disposal_item_id")
        ),
    )
    op.create_index(
        op.f("ix_retention_tombstones_identifier"),
        "retention_tombstones",
        ["identifier"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_retention_tombstones_identifier"), table_name="retention_tombstones")
    op.drop_table("retention_tombstones")
    op.drop_index("ix_retention_dates_due", table_name="retention_dates")
    op.drop_table("retention_dates")
    op.drop_index(op.f("ix_disposal_items_outcome"), table_name="disposal_items")
    op.drop_index(op.f("ix_disposal_items_list_id"), table_name="disposal_items")
    op.drop_index(op.f("ix_disposal_items_decision"), table_name="disposal_items")
    op.drop_table("disposal_items")
    op.drop_index(op.f("ix_retention_rules_schedule_id"), table_name="retention_rules")
    op.drop_table("retention_rules")
    op.drop_index("ix_retention_hold_targets_scope", table_name="retention_hold_targets")
    op.drop_index(op.f("ix_retention_hold_targets_hold_id"), table_name="retention_hold_targets")
    op.drop_table("retention_hold_targets")
    op.drop_table("disposal_certificates")
    op.drop_index(op.f("ix_retention_schedules_status"), table_name="retention_schedules")
    op.drop_table("retention_schedules")
    op.drop_table("retention_overrides")
    op.drop_index(op.f("ix_retention_holds_released_at"), table_name="retention_holds")
    op.drop_index(op.f("ix_retention_holds_reference"), table_name="retention_holds")
    op.drop_table("retention_holds")
    op.drop_index(op.f("ix_retention_events_record_id"), table_name="retention_events")
    op.drop_table("retention_events")
    op.drop_index(op.f("ix_disposal_lists_status"), table_name="disposal_lists")
    op.drop_table("disposal_lists")
