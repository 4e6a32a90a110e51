"""The register's figures for the assurance dashboard, as they stood on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.assurance.processing import policy
from steward.assurance.processing.service import activities, assets, mapping


@dataclass(frozen=True)
class RegisterSummary:
    as_of: date
    activities: int
    complete: int  # every Art 30 field, and a Sch 1 condition where one is needed
    reviewed: int  # reviewed in the 12 months to ``as_of``
    complete_and_reviewed: int
    record_classes: int
    unmapped_classes: int
    assets: int
    assets_without_owner: int
    assets_review_overdue: int


def register_summary(db: Session, as_of: date) -> RegisterSummary:
    """No permission of its own: the dashboard that calls it checks assurance:view. It reads
    the register as it is now, judging review dates against ``as_of``."""
    rows = activities.rows_for(db, activities.all_activities(db), as_of)
    held = assets.all_assets(db)
    plan = mapping.file_plan(db)
    return RegisterSummary(
        as_of=as_of,
        activities=len(rows),
        complete=sum(r.complete for r in rows),
        reviewed=sum(r.reviewed_recently for r in rows),
        complete_and_reviewed=sum(r.complete and r.reviewed_recently for r in rows),
        record_classes=len(plan),
        unmapped_classes=mapping.unmapped_count(db),
        assets=len(held),
        assets_without_owner=sum(a.owner_user_id is None for a in held),
        assets_review_overdue=sum(policy.review_overdue(a.next_review_on, as_of) for a in held),
    )
