"""The file plan through the API (/api/v1/retention/classes): each record class with its rule
in the schedule in force, its owner and its last review; naming a class's owner; recording a
review of its rule. The same services as the pages (retention_classes_pages)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.records.service import file_plan
from steward.retention.models import ReviewOutcome
from steward.retention.service import class_reviews
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, page_of_list
from steward.web.deps import DB, ApiActor, api_requires
from steward.web.ids import Id

router = APIRouter(tags=["retention"], dependencies=[Depends(require_json)])
MANAGE = [Depends(api_requires(Permission.RETENTION_MANAGE))]


class RecordClassRead(BaseModel):
    id: int
    code: str
    name: str
    rule: str | None = Field(description="The rule in the schedule in force; null: none")
    owner: str | None = Field(description="The owner's username; null: no owner")
    last_reviewed_on: date | None
    last_review: str = Field(description="How: a review recorded, or a schedule approved")
    reviewed: bool = Field(description="Reviewed in the 12 months to today")
    meets: bool = Field(description="A rule, an owner and a review in 12 months")
    short_of: list[str]

    @classmethod
    def of(cls, c: class_reviews.ClassStanding) -> RecordClassRead:
        return cls(
            id=c.class_id,
            code=c.code,
            name=c.name,
            rule=c.rule,
            owner=c.owner,
            last_reviewed_on=c.last_reviewed_on,
            last_review=c.last_review,
            reviewed=c.reviewed,
            meets=c.meets,
            short_of=c.gaps,
        )


class ReviewRead(BaseModel):
    id: int
    reviewed_on: date
    outcome: ReviewOutcome
    note: str
    reviewed_by: str | None


class OwnerSet(StrictInput):
    owner_user_id: int | None = Field(description="An active member of staff; null: no owner")


class ReviewCreate(StrictInput):
    reviewed_on: date = Field(description="The day of the review: today or earlier")
    outcome: ReviewOutcome
    note: str = Field("", max_length=class_reviews.NOTE_MAX)


@router.get("/retention/classes", dependencies=MANAGE)
def list_classes(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[RecordClassRead]:
    """The file plan's classes that records are kept in, by code, each with where it stands."""
    found = page_of_list(class_reviews.file_plan_standings(db, actor), page)
    return ApiPage.of(found, RecordClassRead.of)


@router.get("/retention/classes/{class_id}", dependencies=MANAGE)
def get_class(db: DB, actor: ApiActor, class_id: Id) -> RecordClassRead:
    return RecordClassRead.of(class_reviews.class_standing(db, actor, class_id))


@router.put("/retention/classes/{class_id}/owner", dependencies=MANAGE)
def set_owner(db: DB, actor: ApiActor, class_id: Id, body: OwnerSet) -> RecordClassRead:
    """Name the class's owner (or none)."""
    file_plan.set_owner(db, actor, class_id=class_id, owner_user_id=body.owner_user_id)
    return RecordClassRead.of(class_reviews.class_standing(db, actor, class_id))


@router.get("/retention/classes/{class_id}/reviews", dependencies=MANAGE)
def list_reviews(db: DB, actor: ApiActor, class_id: Id, page: ApiPageQuery) -> ApiPage[ReviewRead]:
    """The reviews recorded for the class, newest first."""
    found = class_reviews.reviews(db, actor, class_id, page)
    return ApiPage.of(
        found,
        lambda r: ReviewRead(
            id=r.id,
            reviewed_on=r.reviewed_on,
            outcome=r.outcome,
            note=r.note,
            reviewed_by=r.reviewed_by,
        ),
    )


@router.post("/retention/classes/{class_id}/reviews", status_code=201, dependencies=MANAGE)
def record_review(db: DB, actor: ApiActor, class_id: Id, body: ReviewCreate) -> RecordClassRead:
    """Record a review of the class's rule: whether it still fits, with a short note (needed
    when it does not). A review counts for 12 months from its date."""
    class_reviews.record_review(
        db,
        actor,
        class_id=class_id,
        reviewed_on=body.reviewed_on,
        outcome=body.outcome.value,
        note=body.note,
    )
    return RecordClassRead.of(class_reviews.class_standing(db, actor, class_id))
