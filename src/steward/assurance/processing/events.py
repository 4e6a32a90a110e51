"""Audit tags of the record of processing and the asset register. Details carry ids, codes,
field names and counts: the register's own words stay in its version history."""

from enum import StrEnum


class ProcessingEvent(StrEnum):
    ACTIVITY_CREATED = "assurance:processing:activity_created"
    ACTIVITY_CHANGED = "assurance:processing:activity_changed"
    ACTIVITY_REVIEWED = "assurance:processing:activity_reviewed"
    CLASS_MAPPED = "assurance:processing:class_mapped"
    CLASS_UNMAPPED = "assurance:processing:class_unmapped"
    ASSET_CREATED = "assurance:processing:asset_created"
    ASSET_CHANGED = "assurance:processing:asset_changed"
    REGISTER_EXPORTED = "assurance:processing:register_exported"
