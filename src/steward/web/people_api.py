"""The API of a data subject's rights over their record (/api/v1): rectification (Art 16)
and restriction (Art 18). Thin: correcting goes through retention's rectification use-case,
so the identity index and retention dates change in the same transaction; the records
service checks the permission (the IG team's PEOPLE_MANAGE) and records the one event."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.records import service
from steward.records.models import PersonRestriction
from steward.records.schemas import (
    CorrectionRead,
    LiftIn,
    PersonCorrectionIn,
    RestrictionIn,
    RestrictionRead,
)
from steward.retention.service import rectification
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, page_of_list
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires
from steward.web.ids import Id

router = APIRouter(tags=["people"])
_MANAGE = [Depends(api_requires(Permission.PEOPLE_MANAGE)), Depends(require_json)]


class CorrectionMade(BaseModel):
    id: int
    person_id: int
    fields: list[str] = Field(description="Codes of the fields changed, e.g. date_of_birth")
    cases_redated: int = Field(description="Cases the person is in, re-dated at once")
    sar_reference: str | None


def _restriction(row: PersonRestriction) -> RestrictionRead:
    return RestrictionRead(
        id=row.id,
        person_id=row.person_id,
        restricted_at=row.restricted_at,
        sar_reference=row.sar_reference,
        lifted_at=row.lifted_at,
    )


@router.post(
    "/people/{person_id}/corrections",
    status_code=201,
    dependencies=_MANAGE,
    responses={409: {"description": "Another person holds that identifier"}},
)
def correct(
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    person_id: Id,
    body: PersonCorrectionIn,
) -> CorrectionMade:
    """Correct a person's details. Fields left out stay as they are; the values before and
    after are kept sealed in the person's history."""
    done = rectification.correct_person(
        db, keyring, actor, person_id=person_id, data=body, settings=settings
    )
    row = done.correction
    return CorrectionMade(
        id=row.id,
        person_id=row.person_id,
        fields=row.field_codes,
        cases_redated=len(done.case_ids),
        sar_reference=row.sar_reference,
    )


@router.get("/people/{person_id}/corrections")
def corrections(
    db: DB, keyring: Keyring, actor: ApiActor, person_id: Id, page: ApiPageQuery
) -> ApiPage[CorrectionRead]:
    """The person's corrections, newest first. The values before and after and the reason
    are given to the information-governance team only (that read is recorded)."""
    listed = service.correction_history(db, keyring, actor, person_id=person_id)
    return ApiPage.of(page_of_list(listed, page), lambda c: c)


@router.post(
    "/people/{person_id}/restriction",
    status_code=201,
    dependencies=_MANAGE,
    responses={409: {"description": "Their records are already restricted"}},
)
def restrict(
    db: DB, keyring: Keyring, actor: ApiActor, person_id: Id, body: RestrictionIn
) -> RestrictionRead:
    """Restrict the person's records: only the IG team can read their cases until lifted."""
    return _restriction(service.restrict_person(db, keyring, actor, person_id=person_id, data=body))


@router.post(
    "/people/{person_id}/restriction/lift",
    dependencies=_MANAGE,
    responses={409: {"description": "Their records are not restricted"}},
)
def lift(db: DB, keyring: Keyring, actor: ApiActor, person_id: Id, body: LiftIn) -> RestrictionRead:
    """Lift the restriction on the person's records."""
    return _restriction(
        service.lift_restriction(db, keyring, actor, person_id=person_id, data=body)
    )
