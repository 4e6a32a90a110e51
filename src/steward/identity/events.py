"""Audit tags of the identity domain (ids and counts only: never the names searched for)."""

from enum import StrEnum


class IdentityEvent(StrEnum):
    PEOPLE_IMPORTED = "identity:people:imported"
    PEOPLE_REINDEXED = "identity:people:reindexed"
    MODEL_TRAINED = "identity:model:trained"
    SEARCH_RUN = "identity:search:run"
    DUPLICATES_LISTED = "identity:duplicates:listed"
    DUPLICATES_CHECKED = "identity:duplicates:checked"
    PAIR_NOT_SAME = "identity:pair:not_same"
    PERSON_MERGED = "identity:person:merged"
    PERSON_UNMERGED = "identity:person:unmerged"
