"""The ICO's audit areas and its four-point assurance scale (DOMAIN.md §6): the words every part
of assurance shares, so a measure, a self-assessment and an audit's rating name an area alike.

The rating is always a person's choice; Steward shows evidence beside it and never picks it."""

from __future__ import annotations

from enum import StrEnum


class Area(StrEnum):
    GOVERNANCE = "governance"
    RECORDS_MANAGEMENT = "records_management"
    REQUESTS = "requests"
    SECURITY = "security"
    TRAINING = "training"
    DATA_SHARING = "data_sharing"
    BREACHES = "breaches"

    @property
    def label(self) -> str:
        return AREA_TITLES[self]


AREA_TITLES: dict[Area, str] = {
    Area.GOVERNANCE: "Governance and accountability",
    Area.RECORDS_MANAGEMENT: "Records management",
    Area.REQUESTS: "Requests for personal data",
    Area.SECURITY: "Security of personal data",
    Area.TRAINING: "Training and awareness",
    Area.DATA_SHARING: "Data sharing",
    Area.BREACHES: "Breach management",
}


class Rating(StrEnum):
    """The ICO's four-point scale, best first."""

    HIGH = "high"
    REASONABLE = "reasonable"
    LIMITED = "limited"
    VERY_LIMITED = "very_limited"

    @property
    def label(self) -> str:
        return RATING_TITLES[self]


RATING_TITLES: dict[Rating, str] = {
    Rating.HIGH: "High assurance",
    Rating.REASONABLE: "Reasonable assurance",
    Rating.LIMITED: "Limited assurance",
    Rating.VERY_LIMITED: "Very limited assurance",
}
