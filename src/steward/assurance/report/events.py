"""Audit tag of the board report. Details carry the date reported on and counts only."""

from enum import StrEnum


class ReportEvent(StrEnum):
    PRODUCED = "assurance:board_report:produced"
