"""Pages for a data subject's rights over their record: correct a person's details (Art 16),
restrict their records to the IG team and lift the restriction (Art 18).

Reached from the person's page (records_pages.person_page), which shows the correction
history and the restriction. Thin: correcting goes through retention's rectification
use-case (identity index and retention dates in the same transaction); the records service
checks the permission (PEOPLE_MANAGE: the IG officer and the DPO) and records the event.
Bad input re-renders the form with a GOV.UK error summary and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records import service
from steward.records.models import IdentifierScheme, Person
from steward.records.schemas import CorrectionRead, LiftIn, PersonCorrectionIn, RestrictionIn
from steward.retention.service import rectification
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Text = Annotated[str, Form(max_length=300)]
# Opened from a subject access request's search: its reference (no personal data) fills the form.
FromRequest = Annotated[str, Query(alias="sar", max_length=20, pattern=r"^[A-Za-z0-9-]*$")]
Reason = Annotated[str, Form(max_length=4000)]
# The identifiers a person's details form offers; legacy ids are the migration's, not people's.
FORM_SCHEMES = (IdentifierScheme.NHS, IdentifierScheme.NINO, IdentifierScheme.LA_REF)
ADDRESS_FIELDS = ("line1", "line2", "town", "postcode")
FIELD_ORDER = (
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "date_of_death",
    *(f"identifier_{s.value}" for s in FORM_SCHEMES),
    *ADDRESS_FIELDS,
    "reason",
    "sar_reference",
)
MESSAGES = {
    "reason": "Enter the reason for the correction",
    "sar_reference": "Enter a subject access request reference like SAR-2026-00001, or leave it blank",
    "first_name": "Enter the first name",
    "last_name": "Enter the last name",
    "date_of_birth": "Date of birth must be today or in the past",
    "date_of_death": "Date of death must be today or in the past",
    "line1": "Enter the first line of the address",
}


def _person_for_ig(db: DB, actor: Actor, person_id: int) -> Person:
    actor.require(Permission.PEOPLE_MANAGE)
    person, _ = service.view_person(db, actor, person_id)
    return person


def _address(person: Person) -> Any:
    """The address the form corrects: the current one (open-ended), else the latest."""
    if not person.addresses:
        return None
    current = [a for a in person.addresses if a.to_date is None]
    return (current or person.addresses)[-1]


def _initial(person: Person) -> dict[str, Any]:
    form: dict[str, Any] = {
        "first_name": person.first_name,
        "middle_names": person.middle_names or "",
        "last_name": person.last_name,
    }
    for name in ("date_of_birth", "date_of_death"):
        day = getattr(person, name)
        form[name] = (
            {"day": str(day.day), "month": str(day.month), "year": str(day.year)} if day else {}
        )
    held = {i.scheme: i.value for i in person.identifiers}
    for scheme in FORM_SCHEMES:
        form[f"identifier_{scheme.value}"] = held.get(scheme, "")
    address = _address(person)
    for name in ADDRESS_FIELDS:
        form[name] = (getattr(address, name) or "") if address is not None else ""
    form["reason"] = form["sar_reference"] = ""
    return form


def _correct_page(
    request: Request,
    person: Person,
    form: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    ordered = dict(
        sorted(
            (errors or {}).items(),
            key=lambda e: FIELD_ORDER.index(e[0]) if e[0] in FIELD_ORDER else len(FIELD_ORDER),
        )
    )
    return render(
        request,
        "records/person_correct.html",
        {
            "person": person,
            "address": _address(person),
            "form": form,
            "schemes": FORM_SCHEMES,
            "errors": ordered,
            "error": error if (error or ordered) else None,
        },
        status_code=422 if (error or ordered) else 200,
    )


@router.get("/people/{person_id}/correct")
def correct_form(
    request: Request, db: DB, actor: PageActor, person_id: Id, sar: FromRequest = ""
) -> Response:
    person = _person_for_ig(db, actor, person_id)
    return _correct_page(request, person, _initial(person) | {"sar_reference": sar.upper()})


@router.post("/people/{person_id}/correct")
def correct(
    request: Request,
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: PageActor,
    person_id: Id,
    born: Annotated[DateParts, date_parts("date_of_birth")],
    died: Annotated[DateParts, date_parts("date_of_death")],
    first_name: Text = "",
    middle_names: Text = "",
    last_name: Text = "",
    identifier_nhs: Text = "",
    identifier_nino: Text = "",
    identifier_la_ref: Text = "",
    line1: Text = "",
    line2: Text = "",
    town: Text = "",
    postcode: Text = "",
    reason: Reason = "",
    sar_reference: Text = "",
) -> Response:
    person = _person_for_ig(db, actor, person_id)
    birth = read_date(born, "date_of_birth", what="Date of birth", required=False)
    death = read_date(died, "date_of_death", what="Date of death", required=False)
    identifiers = {
        IdentifierScheme.NHS: identifier_nhs,
        IdentifierScheme.NINO: identifier_nino,
        IdentifierScheme.LA_REF: identifier_la_ref,
    }
    address_typed = {"line1": line1, "line2": line2, "town": town, "postcode": postcode}
    form: dict[str, Any] = {
        "first_name": first_name,
        "middle_names": middle_names,
        "last_name": last_name,
        "date_of_birth": birth.parts,
        "date_of_death": death.parts,
        **{f"identifier_{s.value}": v for s, v in identifiers.items()},
        **address_typed,
        "reason": reason,
        "sar_reference": sar_reference,
    }
    errors = {
        name: answer.error
        for name, answer in (("date_of_birth", birth), ("date_of_death", death))
        if answer.error
    }
    given: dict[str, Any] = {
        "first_name": first_name.strip() or None,
        "middle_names": middle_names.strip() or None,
        "last_name": last_name.strip() or None,
        "identifiers": [
            {"scheme": s.value, "value": v.strip() or None} for s, v in identifiers.items()
        ],
        "reason": reason,
        "sar_reference": sar_reference.strip().upper() or None,
    }
    if not birth.error:
        given["date_of_birth"] = birth.value
    if not death.error:
        given["date_of_death"] = death.value
    address = _address(person)
    if address is not None:
        given["addresses"] = [
            {"address_id": address.id, **{k: (v.strip() or None) for k, v in address_typed.items()}}
        ]
    try:
        data = PersonCorrectionIn.model_validate(given)
    except ValidationError as exc:
        for problem in exc.errors():
            field = _field_of(problem["loc"])
            errors.setdefault(field, MESSAGES.get(field, str(problem["msg"]).capitalize()))
    if errors:
        return _correct_page(request, person, form, errors=errors, error="Check the details")
    try:
        with db.begin_nested():
            rectification.correct_person(
                db, keyring, actor, person_id=person.id, data=data, settings=settings
            )
    except (ValidationFailed, Conflict) as exc:
        found = exc.errors if isinstance(exc, ValidationFailed) else _conflict_field(exc)
        db.expire_all()
        person = db.get(Person, person_id) or person
        return _correct_page(request, person, form, errors=found or None, error=exc.message)
    return RedirectResponse(f"/people/{person.id}?corrected=1", status_code=303)


def _conflict_field(exc: Conflict) -> dict[str, str]:
    """An identifier another person holds: the message names the scheme, the field is its box."""
    for scheme in FORM_SCHEMES:
        if f" {scheme.value.upper()} " in exc.message:
            return {f"identifier_{scheme.value}": exc.message}
    return {}


def _field_of(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "first_name"
    head = str(loc[0])
    if head == "identifiers" and len(loc) > 1:
        return f"identifier_{FORM_SCHEMES[int(loc[1])].value}"
    if head == "addresses" and len(loc) > 2:
        return str(loc[2])
    return head


# --- restriction ------------------------------------------------------------------------


def _restrict_page(
    request: Request,
    person: Person,
    *,
    lifting: bool,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "records/person_restrict.html",
        {
            "person": person,
            "lifting": lifting,
            "form": form or {"reason": "", "sar_reference": ""},
            "errors": errors or {},
            "error": "Check the details" if errors else None,
        },
        status_code=422 if errors else 200,
    )


@router.get("/people/{person_id}/restrict")
def restrict_form(
    request: Request, db: DB, actor: PageActor, person_id: Id, sar: FromRequest = ""
) -> Response:
    person = _person_for_ig(db, actor, person_id)
    form = {"reason": "", "sar_reference": sar.upper()}
    return _restrict_page(request, person, lifting=False, form=form)


@router.post("/people/{person_id}/restrict")
def restrict(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: PageActor,
    person_id: Id,
    reason: Reason = "",
    sar_reference: Text = "",
) -> Response:
    person = _person_for_ig(db, actor, person_id)
    form = {"reason": reason, "sar_reference": sar_reference}
    try:
        data = RestrictionIn.model_validate(
            {"reason": reason, "sar_reference": sar_reference.strip().upper() or None}
        )
    except ValidationError as exc:
        errors = {}
        for problem in exc.errors():
            field = _field_of(problem["loc"])
            errors[field] = (
                "Enter the reason for restricting this person's records"
                if field == "reason"
                else MESSAGES.get(field, str(problem["msg"]))
            )
        return _restrict_page(request, person, lifting=False, form=form, errors=errors)
    service.restrict_person(db, keyring, actor, person_id=person.id, data=data)
    return RedirectResponse(f"/people/{person.id}?restricted=1", status_code=303)


@router.get("/people/{person_id}/lift-restriction")
def lift_form(request: Request, db: DB, actor: PageActor, person_id: Id) -> Response:
    person = _person_for_ig(db, actor, person_id)
    return _restrict_page(request, person, lifting=True)


@router.post("/people/{person_id}/lift-restriction")
def lift(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: PageActor,
    person_id: Id,
    reason: Reason = "",
) -> Response:
    person = _person_for_ig(db, actor, person_id)
    if not reason.strip():
        return _restrict_page(
            request,
            person,
            lifting=True,
            form={"reason": reason},
            errors={"reason": "Enter the reason for lifting the restriction"},
        )
    service.lift_restriction(db, keyring, actor, person_id=person.id, data=LiftIn(reason=reason))
    return RedirectResponse(f"/people/{person.id}?lifted=1", status_code=303)


# --- for the person's page ----------------------------------------------------------------


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_shown(v)}" for k, v in value.items())
    return str(value)


def history_rows(history: list[CorrectionRead]) -> list[dict[str, Any]]:
    """Each correction as the person's page lists it: field names people read, and (for the
    IG team, who were given the values) each change as before and after."""
    rows = []
    for item in history:
        changes = []
        if item.previous is not None and item.new is not None:
            for code in item.fields:
                changes.append(
                    (
                        service.field_label(code),
                        _shown(item.previous.get(code)),
                        _shown(item.new.get(code)),
                    )
                )
        rows.append(
            {
                "at": item.corrected_at,
                "by": item.corrected_by,
                "fields": [service.field_label(c) for c in item.fields],
                "changes": changes,
                "reason": item.reason,
                "sar_reference": item.sar_reference,
            }
        )
    return rows
