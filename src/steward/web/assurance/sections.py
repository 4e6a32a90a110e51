"""The parts of assurance, in the order the sub-navigation shows them: one line per part, with
the permissions that open it (any one of them)."""

from __future__ import annotations

from dataclasses import dataclass

from steward.core.permissions import Actor, Permission


@dataclass(frozen=True)
class Section:
    href: str
    title: str
    summary: str
    permissions: tuple[Permission, ...]


SECTIONS: tuple[Section, ...] = ()


def sections_for(actor: Actor) -> list[Section]:
    return [s for s in SECTIONS if any(map(actor.can, s.permissions))]
