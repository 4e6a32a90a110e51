"""Audit tags of the breach register. Details carry ids, codes and counts only: never what
happened, nor a reason typed by a person (those are sealed on the breach)."""

from enum import StrEnum


class BreachEvent(StrEnum):
    REPORTED = "breach:reported"
    ASSESSED = "breach:assessed"
    ICO_DECIDED = "breach:ico:decided"
    PEOPLE_DECIDED = "breach:people:decided"
    LINKED = "breach:linked"
    CLOSED = "breach:closed"
    VIEWED = "breach:viewed"
    REGISTER_READ = "breach:register:read"
    REGISTER_EXPORTED = "breach:register:exported"
