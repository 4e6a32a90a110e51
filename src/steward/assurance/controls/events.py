"""Audit tags of the control catalogue and the measures. Details carry measure keys, versions
and counts: never a name from a drill-down."""

from enum import StrEnum


class ControlsEvent(StrEnum):
    DASHBOARD_VIEWED = "assurance:dashboard:viewed"
    MEASURE_VIEWED = "assurance:measure:viewed"
    MEASURE_EXPORTED = "assurance:measure:exported"
    CATALOGUE_PUBLISHED = "assurance:catalogue:published"
    THRESHOLD_SET = "assurance:threshold:set"
