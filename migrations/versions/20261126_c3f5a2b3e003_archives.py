"""archives: locations, boxes, paper files, retrievals

Revision ID: c3f5a2b3e003
Revises: a1d3e0f1c001
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f5a2b3e003"
down_revision: str | None = "a1d3e0f1c001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=100), nullable=True),
        sa.Column("room", sa.String(length=100), nullable=True),
        sa.Column("bay", sa.String(length=50), nullable=True),
        sa.Column("shelf", sa.String(length=50), nullable=True),
        sa.Column("contractor", sa.String(length=100), nullable=True),
        sa.Column("contractor_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_archive_locations_code")),
    )
    with op.batch_alter_table("archive_locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_locations_kind"), ["kind"], unique=False)

    op.create_table(
        "archive_boxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contractor_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["archive_locations.id"],
            name=op.f("fk_archive_boxes_location_id_archive_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_boxes")),
        sa.UniqueConstraint("barcode", name=op.f("uq_archive_boxes_barcode")),
    )
    with op.batch_alter_table("archive_boxes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_boxes_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_archive_boxes_status"), ["status"], unique=False)

    op.create_table(
        "archive_destruction_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by_user_id", sa.Integer(), nullable=True),
        sa.Column("destroyed_count", sa.Integer(), nullable=False),
        sa.Column("missing_count", sa.Integer(), nullable=False),
        sa.Column("unexpected_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["received_by_user_id"],
            ["users.id"],
            name=op.f("fk_archive_destruction_certificates_received_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_destruction_certificates")),
        sa.UniqueConstraint(
            "reference", "sha256", name=op.f("uq_archive_destruction_certificates_reference")
        ),
    )
    with op.batch_alter_table("archive_destruction_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_destruction_certificates_reference"), ["reference"], unique=False
        )

    op.create_table(
        "archive_box_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=True),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("contractor_ref", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["box_id"],
            ["archive_boxes.id"],
            name=op.f("fk_archive_box_movements_box_id_archive_boxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["archive_locations.id"],
            name=op.f("fk_archive_box_movements_from_location_id_archive_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["moved_by_user_id"],
            ["users.id"],
            name=op.f("fk_archive_box_movements_moved_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"],
            ["archive_locations.id"],
            name=op.f("fk_archive_box_movements_to_location_id_archive_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_box_movements")),
    )
    with op.batch_alter_table("archive_box_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_box_movements_box_id"), ["box_id"], unique=False
        )

    op.create_table(
        "paper_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_reference", sa.String(length=64), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("record_class_id", sa.Integer(), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("destruction_reference", sa.String(length=64), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_id"], ["archive_boxes.id"], name=op.f("fk_paper_files_box_id_archive_boxes")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_paper_files_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["record_class_id"],
            ["record_classes.id"],
            name=op.f("fk_paper_files_record_class_id_record_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_files")),
        sa.UniqueConstraint("file_reference", name=op.f("uq_paper_files_file_reference")),
    )
    with op.batch_alter_table("paper_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_files_box_id"), ["box_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_files_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_paper_files_case_number"), ["case_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_paper_files_destruction_reference"),
            ["destruction_reference"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_paper_files_record_class_id"), ["record_class_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_paper_files_status"), ["status"], unique=False)

    op.create_table(
        "archive_certificate_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("paper_file_id", sa.Integer(), nullable=True),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_id"],
            ["archive_boxes.id"],
            name=op.f("fk_archive_certificate_lines_box_id_archive_boxes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["archive_destruction_certificates.id"],
            name=op.f(
                "fk_archive_certificate_lines_certificate_id_archive_destruction_certificates"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_file_id"],
            ["paper_files.id"],
            name=op.f("fk_archive_certificate_lines_paper_file_id_paper_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_certificate_lines")),
    )
    with op.batch_alter_table("archive_certificate_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_certificate_lines_certificate_id"),
            ["certificate_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_archive_certificate_lines_paper_file_id"),
            ["paper_file_id"],
            unique=False,
        )

    op.create_table(
        "archive_retrievals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_file_id", sa.Integer(), nullable=True),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_back_on", sa.Date(), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("custodian_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["box_id"],
            ["archive_boxes.id"],
            name=op.f("fk_archive_retrievals_box_id_archive_boxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["custodian_user_id"],
            ["users.id"],
            name=op.f("fk_archive_retrievals_custodian_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["paper_file_id"],
            ["paper_files.id"],
            name=op.f("fk_archive_retrievals_paper_file_id_paper_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_archive_retrievals_requested_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_retrievals")),
    )
    with op.batch_alter_table("archive_retrievals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_retrievals_box_id"), ["box_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_archive_retrievals_due_back_on"), ["due_back_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_retrievals_paper_file_id"), ["paper_file_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_retrievals_requested_by_user_id"),
            ["requested_by_user_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_archive_retrievals_status"), ["status"], unique=False)

    op.create_table(
        "paper_file_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_file_id", sa.Integer(), nullable=False),
        sa.Column("name_as_written", sa.String(length=200), nullable=False),
        sa.Column("normalised_name", sa.String(length=200), nullable=False),
        sa.Column("forename_key", sa.String(length=100), nullable=True),
        sa.Column("forename_phonetic", sa.String(length=32), nullable=True),
        sa.Column("surname_key", sa.String(length=100), nullable=True),
        sa.Column("surname_phonetic", sa.String(length=32), nullable=True),
        sa.Column("other_surname_key", sa.String(length=100), nullable=True),
        sa.Column("other_surname_phonetic", sa.String(length=32), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_file_id"],
            ["paper_files.id"],
            name=op.f("fk_paper_file_names_paper_file_id_paper_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_paper_file_names_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_file_names")),
    )
    with op.batch_alter_table("paper_file_names", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_date_of_birth"), ["date_of_birth"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_other_surname_key"),
            ["other_surname_key"],
            unique=False,
            sqlite_where=sa.text("other_surname_key IS NOT NULL"),
            postgresql_where=sa.text("other_surname_key IS NOT NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_other_surname_phonetic"),
            ["other_surname_phonetic"],
            unique=False,
            sqlite_where=sa.text("other_surname_phonetic IS NOT NULL"),
            postgresql_where=sa.text("other_surname_phonetic IS NOT NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_paper_file_id"), ["paper_file_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_paper_file_names_surname_dob", ["surname_key", "date_of_birth"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_paper_file_names_surname_phonetic"), ["surname_phonetic"], unique=False
        )

    op.create_table(
        "archive_custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retrieval_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_archive_custody_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["retrieval_id"],
            ["archive_retrievals.id"],
            name=op.f("fk_archive_custody_events_retrieval_id_archive_retrievals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_custody_events")),
    )
    with op.batch_alter_table("archive_custody_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_custody_events_retrieval_id"), ["retrieval_id"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("archive_custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_custody_events_retrieval_id"))
    op.drop_table("archive_custody_events")
    with op.batch_alter_table("paper_file_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_file_names_surname_phonetic"))
        batch_op.drop_index("ix_paper_file_names_surname_dob")
        batch_op.drop_index(batch_op.f("ix_paper_file_names_person_id"))
        batch_op.drop_index(batch_op.f("ix_paper_file_names_paper_file_id"))
        batch_op.drop_index(batch_op.f("ix_paper_file_names_other_surname_phonetic"))
        batch_op.drop_index(batch_op.f("ix_paper_file_names_other_surname_key"))
        batch_op.drop_index(batch_op.f("ix_paper_file_names_date_of_birth"))
    op.drop_table("paper_file_names")
    with op.batch_alter_table("archive_retrievals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_retrievals_status"))
        batch_op.drop_index(batch_op.f("ix_archive_retrievals_requested_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_archive_retrievals_paper_file_id"))
        batch_op.drop_index(batch_op.f("ix_archive_retrievals_due_back_on"))
        batch_op.drop_index(batch_op.f("ix_archive_retrievals_box_id"))
    op.drop_table("archive_retrievals")
    with op.batch_alter_table("archive_certificate_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_certificate_lines_paper_file_id"))
        batch_op.drop_index(batch_op.f("ix_archive_certificate_lines_certificate_id"))
    op.drop_table("archive_certificate_lines")
    with op.batch_alter_table("paper_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_files_status"))
        batch_op.drop_index(batch_op.f("ix_paper_files_record_class_id"))
        batch_op.drop_index(batch_op.f("ix_paper_files_destruction_reference"))
        batch_op.drop_index(batch_op.f("ix_paper_files_case_number"))
        batch_op.drop_index(batch_op.f("ix_paper_files_case_id"))
        batch_op.drop_index(batch_op.f("ix_paper_files_box_id"))
    op.drop_table("paper_files")
    with op.batch_alter_table("archive_box_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_box_movements_box_id"))
    op.drop_table("archive_box_movements")
    with op.batch_alter_table("archive_destruction_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_destruction_certificates_reference"))
    op.drop_table("archive_destruction_certificates")
    with op.batch_alter_table("archive_boxes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_boxes_status"))
        batch_op.drop_index(batch_op.f("ix_archive_boxes_location_id"))
    op.drop_table("archive_boxes")
    with op.batch_alter_table("archive_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_locations_kind"))
    op.drop_table("archive_locations")
    # ### end Alembic commands ###
