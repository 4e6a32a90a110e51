"""Every audit tag of every domain has a label, so the audit trail page never shows a code."""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum

import steward
from steward.core.audit import EventTag
from steward.core.event_labels import EVENT_LABELS, event_label, subject_label


def _tag_enums() -> list[type[StrEnum]]:
    """core's EventTag and each StrEnum in any ``events`` module (a domain's, or a part's
    such as ``steward.assurance.breaches.events``), found by walking the package: a domain or
    part added later is covered without editing this test."""
    found: list[type[StrEnum]] = [EventTag]
    modules = pkgutil.walk_packages(steward.__path__, prefix="steward.")
    for module in modules:
        if module.name.rsplit(".", 1)[-1] != "events":
            continue
        events = importlib.import_module(module.name)
        found += [
            value
            for value in vars(events).values()
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
        ]
    return found


def test_the_walk_finds_every_domains_tags() -> None:
    names = {enum.__name__ for enum in _tag_enums()}
    assert {"EventTag", "RecordsEvent", "IdentityEvent", "RetentionAudit", "ArchivesEvent"} <= names


def test_every_tag_has_a_label() -> None:
    missing = [tag.value for enum in _tag_enums() for tag in enum if tag.value not in EVENT_LABELS]
    assert missing == [], "add a label to core/event_labels.py for each of these"


def test_labels_are_distinct_words() -> None:
    labels = list(EVENT_LABELS.values())
    assert len(set(labels)) == len(labels)
    assert all(label[0].isupper() and ":" not in label for label in labels)


def test_an_unknown_tag_still_reads_as_words() -> None:
    assert event_label("records:case:viewed") == "Case read"
    assert event_label("future:thing:done") == "Future thing done"
    assert subject_label("disposal_list") == "Disposal list"
