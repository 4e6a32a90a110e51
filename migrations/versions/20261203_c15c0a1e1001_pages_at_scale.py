"""records and retention: my cases, the person search and the due list at a million cases

Revision ID: c15c0a1e1001
Revises: b12b0de11001
Create Date: 2026-12-03 10:10:00

My cases lists a manager's team (half the organisation) newest first, 50 at a time, with a
capped count. Without an index in that order each page read every case and sorted them. The
index is in ``opened_on, id`` order (the page's order) and carries ``team``, so the
need-to-know filter is checked inside it and skipped rows never touch the table.

The due list walks each kind of record's dates in due order and merges them, 50 at a time:
``ix_retention_dates_kind_due`` gives that order per kind (the older index, by schedule and
date, made a kind with few records due, such as paper files, walk every due case first).

SQLite: people's names get a full-text index of their own (``search_fts_people``, contentless,
secure-delete, like ``search_fts``). In one index with the documents, a search for people
walked every document that holds the word ("court": three million at a million cases) to
find the few people named so, and a search for documents every person of a common surname.
The names are indexed again from the person records (as ``searchable_names`` writes them)
and their entries deleted from ``search_fts``. PostgreSQL keeps one tsvector table: its
planner joins on the entry's kind.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c15c0a1e1001"
down_revision: str | None = "b12b0de11001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A person's searchable names: their own, then every other name (persons.searchable_names).
_NAMES = (
    "p.first_name || ' ' || coalesce(p.middle_names, '') || ' ' || p.last_name || coalesce(' ' "
    "|| (SELECT group_concat(coalesce(n.first_name, '') || ' ' || coalesce(n.middle_names, '') "
    "|| ' ' || coalesce(n.last_name, ''), ' ') FROM person_names n WHERE n.person_id = p.id), '')"
)
_PERSON_ENTRIES = (
    f"SELECT e.id, {_NAMES} FROM search_entries e JOIN persons p ON p.id = e.ref_id "  # noqa: S608 - fixed SQL
    "WHERE e.kind = 'person' ORDER BY e.id"
)


def upgrade() -> None:
    op.create_index("ix_cases_opened_on", "cases", ["opened_on", "id", "team"], unique=False)
    op.create_index(
        "ix_retention_dates_kind_due",
        "retention_dates",
        ["schedule_id", "record_kind", "due_on"],
        unique=False,
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts_people USING fts5(body, content='', "
        "contentless_delete=1, tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO search_fts_people(search_fts_people, rank) VALUES ('secure-delete', 1)")
    op.execute(f"INSERT INTO search_fts_people(rowid, body) {_PERSON_ENTRIES}")
    op.execute(
        "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE kind = 'person')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO search_fts(rowid, body) {_PERSON_ENTRIES}")
        op.execute("DROP TABLE IF EXISTS search_fts_people")
    op.drop_index("ix_retention_dates_kind_due", table_name="retention_dates")
    op.drop_index("ix_cases_opened_on", table_name="cases")
