"""The control catalogue as data: read from YAML, checked, and refused with a message a person
can act on (which expectation, which field, what to write instead). Pure: text in, a
Catalogue out; the database keeps the versions (service.py)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from steward.assurance.areas import Area
from steward.core.errors import ValidationFailed

ATTESTATION = "attestation"
MAX_BYTES = 256_000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_ARTICLE = re.compile(r"^[0-9]{1,2}[A-Za-z0-9()\-]{0,20}$")


@dataclass(frozen=True)
class Expectation:
    id: str
    meaning: str
    articles: tuple[str, ...]
    area: Area
    measure: str | None  # None: evidenced by a person's attestation

    @property
    def evidence(self) -> str:
        return self.measure or ATTESTATION


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class Catalogue:
    title: str
    categories: tuple[Category, ...]

    @property
    def expectations(self) -> list[Expectation]:
        return [e for c in self.categories for e in c.expectations]

    def measured(self) -> list[Expectation]:
        return [e for e in self.expectations if e.measure]


def shipped_text() -> str:
    return (resources.files(__package__) / "catalogue.yaml").read_text(encoding="utf-8")


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={"catalogue": message})


def parse(text: str, known_measures: Collection[str]) -> Catalogue:
    """The catalogue ``text`` holds; refused whole at the first fault found."""
    if len(text.encode()) > MAX_BYTES:
        raise _refuse(f"The catalogue is too long: at most {MAX_BYTES // 1000} KB.")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" near line {where.line + 1}" if where is not None else ""
        raise _refuse(f"The catalogue is not valid YAML{line}.") from None
    if not isinstance(data, dict):
        raise _refuse("The catalogue must be a mapping with a title and categories.")
    title = _text(data.get("title"), "The catalogue's title")
    raw = data.get("categories")
    if not isinstance(raw, list) or not raw:
        raise _refuse("The catalogue must list at least one category under 'categories'.")
    seen: set[str] = set()
    categories = []
    for number, item in enumerate(raw, start=1):
        categories.append(_category(item, number, seen, known_measures))
    return Catalogue(title, tuple(categories))


def _category(item: Any, number: int, seen: set[str], known_measures: Collection[str]) -> Category:
    if not isinstance(item, dict):
        raise _refuse(f"Category {number} must be a mapping with an id, title and expectations.")
    cid = _identifier(item.get("id"), f"Category {number}'s id")
    title = _text(item.get("title"), f"Category {cid}'s title")
    raw = item.get("expectations")
    if not isinstance(raw, list) or not raw:
        raise _refuse(f"Category {cid} must list at least one expectation.")
    return Category(
        cid,
        title,
        tuple(_expectation(e, cid, n, seen, known_measures) for n, e in enumerate(raw, 1)),
    )


def _expectation(
    item: Any, cid: str, number: int, seen: set[str], known_measures: Collection[str]
) -> Expectation:
    if not isinstance(item, dict):
        raise _refuse(f"Expectation {number} of category {cid} must be a mapping.")
    eid = _identifier(item.get("id"), f"Expectation {number} of category {cid}'s id")
    if eid in seen:
        raise _refuse(f"Expectation id {eid} is used twice: give each expectation its own id.")
    seen.add(eid)
    meaning = _text(item.get("meaning"), f"Expectation {eid}'s meaning")
    articles = item.get("articles")
    if (
        not isinstance(articles, list)
        or not articles
        or not all(isinstance(a, str | int) and _ARTICLE.match(str(a)) for a in articles)
    ):
        raise _refuse(
            f'Expectation {eid} must list the UK GDPR articles it serves, such as ["5(2)", "30"].'
        )
    try:
        area = Area(str(item.get("area")))
    except ValueError:
        raise _refuse(
            f"Expectation {eid} names an unknown area {str(item.get('area'))[:40]!r}: use one of "
            + ", ".join(a.value for a in Area)
            + "."
        ) from None
    measure, evidence = item.get("measure"), item.get("evidence")
    if (measure is None) == (evidence is None):
        raise _refuse(
            f"Expectation {eid} needs either a measure key or 'evidence: attestation' "
            "(one, not both)."
        )
    if evidence is not None and evidence != ATTESTATION:
        raise _refuse(f"Expectation {eid}: evidence can only be 'attestation'.")
    if measure is not None and str(measure) not in known_measures:
        raise _refuse(
            f"Expectation {eid} names an unknown measure key {str(measure)[:40]!r}: "
            "use one listed on the catalogue page."
        )
    return Expectation(
        eid,
        meaning,
        tuple(str(a) for a in articles),
        area,
        None if measure is None else str(measure),
    )


def _text(value: Any, what: str, limit: int = 500) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"{what} is missing: write it as text.")
    if len(value) > limit:
        raise _refuse(f"{what} is too long: at most {limit} characters.")
    return value.strip()


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _refuse(f"{what} must be letters, digits, dots, dashes or underscores (at most 32).")
    return value
