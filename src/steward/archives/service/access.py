"""Who may see what in the paper archive.

Names on paper files are case content. They are shown to those who may read cases broadly
(``cases:read_all``) or run the archive (``archives:manage``); anyone else sees a paper file
only when it is linked to a case they may read electronically, by the same need-to-know
rules (assignment, team, break-glass) as the case itself.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.core.errors import Forbidden, NotFound
from steward.core.permissions import Actor, Permission
from steward.records.models import Case
from steward.records.service import require_any_case_access, require_induction, visible_cases

NO_SUCH_FILE = "There is no such paper file, or it belongs to a case you cannot see."


def sees_whole_archive(actor: Actor) -> bool:
    return actor.can(Permission.ARCHIVES_MANAGE) or actor.can(Permission.CASES_READ_ALL)


def require_manage(actor: Actor) -> None:
    actor.require(Permission.ARCHIVES_MANAGE)


def require_names(db: Session, actor: Actor) -> None:
    """For what shows the names on files (a search by person, the inventory's export): those
    who see the whole archive, once their induction is complete."""
    if not sees_whole_archive(actor):
        raise Forbidden("Searching the paper archive by person is for information governance.")
    require_induction(db, actor)


def may_see_file(db: Session, actor: Actor, paper_file: PaperFile) -> bool:
    if sees_whole_archive(actor):
        return True
    if paper_file.case_id is None:
        return False
    query = select(Case.id).where(Case.id == paper_file.case_id, visible_cases(db, actor))
    return db.scalar(query) is not None


def readable_file(db: Session, actor: Actor, file_id: int) -> PaperFile:
    """The paper file, if the actor may see it. The role is checked before the id is looked
    up, and a file the actor may not see answers as a missing one, so ids reveal nothing.
    The names on a file are case content: the induction gate applies to archive staff too."""
    if not sees_whole_archive(actor):
        require_any_case_access(db, actor)
    require_induction(db, actor)
    paper_file = db.get(PaperFile, file_id)
    if paper_file is None or not may_see_file(db, actor, paper_file):
        raise NotFound(NO_SUCH_FILE)
    return paper_file
