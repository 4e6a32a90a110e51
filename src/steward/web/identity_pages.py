"""Web pages of the identity domain: find a person across all cases; merge and un-merge.

The search form is posted, never put in the URL: the words are names, and a URL ends up in
browser history and proxy logs. Merge and un-merge redirect back to the person page, whose
"possible duplicates" panel offers them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import ValidationFailed
from steward.core.permissions import Permission
from steward.identity import service
from steward.identity.service import PersonQuery
from steward.web.deps import DB, PageActor, csrf_protect, reads_only
from steward.web.ids import MAX_ID, FormId, Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "previous_last_names",
    "dob",
    "postcode",
    "previous_postcodes",
)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())


@router.get("/search/people")
def find_form(request: Request, actor: PageActor) -> Response:
    service.require_search(actor)
    return render(request, "identity/find.html", {"form": {}, "candidates": None})


@router.post("/search/people")
@reads_only
def find(
    request: Request,
    db: DB,
    actor: PageActor,
    first_name: Annotated[str, Form(max_length=100)] = "",
    middle_names: Annotated[str, Form(max_length=200)] = "",
    last_name: Annotated[str, Form(max_length=100)] = "",
    previous_last_names: Annotated[str, Form(max_length=400)] = "",
    dob: Annotated[str, Form(max_length=20)] = "",
    postcode: Annotated[str, Form(max_length=20)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    previous_postcodes: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    service.require_search(actor)
    form = {
        "first_name": first_name,
        "middle_names": middle_names,
        "last_name": last_name,
        "previous_last_names": previous_last_names,
        "dob": dob,
        "postcode": postcode,
        "address": address,
        "previous_postcodes": previous_postcodes,
    }
    try:
        query = PersonQuery(
            first_name=first_name,
            last_name=last_name,
            middle_names=middle_names or None,
            previous_last_names=_split(previous_last_names),
            dob=service.parse_dob(dob),
            postcode=postcode or None,
            address=address or None,
            previous_postcodes=_split(previous_postcodes),
        )
        candidates = service.find_people(db, query, actor=actor)
    except ValidationFailed as exc:
        return render(
            request,
            "identity/find.html",
            {"form": form, "candidates": None, "error": exc.message, "errors": exc.errors},
            status_code=422,
        )
    return render(request, "identity/find.html", {"form": form, "candidates": candidates})


@router.post("/people/{person_id}/merge")
def merge(
    db: DB,
    actor: PageActor,
    person_id: Id,
    other_person_id: FormId,
) -> Response:
    service.merge_persons(db, actor=actor, person_id=person_id, other_person_id=other_person_id)
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/merges/{merge_id}/unmerge")
def unmerge(
    db: DB,
    actor: PageActor,
    merge_id: Id,
    back_to: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    merge = service.unmerge_persons(db, actor=actor, merge_id=merge_id)
    return RedirectResponse(f"/people/{back_to or merge.person_id}", status_code=303)


def duplicates_panel(db: DB, actor: PageActor, person_id: int) -> dict[str, object]:
    """What the person page shows under "Possible duplicates": only to those who may search
    everyone (the panel would otherwise reveal records in cases the reader cannot see)."""
    if not any(actor.can(p) for p in service.SEARCH_PERMISSIONS):
        return {"identity_panel": False}
    return {
        "identity_panel": True,
        "duplicates": service.possible_duplicates(db, actor=actor, person_id=person_id),
        "merges": service.merges_of(db, person_id=person_id),
        "can_merge": actor.can(Permission.PEOPLE_MANAGE),
    }
