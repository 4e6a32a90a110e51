"""The record of processing's use-cases: activities, the class mapping, assets, exports and the
dashboard's summary. Reading needs assurance:view; changing, assurance:manage (the DPO)."""

from steward.assurance.processing.service import activities, assets, exports, mapping, summary
from steward.assurance.processing.service.summary import RegisterSummary, register_summary

__all__ = [
    "RegisterSummary",
    "activities",
    "assets",
    "exports",
    "mapping",
    "register_summary",
    "summary",
]
