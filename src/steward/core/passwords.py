"""The password rules: length, and not a common or breached password (a list shipped with the
product, checked offline) nor a trivial variant of one (case, spacing, l33t spelling, digits
or symbols tacked on, repetition)."""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib.resources import files

from steward.core.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\s._\-]+")


@cache
def common_passwords() -> frozenset[str]:
    data = files("steward.core").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def _variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    joined = _SEPARATORS.sub("", lowered)
    forms = {lowered, joined, joined.translate(_LEET)}
    forms |= {_EDGES.sub("", form) for form in set(forms)}
    for form in set(forms):
        # "passwordpassword", "abcabcabcabc": one listed word said again.
        for size in range(1, len(form) // 2 + 1):
            if len(form) % size == 0 and form[:size] * (len(form) // size) == form:
                forms.add(form[:size])
                break
    return {form for form in forms if form}


def is_common(password: str) -> bool:
    listed = common_passwords()
    return any(form in listed for form in _variants(password))


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long.",
            errors={"password": f"Use at least {MIN_PASSWORD_LENGTH} characters"},
        )
    if is_common(password):
        raise ValidationFailed(
            "That password is too common: it is on a list of passwords seen in breaches, or "
            "close to one. Choose a longer phrase of unrelated words.",
            errors={"password": "Choose a password that is not common"},
        )
