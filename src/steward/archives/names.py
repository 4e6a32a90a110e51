"""Names written on a paper file: parsing the inventory's notation and building match keys.

Pure. The keys come from ``steward.identity.normalise``, the same functions identity search
uses, so a name on paper and a name typed into a search are reduced the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from steward.identity.normalise import name_tokens, normalise_name, phonetic_key
from steward.records.models import PartyRole

MAX_NAME_CHARS = 200
MAX_NAMES_PER_FILE = 50
# "Jane Smith née Brown", "Jane Smith formerly Jane Brown": the words that introduce a
# previous name written beside the current one.
_PREVIOUS_MARKERS = re.compile(
    r"\s+(?:n[ée]e|formerly(?:\s+known\s+as)?|previously|born|also\s+known\s+as|aka)\s+",
    re.IGNORECASE,
)
_ENTRY = re.compile(r"^(?P<name>[^()]*?)\s*(?:\((?P<details>[^()]*)\))?\s*\Z")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_ROLES = {role.value for role in PartyRole}


@dataclass(frozen=True)
class WrittenName:
    name: str
    date_of_birth: date | None
    role: str | None


@dataclass(frozen=True)
class NameKeys:
    normalised: str
    forename: str | None
    forename_phonetic: str | None
    surname: str | None
    surname_phonetic: str | None
    other_surname: str | None
    other_surname_phonetic: str | None


class NameNotationError(ValueError):
    """The names column is not in the documented notation. The message quotes no name."""


def parse_names(text: str) -> list[WrittenName]:
    """``Name (YYYY-MM-DD); Name (YYYY-MM-DD, role); Name`` -> the names, in order."""
    entries = [e.strip() for e in text.split(";")]
    names = [_parse_entry(entry, n) for n, entry in enumerate(entries, start=1) if entry]
    if len(names) > MAX_NAMES_PER_FILE:
        raise NameNotationError(f"at most {MAX_NAMES_PER_FILE} names may be given for one file")
    return names


def _parse_entry(entry: str, position: int) -> WrittenName:
    match = _ENTRY.match(entry)
    if match is None:
        raise NameNotationError(
            f"name {position}: brackets hold the date of birth and role, "
            "like Name (2011-03-02, child_subject)"
        )
    name = " ".join(match.group("name").split())
    if not normalise_name(name):
        raise NameNotationError(f"name {position}: there is no name before the brackets")
    if len(name) > MAX_NAME_CHARS:
        raise NameNotationError(f"name {position}: longer than {MAX_NAME_CHARS} characters")
    dob, role = _details(match.group("details"), position)
    return WrittenName(name=name, date_of_birth=dob, role=role)


def _details(details: str | None, position: int) -> tuple[date | None, str | None]:
    dob: date | None = None
    role: str | None = None
    for part in (p.strip() for p in (details or "").split(",")):
        if not part:
            continue
        if _ISO_DATE.match(part):
            try:
                dob = date.fromisoformat(part)
            except ValueError:
                raise NameNotationError(
                    f"name {position}: the date of birth is not a real date"
                ) from None
        elif part.lower() in _ROLES:
            role = part.lower()
        else:
            raise NameNotationError(
                f"name {position}: in brackets, give a date of birth as YYYY-MM-DD and/or "
                f"a role ({', '.join(sorted(_ROLES))})"
            )
    return dob, role


def split_previous(name: str) -> tuple[str, str | None]:
    """("Jane Smith née Brown") -> ("Jane Smith", "Brown")."""
    parts = _PREVIOUS_MARKERS.split(name, maxsplit=1)
    if len(parts) == 1:
        return name, None
    return parts[0], parts[1]


def keys_for(name: str) -> NameKeys:
    current, previous = split_previous(name)
    tokens = name_tokens(current)
    other = name_tokens(previous) if previous else []
    forename = tokens[0] if len(tokens) > 1 else None
    surname = tokens[-1] if tokens else None
    other_surname = other[-1] if other else None
    return NameKeys(
        normalised=normalise_name(name)[:MAX_NAME_CHARS],
        forename=forename,
        forename_phonetic=phonetic_key(forename)[:32] if forename else None,
        surname=surname,
        surname_phonetic=phonetic_key(surname)[:32] if surname else None,
        other_surname=other_surname,
        other_surname_phonetic=phonetic_key(other_surname)[:32] if other_surname else None,
    )


def format_names(names: list[WrittenName]) -> str:
    """The inverse of ``parse_names``, for exports."""
    out = []
    for n in names:
        details = ", ".join(
            x for x in (n.date_of_birth.isoformat() if n.date_of_birth else None, n.role) if x
        )
        out.append(f"{n.name} ({details})" if details else n.name)
    return "; ".join(out)
