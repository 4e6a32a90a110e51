"""The demo's paper archive: boxes on and off site, files of demo cases and paper-only ones,
a loan out and one overdue; a person known only from paper is found."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import ArchiveBox, BoxMovement, PaperFile
from steward.archives.schemas import PaperSearch
from steward.core.config import Environment
from steward.core.crypto import FileKeyring
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.demo import archives as demo_archives
from steward.demo import service
from steward.demo.records import batched


def test_demo_paper_archive(session_factory: sessionmaker[Session], keyring: FileKeyring) -> None:
    actor = Actor.system()
    with session_scope(session_factory) as db:
        service.seed(db, actor, environment=Environment.TEST)
        started = service.start_records(
            db,
            keyring,
            actor,
            environment=Environment.TEST,
            cases=40,
            seed=7,
            today=date(2026, 5, 1),
        )
    assert started is not None
    organisation, loader = started
    for batch in batched(organisation.case_plans(), 20):
        with session_scope(session_factory) as db:
            loader.load(db, batch)

    added = demo_archives.prepare(session_factory, actor, keyring)
    assert added > len(demo_archives.PAPER_ONLY)
    assert demo_archives.prepare(session_factory, actor, keyring) == 0  # once only

    with session_scope(session_factory) as db:
        statuses = set(db.scalars(select(ArchiveBox.status)))
        assert statuses == {"on_site", "off_site"}
        assert db.scalar(select(func.count()).select_from(BoxMovement)) > len(
            db.scalars(select(ArchiveBox.id)).all()
        )
        linked = db.scalar(select(func.count()).where(PaperFile.case_id.is_not(None)))
        paper_only = db.scalar(select(func.count()).where(PaperFile.case_id.is_(None)))
        assert linked and paper_only == len(demo_archives.PAPER_ONLY)
        assert [r.overdue for r in archives.list_retrievals(db, actor, overdue_only=True)] == [True]
        assert len(archives.list_retrievals(db, actor, open_only=True)) == 3
        hits = archives.search_paper_files(
            db,
            actor=actor,
            query=PaperSearch(names=["Sarah Pellow"], date_of_birth=date(1962, 6, 30)),
        )
        assert [h.file_reference for h in hits] == ["PF-LS94P00417"]
