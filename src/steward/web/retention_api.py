"""The retention API (/api/v1/retention): records the schedule cannot date, one page at a
time, each with what it lacks. Thin: the service checks the permission and records the read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from steward.retention.service import undatable
from steward.web.deps import DB, ApiActor

router = APIRouter(tags=["retention"])


class UndatableRead(BaseModel):
    kind: str = Field(description="case or paper_file")
    record_id: int
    identifier: str = Field(description="The case number or paper file reference")
    class_code: str
    missing: list[str] = Field(description="What must be added before it can be dated")
    link: str = Field(description="The page where the record is fixed")


class UndatableList(BaseModel):
    total: int
    page: int
    pages: int
    by_class: dict[str, int]
    records: list[UndatableRead]


@router.get("/retention/undatable")
def list_undatable(
    db: DB,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> UndatableList:
    """Records the schedule cannot date, 50 to a page, each with what it lacks."""
    listed = undatable.undatable(db, actor, page=page)
    return UndatableList(
        total=listed.total,
        page=listed.page,
        pages=listed.pages,
        by_class=dict(listed.by_class),
        records=[
            UndatableRead(
                kind=r.kind.value,
                record_id=r.record_id,
                identifier=r.identifier,
                class_code=r.class_code,
                missing=r.missing,
                link=r.link,
            )
            for r in listed.rows
        ],
    )
