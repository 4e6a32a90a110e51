"""Pure rules of the record of processing: the lawful bases and conditions an activity may
cite (fixed lists, worded as the law words them), what makes an entry complete, and when it is
due for review. No database, no I/O.

Lawful basis: UK GDPR Art 6(1). Special category data: Art 9(2), and where the condition is
(b), (g), (h), (i) or (j) the UK adds a condition from DPA 2018 Schedule 1 (s.10(1)-(3)):
Part 1 for (b), (h), (i), (j); Part 2 (substantial public interest) for (g). Criminal
offence data (Art 10): a condition from Schedule 1 Parts 1, 2 or 3 (s.10(5))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# How often an entry must be looked at again: the organisation's choice (the ICO's
# accountability framework expects "regular" review; a year is the common reading).
REVIEW_MONTHS = 12


class LawfulBasis(StrEnum):
    CONSENT = "6_1_a"
    CONTRACT = "6_1_b"
    LEGAL_OBLIGATION = "6_1_c"
    VITAL_INTERESTS = "6_1_d"
    PUBLIC_TASK = "6_1_e"
    LEGITIMATE_INTERESTS = "6_1_f"


LAWFUL_BASIS_TITLES: dict[LawfulBasis, str] = {
    LawfulBasis.CONSENT: "Art 6(1)(a) consent",
    LawfulBasis.CONTRACT: "Art 6(1)(b) contract",
    LawfulBasis.LEGAL_OBLIGATION: "Art 6(1)(c) legal obligation",
    LawfulBasis.VITAL_INTERESTS: "Art 6(1)(d) vital interests",
    LawfulBasis.PUBLIC_TASK: "Art 6(1)(e) public task",
    LawfulBasis.LEGITIMATE_INTERESTS: "Art 6(1)(f) legitimate interests",
}


class Art9Condition(StrEnum):
    EXPLICIT_CONSENT = "9_2_a"
    EMPLOYMENT = "9_2_b"
    VITAL_INTERESTS = "9_2_c"
    NOT_FOR_PROFIT = "9_2_d"
    MADE_PUBLIC = "9_2_e"
    LEGAL_CLAIMS = "9_2_f"
    SUBSTANTIAL_PUBLIC_INTEREST = "9_2_g"
    HEALTH_SOCIAL_CARE = "9_2_h"
    PUBLIC_HEALTH = "9_2_i"
    ARCHIVING_RESEARCH = "9_2_j"


ART9_TITLES: dict[Art9Condition, str] = {
    Art9Condition.EXPLICIT_CONSENT: "Art 9(2)(a) explicit consent",
    Art9Condition.EMPLOYMENT: "Art 9(2)(b) employment, social security and social protection",
    Art9Condition.VITAL_INTERESTS: "Art 9(2)(c) vital interests",
    Art9Condition.NOT_FOR_PROFIT: "Art 9(2)(d) not-for-profit bodies",
    Art9Condition.MADE_PUBLIC: "Art 9(2)(e) made public by the data subject",
    Art9Condition.LEGAL_CLAIMS: "Art 9(2)(f) legal claims or judicial acts",
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: "Art 9(2)(g) reasons of substantial public interest",
    Art9Condition.HEALTH_SOCIAL_CARE: "Art 9(2)(h) health or social care",
    Art9Condition.PUBLIC_HEALTH: "Art 9(2)(i) public health",
    Art9Condition.ARCHIVING_RESEARCH: "Art 9(2)(j) archiving, research and statistics",
}

# The Art 9 conditions the DPA 2018 completes with a Schedule 1 condition (s.10(2), (3)).
NEEDS_SCH1: frozenset[Art9Condition] = frozenset(
    {
        Art9Condition.EMPLOYMENT,
        Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        Art9Condition.HEALTH_SOCIAL_CARE,
        Art9Condition.PUBLIC_HEALTH,
        Art9Condition.ARCHIVING_RESEARCH,
    }
)


class Sch1Condition(StrEnum):
    """DPA 2018 Schedule 1, by paragraph: the code is "p" and the paragraph number."""

    # Part 1: conditions relating to employment, health and research etc
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"
    P4 = "p4"
    # Part 2: substantial public interest conditions
    P6 = "p6"
    P7 = "p7"
    P8 = "p8"
    P9 = "p9"
    P10 = "p10"
    P11 = "p11"
    P12 = "p12"
    P13 = "p13"
    P14 = "p14"
    P15 = "p15"
    P16 = "p16"
    P17 = "p17"
    P18 = "p18"
    P19 = "p19"
    P20 = "p20"
    P21 = "p21"
    P22 = "p22"
    P23 = "p23"
    P24 = "p24"
    P25 = "p25"
    P26 = "p26"
    P27 = "p27"
    P28 = "p28"
    # Part 3: additional conditions relating to criminal convictions etc
    P29 = "p29"
    P30 = "p30"
    P31 = "p31"
    P32 = "p32"
    P33 = "p33"
    P34 = "p34"
    P35 = "p35"
    P36 = "p36"
    P37 = "p37"


# The paragraphs' headings as the Act has them.
SCH1_HEADINGS: dict[Sch1Condition, str] = {
    Sch1Condition.P1: "Employment, social security and social protection",
    Sch1Condition.P2: "Health or social care purposes",
    Sch1Condition.P3: "Public health",
    Sch1Condition.P4: "Research etc",
    Sch1Condition.P6: "Statutory and government purposes",
    Sch1Condition.P7: "Administration of justice and parliamentary purposes",
    Sch1Condition.P8: "Equality of opportunity or treatment",
    Sch1Condition.P9: "Racial and ethnic diversity at senior levels of organisations",
    Sch1Condition.P10: "Preventing or detecting unlawful acts",
    Sch1Condition.P11: "Protecting the public against dishonesty etc",
    Sch1Condition.P12: "Regulatory requirements relating to unlawful acts and dishonesty etc",
    Sch1Condition.P13: "Journalism etc in connection with unlawful acts and dishonesty etc",
    Sch1Condition.P14: "Preventing fraud",
    Sch1Condition.P15: "Suspicion of terrorist financing or money laundering",
    Sch1Condition.P16: "Support for individuals with a particular disability or medical condition",
    Sch1Condition.P17: "Counselling etc",
    Sch1Condition.P18: "Safeguarding of children and of individuals at risk",
    Sch1Condition.P19: "Safeguarding of economic well-being of certain individuals",
    Sch1Condition.P20: "Insurance",
    Sch1Condition.P21: "Occupational pensions",
    Sch1Condition.P22: "Political parties",
    Sch1Condition.P23: "Elected representatives responding to requests",
    Sch1Condition.P24: "Disclosure to elected representatives",
    Sch1Condition.P25: "Informing elected representatives about prisoners",
    Sch1Condition.P26: "Publication of legal judgments",
    Sch1Condition.P27: "Anti-doping in sport",
    Sch1Condition.P28: "Standards of behaviour in sport",
    Sch1Condition.P29: "Consent",
    Sch1Condition.P30: "Protecting individual's vital interests",
    Sch1Condition.P31: "Processing by not-for-profit bodies",
    Sch1Condition.P32: "Personal data in the public domain",
    Sch1Condition.P33: "Legal claims",
    Sch1Condition.P34: "Judicial acts",
    Sch1Condition.P35: "Administration of accounts used in commission of indecency offences "
    "involving children",
    Sch1Condition.P36: "Extension of conditions in Part 2 of this Schedule referring to "
    "substantial public interest",
    Sch1Condition.P37: "Extension of insurance conditions",
}


def sch1_part(condition: Sch1Condition) -> int:
    number = int(condition.value[1:])
    return 1 if number <= 4 else 2 if number <= 28 else 3


def sch1_title(condition: Sch1Condition) -> str:
    return (
        f"Sch 1 Part {sch1_part(condition)} para {condition.value[1:]}: {SCH1_HEADINGS[condition]}"
    )


# Which Schedule 1 Part completes which Art 9 condition (s.10(2), (3)).
SCH1_PARTS_FOR: dict[Art9Condition, frozenset[int]] = {
    Art9Condition.EMPLOYMENT: frozenset({1}),
    Art9Condition.HEALTH_SOCIAL_CARE: frozenset({1}),
    Art9Condition.PUBLIC_HEALTH: frozenset({1}),
    Art9Condition.ARCHIVING_RESEARCH: frozenset({1}),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: frozenset({2}),
}


@dataclass(frozen=True)
class Conditions:
    """The legal grounds an entry cites."""

    lawful_basis: LawfulBasis | None
    special_category: bool
    criminal_offence: bool
    art9: Art9Condition | None
    sch1: Sch1Condition | None


def condition_errors(c: Conditions) -> dict[str, str]:
    """What is wrong with the grounds cited, by field; empty when they hang together. A
    missing ground is not an error here (a draft may be incomplete: ``missing`` says so),
    only a ground that contradicts another."""
    errors: dict[str, str] = {}
    if c.art9 is not None and not c.special_category:
        errors["art9_condition"] = (
            "Remove the Article 9 condition, or say the activity uses special category data"
        )
    if c.sch1 is not None and not (c.special_category or c.criminal_offence):
        errors["sch1_condition"] = (
            "Remove the Schedule 1 condition, or say the activity uses special category or "
            "criminal offence data"
        )
    if c.sch1 is not None and c.art9 is not None and not c.criminal_offence:
        allowed = SCH1_PARTS_FOR.get(c.art9)
        if allowed is None:
            errors["sch1_condition"] = f"{ART9_TITLES[c.art9]} needs no Schedule 1 condition"
        elif sch1_part(c.sch1) not in allowed:
            part = " or ".join(str(p) for p in sorted(allowed))
            errors["sch1_condition"] = (
                f"{ART9_TITLES[c.art9]} needs a condition from Schedule 1 Part {part}"
            )
    return errors


def needs_sch1(c: Conditions) -> bool:
    return c.criminal_offence or (c.special_category and (c.art9 is None or c.art9 in NEEDS_SCH1))


# Art 30(1) and the grounds, as the register names them: field -> what a reader is told.
REQUIRED_FIELDS: dict[str, str] = {
    "name": "Name of the activity",
    "controller_contact": "Controller's name and contact details",
    "dpo_contact": "Data protection officer's contact details",
    "purposes": "Purposes of the processing",
    "data_subjects": "Categories of data subjects",
    "data_categories": "Categories of personal data",
    "recipients": "Categories of recipients",
    "transfers": "Transfers to third countries and their safeguards",
    "erasure_limits": "Time limits for erasure",
    "security_measures": "General description of security measures",
    "lawful_basis": "Lawful basis (Art 6)",
    "owner": "Owner",
}


def missing(values: dict[str, object], c: Conditions) -> list[str]:
    """The required answers an entry lacks, as a reader names them. Erasure limits are
    answered by words or by record classes mapped to the activity (``values`` carries
    ``mapped_classes``)."""
    gaps = []
    for name, title in REQUIRED_FIELDS.items():
        value = values.get(name)
        if name == "erasure_limits" and values.get("mapped_classes"):
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            gaps.append(title)
    if c.special_category and c.art9 is None:
        gaps.append("Article 9 condition")
    if needs_sch1(c) and c.sch1 is None:
        gaps.append("Schedule 1 condition (DPA 2018)")
    return gaps


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(day.day, last))


def reviewed_recently(last_reviewed: date | None, as_of: date) -> bool:
    """Reviewed within REVIEW_MONTHS of ``as_of`` (a review dated after ``as_of`` does not
    count: the register as it stood then)."""
    if last_reviewed is None or last_reviewed > as_of:
        return False
    return add_months(last_reviewed, REVIEW_MONTHS) > as_of


def review_overdue(next_review: date | None, as_of: date) -> bool:
    """No review date set counts as overdue: nobody has said when to look again."""
    return next_review is None or next_review < as_of
