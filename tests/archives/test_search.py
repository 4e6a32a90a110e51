"""Finding a person's paper files: through nicknames, married names, swapped dates and typos."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.schemas import PaperSearch
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from tests.archives import builders as b

DOB = date(1984, 7, 3)


@pytest.fixture
def archive(db: Session) -> dict[str, int]:
    box = b.box(db, b.location(db))
    made = {
        "nickname": b.paper_file(db, box, names=[("Bob Hughes", DOB)]),
        "maiden": b.paper_file(db, box, names=[("Jane Brown", DOB)]),
        "nee": b.paper_file(db, box, names=[("Jane Smith née Brown", None)]),
        "swapped": b.paper_file(db, box, names=[("Jane Smith", date(1984, 3, 7))]),
        "typo": b.paper_file(db, box, names=[("Jane Smtih", DOB)]),
        "other_jane": b.paper_file(db, box, names=[("Jane Smith", date(1950, 1, 1))]),
        "other_person": b.paper_file(db, box, names=[("Mary Clarke", DOB)]),
        "by_case": b.paper_file(db, box, names=[("Someone Else", None)], case_number="OLD/88/12"),
    }
    return {k: f.id for k, f in made.items()}


def _found(db: Session, query: PaperSearch) -> dict[int, list[str]]:
    return {
        h.paper_file_id: h.reasons
        for h in service.search_paper_files(db, actor=b.SYSTEM, query=query)
    }


def test_married_woman_is_found_under_both_names(db: Session, archive: dict[str, int]) -> None:
    found = _found(db, PaperSearch(names=["Jane Smith", "Jane Brown"], date_of_birth=DOB))
    for key in ("maiden", "nee", "swapped", "typo"):
        assert archive[key] in found, key
    assert archive["other_jane"] not in found
    assert archive["other_person"] not in found
    assert "date of birth with day and month swapped" in found[archive["swapped"]]
    assert "surname spelled closely" in found[archive["typo"]]


def test_a_nickname_on_the_file_is_found_by_the_full_name(
    db: Session, archive: dict[str, int]
) -> None:
    found = _found(db, PaperSearch(names=["Robert Hughes"], date_of_birth=DOB))
    assert list(found) == [archive["nickname"]]
    assert "forename is a short form" in found[archive["nickname"]]


def test_a_case_number_finds_its_files(db: Session, archive: dict[str, int]) -> None:
    found = _found(db, PaperSearch(case_number="old/88/12"))
    assert found == {archive["by_case"]: ["case number"]}


def test_hits_say_where_the_file_is(db: Session, archive: dict[str, int]) -> None:
    hit = service.search_paper_files(
        db, actor=b.SYSTEM, query=PaperSearch(names=["Bob Hughes"], date_of_birth=DOB)
    )[0]
    assert hit.box_barcode and hit.location_code and hit.status == "active"
    assert [n.name_as_written for n in hit.matched_names] == ["Bob Hughes"]


def test_the_search_is_audited_without_the_words(db: Session, archive: dict[str, int]) -> None:
    service.search_paper_files(
        db, actor=b.SYSTEM, query=PaperSearch(names=["Jane Smith"], date_of_birth=DOB)
    )
    event = b.events(db, "archives:search:run")[-1]
    details = json.loads(event.details)
    assert details == {
        "names": 1,
        "by_dob": True,
        "by_case": False,
        "by_person": False,
        "results": details["results"],
    }
    assert "smith" not in event.details.lower() and "1984" not in event.details


def test_only_governance_roles_search_paper_by_person(db: Session) -> None:
    for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.AUDITOR):
        with pytest.raises(Forbidden):
            service.search_paper_files(
                db, actor=Actor.user(1, role), query=PaperSearch(names=["Jane Smith"])
            )


def test_a_search_needs_a_name_or_a_case_number() -> None:
    with pytest.raises(ValueError, match="name or a case number"):
        PaperSearch(date_of_birth=DOB)


def test_with_more_candidates_than_the_budget_exact_surnames_come_first(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.archives.service import search as search_module

    for _ in range(5):
        b.paper_file(db, names=[("Jane Smyth", None)])  # sounds like Smith
    wanted = b.paper_file(db, names=[("Jane Smith", None)])
    monkeypatch.setattr(search_module, "MAX_CANDIDATE_NAMES", 2)
    found = _found(db, PaperSearch(names=["Jane Smith"]))
    assert wanted.id in found and len(found) <= 2
