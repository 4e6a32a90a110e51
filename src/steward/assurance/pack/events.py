"""Audit tags of the evidence pack. Details carry the pack's id, its date and counts (files,
bytes, parts left out): never a file's contents."""

from enum import StrEnum


class PackEvent(StrEnum):
    BUILT = "assurance:evidence_pack:built"
    DOWNLOADED = "assurance:evidence_pack:downloaded"
