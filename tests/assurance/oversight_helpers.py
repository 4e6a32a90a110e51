"""A case read under each kind of access, for the oversight tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.records import service as records
from steward.records.models import BreakGlass, Case, Document, Person
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_document, make_person

REASON = "Urgent safeguarding call from the school about the child"


@dataclass
class Scene:
    case: Case
    other: Case
    child: Person
    document: Document
    assigned: auth.User
    manager: auth.User
    ig: auth.User
    glass: auth.User
    use: BreakGlass


def scene(db: Session, keyring: FileKeyring) -> Scene:
    """A case of team North read by its assigned caseworker, North's manager, an IG officer,
    and a caseworker of another team who broke glass (and then read a document); and another
    case the assigned caseworker reads too, which no history of the first may show."""
    assigned = make_user(db, Role.CASEWORKER, team="North")
    manager = make_user(db, Role.MANAGER, team="North")
    ig = make_user(db, Role.IG_OFFICER)
    glass = make_user(db, Role.CASEWORKER, team="South")
    case = make_case(db, keyring, actor=assigned.actor, team="North")
    other = make_case(db, keyring, actor=assigned.actor, team="North")
    child = make_person(db)
    add_party(db, case, child)
    document = make_document(db, keyring, case, actor=assigned.actor)
    for reader in (assigned, manager, ig):
        records.view_case(db, reader.actor, case.id)
    records.view_case(db, assigned.actor, other.id)
    use = records.break_glass(db, keyring, glass.actor, case_id=case.id, reason=REASON)
    records.view_case(db, glass.actor, case.id)
    records.view_document(db, keyring, glass.actor, document.id)
    records.view_person(db, ig.actor, child.id)
    return Scene(case, other, child, document, assigned, manager, ig, glass, use)
