"""The record of processing's pure rules: which grounds hang together, what makes an entry
complete, when it counts as reviewed."""

from __future__ import annotations

from datetime import date

from steward.assurance.processing import policy
from steward.assurance.processing.policy import (
    Art9Condition,
    Conditions,
    LawfulBasis,
    Sch1Condition,
)

FULL = {name: "answered" for name in policy.REQUIRED_FIELDS}


def grounds(**kw: object) -> Conditions:
    values: dict[str, object] = {
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "special_category": False,
        "criminal_offence": False,
        "art9": None,
        "sch1": None,
    }
    values.update(kw)
    return Conditions(**values)  # type: ignore[arg-type]


def test_an_entry_with_every_field_and_no_sensitive_data_is_complete() -> None:
    assert policy.missing(FULL, grounds()) == []


def test_each_blank_field_is_named() -> None:
    values = {**FULL, "recipients": "  ", "transfers": None}
    assert policy.missing(values, grounds()) == [
        "Categories of recipients",
        "Transfers to third countries and their safeguards",
    ]


def test_mapped_record_classes_answer_the_erasure_limits() -> None:
    values = {**FULL, "erasure_limits": ""}
    assert policy.missing(values, grounds()) == ["Time limits for erasure"]
    assert policy.missing({**values, "mapped_classes": ("CASE.PRIVATE",)}, grounds()) == []


def test_special_category_data_needs_an_article_9_and_a_schedule_1_condition() -> None:
    c = grounds(special_category=True)
    assert policy.missing(FULL, c) == ["Article 9 condition", "Schedule 1 condition (DPA 2018)"]
    c = grounds(special_category=True, art9=Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST)
    assert policy.missing(FULL, c) == ["Schedule 1 condition (DPA 2018)"]
    c = grounds(
        special_category=True,
        art9=Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        sch1=Sch1Condition.P18,
    )
    assert policy.missing(FULL, c) == []


def test_an_article_9_condition_the_act_does_not_complete_needs_no_schedule_1() -> None:
    # Art 9(2)(f) legal claims stands alone: DPA 2018 s.10 adds nothing to it.
    c = grounds(special_category=True, art9=Art9Condition.LEGAL_CLAIMS)
    assert policy.missing(FULL, c) == []
    assert "sch1_condition" in policy.condition_errors(
        grounds(special_category=True, art9=Art9Condition.LEGAL_CLAIMS, sch1=Sch1Condition.P33)
    )


def test_criminal_offence_data_needs_a_schedule_1_condition() -> None:
    c = grounds(criminal_offence=True)
    assert policy.missing(FULL, c) == ["Schedule 1 condition (DPA 2018)"]
    assert policy.missing(FULL, grounds(criminal_offence=True, sch1=Sch1Condition.P33)) == []


def test_the_schedule_1_part_must_fit_the_article_9_condition() -> None:
    # (g) substantial public interest takes a Part 2 condition, not Part 1's.
    wrong = grounds(
        special_category=True,
        art9=Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        sch1=Sch1Condition.P2,
    )
    assert policy.condition_errors(wrong) == {
        "sch1_condition": "Art 9(2)(g) reasons of substantial public interest needs a "
        "condition from Schedule 1 Part 2"
    }
    right = grounds(
        special_category=True, art9=Art9Condition.HEALTH_SOCIAL_CARE, sch1=Sch1Condition.P2
    )
    assert policy.condition_errors(right) == {}


def test_conditions_without_the_data_they_cover_are_refused() -> None:
    errors = policy.condition_errors(
        grounds(art9=Art9Condition.EXPLICIT_CONSENT, sch1=Sch1Condition.P18)
    )
    assert set(errors) == {"art9_condition", "sch1_condition"}


def test_schedule_1_is_worded_as_the_act_words_it() -> None:
    assert policy.sch1_title(Sch1Condition.P18) == (
        "Sch 1 Part 2 para 18: Safeguarding of children and of individuals at risk"
    )
    assert policy.sch1_title(Sch1Condition.P1).startswith("Sch 1 Part 1 para 1: Employment")
    assert policy.sch1_title(Sch1Condition.P33) == "Sch 1 Part 3 para 33: Legal claims"
    assert set(policy.SCH1_HEADINGS) == set(Sch1Condition)
    # Paragraph 5 is Part 2's rule about an appropriate policy document, not a condition.
    assert "p5" not in {c.value for c in Sch1Condition}


def test_reviewed_within_twelve_months_of_the_day() -> None:
    as_of = date(2026, 12, 4)
    assert policy.reviewed_recently(date(2025, 12, 5), as_of)
    assert not policy.reviewed_recently(date(2025, 12, 4), as_of)
    assert not policy.reviewed_recently(None, as_of)
    assert not policy.reviewed_recently(date(2026, 12, 5), as_of)  # after the day asked about


def test_no_review_date_is_overdue() -> None:
    assert policy.review_overdue(None, date(2026, 1, 1))
    assert policy.review_overdue(date(2025, 12, 31), date(2026, 1, 1))
    assert not policy.review_overdue(date(2026, 1, 1), date(2026, 1, 1))


def test_months_are_added_to_the_end_of_a_short_month() -> None:
    assert policy.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert policy.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert policy.add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)
