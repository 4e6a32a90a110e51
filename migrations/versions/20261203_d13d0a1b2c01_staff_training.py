"""training: staff from HR, courses and their versions, requirements, completions, quiz
attempts, reminders sent, and the organisation's training settings (the induction gate)

Revision ID: d13d0a1b2c01
Revises: c15c0a1e1001
Create Date: 2026-12-03 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d13d0a1b2c01"
down_revision: str | None = "c15c0a1e1001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=True),
        sa.Column("module_slug", sa.String(length=64), nullable=True),
        sa.Column("lms_ids", sa.JSON(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_training_courses_code")),
    )
    op.create_index(op.f("ix_training_courses_topic"), "training_courses", ["topic"], unique=False)
    op.create_table(
        "training_course_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("requires_redo", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("released_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_course_versions_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by_user_id"],
            ["users.id"],
            name=op.f("fk_training_course_versions_released_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course_versions")),
        sa.UniqueConstraint(
            "course_id", "version", name=op.f("uq_training_course_versions_course_id")
        ),
    )
    op.create_index(
        op.f("ix_training_course_versions_course_id"),
        "training_course_versions",
        ["course_id"],
        unique=False,
    )
    op.create_table(
        "training_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("induction_gate", sa.Boolean(), nullable=False),
        sa.Column("induction_days", sa.Integer(), nullable=False),
        sa.Column("due_soon_days", sa.Integer(), nullable=False),
        sa.Column("target_percent", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["users.id"],
            name=op.f("fk_training_policy_changed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_policy")),
    )
    op.create_table(
        "training_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("job_roles", sa.JSON(), nullable=True),
        sa.Column("teams", sa.JSON(), nullable=True),
        sa.Column("employment_types", sa.JSON(), nullable=True),
        sa.Column("account_roles", sa.JSON(), nullable=True),
        sa.Column("due_within_days", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_requirements_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_training_requirements_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_requirements")),
    )
    op.create_index(
        op.f("ix_training_requirements_course_id"),
        "training_requirements",
        ["course_id"],
        unique=False,
    )
    op.create_table(
        "training_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("job_role", sa.String(length=100), nullable=True),
        sa.Column("employment_type", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("leaving_date", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["training_staff.id"],
            name=op.f("fk_training_staff_manager_id_training_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_staff")),
        sa.UniqueConstraint("staff_number", name=op.f("uq_training_staff_staff_number")),
        sa.UniqueConstraint("user_id", name=op.f("uq_training_staff_user_id")),
    )
    op.create_index(op.f("ix_training_staff_email"), "training_staff", ["email"], unique=False)
    op.create_index(
        op.f("ix_training_staff_manager_id"), "training_staff", ["manager_id"], unique=False
    )
    op.create_index(op.f("ix_training_staff_team"), "training_staff", ["team"], unique=False)
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_attempts_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["training_staff.id"],
            name=op.f("fk_training_attempts_staff_id_training_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
    )
    op.create_index(
        op.f("ix_training_attempts_course_id"), "training_attempts", ["course_id"], unique=False
    )
    op.create_index(
        op.f("ix_training_attempts_staff_id"), "training_attempts", ["staff_id"], unique=False
    )
    op.create_table(
        "training_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient_staff_id", sa.Integer(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_reminders_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_training_reminders_outbox_message_id_outbox_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_staff_id"],
            ["training_staff.id"],
            name=op.f("fk_training_reminders_recipient_staff_id_training_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_user_id"],
            ["users.id"],
            name=op.f("fk_training_reminders_sent_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["training_staff.id"],
            name=op.f("fk_training_reminders_staff_id_training_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_reminders")),
        sa.UniqueConstraint(
            "staff_id", "course_id", "kind", "due_on", name=op.f("uq_training_reminders_staff_id")
        ),
    )
    op.create_index(
        op.f("ix_training_reminders_staff_id"), "training_reminders", ["staff_id"], unique=False
    )
    op.create_table(
        "training_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("import_batch", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence_key_id", sa.String(length=36), nullable=True),
        sa.Column("evidence_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_filename", sa.String(length=200), nullable=True),
        sa.Column("evidence_media_type", sa.String(length=100), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["training_attempts.id"],
            name=op.f("fk_training_completions_attempt_id_training_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_completions_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_training_completions_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["training_staff.id"],
            name=op.f("fk_training_completions_staff_id_training_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_completions")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_training_completions_fingerprint")),
    )
    op.create_index(
        op.f("ix_training_completions_course_id"),
        "training_completions",
        ["course_id"],
        unique=False,
    )
    op.create_index(
        "ix_training_completions_staff_course",
        "training_completions",
        ["staff_id", "course_id", "completed_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_training_completions_staff_course", table_name="training_completions")
    op.drop_index(op.f("ix_training_completions_course_id"), table_name="training_completions")
    op.drop_table("training_completions")
    op.drop_index(op.f("ix_training_reminders_staff_id"), table_name="training_reminders")
    op.drop_table("training_reminders")
    op.drop_index(op.f("ix_training_attempts_staff_id"), table_name="training_attempts")
    op.drop_index(op.f("ix_training_attempts_course_id"), table_name="training_attempts")
    op.drop_table("training_attempts")
    op.drop_index(op.f("ix_training_staff_team"), table_name="training_staff")
    op.drop_index(op.f("ix_training_staff_manager_id"), table_name="training_staff")
    op.drop_index(op.f("ix_training_staff_email"), table_name="training_staff")
    op.drop_table("training_staff")
    op.drop_index(op.f("ix_training_requirements_course_id"), table_name="training_requirements")
    op.drop_table("training_requirements")
    op.drop_table("training_policy")
    op.drop_index(
        op.f("ix_training_course_versions_course_id"), table_name="training_course_versions"
    )
    op.drop_table("training_course_versions")
    op.drop_index(op.f("ix_training_courses_topic"), table_name="training_courses")
    op.drop_table("training_courses")
