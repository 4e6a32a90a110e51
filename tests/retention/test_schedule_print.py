"""The retention schedule in print and the differences between two versions: classes added,
removed and changed (trigger, period, action), as data and as a PDF."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.retention import schedule_format
from steward.retention.service import schedule_print, schedules
from tests.assurance.pdf_text import pdf_text
from tests.factories.core import make_user

SYSTEM = Actor.system()


def _second_version(db: Session) -> tuple[int, int]:
    """v1 the default, approved; v2 a draft with CASE.OTHER's rule dropped, CASE.PRIVATE's
    period changed from 25 to 30 years, and a class of its own added."""
    first = schedules.ensure_default(db, SYSTEM)
    text = schedule_format.default_schedule_text()
    other = text.index("  - class: CASE.OTHER")
    end = text.index("  - class:", other + 5)
    text = text[:other] + text[end:]
    private = text.index("  - class: CASE.PRIVATE")
    period = text.index("period: {years: 25}", private)
    text = text[:period] + "period: {years: 30}" + text[period + len("period: {years: 25}") :]
    text = text.replace(
        "classes:\n",
        "classes:\n  - code: CASE.WALK\n    name: Walk-through records\n    parent: CASE\n",
        1,
    )
    text += (
        "\n  - class: CASE.WALK\n    authority: Our own policy\n    citation: Internal\n"
        "    trigger:\n      record: closed\n    period: {years: 2}\n    action: destroy\n"
    )
    second = schedules.load(db, SYSTEM, text)
    return first.version, second.version


def test_a_version_prints_every_rule_with_its_class_name(db: Session) -> None:
    approved = schedules.ensure_default(db, SYSTEM)
    printed = schedule_print.printable(db, SYSTEM)
    assert printed.version == approved.version
    assert len(printed.rules) == len(approved.rules)
    private = next(r for r in printed.rules if r.class_code == "CASE.PRIVATE")
    assert private.period == "25 years"
    assert private.class_name != "CASE.PRIVATE"  # the file plan's name, not the code


def test_the_differences_of_two_versions(db: Session) -> None:
    old, new = _second_version(db)
    diff = schedule_print.differences(db, SYSTEM, old, new)
    assert [c.class_code for c in diff.of_kind("added")] == ["CASE.WALK"]
    assert [c.class_code for c in diff.of_kind("removed")] == ["CASE.OTHER"]
    changed = diff.of_kind("changed")
    assert [c.class_code for c in changed] == ["CASE.PRIVATE"]
    assert [(ch.field, ch.before, ch.after) for ch in changed[0].changes] == [
        ("Period", "25 years", "30 years")
    ]
    assert diff.unchanged == len(diff.new.rules) - 2
    # Backwards, what was added is removed.
    back = schedule_print.differences(db, SYSTEM, new, old)
    assert [c.class_code for c in back.of_kind("removed")] == ["CASE.WALK"]


def test_the_default_pair_is_the_draft_against_the_approved(db: Session) -> None:
    old, new = _second_version(db)
    assert schedule_print.default_pair(db, SYSTEM) == (old, new)


def test_a_version_compared_with_itself_is_refused(db: Session) -> None:
    approved = schedules.ensure_default(db, SYSTEM)
    with pytest.raises(ValidationFailed):
        schedule_print.differences(db, SYSTEM, approved.version, approved.version)


def test_the_pdfs_render_the_schedule_and_its_changes(db: Session) -> None:
    old, new = _second_version(db)
    number, data = schedule_print.schedule_pdf(db, SYSTEM, old)
    text = pdf_text(data)
    assert number == old
    assert "Default retention schedule" in text and "CASE.PRIVATE" in text
    changes = pdf_text(schedule_print.diff_pdf(db, SYSTEM, old, new))
    assert f"version {old} to version {new}" in changes
    assert "CASE.WALK" in changes and "CASE.OTHER" in changes and "30 years" in changes


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_staff_who_neither_manage_retention_nor_see_assurance_cannot_read_it(
    db: Session, role: Role
) -> None:
    schedules.ensure_default(db, SYSTEM)
    with pytest.raises(Forbidden):
        schedule_print.printable(db, make_user(db, role).actor)


def test_the_auditor_reads_it(db: Session) -> None:
    schedules.ensure_default(db, SYSTEM)
    assert schedule_print.printable(db, make_user(db, Role.AUDITOR).actor).rules
