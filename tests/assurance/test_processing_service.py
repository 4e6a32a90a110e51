"""The record of processing and the asset register through their services: completeness,
history, permissions, the class mapping, exports and the dashboard's summary."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.processing.models import ProcessingActivity
from steward.assurance.processing.schemas import ActivityInput, AssetInput, ReviewInput
from steward.assurance.processing.service import (
    activities,
    assets,
    exports,
    mapping,
    register_summary,
)
from steward.core import audit, clock
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.retention.service import schedules
from tests.assurance.pdf_text import pdf_text
from tests.factories.core import make_user
from tests.factories.processing import COMPLETE, make_activity, make_asset

SYSTEM = Actor.system()


def _input(**kw: object) -> ActivityInput:
    return ActivityInput.model_validate({"name": "Family court advice", **COMPLETE, **kw})


def _dpo(db: Session) -> Actor:
    return make_user(db, Role.DPO).actor


def test_a_complete_entry_with_an_owner_is_complete(db: Session) -> None:
    owner = make_user(db, Role.DPO)
    activity = make_activity(db, owner_user_id=owner.id)
    row = activities.get(db, SYSTEM, activity.id)
    assert row.complete and row.missing == ()
    assert row.owner == owner.username


def test_special_category_without_schedule_1_is_incomplete(db: Session) -> None:
    owner = make_user(db, Role.DPO)
    activity = make_activity(
        db, owner_user_id=owner.id, special_category=True, art9_condition="9_2_g"
    )
    assert activities.get(db, SYSTEM, activity.id).missing == ("Schedule 1 condition (DPA 2018)",)


def test_a_schedule_1_condition_that_does_not_fit_is_refused_and_nothing_saved(
    db: Session,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        activities.create(
            db,
            _dpo(db),
            _input(special_category=True, art9_condition="9_2_g", sch1_condition="p2"),
        )
    assert "sch1_condition" in refused.value.errors
    assert (
        db.scalar(
            select(ProcessingActivity).where(ProcessingActivity.name == "Family court advice")
        )
        is None
    )


def test_a_second_activity_of_the_same_name_is_refused(db: Session) -> None:
    make_activity(db, name="SARs")
    with pytest.raises(ValidationFailed) as refused:
        activities.create(db, _dpo(db), _input(name="sars"))
    assert refused.value.errors == {"name": "Another activity has this name: choose another"}


def test_an_inactive_owner_is_refused(db: Session) -> None:
    leaver = make_user(db, Role.IG_OFFICER)
    leaver.is_active = False  # a leaver's account
    db.flush()
    with pytest.raises(ValidationFailed) as refused:
        activities.create(db, _dpo(db), _input(owner_user_id=leaver.id))
    assert "owner_user_id" in refused.value.errors


def test_a_change_keeps_the_entry_as_it_was_with_who_and_when(db: Session) -> None:
    dpo = _dpo(db)
    activity = activities.create(db, dpo, _input())
    activities.update(db, dpo, activity.id, _input(recipients="The family court only"))
    versions = activities.history(db, SYSTEM, activity.id)
    assert [v.version for v in versions] == [1]
    assert versions[0].fields["recipients"] == COMPLETE["recipients"]
    assert versions[0].recorded_by is not None
    assert activities.get(db, SYSTEM, activity.id).activity.version == 2
    changed = db.scalars(
        select(audit.AuditEvent).where(
            audit.AuditEvent.tag == "assurance:processing:activity_changed"
        )
    ).all()
    assert changed[-1].details == '{"fields":["recipients"],"version":2}'
    # The audit trail names fields, never the register's words.
    assert "family court" not in changed[-1].details


def test_an_unchanged_save_keeps_no_version(db: Session) -> None:
    dpo = _dpo(db)
    activity = activities.create(db, dpo, _input())
    activities.update(db, dpo, activity.id, _input())
    assert activities.history(db, SYSTEM, activity.id) == []


def test_a_review_sets_the_next_one_a_year_later(db: Session) -> None:
    activity = make_activity(db)
    reviewed = activities.review(db, _dpo(db), activity.id, ReviewInput(reviewed_on=clock.today()))
    assert reviewed.last_reviewed_on == clock.today()
    assert reviewed.next_review_on is not None and reviewed.next_review_on > clock.today()
    with pytest.raises(ValidationFailed):
        activities.review(db, _dpo(db), activity.id, ReviewInput(reviewed_on=date(2999, 1, 1)))


@pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.AUDITOR, Role.CASEWORKER])
def test_only_the_dpo_changes_the_register(db: Session, role: Role) -> None:
    actor = make_user(db, role).actor
    with pytest.raises(Forbidden):
        activities.create(db, actor, _input())
    with pytest.raises(Forbidden):
        assets.create(db, actor, AssetInput(name="Cabinet", kind="paper"))


def test_a_caseworker_cannot_read_the_register(db: Session) -> None:
    with pytest.raises(Forbidden):
        activities.list_activities(db, make_user(db, Role.CASEWORKER).actor, PageRequest())


def test_record_classes_map_to_activities_and_unmapped_ones_are_counted(db: Session) -> None:
    schedules.ensure_default(db, SYSTEM)
    plan = mapping.file_plan(db)
    assert plan, "the default schedule has rules"
    before = mapping.unmapped_count(db)
    activity = make_activity(db, erasure_limits="")
    row = mapping.map_class(db, _dpo(db), "CASE.PRIVATE", activity.id)
    assert row.activity == activity.name and row.rule
    assert mapping.unmapped_count(db) == before - 1
    # The class's rule now answers the activity's erasure time limit.
    assert activities.get(db, SYSTEM, activity.id).mapped_classes == ("CASE.PRIVATE",)
    assert "Time limits for erasure" not in activities.get(db, SYSTEM, activity.id).missing
    mapping.map_class(db, _dpo(db), "CASE.PRIVATE", None)
    assert mapping.unmapped_count(db) == before


def test_an_asset_names_its_activities_and_classes(db: Session) -> None:
    schedules.ensure_default(db, SYSTEM)
    activity = make_activity(db)
    asset = make_asset(db, activity_ids=[activity.id], class_codes=["CASE.PRIVATE"])
    row = assets.get(db, SYSTEM, asset.id)
    assert row.activities == ((activity.id, activity.name),)
    assert row.class_codes == ("CASE.PRIVATE",)
    with pytest.raises(ValidationFailed) as refused:
        assets.update(
            db, _dpo(db), asset.id, AssetInput(name=asset.name, kind="paper", class_codes=["NOPE"])
        )
    assert "class_codes" in refused.value.errors


def test_the_summary_counts_what_the_dashboard_shows(db: Session) -> None:
    schedules.ensure_default(db, SYSTEM)
    start = register_summary(db, clock.today())
    owner = make_user(db, Role.DPO)
    make_activity(db, owner_user_id=owner.id, last_reviewed_on=clock.today())  # complete, reviewed
    make_activity(db, owner_user_id=owner.id)  # complete, never reviewed
    make_activity(db, special_category=True, art9_condition="9_2_g")  # incomplete
    make_asset(db)  # no owner
    make_asset(db, owner_user_id=owner.id, next_review_on=date(2000, 1, 1))  # overdue
    after = register_summary(db, clock.today())
    assert after.activities - start.activities == 3
    assert after.complete - start.complete == 2
    assert after.reviewed - start.reviewed == 1
    assert after.complete_and_reviewed - start.complete_and_reviewed == 1
    assert after.assets - start.assets == 2
    assert after.assets_without_owner - start.assets_without_owner == 1
    assert after.assets_review_overdue - start.assets_review_overdue == 1
    assert after.unmapped_classes == start.unmapped_classes == after.record_classes


def test_the_csv_export_neutralises_formulas(db: Session) -> None:
    make_activity(db, name="=cmd|' /C calc'!A0", purposes="<script>alert(1)</script>")
    text = exports.activities_csv(db, SYSTEM)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Name of the activity"
    names = [r[0] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    make_asset(db, name="@SUM(A1)")
    assert "'@SUM(A1)" in exports.assets_csv(db, SYSTEM)


def test_the_pdf_holds_every_entry(db: Session) -> None:
    make_activity(db, name="Subject access requests", special_category=True)
    text = pdf_text(exports.activities_pdf(db, SYSTEM, organisation="Example Service"))
    assert "Record of processing activities" in text
    assert "Subject access requests" in text
    assert "Schedule 1 condition" in text
