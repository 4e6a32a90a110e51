"""The retention schedule's YAML format: parsed and checked in full, every problem named by
where it is in the file, before anything is stored. See docs/retention.md for the format."""

from __future__ import annotations

import re
from enum import StrEnum
from importlib import resources
from typing import Any, TypeVar

import yaml

from steward.core.errors import ValidationFailed
from steward.records.models import PartyRole
from steward.retention.policy import (
    Action,
    Combined,
    EventTrigger,
    Part,
    Period,
    PersonDate,
    PersonTrigger,
    Pick,
    RecordDate,
    RecordTrigger,
    Rounding,
    Rule,
    Schedule,
    Trigger,
    person_triggers,
)

MAX_YEARS = 200
MAX_BYTES = 1_000_000
# A real schedule nests about eight levels and has a few hundred nodes; these bounds leave
# room to grow while keeping a hostile file's cost to one pass over at most 1 MB of events.
MAX_DEPTH = 32
MAX_NODES = 100_000
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*\Z")
_EVENT = re.compile(r"^[a-z][a-z0-9_]{1,63}\Z")
_ROLES = [r.value for r in PartyRole]
E = TypeVar("E", bound=StrEnum)


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, message)


def default_schedule_text() -> str:
    return resources.files("steward.retention").joinpath("default_schedule.yaml").read_text()


def parse(text: str) -> Schedule:
    """The schedule in ``text``, or ValidationFailed listing every problem found."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationFailed("The schedule file is larger than 1 MB.", errors={"file": "too big"})
    try:
        _refuse_hostile_structure(text)
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        raise ValidationFailed(
            f"The schedule is not valid YAML ({where}).", errors={where: "not valid YAML"}
        ) from exc
    problems = _Problems()
    schedule = _schedule(document, problems)
    if problems.errors or schedule is None:
        count = len(problems.errors)
        raise ValidationFailed(
            f"The schedule has {count} problem{'s' if count != 1 else ''}; nothing was loaded.",
            errors=problems.errors,
        )
    return schedule


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_hostile_structure(text: str) -> None:
    """Refuse anchors, aliases, tags and deep or huge nesting from the event stream, before
    any node is built: a self-referring alias recurses without end when composed, and a few
    kilobytes of aliases can fan out to 10^8 nodes. A schedule never needs any of them."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        where = f"line {mark.line + 1}" if mark is not None else "file"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            _refuse(where, "anchors (&) and aliases (*) are not allowed; write the value out")
        if getattr(event, "tag", None) is not None:
            _refuse(where, "tags (!) are not allowed; write the value as plain text")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                _refuse(where, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                _refuse(where, f"more than {MAX_NODES:,} values")


def _refuse(where: str, problem: str) -> None:
    raise ValidationFailed(
        f"The schedule cannot be loaded ({where}: {problem}); nothing was loaded.",
        errors={where: problem},
    )


def _schedule(document: Any, problems: _Problems) -> Schedule | None:
    if not isinstance(document, dict):
        problems.add("file", "must be a mapping with title, owner and rules")
        return None
    _unknown(document, {"title", "owner", "classes", "rules"}, "", problems)
    title = _text(document.get("title"), "title", problems)
    owner = _text(document.get("owner"), "owner", problems)
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.add("rules", "give a list of rules, one per record class")
        raw_rules = []
    rules = [_rule(raw, f"rules[{i}]", problems) for i, raw in enumerate(raw_rules)]
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule is not None and rule.class_code in seen:
            problems.add(f"rules[{i}].class", f"{rule.class_code} has more than one rule")
        if rule is not None:
            seen.add(rule.class_code)
    classes = _classes(document.get("classes") or [], problems)
    return Schedule(
        title=title, owner=owner, rules=tuple(r for r in rules if r), new_classes=classes
    )


def _classes(raw: Any, problems: _Problems) -> tuple[tuple[str, str, str | None], ...]:
    if not isinstance(raw, list):
        problems.add("classes", "give a list of {code, name, parent}")
        return ()
    found = []
    for i, item in enumerate(raw):
        where = f"classes[{i}]"
        if not isinstance(item, dict):
            problems.add(where, "give code, name and (optionally) parent")
            continue
        _unknown(item, {"code", "name", "parent"}, where, problems)
        code = _code(item.get("code"), f"{where}.code", problems)
        name = _text(item.get("name"), f"{where}.name", problems)
        parent = item.get("parent")
        if parent is not None:
            parent = _code(parent, f"{where}.parent", problems)
        found.append((code, name, parent))
    return tuple(found)


def _rule(raw: Any, where: str, problems: _Problems) -> Rule | None:
    if not isinstance(raw, dict):
        problems.add(where, "each rule is a mapping (class, authority, citation, trigger, ...)")
        return None
    allowed = {"class", "authority", "citation", "description", "trigger", "period"}
    _unknown(raw, allowed | {"rounding", "action"}, where, problems)
    code = _code(raw.get("class"), f"{where}.class", problems)
    authority = _text(raw.get("authority"), f"{where}.authority", problems)
    citation = _text(raw.get("citation"), f"{where}.citation", problems)
    description = raw.get("description") or ""
    if not isinstance(description, str) or len(description) > 300:
        problems.add(f"{where}.description", "a sentence of at most 300 characters")
        description = ""
    action = _choice(raw.get("action"), Action, f"{where}.action", problems)
    rounding = _choice(raw.get("rounding", "none"), Rounding, f"{where}.rounding", problems)
    permanent = action is Action.KEEP_PERMANENTLY
    if permanent and raw.get("trigger") is None:
        trigger: Trigger | None = RecordTrigger(RecordDate.CREATED)
    else:
        trigger = _trigger(raw.get("trigger"), f"{where}.trigger", problems)
    period = _period(raw.get("period", {} if permanent else None), f"{where}.period", problems)
    if action is None or rounding is None or trigger is None or period is None:
        return None
    return Rule(code, authority, citation, trigger, period, rounding, action, description.strip())


def _trigger(raw: Any, where: str, problems: _Problems) -> Trigger | None:
    kinds = ("record", "person", "event", "latest_of", "earliest_of")
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in kinds:
        problems.add(where, "give exactly one of: " + ", ".join(kinds))
        return None
    kind, value = next(iter(raw.items()))
    if kind == "record":
        date_kind = _choice(value, RecordDate, f"{where}.record", problems)
        return RecordTrigger(date_kind) if date_kind else None
    if kind == "event":
        if not isinstance(value, str) or not _EVENT.match(value):
            problems.add(f"{where}.event", "an event name in lower case, e.g. adoption_order")
            return None
        return EventTrigger(value)
    if kind == "person":
        return _person(value, f"{where}.person", problems)
    return _combined(Pick.LATEST if kind == "latest_of" else Pick.EARLIEST, value, where, problems)


def _person(raw: Any, where: str, problems: _Problems) -> PersonTrigger | None:
    if not isinstance(raw, dict):
        problems.add(where, "give date (birth or death), role and pick (latest or earliest)")
        return None
    _unknown(raw, {"date", "role", "pick", "died_under"}, where, problems)
    date_kind = _choice(raw.get("date"), PersonDate, f"{where}.date", problems)
    pick = _choice(raw.get("pick", "latest"), Pick, f"{where}.pick", problems)
    roles = raw.get("role")
    roles = [roles] if isinstance(roles, str) else roles
    if not isinstance(roles, list) or not roles or any(r not in _ROLES for r in roles):
        problems.add(f"{where}.role", "one or more party roles: " + ", ".join(_ROLES))
        return None
    died_under = raw.get("died_under")
    if died_under is not None and (
        not isinstance(died_under, int) or isinstance(died_under, bool) or not 0 < died_under < 150
    ):
        problems.add(f"{where}.died_under", "an age in whole years, e.g. 18")
        return None
    if died_under is not None and date_kind is PersonDate.BIRTH:
        problems.add(f"{where}.died_under", "applies to death dates only")
        return None
    if date_kind is None or pick is None:
        return None
    return PersonTrigger(date_kind, tuple(roles), pick, died_under)


def _combined(pick: Pick, raw: Any, where: str, problems: _Problems) -> Combined | None:
    label = f"{where}.{pick.value}_of"
    if not isinstance(raw, list) or len(raw) < 2:
        problems.add(label, "give two or more parts, each {trigger: ..., after: {years: N}}")
        return None
    parts = []
    for i, item in enumerate(raw):
        at = f"{label}[{i}]"
        if not isinstance(item, dict) or "trigger" not in item:
            problems.add(at, "each part is {trigger: ..., after: {years: N}}")
            continue
        _unknown(item, {"trigger", "after"}, at, problems)
        trigger = _trigger(item["trigger"], f"{at}.trigger", problems)
        after = _period(item.get("after", {}), f"{at}.after", problems)
        if trigger is not None and after is not None:
            parts.append(Part(trigger, after))
    if len(parts) != len(raw):
        return None
    combined = Combined(pick, tuple(parts))
    if len({frozenset(t.roles) for t in person_triggers(combined)}) > 1:
        # Worked out per person (DOMAIN.md section 2): every person part must be about the
        # same people, or one person's part would have no one to read.
        problems.add(label, "the persons' dates combined in one rule must name the same roles")
        return None
    return combined


def _period(raw: Any, where: str, problems: _Problems) -> Period | None:
    if not isinstance(raw, dict):
        problems.add(where, "give years and/or months, e.g. {years: 25}")
        return None
    _unknown(raw, {"years", "months"}, where, problems)
    years, months = raw.get("years", 0), raw.get("months", 0)
    for name, value, limit in (("years", years, MAX_YEARS), ("months", months, 11)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
            problems.add(f"{where}.{name}", f"a whole number from 0 to {limit}")
            return None
    return Period(years, months)


def _choice(raw: Any, enum: type[E], where: str, problems: _Problems) -> E | None:
    try:
        return enum(raw)
    except ValueError:
        problems.add(where, "one of: " + ", ".join(e.value for e in enum))
        return None


def _code(raw: Any, where: str, problems: _Problems) -> str:
    if not isinstance(raw, str) or not _CODE.match(raw):
        problems.add(where, "a file-plan code such as CASE.PRIVATE")
        return ""
    return raw


def _text(raw: Any, where: str, problems: _Problems) -> str:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 300:
        problems.add(where, "required: text of at most 300 characters")
        return ""
    return raw.strip()


def _unknown(raw: dict[str, Any], allowed: set[str], where: str, problems: _Problems) -> None:
    for key in raw:
        if key not in allowed:
            at = f"{where}.{key}" if where else str(key)
            problems.add(at, "unknown field; allowed: " + ", ".join(sorted(allowed)))
