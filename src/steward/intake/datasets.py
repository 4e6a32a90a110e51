"""The data sets partners send, each a versioned schema kept in the repo
(``intake/datasets/<name>.v<version>.yaml``, documented in docs/intake.md).

A schema is data, not code, so the organisation can read what it asks of a partner, and a
new version sits beside the old: a submission names the version it was checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from steward.core.errors import NotFound

_FOLDER = Path(__file__).parent / "datasets"
_FILE_NAME = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>[0-9]+)\.yaml$")


class FieldType(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    CASE_NUMBER = "case_number"
    NHS_NUMBER = "nhs_number"
    NI_NUMBER = "ni_number"
    POSTCODE = "postcode"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    past_only: bool = False  # a date that cannot be after the day it is received
    # The partner's opinion, not a fact: recorded apart from the facts and labelled as such.
    opinion: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    version: int
    title: str
    description: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _load(path: Path) -> Dataset:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = tuple(
        Field(
            name=f["name"],
            label=f["label"],
            type=FieldType(f["type"]),
            required=bool(f.get("required", False)),
            max_length=f.get("max_length"),
            choices=tuple(f.get("choices", ())),
            past_only=bool(f.get("past_only", False)),
            opinion=bool(f.get("opinion", False)),
        )
        for f in raw["fields"]
    )
    return Dataset(
        name=raw["name"],
        version=int(raw["version"]),
        title=raw["title"],
        description=" ".join(str(raw["description"]).split()),
        fields=fields,
    )


@cache
def all_versions() -> dict[tuple[str, int], Dataset]:
    found: dict[tuple[str, int], Dataset] = {}
    for path in sorted(_FOLDER.glob("*.yaml")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: a data set file is named <name>.v<version>.yaml")
        dataset = _load(path)
        if (dataset.name, dataset.version) != (match["name"], int(match["version"])):
            raise ValueError(f"{path.name}: its name and version differ from the file name's")
        found[(dataset.name, dataset.version)] = dataset
    return found


def latest() -> dict[str, Dataset]:
    """Each data set's newest version: what a new submission is checked against."""
    newest: dict[str, Dataset] = {}
    for (name, version), dataset in sorted(all_versions().items()):
        if name not in newest or version > newest[name].version:
            newest[name] = dataset
    return newest


def get(name: str, version: int | None = None) -> Dataset:
    dataset = latest().get(name) if version is None else all_versions().get((name, version))
    if dataset is None:
        raise NotFound(f"There is no data set called {name!r}.")
    return dataset


def names() -> list[str]:
    return sorted(latest())
