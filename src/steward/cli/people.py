"""`steward people correct|restrict|lift|corrections`: the data subject's rights to
rectification (Art 16) and restriction (Art 18), for automation.

Added to the `people` sub-app (cli/identity.py) because they act on the same persons. Thin
adapters acting as ``Actor.system()``: correcting goes through retention's rectification
use-case, so the identity index and the retention dates change in the same commit.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from steward.cli.identity import app as app
from steward.cli.runtime import console, keyring, load_settings, unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.intake import service as _intake  # noqa: F401  (tells partners of corrections)
from steward.records import service as records
from steward.records.models import IdentifierScheme
from steward.records.schemas import LiftIn, PersonCorrectionIn, RestrictionIn
from steward.retention.service import rectification

Reason = Annotated[
    str, typer.Option("--reason", help="Why (required): sealed, never in the audit trail.")
]
Sar = Annotated[
    str | None,
    typer.Option("--sar", help="The subject access request it answers, e.g. SAR-2026-00001."),
]
PersonId = Annotated[int, typer.Argument(help="The person's id.", min=1)]


def _validated(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            "The details are not valid; nothing was changed.",
            errors={".".join(map(str, e["loc"])) or "input": e["msg"] for e in exc.errors()},
        ) from None


def _identifiers(values: list[str]) -> list[dict[str, str | None]]:
    found = []
    for value in values:
        scheme, sep, number = value.partition("=")
        if not sep or scheme not in {s.value for s in IdentifierScheme}:
            raise ValidationFailed(
                "Give identifiers as SCHEME=VALUE.",
                errors={"identifier": "Use nhs=..., nino=..., la_ref=... or legacy=..."},
            )
        found.append({"scheme": scheme, "value": number or None})
    return found


@app.command("correct")
def correct(
    person_id: PersonId,
    reason: Reason,
    first_name: Annotated[str | None, typer.Option(help="Corrected first name.")] = None,
    middle_names: Annotated[
        str | None, typer.Option(help="Corrected middle names; an empty value clears them.")
    ] = None,
    last_name: Annotated[str | None, typer.Option(help="Corrected last name.")] = None,
    date_of_birth: Annotated[
        str | None, typer.Option(help="Corrected date of birth, YYYY-MM-DD.")
    ] = None,
    date_of_death: Annotated[
        str | None, typer.Option(help="Corrected date of death, YYYY-MM-DD.")
    ] = None,
    identifier: Annotated[
        list[str] | None,
        typer.Option(help="SCHEME=VALUE (nhs, nino, la_ref, legacy); SCHEME= removes it."),
    ] = None,
    sar: Sar = None,
) -> None:
    """Correct a person's details. The values before and after are kept sealed in their
    history; the identity index and the dates of their cases follow in the same commit."""
    given: dict[str, Any] = {"reason": reason, "sar_reference": sar}
    for name, value in (
        ("first_name", first_name),
        ("middle_names", middle_names),
        ("last_name", last_name),
    ):
        if value is not None:
            given[name] = value or None
    for name, value in (("date_of_birth", date_of_birth), ("date_of_death", date_of_death)):
        if value is not None:
            given[name] = _date(name, value)
    if identifier:
        given["identifiers"] = _identifiers(identifier)
    data = _validated(PersonCorrectionIn, given)
    settings = load_settings()
    with unit_of_work(settings) as db:
        corrected = rectification.correct_person(
            db,
            keyring(settings),
            Actor.system(),
            person_id=person_id,
            data=data,
            settings=settings,
        )
        fields = corrected.correction.field_codes
        cases = len(corrected.case_ids)
    console.print(
        f"Corrected {', '.join(fields)} of person {person_id}; "
        f"{cases} case{'s' if cases != 1 else ''} re-dated."
    )


def _date(name: str, value: str) -> date | None:
    if value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "Dates are written YYYY-MM-DD; nothing was changed.",
            errors={name: "Enter a real date as YYYY-MM-DD"},
        ) from None


@app.command("corrections")
def corrections(
    person_id: PersonId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A person's correction history, with the values before and after (an audited read)."""
    settings = load_settings()
    with unit_of_work(settings) as db:
        history = records.correction_history(
            db, keyring(settings), Actor.system(), person_id=person_id
        )
        rows = [h.model_dump(mode="json") for h in history]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    for row in rows:
        console.print(
            f"{row['corrected_at'][:10]}  {row['corrected_by']}  {' '.join(row['fields'])}"
            f"  {row['sar_reference'] or ''}",
            markup=False,
        )
    console.print(f"{len(rows)} correction{'s' if len(rows) != 1 else ''}")


@app.command("restrict")
def restrict(person_id: PersonId, reason: Reason, sar: Sar = None) -> None:
    """Restrict a person's records (Art 18): only the IG team can read their cases until the
    restriction is lifted."""
    data = _validated(RestrictionIn, {"reason": reason, "sar_reference": sar})
    settings = load_settings()
    with unit_of_work(settings) as db:
        records.restrict_person(
            db, keyring(settings), Actor.system(), person_id=person_id, data=data
        )
    console.print(f"The records of person {person_id} are restricted to the IG team.")


@app.command("lift")
def lift(person_id: PersonId, reason: Reason) -> None:
    """Lift the restriction on a person's records."""
    data = _validated(LiftIn, {"reason": reason})
    settings = load_settings()
    with unit_of_work(settings) as db:
        records.lift_restriction(
            db, keyring(settings), Actor.system(), person_id=person_id, data=data
        )
    console.print(f"The restriction on person {person_id}'s records is lifted.")
