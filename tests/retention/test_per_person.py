"""Person-based rules apply per person (DOMAIN.md section 2): each child's date is worked out
on its own and the file is kept until the latest of them. The dates below are worked by hand
from the looked-after child rule (75th birthday; 15 years after death if died under 18)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.records.models import CaseType, Person
from steward.retention import policy, schedule_format
from steward.retention.policy import (
    Action,
    Combined,
    Part,
    Period,
    PersonDate,
    PersonFacts,
    PersonTrigger,
    Pick,
    RecordDate,
    RecordFacts,
    RecordTrigger,
    Rounding,
    Rule,
)
from steward.retention.service import dates
from steward.retention.service.records_sql import CASES, records_select
from tests.retention.helpers import case_with_children, default_schedule, due_on

LAC = Combined(
    Pick.EARLIEST,
    (
        Part(PersonTrigger(PersonDate.BIRTH, ("child_subject",)), Period(75)),
        Part(PersonTrigger(PersonDate.DEATH, ("child_subject",), died_under=18), Period(15)),
    ),
)
LAC_RULE = Rule("CASE.LAC", "a", "c", LAC, Period(), Rounding.NONE, Action.DESTROY)


def _children(*children: tuple[date | None, date | None]) -> RecordFacts:
    persons = [PersonFacts("child_subject", born, died) for born, died in children]
    persons.append(PersonFacts("parent", date(1970, 1, 1), date(1980, 1, 1)))
    return RecordFacts(date(2001, 1, 1), date(2010, 1, 1), None, False, persons)


def test_a_sibling_who_died_young_does_not_shorten_a_living_childs_record() -> None:
    # Ben, born 2000-05-01, died 2005-02-10 aged 4: his own date is 2005-02-10 + 15 years =
    # 2020-02-10. Ava, born 1998-03-15, living: her 75th birthday is 2073-03-15. The file is
    # kept until the later of the two. (Read for the case as a whole it was 2020-02-10.)
    facts = _children((date(1998, 3, 15), None), (date(2000, 5, 1), date(2005, 2, 10)))
    assert policy.evaluate(LAC_RULE, facts).due_on == date(2073, 3, 15)
    # Both died young: the later of 2005-02-10 + 15 and 2012-06-30 + 15.
    both = _children((date(1998, 3, 15), date(2012, 6, 30)), (date(2000, 5, 1), date(2005, 2, 10)))
    assert policy.evaluate(LAC_RULE, both).due_on == date(2027, 6, 30)
    # A child with no birth date cannot be dated, whatever the others say.
    assert policy.evaluate(LAC_RULE, _children((date(1998, 3, 15), None), (None, None))).note == (
        "missing_facts"
    )


def test_a_mixed_rule_sets_each_persons_dates_only_against_their_own() -> None:
    # earliest of: closed + 80 years (2090-01-01), 75th birthday, 15 years after death under
    # 18. Living Ava: min(2090-01-01, 2073-03-15) = 2073-03-15; Ben: min(2090, 2075-05-01,
    # 2020-02-10) = 2020-02-10. Kept until the later: 2073-03-15.
    trigger = Combined(
        Pick.EARLIEST, (Part(RecordTrigger(RecordDate.CLOSED), Period(80)), *LAC.parts)
    )
    rule = Rule("X", "a", "c", trigger, Period(), Rounding.NONE, Action.DESTROY)
    facts = _children((date(1998, 3, 15), None), (date(2000, 5, 1), date(2005, 2, 10)))
    assert policy.evaluate(rule, facts).due_on == date(2073, 3, 15)


def test_person_parts_naming_different_roles_are_refused() -> None:
    text = schedule_format.default_schedule_text().replace(
        "        - trigger: {person: {date: death, role: child_subject, pick: latest, died_under: 18}}",
        "        - trigger: {person: {date: death, role: parent, pick: latest, died_under: 18}}",
    )
    try:
        schedule_format.parse(text)
    except ValidationFailed as exc:
        assert any("same roles" in m for m in exc.errors.values())
    else:
        raise AssertionError("a rule mixing roles was loaded")


def test_the_sweep_dates_siblings_per_child(db: Session, keyring: FileKeyring) -> None:
    default_schedule(db)
    case = case_with_children(
        db,
        keyring,
        date(1998, 3, 15),
        date(2000, 5, 1),
        case_type=CaseType.PUBLIC_LAW,
        record_class="CASE.LAC",
    )
    ben = db.scalar(
        select(Person).where(Person.date_of_birth == date(2000, 5, 1)).order_by(Person.id.desc())
    )
    assert ben is not None
    ben.date_of_death = date(2005, 2, 10)
    db.flush()
    dates.sweep(db, Actor.system())
    assert due_on(db, case) == date(2073, 3, 15)


children = st.lists(
    st.tuples(
        st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31))),
        st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 365)),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(children)
def test_the_sweep_gives_the_per_person_dates_of_the_pure_rule(
    db: Session, keyring: FileKeyring, kids: list[tuple[date | None, int | None]]
) -> None:
    default_schedule(db)
    # A death needs a birth date to fall after (the records schema refuses one before).
    lives = [
        (born, None if born is None or days is None else born.fromordinal(born.toordinal() + days))
        for born, days in kids
    ]
    case = case_with_children(
        db,
        keyring,
        *(born for born, _ in lives),
        case_type=CaseType.PUBLIC_LAW,
        record_class="CASE.LAC",
        parents=0,
    )
    people = db.scalars(
        select(Person)
        .where(Person.first_name.like("Child%"))
        .order_by(Person.id.desc())
        .limit(len(lives))
    ).all()
    for person_row, (_, died) in zip(reversed(people), lives, strict=True):
        person_row.date_of_death = died
    db.flush()
    dates.reevaluate(db, dates.RecordKind.CASE, [case.id])
    expected = policy.evaluate(
        LAC_RULE,
        RecordFacts(
            None,
            case.closed_on,
            None,
            False,
            [PersonFacts("child_subject", b, d) for b, d in lives],
        ),
    )
    assert due_on(db, case) == expected.due_on


lives = st.lists(
    st.tuples(
        st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 365)),
    ),
    min_size=1,
    max_size=5,
)


@given(lives)
def test_the_file_is_kept_until_the_latest_childs_own_date(
    kids: list[tuple[date, int | None]],
) -> None:
    """DOMAIN.md section 2, as a property: the file's date is the latest of the dates each
    child would have alone, whatever the others' births and deaths."""
    people = [
        (born, None if days is None else date.fromordinal(born.toordinal() + days))
        for born, days in kids
    ]
    alone = [policy.evaluate(LAC_RULE, _children(person)).due_on for person in people]
    together = policy.evaluate(LAC_RULE, _children(*people)).due_on
    assert None not in alone and together == max(d for d in alone if d)


LATEST_PER_PERSON = Combined(
    Pick.LATEST,
    (
        Part(PersonTrigger(PersonDate.BIRTH, ("child_subject",)), Period(18)),
        Part(PersonTrigger(PersonDate.DEATH, ("child_subject",)), Period(5)),
    ),
)
MIXED = Combined(Pick.EARLIEST, (Part(RecordTrigger(RecordDate.CLOSED), Period(80)), *LAC.parts))


@settings(
    max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(children, st.sampled_from([LAC, LATEST_PER_PERSON, MIXED]))
def test_the_sql_gives_the_pure_rules_date_for_every_shape_of_per_person_rule(
    db: Session,
    keyring: FileKeyring,
    kids: list[tuple[date | None, int | None]],
    trigger: Combined,
) -> None:
    """The sweep's SELECT against policy.evaluate, for the living-birth shortcut (LAC), the
    row-by-row form (a latest-of with a death part) and a rule mixing the record's dates."""
    lives = [
        (born, None if born is None or days is None else date.fromordinal(born.toordinal() + days))
        for born, days in kids
    ]
    case = case_with_children(db, keyring, *(born for born, _ in lives), parents=0)
    rows = db.scalars(
        select(Person)
        .where(Person.first_name.like("Child%"))
        .order_by(Person.id.desc())
        .limit(len(lives))
    ).all()
    for row, (_, died) in zip(reversed(rows), lives, strict=True):
        row.date_of_death = died
    db.flush()
    rule = Rule("X", "a", "c", trigger, Period(), Rounding.NONE, Action.DESTROY)
    query = records_select(
        CASES, [(1, [case.record_class_id], rule)], schedule_id=1, record_ids=[case.id]
    )
    got = db.execute(query).one()[5]
    facts = RecordFacts(
        case.opened_on,
        case.closed_on,
        None,
        False,
        [PersonFacts("child_subject", b, d) for b, d in lives],
    )
    expected = policy.evaluate(rule, facts).due_on
    assert (None if got is None else date.fromisoformat(str(got))) == expected
