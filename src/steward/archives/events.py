"""Audit tags of the archives domain. Details carry ids, counts and tags only."""

from enum import StrEnum


class ArchivesEvent(StrEnum):
    LOCATION_CREATED = "archives:location:created"
    BOX_CREATED = "archives:box:created"
    BOX_MOVED = "archives:box:moved"
    BOX_UPDATED = "archives:box:updated"
    BOX_DESTROYED = "archives:box:destroyed"
    FILE_ADDED = "archives:file:added"
    FILE_UPDATED = "archives:file:updated"
    FILE_VIEWED = "archives:file:viewed"
    FILE_MARKED = "archives:file:marked_for_destruction"
    FILE_DESTROYED = "archives:file:destroyed"
    RETRIEVAL_REQUESTED = "archives:retrieval:requested"
    RETRIEVAL_OUT = "archives:retrieval:out"
    RETRIEVAL_RETURNED = "archives:retrieval:returned"
    RETRIEVAL_CANCELLED = "archives:retrieval:cancelled"
    IMPORT_RUN = "archives:import:run"
    CERTIFICATE_RECONCILED = "archives:certificate:reconciled"
    SEARCH_RUN = "archives:search:run"
    INVENTORY_EXPORTED = "archives:inventory:exported"
    NAMES_LINKED = "archives:names:linked"
    NOTES_SEALED = "archives:notes:sealed"
