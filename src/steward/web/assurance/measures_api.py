"""The measures and the control catalogue over the API (/api/v1/assurance): what the
dashboard, a drill-down and the catalogue page show, for automation, through the same
service. Reading needs ``assurance:view``; publishing a catalogue or changing thresholds
``assurance:manage`` (the DPO). The rows behind a figure come only to a role that may see
those records (``rows_visible``); others get the figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from steward.assurance.controls import service
from steward.assurance.controls.catalogue import Catalogue
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.models import CatalogueVersion
from steward.core import clock
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate, page_of_list
from steward.web.deps import DB, ApiActor, api_requires

router = APIRouter(
    prefix="/assurance",
    tags=["assurance"],
    dependencies=[Depends(require_json), Depends(api_requires(Permission.ASSURANCE_VIEW))],
)
MANAGE = [Depends(api_requires(Permission.ASSURANCE_MANAGE))]
READS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not see assurance"},
    422: {"description": "The date is not YYYY-MM-DD, is in the future or is too long ago"},
}
ONE: dict[int | str, dict[str, Any]] = {**READS, 404: {"description": "No measure with that key"}}
CHANGES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only the data protection officer changes the catalogue or thresholds"},
    404: {"description": "No measure with that key"},
    422: {"description": "Refused whole, nothing changed: `errors` says what to write instead"},
}
AsOf = Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")]
Key = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$", description="The measure's key")]


class ThresholdsRead(BaseModel):
    green: float
    amber: float


class MeasureRead(BaseModel):
    key: str
    title: str
    area: str = Field(description="The ICO audit area (assurance.areas.Area)")
    kind: str = Field(description="percent (higher is better) or count (lower is better)")
    definition: str
    measured: bool = Field(description="False: named in the catalogue, not computed yet")
    value: float | None = Field(description="The percentage or the count; None if nothing counts")
    numerator: int | None
    denominator: int | None
    count: int | None
    note: str
    status: str = Field(description="green, amber, red, none or not_measured")
    thresholds: ThresholdsRead = Field(description="The organisation's choice, not the law's")


class RowRead(BaseModel):
    cells: list[str]
    href: str | None = Field(description="The page of the record, where there is one")


class MeasureDetail(BaseModel):
    as_of: date
    measure: MeasureRead
    columns: list[str]
    rows_visible: bool = Field(description="False: your role sees the figure only")
    rows: ApiPage[RowRead] | None


class ThresholdsIn(StrictInput):
    green: float = Field(allow_inf_nan=False)
    amber: float = Field(allow_inf_nan=False)


class VersionRead(BaseModel):
    version: int
    title: str
    note: str
    sha256: str
    published_at: datetime


class ExpectationRead(BaseModel):
    id: str
    category: str
    meaning: str
    articles: list[str]
    area: str
    evidence: str = Field(description="A measure key, or 'attestation'")


class CatalogueRead(BaseModel):
    version: int | None = Field(description="None: the catalogue shipped with Steward")
    title: str
    source: str = Field(description="The YAML, to edit and publish again")
    expectations: list[ExpectationRead]
    measure_keys: list[str] = Field(description="Every key an expectation may name")


class CatalogueIn(StrictInput):
    catalogue: str = Field(max_length=300_000, description="The whole catalogue, in YAML")
    note: str = Field("", max_length=300)


def _measure(result: service.Result) -> MeasureRead:
    c = result.computed
    m = result.measure
    return MeasureRead(
        key=m.key,
        title=m.title,
        area=m.area.value,
        kind=m.kind.value,
        definition=m.definition,
        measured=c is not None,
        value=result.value,
        numerator=c.numerator if c else None,
        denominator=c.denominator if c else None,
        count=c.count if c else None,
        note=c.note if c else "",
        status=result.rag.value,
        thresholds=ThresholdsRead(green=result.thresholds.green, amber=result.thresholds.amber),
    )


def _version(row: CatalogueVersion) -> VersionRead:
    return VersionRead(
        version=row.version,
        title=row.title,
        note=row.note,
        sha256=row.sha256,
        published_at=row.published_at,
    )


def _expectations(catalogue: Catalogue) -> list[ExpectationRead]:
    return [
        ExpectationRead(
            id=e.id,
            category=c.title,
            meaning=e.meaning,
            articles=list(e.articles),
            area=e.area.value,
            evidence=e.evidence,
        )
        for c in catalogue.categories
        for e in c.expectations
    ]


@router.get("/measures", responses=READS)
def list_measures(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    as_of: AsOf = None,
) -> ApiPage[MeasureRead]:
    """Every measure the catalogue in use names, in its order, with figure and status."""
    found = service.results(db, actor, as_of or clock.today())
    return ApiPage.of(page_of_list(found, page), _measure)


@router.get("/measures/{key}", responses=ONE)
def read_measure(
    db: DB,
    actor: ApiActor,
    key: Key,
    page: ApiPageQuery,
    as_of: AsOf = None,
) -> MeasureDetail:
    """One measure's figure and a page of the records behind it."""
    day = as_of or clock.today()
    found = service.drilldown(db, actor, key, day, page)
    return MeasureDetail(
        as_of=day,
        measure=_measure(found.result),
        columns=list(found.result.measure.columns),
        rows_visible=found.may_see_rows,
        rows=None
        if found.rows is None
        else ApiPage.of(found.rows, lambda r: RowRead(cells=list(r.cells), href=r.href)),
    )


@router.put("/measures/{key}/thresholds", responses=CHANGES, dependencies=MANAGE)
def change_thresholds(db: DB, actor: ApiActor, key: Key, data: ThresholdsIn) -> ThresholdsRead:
    """Set the measure's green and amber thresholds (the organisation's choice)."""
    chosen = service.set_thresholds(db, actor, key, data.green, data.amber)
    return ThresholdsRead(green=chosen.green, amber=chosen.amber)


@router.get("/catalogue", responses={403: READS[403]})
def read_catalogue(db: DB, actor: ApiActor) -> CatalogueRead:
    """The catalogue in use."""
    now = service.current(db)
    return CatalogueRead(
        version=now.version.version if now.version else None,
        title=now.catalogue.title,
        source=now.source,
        expectations=_expectations(now.catalogue),
        measure_keys=list(MEASURES),
    )


@router.get("/catalogue/versions", responses={403: READS[403]})
def list_versions(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[VersionRead]:
    """Every version the DPO published, newest first."""
    return ApiPage.of(service.history(db, actor, page), _version)


@router.post(
    "/catalogue",
    status_code=201,
    responses={k: v for k, v in CHANGES.items() if k != 404},
    dependencies=MANAGE,
)
def publish_catalogue(db: DB, actor: ApiActor, data: CatalogueIn) -> VersionRead:
    """Publish a new version: checked whole (unknown measure key or area, a duplicate id)."""
    return _version(service.publish(db, actor, data.catalogue, data.note))
