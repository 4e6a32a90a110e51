"""The demo's partner account on the demo site, linked to a partner with an agreement in force
(browser and accessibility tests of the partner's screens), and a file for it to send."""

from __future__ import annotations

import csv
import io
import secrets
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from stdnum.gb import nhs

from steward.core import auth
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.intake import datasets
from steward.intake.errors import Refused
from steward.intake.models import Partner, PartnerUser
from steward.intake.policy import LawfulBasis, PartnerKind
from steward.intake.service import partners
from steward.records.models import Case, CaseStatus

USERNAME = "partner"  # the demo's partner organisation user
CODE = "LA-BROWSER"
NHS_BAD = "9434765918"  # its check digit is wrong


@dataclass(frozen=True)
class DemoPartner:
    name: str
    case_numbers: tuple[str, str]  # two open cases to send rows about


def demo_partner(data_dir: Path) -> DemoPartner:
    """The demo's ``partner`` account, linked (if the demo has not already linked it) to a
    local authority whose agreement in force covers party details."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            user = db.scalar(select(auth.User).where(auth.User.username == USERNAME))
            assert user is not None, "the demo has no partner account"
            link = db.get(PartnerUser, user.id)
            if link is None:
                partner = db.scalar(select(Partner).where(Partner.code == CODE))
                if partner is None:
                    partner = partners.create_partner(
                        db,
                        Actor.system(),
                        code=CODE,
                        name="Borsetshire County Council Children's Services",
                        kind=PartnerKind.LOCAL_AUTHORITY,
                    )
                partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
            else:
                partner = db.get(Partner, link.partner_id)
                assert partner is not None
            try:
                partners.agreement_for(
                    db, partner_id=partner.id, dataset="party_details", on=date.today()
                )
            except Refused:
                partners.create_agreement(
                    db,
                    Actor.system(),
                    partner_id=partner.id,
                    reference=f"DSA-BROWSER-{secrets.token_hex(3).upper()}",
                    title=f"Information sharing with {partner.name}",
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    statutory_power="Children Act 1989, s.7",
                    dataset_names=["party_details", "court_orders"],
                    retention_months=12,
                    starts_on=date.today() - timedelta(days=365),
                )
            numbers = list(
                db.scalars(
                    select(Case.case_number)
                    .where(Case.status == CaseStatus.OPEN)
                    .order_by(Case.id)
                    .limit(2)
                )
            )
            return DemoPartner(partner.name, (numbers[0], numbers[1]))
    finally:
        engine.dispose()


def mixed_file(case_numbers: tuple[str, str]) -> tuple[bytes, list[str]]:
    """Party details, and the names in it: two good rows (new people, each run's own, so
    matching finds no one like them) and three bad ones: a mistyped NHS number, an unknown
    case, an impossible date. A new file each run: the same file twice is refused."""
    first, second = case_numbers
    surnames = [_word().capitalize() for _ in range(2)]
    year = 2013 + secrets.randbelow(4)
    rows = [
        _child(first, _word(), surnames[0], f"{year}-04-03", _nhs_number()),
        _child(first, _word(), surnames[0], f"{year}-09-12", NHS_BAD),
        _child("NO/SUCH/0001", _word(), surnames[1], f"{year}-01-20", ""),
        _child(second, _word(), surnames[1], f"{year + 1}-02-30", ""),
        _child(second, _word(), surnames[1], f"{year}-06-15", ""),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=datasets.get("party_details").columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(), [r["first_name"] for r in rows] + surnames


def _nhs_number() -> str:
    """A valid NHS number of this run's own (a number already recorded for someone else
    would be a conflict, held)."""
    while True:
        number = "".join(str(secrets.randbelow(10)) for _ in range(10))
        if nhs.is_valid(number):
            return number


def _word() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(9)).capitalize()


def _child(case: str, first: str, last: str, dob: str, nhs: str) -> dict[str, str]:
    return {
        "case_number": case,
        "role": "child_subject",
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "nhs_number": nhs,
        "postcode": "LS1 4AP",
    }
