"""The identity API (/api/v1): find a person across all cases, the queue of suspected
duplicates, a pair side by side, and the decisions on it (merge, not the same person,
un-merge). Thin, through the services the pages use (identity_pages.py): they check the role
(searching everyone, or people:manage), the induction gate and record every read.

The search takes its terms in the body, never in the URL: they are names and dates of birth,
and a URL ends up in proxy and access logs. Ids in paths are record numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core.permissions import Permission
from steward.core.rate_limits import RateKind
from steward.core.schemas import StrictInput
from steward.identity import service
from steward.identity.service import PersonQuery, PersonSummary
from steward.identity.service.types import Band
from steward.records.models import PartyRole
from steward.web.api import require_json
from steward.web.api_contract import (
    ApiPage,
    ApiPageQuery,
    page_of_list,
    rate_limited,
)
from steward.web.deps import DB, ApiActor, api_requires, reads_only
from steward.web.ids import Id, IdItem

router = APIRouter(tags=["identity"], dependencies=[Depends(require_json)])
_MANAGE = [Depends(api_requires(Permission.PEOPLE_MANAGE))]
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "Already merged"}}

ListedName = Annotated[str, Field(min_length=1, max_length=100)]


class PersonSearch(StrictInput):
    """Who to look for. A first and a last name are needed; the rest sharpens the match."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    middle_names: str | None = Field(None, max_length=200)
    previous_last_names: list[ListedName] = Field(default_factory=list, max_length=10)
    dob: date | None = Field(None, description="Date of birth, YYYY-MM-DD")
    postcode: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=300)
    previous_postcodes: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=10
    )

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"first_name": "Maya", "last_name": "Okafor", "dob": "2014-03-09"}]
        },
    )


class PersonRead(BaseModel):
    """Enough to tell two person records apart: name, date of birth, postcode, cases."""

    person_id: int
    name: str
    date_of_birth: date | None
    postcode: str | None
    cases: int = Field(description="How many cases the person is a party to")

    @classmethod
    def of(cls, summary: PersonSummary) -> PersonRead:
        return cls(
            person_id=summary.person_id,
            name=summary.name,
            date_of_birth=summary.date_of_birth,
            postcode=summary.postcode,
            cases=summary.cases,
        )


class PersonCandidate(PersonRead):
    score: float = Field(description="How likely (0 to 1) this record is the person asked about")
    band: Band
    reasons: list[str] = Field(description="What agreed and what did not, in words")
    record_id: str | None = Field(description="The legacy record id, for imported people")


class DuplicatePairRead(BaseModel):
    person: PersonRead
    other: PersonRead
    probability: float = Field(description="How likely (0 to 1) the two are one person")
    found_at: datetime


class PersonCaseRead(BaseModel):
    case_id: int
    case_number: str
    role: PartyRole


class PersonInPair(PersonRead):
    previous_names: list[str]
    aliases: list[str]
    case_list: list[PersonCaseRead] = Field(description="The cases, with the person's role")


class PairRead(BaseModel):
    """Two person records side by side, lower id first, for deciding if they are one."""

    person: PersonInPair
    other: PersonInPair
    probability: float | None = Field(description="From the last duplicate check, if it found them")
    merge_id: int | None = Field(description="The merge that links them now, if merged")
    not_same: bool = Field(description="Someone recorded that they are two people")


class OtherPerson(StrictInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"other_person_id": 907}]})

    other_person_id: IdItem


class MergeRead(BaseModel):
    id: int
    person_id: int
    other_person_id: int
    merged_at: datetime
    unmerged_at: datetime | None


class NotSameRead(BaseModel):
    person_id: int
    other_person_id: int
    decided_at: datetime | None


class CheckRead(BaseModel):
    pairs: int = Field(description="Pairs awaiting a decision after the check")
    new: int = Field(description="Pairs found for the first time by this check")
    engine: str


@router.post("/search/people")
@rate_limited(RateKind.IDENTITY)
@reads_only
def search_people(
    db: DB, actor: ApiActor, page: ApiPageQuery, body: PersonSearch
) -> ApiPage[PersonCandidate]:
    """Every person record that may be this person, best first (at most 50): the "Find a
    person" page. For roles that search everyone (information governance, subject access,
    partner-data review). The search is recorded, without the words searched for."""
    query = PersonQuery(
        first_name=body.first_name,
        last_name=body.last_name,
        middle_names=body.middle_names or None,
        previous_last_names=tuple(n for n in body.previous_last_names if n),
        dob=body.dob,
        postcode=body.postcode or None,
        address=body.address or None,
        previous_postcodes=tuple(p for p in body.previous_postcodes if p),
    )
    candidates = service.find_people(db, query, actor=actor)
    people = service.person_summaries(db, [c.person_id for c in candidates])
    return ApiPage.of(
        page_of_list(candidates, page),
        lambda c: PersonCandidate(
            **PersonRead.of(people[c.person_id]).model_dump(),
            score=round(c.score, 6),
            band=c.band,
            reasons=list(c.reasons),
            record_id=c.record_id,
        ),
    )


@router.get("/people/duplicates", dependencies=_MANAGE)
def duplicates(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[DuplicatePairRead]:
    """The suspected duplicates awaiting a decision, likeliest first. Reading it is recorded."""
    queue = service.duplicate_queue(db, actor=actor, page=page)
    return ApiPage.of(
        queue,
        lambda pair: DuplicatePairRead(
            person=PersonRead.of(pair.person),
            other=PersonRead.of(pair.other),
            probability=pair.probability,
            found_at=pair.found_at,
        ),
    )


@router.post("/people/duplicates/check", dependencies=_MANAGE)
def check_duplicates(db: DB, actor: ApiActor) -> CheckRead:
    """Look for duplicates across all people now and refresh the queue (reads every person)."""
    report = service.check_duplicates(db, actor=actor)
    return CheckRead(pairs=report.pairs, new=report.new, engine=report.engine)


def _in_pair(detail: service.PersonDetail) -> PersonInPair:
    return PersonInPair(
        **PersonRead.of(detail.summary).model_dump(),
        previous_names=detail.previous_names,
        aliases=detail.aliases,
        case_list=[
            PersonCaseRead(case_id=case.id, case_number=case.case_number, role=PartyRole(role))
            for case, role in detail.cases
        ],
    )


@router.get("/people/{person_id}/compare/{other_person_id}", dependencies=_MANAGE)
def compare(db: DB, actor: ApiActor, person_id: Id, other_person_id: Id) -> PairRead:
    """Both records in full, for deciding whether they are one person. Each read is recorded."""
    comparison = service.compare_persons(
        db, actor=actor, person_id=person_id, other_person_id=other_person_id
    )
    return PairRead(
        person=_in_pair(comparison.left),
        other=_in_pair(comparison.right),
        probability=comparison.probability,
        merge_id=comparison.merge_id,
        not_same=comparison.not_same,
    )


def _merge(row: object) -> MergeRead:
    return MergeRead.model_validate(row, from_attributes=True)


@router.post(
    "/people/{person_id}/merge", status_code=201, dependencies=_MANAGE, responses=_CONFLICT
)
def merge(db: DB, actor: ApiActor, person_id: Id, body: OtherPerson) -> MergeRead:
    """Record that two person records are one person. Both stay as they are; un-merging
    (``POST /people/merges/{merge_id}/unmerge``) undoes it."""
    return _merge(
        service.merge_persons(
            db, actor=actor, person_id=person_id, other_person_id=body.other_person_id
        )
    )


@router.post("/people/{person_id}/not-same", dependencies=_MANAGE)
def not_same(db: DB, actor: ApiActor, person_id: Id, body: OtherPerson) -> NotSameRead:
    """Record that two person records are two people: the pair leaves the queue for good."""
    row = service.record_not_same(
        db, actor=actor, person_id=person_id, other_person_id=body.other_person_id
    )
    return NotSameRead(
        person_id=row.person_id, other_person_id=row.other_person_id, decided_at=row.decided_at
    )


@router.post("/people/merges/{merge_id}/unmerge", dependencies=_MANAGE)
def unmerge(db: DB, actor: ApiActor, merge_id: Id) -> MergeRead:
    """Undo a merge: the two records are treated as two people again."""
    return _merge(service.unmerge_persons(db, actor=actor, merge_id=merge_id))
