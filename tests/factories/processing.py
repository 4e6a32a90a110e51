"""Builders for the record of processing and the information asset register."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from steward.assurance.processing.models import InformationAsset, ProcessingActivity
from steward.assurance.processing.schemas import ActivityInput, AssetInput
from steward.assurance.processing.service import activities, assets
from steward.core.permissions import Actor

_counter = itertools.count(1)

COMPLETE: dict[str, Any] = {
    "controller_contact": "Example Advisory Service, 1 Court Street, Leeds; dp@example.org",
    "dpo_contact": "Data Protection Officer, dpo@example.org",
    "purposes": "Advising the family court about children's welfare",
    "data_subjects": "Children subject to proceedings; parents; carers",
    "data_categories": "Names, dates of birth, addresses, family circumstances, health",
    "recipients": "The family court; local authorities",
    "transfers": "None",
    "erasure_limits": "Until the youngest child reaches 25",
    "security_measures": "Encryption at rest, need-to-know access, training",
    "lawful_basis": "6_1_e",
}


def make_activity(db: Session, **overrides: Any) -> ProcessingActivity:
    values = {"name": f"Activity {next(_counter)}", **COMPLETE, **overrides}
    return activities.create(db, Actor.system(), ActivityInput.model_validate(values))


def make_asset(db: Session, **overrides: Any) -> InformationAsset:
    values = {
        "name": f"Asset {next(_counter)}",
        "kind": "electronic",
        "location": "Steward",
        "next_review_on": date(2099, 1, 1),
        **overrides,
    }
    return assets.create(db, Actor.system(), AssetInput.model_validate(values))
