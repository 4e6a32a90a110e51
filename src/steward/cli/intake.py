"""`steward intake`: partner-data intake from the command line, for automation and bulk work.

Thin adapters over ``steward.intake.service``, acting as ``Actor.system()`` (each change
records its audit event). Each area keeps its commands in a section of its own below."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from steward.cli.retention_common import Json, parse_date, print_json
from steward.cli.runtime import console, plain, unit_of_work
from steward.core.paging import PageRequest
from steward.core.permissions import Actor
from steward.intake.models import Agreement, Partner
from steward.intake.policy import LawfulBasis, PartnerKind
from steward.intake.service import partners, register
from steward.intake.service.register import AgreementView, PartnerFilter

app = typer.Typer(
    help="Partner-data intake: the register of partners and their data-sharing agreements.",
    no_args_is_help=True,
)

# --- partners and agreements (the register) ----------------------------------------------

partners_app = typer.Typer(help="Partner organisations: add and list them.", no_args_is_help=True)
agreements_app = typer.Typer(
    help="Data-sharing agreements: record, list and end them (never edit).", no_args_is_help=True
)
app.add_typer(partners_app, name="partners")
app.add_typer(agreements_app, name="agreements")

PartnerCode = Annotated[
    str, typer.Option("--partner", help="The partner's code, e.g. LA-BARSET.", show_default=False)
]
KINDS = ", ".join(k.value for k in PartnerKind)
BASES = ", ".join(b.value for b in LawfulBasis)


def _partner_row(
    partner: Partner, in_force: int | None = None, accounts: int | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": partner.id,
        "code": partner.code,
        "name": partner.name,
        "kind": partner.kind,
        "active": partner.active,
    }
    if in_force is not None:
        row |= {"agreements_in_force": in_force, "accounts": accounts}
    return row


def _agreement_row(agreement: Agreement, datasets: list[str], state: str) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "reference": agreement.reference,
        "title": agreement.title,
        "lawful_basis": agreement.lawful_basis,
        "special_category_condition": agreement.special_category_condition,
        "statutory_power": agreement.statutory_power,
        "datasets": datasets,
        "retention_months": agreement.retention_months,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else None,
        "state": state,
    }


def _view_row(view: AgreementView) -> dict[str, Any]:
    return _agreement_row(view.agreement, list(view.datasets), view.state.value)


@partners_app.command("add")
def add_partner(
    code: Annotated[str, typer.Option("--code", help="Short and stable, e.g. LA-BARSET.")],
    name: Annotated[str, typer.Option("--name", help="The organisation's name.")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {KINDS}.")],
    as_json: Json = False,
) -> None:
    """Add a partner organisation to the register."""
    with unit_of_work() as db:
        partner = partners.create_partner(db, Actor.system(), code=code, name=name, kind=kind)
        row = _partner_row(partner)
    if as_json:
        print_json(row)
        return
    console.print(plain(f"Added partner {row['code']} ({row['name']})."))


@partners_app.command("list")
def list_partners(
    kind: Annotated[str, typer.Option("--kind", help=f"Only this kind: {KINDS}.")] = "",
    active: Annotated[str, typer.Option("--active", help="yes (the default), no or any.")] = "",
    search: Annotated[str, typer.Option("--search", help="Part of a name or code.")] = "",
    as_json: Json = False,
) -> None:
    """The register's partners by name, each with its agreements in force and accounts."""
    wanted = PartnerFilter.read(kind=kind, active=active, search=search)
    rows: list[dict[str, Any]] = []
    with unit_of_work(read_only=True) as db:
        number = 1
        while True:
            page = register.list_partners(db, Actor.system(), PageRequest(number, 500), wanted)
            rows += [_partner_row(r.partner, r.agreements_in_force, r.accounts) for r in page.items]
            if not page.has_next:
                break
            number += 1
    if as_json:
        print_json({"total": len(rows), "partners": rows})
        return
    table = Table("code", "name", "kind", "active", "agreements in force", "accounts")
    for row in rows:
        table.add_row(
            *(plain(row[k]) for k in ("code", "name", "kind")),
            "yes" if row["active"] else "no",
            str(row["agreements_in_force"]),
            str(row["accounts"]),
        )
    console.print(table)
    console.print(f"{len(rows)} partner{'' if len(rows) == 1 else 's'}")


@agreements_app.command("add")
def add_agreement(
    partner: PartnerCode,
    reference: Annotated[str, typer.Option("--reference", help="e.g. DSA-2025-014.")],
    dataset_names: Annotated[
        str, typer.Option("--datasets", help="The data sets it covers, comma-separated.")
    ],
    basis: Annotated[str, typer.Option("--basis", help=f"The lawful basis: {BASES}.")],
    power: Annotated[
        str, typer.Option("--power", help='The statutory power, e.g. "Children Act 1989, s.7".')
    ],
    retention_months: Annotated[
        int, typer.Option("--retention-months", help="Months what it sends is kept.")
    ],
    starts: Annotated[str, typer.Option("--starts", help="First day in force, YYYY-MM-DD.")],
    ends: Annotated[
        str | None, typer.Option("--ends", help="Last day in force, YYYY-MM-DD (optional).")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Default: the reference.")] = "",
    special_category: Annotated[
        str | None,
        typer.Option("--special-category", help="The Article 9 / Schedule 1 condition, if any."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Record a data-sharing agreement. It is never edited afterwards: end it and record a
    new one."""
    starts_on = parse_date(starts, "--starts")
    ends_on = parse_date(ends, "--ends") if ends else None
    with unit_of_work() as db:
        found = partners.partner_by_code(db, partner)
        agreement = partners.create_agreement(
            db,
            Actor.system(),
            partner_id=found.id,
            reference=reference,
            title=title,
            lawful_basis=basis,
            statutory_power=power,
            dataset_names=[n.strip() for n in dataset_names.split(",") if n.strip()],
            retention_months=retention_months,
            starts_on=starts_on,
            ends_on=ends_on,
            special_category_condition=special_category,
        )
        row = _view_row(register.agreement_view(db, Actor.system(), agreement.id))
    if as_json:
        print_json(row)
        return
    console.print(
        plain(f"Recorded agreement {row['reference']} ({row['state'].replace('_', ' ')}).")
    )


@agreements_app.command("list")
def list_agreements(partner: PartnerCode, as_json: Json = False) -> None:
    """A partner's agreements, newest first, with their state today and data sets."""
    with unit_of_work(read_only=True) as db:
        found = partners.partner_by_code(db, partner)
        rows = [_view_row(v) for v in register.agreements(db, Actor.system(), found.id)]
    if as_json:
        print_json({"total": len(rows), "agreements": rows})
        return
    table = Table("reference", "data sets", "lawful basis", "starts", "ends", "state")
    for row in rows:
        table.add_row(
            plain(row["reference"]),
            plain(", ".join(row["datasets"])),
            plain(row["lawful_basis"]),
            row["starts_on"],
            row["ends_on"] or "",
            row["state"].replace("_", " "),
        )
    console.print(table)


@agreements_app.command("end")
def end_agreement(
    reference: Annotated[str, typer.Option("--reference", help="The agreement's reference.")],
    ends: Annotated[str, typer.Option("--ends", help="Its last day in force, YYYY-MM-DD.")],
    as_json: Json = False,
) -> None:
    """End an agreement on a day from today on, never after an end it already has."""
    ends_on = parse_date(ends, "--ends")
    with unit_of_work() as db:
        agreement = partners.agreement_by_reference(db, reference)
        partners.end_agreement(db, Actor.system(), agreement_id=agreement.id, ends_on=ends_on)
        row = _view_row(register.agreement_view(db, Actor.system(), agreement.id))
    if as_json:
        print_json(row)
        return
    console.print(plain(f"Agreement {row['reference']} ends on {row['ends_on']}."))


@app.command("link-user")
def link_user(
    partner: PartnerCode,
    username: Annotated[str, typer.Option("--username", help="A partner organisation user.")],
) -> None:
    """Let a partner organisation user's account send for this partner (one partner each)."""
    with unit_of_work() as db:
        found = partners.partner_by_code(db, partner)
        partners.link_username(db, Actor.system(), partner_id=found.id, username=username)
        code = found.code
    console.print(plain(f"{username} now sends for {code}."))
