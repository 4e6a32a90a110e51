"""The dashboard's figures read fast and still exact: a headline measure with ``over_time``
gives, on every month end, the figure and rating its ``compute`` gives on that day alone (the
chart and the drill-down of a past date never disagree); records past disposal are counted
from the dates alone and listed oldest first up to the drill-down's cap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from steward.assurance.controls import service
from steward.assurance.controls.measures import MEASURES, Computed
from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor, Role
from steward.retention.service import assurance as retention_figures
from steward.retention.service import dates
from steward.training.policy import RequirementKind
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.retention.helpers import case_with_children, default_schedule
from tests.retention.helpers import due_on as dates_due
from tests.sar.test_report import arrange

AS_OF = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(datetime(2026, 4, 15, 12, tzinfo=UTC)):
        yield


def _figures(found: list[Computed]) -> list[tuple[int | None, int | None, float | None]]:
    return [(c.numerator, c.denominator, c.value) for c in found]


def _day_by_day(db: Session, key: str, days: list[date]) -> list[Computed]:
    compute = MEASURES[key].compute
    assert compute is not None
    return [compute(db, day) for day in days]


def _at_once(db: Session, key: str, days: list[date]) -> list[Computed]:
    over_time = MEASURES[key].over_time
    assert over_time is not None
    return over_time(db, days)


def test_sars_on_time_at_once_match_each_month_end(db: Session, keyring: KeyEncryptionKeys) -> None:
    arrange(db, keyring)  # six requests answered, refused or withdrawn around early 2026
    days = service.month_ends(AS_OF)  # none answered until January, five by March
    at_once = _figures(_at_once(db, "sar_on_time", days))
    assert at_once == _figures(_day_by_day(db, "sar_on_time", days))
    assert {denominator for _, denominator, _ in at_once} >= {0, 5}  # not all alike


def test_training_at_once_matches_each_month_end(db: Session) -> None:
    yearly = make_course(db, validity_months=12)
    make_requirement(db, yearly, due_within_days=30)
    induction = make_course(db, validity_months=None)
    make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=10)
    everyone = [
        make_staff(db, name="Ada Current", start_date=date(2020, 1, 1)),
        make_staff(db, name="Bea Lapses in June", start_date=date(2020, 1, 1)),
        make_staff(
            db, name="Cal Leaver", start_date=date(2020, 1, 1), leaving_date=date(2026, 1, 1)
        ),
        make_staff(db, name="Dee Starter", start_date=date(2026, 2, 20)),
        make_staff(db, name="Eve Late Then Done", start_date=date(2020, 1, 1)),
    ]
    ada, bea, cal, dee, eve = everyone
    for person in everyone:
        complete(db, person, induction, person.start_date)
    complete(db, ada, yearly, date(2025, 3, 1))
    complete(db, ada, yearly, date(2026, 2, 1))
    complete(db, bea, yearly, date(2024, 6, 10))
    complete(db, bea, yearly, date(2025, 6, 10))
    complete(db, cal, yearly, date(2024, 1, 5))
    complete(db, dee, yearly, date(2026, 3, 30))
    complete(db, eve, yearly, date(2025, 10, 1))

    days = service.month_ends(AS_OF)
    at_once = _figures(_at_once(db, "training_current", days))
    assert at_once == _figures(_day_by_day(db, "training_current", days))
    assert len({value for _, _, value in at_once}) > 1  # the figure moves over the year


def test_the_dashboard_trend_is_each_month_ends_own_figure_and_rating(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    arrange(db, keyring)
    course = make_course(db, validity_months=12)
    make_requirement(db, course, due_within_days=30)
    complete(
        db, make_staff(db, name="Fay Lapsed", start_date=date(2020, 1, 1)), course, date(2025, 1, 2)
    )
    complete(
        db,
        make_staff(db, name="Gil Current", start_date=date(2020, 1, 1)),
        course,
        date(2025, 9, 1),
    )
    board = service.dashboard(db, make_user(db, Role.DPO).actor, AS_OF)
    chosen = service.thresholds(db)
    for trend in board.trends:
        alone = [
            service.evaluate(db, trend.measure, p.on, chosen[trend.measure.key])
            for p in trend.points
        ]
        assert [(p.value, p.rag) for p in trend.points] == [(r.value, r.rag) for r in alone]


def test_records_past_disposal_count_them_all_and_list_the_oldest_first(
    db: Session, keyring: KeyEncryptionKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_figures, "ROWS_SHOWN", 2)  # the drill-down's cap, made small
    default_schedule(db)
    born = [date(1985, 1, 1), date(1975, 1, 1), date(1980, 1, 1)]
    cases = [case_with_children(db, keyring, day) for day in born]
    case_with_children(db, keyring, None)  # cannot be dated: never past its date
    dates.sweep(db, Actor.system())
    found = MEASURES["records_past_disposal"].compute(db, AS_OF)  # type: ignore[misc]
    assert found.count == 3  # counted beyond the rows shown
    listed = [row.cells[0] for row in found.rows]
    assert listed == [cases[1].case_number, cases[2].case_number]  # the oldest two, in order
    due = [dates_due(db, case) for case in (cases[1], cases[2])]
    assert due[0] is not None and due[1] is not None and due[0] <= due[1]
    assert found.note == f"oldest {(AS_OF - due[0]).days} days past its date"
