"""records: persons, cases, parties, documents, file plan, search

Revision ID: f0d46b6be5b4
Revises: 4cc97f531c71
Create Date: 2026-11-25 21:55:48.751074
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f0d46b6be5b4"
down_revision: str | None = "4cc97f531c71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_names", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=40), nullable=True),
        sa.Column("is_professional", sa.Boolean(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("address_withheld", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_last_name"), ["last_name"], unique=False)
        batch_op.create_index(
            "ix_persons_name_dob", ["last_name", "first_name", "date_of_birth"], unique=False
        )

    op.create_table(
        "record_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["record_classes.id"],
            name=op.f("fk_record_classes_parent_id_record_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_classes")),
        sa.UniqueConstraint("code", name=op.f("uq_record_classes_code")),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_addresses_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addresses_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_addresses_postcode"), ["postcode"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("case_type", sa.String(length=32), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=True),
        sa.Column("local_authority", sa.String(length=200), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record_class_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("data_key_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_key_id"], ["data_keys.id"], name=op.f("fk_cases_data_key_id_data_keys")
        ),
        sa.ForeignKeyConstraint(
            ["record_class_id"],
            ["record_classes.id"],
            name=op.f("fk_cases_record_class_id_record_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_cases_case_number")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_record_class_id"), ["record_class_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_team"), ["team"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_contacts_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_identifiers_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifiers")),
        sa.UniqueConstraint("scheme", "value", name=op.f("uq_identifiers_scheme")),
    )
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifiers_person_id"), ["person_id"], unique=False)

    op.create_table(
        "person_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("middle_names", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_names_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_names")),
    )
    with op.batch_alter_table("person_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_names_last_name"), ["last_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_names_person_id"), ["person_id"], unique=False)

    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_break_glass_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_break_glass_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_break_glass_user_id"), ["user_id"], unique=False)

    op.create_table(
        "case_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_assignments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_assignments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
        sa.UniqueConstraint("case_id", "user_id", name=op.f("uq_case_assignments_case_id")),
    )
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("security_marking", sa.String(length=32), nullable=False),
        sa.Column("provenance", sa.String(length=16), nullable=False),
        sa.Column("record_class_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("extraction_note", sa.String(length=200), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_documents_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_class_id"],
            ["record_classes.id"],
            name=op.f("fk_documents_record_class_id_record_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_documents_record_class_id"), ["record_class_id"], unique=False
        )

    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_parties_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_parties_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("case_id", "person_id", "role", name=op.f("uq_parties_case_id")),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parties_person_id"), ["person_id"], unique=False)

    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_search_entries_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_entries_kind")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entries_case_id"), ["case_id"], unique=False)

    op.create_table(
        "document_contents",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_contents_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_contents")),
    )
    op.create_table(
        "document_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_subjects_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_document_subjects_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_subjects")),
        sa.UniqueConstraint(
            "document_id", "person_id", name=op.f("uq_document_subjects_document_id")
        ),
    )
    with op.batch_alter_table("document_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_subjects_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_document_subjects_person_id"), ["person_id"], unique=False
        )

    _create_word_index()


def downgrade() -> None:
    _drop_word_index()
    with op.batch_alter_table("document_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_subjects_person_id"))
        batch_op.drop_index(batch_op.f("ix_document_subjects_document_id"))

    op.drop_table("document_subjects")
    op.drop_table("document_contents")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_case_id"))

    op.drop_table("search_entries")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_person_id"))
        batch_op.drop_index(batch_op.f("ix_parties_case_id"))

    op.drop_table("parties")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_record_class_id"))
        batch_op.drop_index(batch_op.f("ix_documents_case_id"))

    op.drop_table("documents")
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_case_assignments_case_id"))

    op.drop_table("case_assignments")
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_user_id"))
        batch_op.drop_index(batch_op.f("ix_break_glass_case_id"))

    op.drop_table("break_glass")
    with op.batch_alter_table("person_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_names_person_id"))
        batch_op.drop_index(batch_op.f("ix_person_names_last_name"))

    op.drop_table("person_names")
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifiers_person_id"))

    op.drop_table("identifiers")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_person_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_team"))
        batch_op.drop_index(batch_op.f("ix_cases_record_class_id"))

    op.drop_table("cases")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addresses_postcode"))
        batch_op.drop_index(batch_op.f("ix_addresses_person_id"))

    op.drop_table("addresses")
    op.drop_table("record_classes")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_name_dob")
        batch_op.drop_index(batch_op.f("ix_persons_last_name"))

    op.drop_table("persons")


# The words of the full-text index live outside the portable models, one way per backend.
# SQLite: a contentless FTS5 table (it keeps no copy of the text) with secure-delete, so a
# removed entry leaves no trace in the file. PostgreSQL: a tsvector per entry with a GIN index.
def _create_word_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', contentless_delete=1, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('secure-delete', 1)")
    else:
        op.execute(
            "CREATE TABLE search_vectors (entry_id INTEGER PRIMARY KEY "
            "REFERENCES search_entries(id) ON DELETE CASCADE, tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_vectors_tsv ON search_vectors USING gin (tsv)")


def _drop_word_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP TABLE IF EXISTS search_vectors")
