"""Demo hook of the record of processing: the organisation's processing activities (family
court advice and reports, subject access requests, HR and training, partner intake,
safeguarding referrals, complaints), its information assets on paper and in systems, and the
file plan's record classes mapped to the activities they serve, recorded by the DPO through
the services. Two entries are left with gaps, one asset without an owner and one record
class unmapped, so the dashboard has something honest to show.

Idempotent: does nothing once any activity exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.processing.models import ProcessingActivity
from steward.assurance.processing.schemas import ActivityInput, AssetInput
from steward.assurance.processing.service import activities, assets, mapping
from steward.core import auth, clock
from steward.core.db import session_scope
from steward.core.permissions import Actor

SECURITY = (
    "Case records encrypted at rest (SQLCipher and per-case keys); need-to-know access by "
    "assignment with logged break-glass; two-factor sign-in; mandatory annual training; "
    "hash-chained audit trail."
)
OFFICE = "{organisation}, 1 Court Street, Leeds LS1 1AA; dp@example.org"
DPO = "Data Protection Officer, 1 Court Street, Leeds LS1 1AA; dpo@example.org, 0113 000 0000"

ACTIVITIES: list[dict[str, Any]] = [
    {
        "name": "Family court advice and reports",
        "purposes": "Safeguarding and promoting the welfare of children in family proceedings; "
        "advising the court (Criminal Justice and Court Services Act 2000 s.12)",
        "data_subjects": "Children subject to proceedings; parents and carers; other parties",
        "data_categories": "Identity and contact details; family circumstances; health; "
        "ethnicity; allegations of abuse; criminal convictions",
        "recipients": "The family court; parties via the court; local authorities",
        "transfers": "None",
        "erasure_limits": "",  # answered by the case record classes mapped to it
        "lawful_basis": "6_1_e",
        "special_category": True,
        "criminal_offence": True,
        "art9_condition": "9_2_g",
        "sch1_condition": "p18",
        "classes": ["CASE.PRIVATE", "CASE.PUBLIC", "CASE.OTHER", "CASE.LAC", "CASE.ADOPTION"],
    },
    {
        "name": "Subject access requests",
        "purposes": "Answering requests made under UK GDPR Article 15",
        "data_subjects": "Requesters; their representatives; people named in their records",
        "data_categories": "Identity documents; contact details; the records disclosed",
        "recipients": "The requester; their representative",
        "transfers": "None",
        "erasure_limits": "2 years after the request is closed",
        "lawful_basis": "6_1_c",
        "classes": ["SAR"],
    },
    {
        "name": "Human resources and training",
        "purposes": "Employment, and staff training in data protection and safeguarding",
        "data_subjects": "Staff, contractors and volunteers",
        "data_categories": "Identity; employment details; training records; health (sickness)",
        "recipients": "Payroll provider; pension scheme",
        "transfers": "None",
        "erasure_limits": "6 years after employment ends",
        "lawful_basis": "6_1_b",
        "special_category": True,
        "art9_condition": "9_2_b",
        "sch1_condition": "p1",
    },
    {
        "name": "Partner data intake",
        "purposes": "Receiving case information from local authorities and partners under "
        "data-sharing agreements",
        "data_subjects": "Children and families known to partner agencies",
        "data_categories": "Identity and contact details; case references; safeguarding flags",
        "recipients": "None beyond the organisation",
        "transfers": "None",
        "erasure_limits": "With the case it is added to",
        "lawful_basis": "6_1_e",
        "special_category": True,
        "art9_condition": "9_2_g",
        # The Schedule 1 condition is missing: the dashboard counts this entry incomplete.
    },
    {
        "name": "Complaints",
        "purposes": "Handling complaints about the service",
        "data_subjects": "Complainants; staff complained about",
        "data_categories": "Identity and contact details; the complaint",
        "recipients": "",  # not yet answered
        "transfers": "None",
        "erasure_limits": "6 years after the complaint is closed",
        "lawful_basis": "6_1_e",
    },
]

ASSETS: list[dict[str, Any]] = [
    {
        "name": "Steward case management system",
        "kind": "electronic",
        "location": "Steward (on-premises servers, Leeds data centre)",
        "owner": "dpo",
        "activities": ["Family court advice and reports", "Subject access requests"],
        "classes": ["CASE.PRIVATE", "CASE.PUBLIC", "CASE.OTHER", "SAR"],
        "security_notes": SECURITY,
    },
    {
        "name": "Paper case file archive",
        "kind": "paper",
        "location": "Off-site archive store (boxes by barcode)",
        "owner": "ig-officer",
        "activities": ["Family court advice and reports"],
        "classes": ["CASE.PRIVATE", "CASE.PUBLIC"],
        "security_notes": "Locked store, contractor vetted, movements logged in Steward",
    },
    {
        "name": "HR system",
        "kind": "electronic",
        "location": "Cloud HR service (UK hosted)",
        "owner": "admin",
        "activities": ["Human resources and training"],
        "classes": [],
        "security_notes": "Supplier contract with Article 28 terms; single sign-on",
    },
    {
        "name": "Complaints spreadsheet",
        "kind": "electronic",
        "location": "Shared drive, complaints folder",
        "owner": None,  # nobody has taken it on: the dashboard counts it
        "activities": ["Complaints"],
        "classes": [],
        "security_notes": "Folder restricted to the complaints team",
    },
]


def prepare(factory: sessionmaker[Session], actor: Actor, *, organisation: str) -> int | None:
    """Record the register; returns how many activities, or None if it was already there."""
    with session_scope(factory) as db:
        if db.scalar(select(ProcessingActivity.id).limit(1)) is not None:
            return None
        users = dict(db.execute(select(auth.User.username, auth.User.id)).all())
        dpo = users.get("dpo")
        today = clock.today()
        plan = {code for code, _, _ in mapping.file_plan(db)}
        ids: dict[str, int] = {}
        for i, entry in enumerate(ACTIVITIES):
            fields = {k: v for k, v in entry.items() if k != "classes"}
            reviewed = today - timedelta(days=60 + 90 * i)
            created = activities.create(
                db,
                actor,
                ActivityInput.model_validate(
                    {
                        "controller_contact": OFFICE.format(organisation=organisation),
                        "dpo_contact": DPO,
                        "security_measures": SECURITY,
                        "owner_user_id": dpo,
                        "last_reviewed_on": reviewed,
                        "next_review_on": reviewed + timedelta(days=365),
                        **fields,
                    }
                ),
            )
            ids[created.name] = created.id
            for code in entry.get("classes", []):
                if code in plan:
                    mapping.map_class(db, actor, code, created.id)
        for entry in ASSETS:
            assets.create(
                db,
                actor,
                AssetInput(
                    name=entry["name"],
                    kind=entry["kind"],
                    location=entry["location"],
                    owner_user_id=users.get(entry["owner"]) if entry["owner"] else None,
                    security_notes=entry["security_notes"],
                    next_review_on=today + timedelta(days=120),
                    activity_ids=[ids[name] for name in entry["activities"]],
                    class_codes=[c for c in entry["classes"] if c in plan],
                ),
            )
        return len(ACTIVITIES)
