"""`steward intake partners|agreements|link-user`: the register from the command line, each
change on record, each refusal a readable line and a failing exit status."""

from __future__ import annotations

import json

from sqlalchemy import select

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.intake.events import IntakeEvent
from steward.intake.models import PartnerUser
from steward.intake.service import partners
from tests.cli.conftest import Cli

HOSTILE = "[red]Barset[/red] \u202eCouncil"  # refused whole: the input rule on arguments


def _agreement(*extra: str) -> list[str]:
    return [
        "intake",
        "agreements",
        "add",
        "--partner",
        "la-barset",
        "--reference",
        "DSA-2025-014",
        "--datasets",
        "party_details, court_orders",
        "--basis",
        "public_task",
        "--power",
        "Children Act 1989, s.7",
        "--retention-months",
        "12",
        "--starts",
        "2025-04-01",
        *extra,
    ]


def test_partners_are_added_and_listed(cli: Cli) -> None:
    added = json.loads(
        cli.ok(
            "intake",
            "partners",
            "add",
            "--code",
            "la-barset",
            "--name",
            "Barsetshire County Council",
            "--kind",
            "local_authority",
            "--json",
        ).stdout
    )
    assert (added["code"], added["kind"], added["active"]) == ("LA-BARSET", "local_authority", True)
    assert (
        "Added partner CT-LEEDS"
        in cli.ok(
            "intake",
            "partners",
            "add",
            "--code",
            "CT-LEEDS",
            "--name",
            "[b]Leeds[/b] Family Court",
            "--kind",
            "court",
        ).stdout
    )
    listed = json.loads(cli.ok("intake", "partners", "list", "--json").stdout)
    assert listed["total"] == 2
    assert [(p["code"], p["agreements_in_force"]) for p in listed["partners"]] == [
        ("LA-BARSET", 0),
        ("CT-LEEDS", 0),
    ]
    courts = json.loads(cli.ok("intake", "partners", "list", "--kind", "court", "--json").stdout)
    assert [p["code"] for p in courts["partners"]] == ["CT-LEEDS"]
    table = cli.ok("intake", "partners", "list").stdout
    # Stored text is shown as text, never read as Rich markup.
    assert "[b]Leeds[/b] Family Court" in table and "2 partners" in table

    again = cli(
        "intake", "partners", "add", "--code", "LA-BARSET", "--name", "x", "--kind", "court"
    )
    assert again.exit_code == 1 and "already has this code" in again.stderr
    wrong = cli("intake", "partners", "add", "--code", "X-1", "--name", "x", "--kind", "parish")
    assert wrong.exit_code == 1 and "kind" in wrong.stderr
    hostile = cli(
        "intake", "partners", "add", "--code", "X-2", "--name", HOSTILE, "--kind", "court"
    )
    assert hostile.exit_code == 2
    assert json.loads(cli.ok("intake", "partners", "list", "--json").stdout)["total"] == 2
    with cli.session() as db:
        tags = list(db.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("intake:%"))))
    assert tags == [IntakeEvent.PARTNER_CREATED.value] * 2


def test_agreements_are_recorded_listed_and_ended_never_extended(cli: Cli) -> None:
    cli.ok(
        "intake",
        "partners",
        "add",
        "--code",
        "LA-BARSET",
        "--name",
        "Barset",
        "--kind",
        "local_authority",
    )
    made = json.loads(cli.ok(*_agreement(), "--json").stdout)
    assert made["datasets"] == ["court_orders", "party_details"]
    assert (made["lawful_basis"], made["state"], made["ends_on"]) == (
        "public_task",
        "in_force",
        None,
    )
    duplicate = cli(*_agreement())
    assert duplicate.exit_code == 1 and "already has this reference" in duplicate.stderr
    bad_set = cli(
        *[a if a != "party_details, court_orders" else "school_records" for a in _agreement()]
    )
    assert bad_set.exit_code == 1 and "datasets: Choose data sets from the list" in bad_set.stderr
    bad_date = cli(*_agreement("--ends", "31/03/2027"))
    assert bad_date.exit_code == 1 and "--ends" in bad_date.stderr
    nobody = cli(*[a if a != "la-barset" else "NO-SUCH" for a in _agreement()])
    assert nobody.exit_code == 1 and "No partner has this code" in nobody.stderr

    today = clock.today()
    ended = json.loads(
        cli.ok(
            "intake",
            "agreements",
            "end",
            "--reference",
            "DSA-2025-014",
            "--ends",
            today.isoformat(),
            "--json",
        ).stdout
    )
    assert ended["ends_on"] == today.isoformat() and ended["state"] == "in_force"
    extended = cli(
        "intake", "agreements", "end", "--reference", "DSA-2025-014", "--ends", "2099-01-01"
    )
    assert extended.exit_code == 1 and "never extended" in extended.stderr
    listed = json.loads(
        cli.ok("intake", "agreements", "list", "--partner", "LA-BARSET", "--json").stdout
    )
    assert [a["reference"] for a in listed["agreements"]][-1] == "DSA-2025-014"
    assert "DSA-2025-014" in cli.ok("intake", "agreements", "list", "--partner", "LA-BARSET").stdout


def test_a_partner_account_is_linked_by_username(cli: Cli) -> None:
    cli.ok(
        "intake",
        "partners",
        "add",
        "--code",
        "LA-BARSET",
        "--name",
        "Barset",
        "--kind",
        "local_authority",
    )
    cli.create_user("barset-sender", "partner")
    cli.create_user("a-caseworker", "caseworker")
    assert (
        "barset-sender now sends for LA-BARSET"
        in cli.ok(
            "intake", "link-user", "--partner", "la-barset", "--username", "barset-sender"
        ).stdout
    )
    staff = cli("intake", "link-user", "--partner", "LA-BARSET", "--username", "a-caseworker")
    assert staff.exit_code == 1 and "partner organisation user" in staff.stderr
    cli.ok("intake", "partners", "add", "--code", "LA-OTHER", "--name", "Other", "--kind", "other")
    taken = cli("intake", "link-user", "--partner", "LA-OTHER", "--username", "barset-sender")
    assert taken.exit_code == 1 and "another partner" in taken.stderr
    with cli.session() as db:
        (link,) = db.scalars(select(PartnerUser)).all()
        assert link.partner_id == partners.partner_by_code(db, "LA-BARSET").id
    listed = json.loads(cli.ok("intake", "partners", "list", "--json").stdout)
    assert [p["accounts"] for p in listed["partners"]] == [1, 0]
