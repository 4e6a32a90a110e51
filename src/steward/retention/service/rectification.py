"""Rectification (Article 16): correcting a person and everything derived from them, at once.

A person's details feed two things kept in domains above records: identity's match index
(what a subject access search finds them by) and retention's dates (a child's birth date
dates the case). Both must follow a correction in the same transaction: a corrected birth
date that left the case's disposal date where it was would let the record be destroyed too
early, or kept too long, on a fact the organisation has already admitted was wrong.

Records may import neither, so the use-case lives here, at the lowest layer that sees all
three (retention sits above identity and records). Records persists the correction and its
sealed history (``records.service.correct_person``); this then rebuilds the person's match
profile and keys and re-dates every case they are a party to (and the paper files that follow
those cases). Each step flushes and none commits: the caller's one transaction holds all of
it or, on any failure, none. Identity also re-indexes on every flush that writes a person
(its after-flush hook); calling it here makes the guarantee explicit rather than depending on
which modules a process happened to import.

Adapters (pages, API, CLI) and the subject access request domain call this, with
``sar_reference`` when the correction answers a request.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.identity import service as identity
from steward.records import service as records
from steward.records.schemas import PersonCorrectionIn
from steward.retention.models import RecordKind
from steward.retention.service import dates


def correct_person(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    person_id: int,
    data: PersonCorrectionIn,
    settings: Settings | None = None,
) -> records.Corrected:
    corrected = records.correct_person(
        db, kek, actor, person_id=person_id, data=data, settings=settings
    )
    db.flush()
    identity.index_persons(db.connection(), [person_id])
    dates.reevaluate(db, RecordKind.CASE, corrected.case_ids)
    return corrected
