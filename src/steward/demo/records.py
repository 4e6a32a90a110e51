"""Loading the synthetic organisation's cases through the records service.

Each case goes in as staff would create it (``create_case``, ``create_person``, ``add_party``,
``add_document``, ``assign``), so encryption under the case's key, search indexing and one
audit event per change all happen exactly as in real use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice

from sqlalchemy.orm import Session

from steward.core.crypto import DataKey, KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.demo.organisation import CasePlan
from steward.records import service as records


@dataclass
class Loaded:
    cases: int = 0
    persons: int = 0
    documents: int = 0


class CaseLoader:
    """Loads case plans in order; remembers which person record each plan key became, so a
    later case (in a later transaction) can name people an earlier one recorded."""

    def __init__(self, kek: KeyEncryptionKeys, actor: Actor, user_ids: Mapping[str, int]) -> None:
        self.kek = kek
        self.actor = actor
        self.user_ids = dict(user_ids)
        self.person_ids: dict[str, int] = {}
        self.loaded = Loaded()

    def load(self, db: Session, plans: Iterable[CasePlan]) -> Loaded:
        """Create the cases of ``plans`` in ``db`` (one unit of work: the caller commits)."""
        batch = Loaded()
        kek, actor = self.kek, self.actor
        # The session's identity map holds rows weakly: a row nobody references is dropped
        # after a flush and read again on the next db.get(). Holding this batch's cases,
        # their data keys and persons saves a SELECT per seal and per party.
        held: list[object] = []
        for plan in plans:
            case = records.create_case(db, kek, actor, plan.case)
            held += [case, db.get(DataKey, case.data_key_id)]
            for person in plan.persons:
                row = records.create_person(db, actor, person.data)
                held.append(row)
                self.person_ids[person.key] = row.id
            for party in plan.parties:
                records.add_party(
                    db,
                    actor,
                    case_id=case.id,
                    person_id=self.person_ids[party.person],
                    role=party.role,
                )
            for document in plan.documents:
                meta = document.meta.model_copy(
                    update={"subject_person_ids": [self.person_ids[k] for k in document.subjects]}
                )
                records.add_document(
                    db,
                    kek,
                    actor,
                    case_id=case.id,
                    meta=meta,
                    data=document.data,
                    filename=document.filename,
                )
            for username in plan.assignees:
                records.assign(db, actor, case_id=case.id, user_id=self.user_ids[username])
            batch.cases += 1
            batch.persons += len(plan.persons)
            batch.documents += len(plan.documents)
        self.loaded.cases += batch.cases
        self.loaded.persons += batch.persons
        self.loaded.documents += batch.documents
        return batch


def batched(plans: Iterable[CasePlan], size: int) -> Iterator[list[CasePlan]]:
    iterator = iter(plans)
    while batch := list(islice(iterator, size)):
        yield batch
