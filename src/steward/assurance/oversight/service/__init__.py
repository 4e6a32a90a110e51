"""Oversight of access: the access history, break-glass review and the access review."""

from steward.assurance.oversight.service.access_review import (
    AccessReviewSummary,
    access_review_summary,
)
from steward.assurance.oversight.service.break_glass import (
    BreakGlassSummary,
    break_glass_summary,
)

__all__ = [
    "AccessReviewSummary",
    "BreakGlassSummary",
    "access_review_summary",
    "break_glass_summary",
]
