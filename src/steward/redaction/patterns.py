"""Personal data that has a structure: NHS and National Insurance numbers, postcodes, UK phone
numbers, emails and dates of birth written in prose.

Findings here belong to nobody yet (role UNKNOWN, party None, not redacted): the case matcher
attributes them to a party, and the policy decides. Near-misses are not matched at all: case
numbers (FD24P00123), hearing dates (no date-of-birth words near them), "NHS" or "GP" alone.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.gb import nhs

from steward.redaction.spans import Finding, Label, Role, Source

_SEP = r"[\s-]?"

# Ten digits as 3-3-4 or run together, not part of a longer number or a case number.
_NHS = re.compile(rf"(?<![\w+/.])[1-9]\d\d{_SEP}\d{{3}}{_SEP}\d{{4}}(?![\w/]|[.,]\d)")

# Format AB 12 34 56 C. Which prefixes are never issued is checked after the match.
_NINO = re.compile(r"(?<![\w])([A-Z]{2})\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-Z])(?!\w)")
_NINO_BAD_LETTERS = frozenset("DFIQUV")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

POSTCODE = re.compile(
    r"(?<![\w])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})(?!\w)"
)

# A UK number: +44 (optionally "(0)") or a leading 0, then digit groups; the count of digits
# is checked after the match (9 or 10 after the 0).
_PHONE = re.compile(
    r"(?<![\w+/.])"
    r"(?:\+44\s?(?:\(0\)\s?)?\(?|\(0|0)"
    r"\d{1,4}\)?"
    r"(?:[\s-]?\d{2,4}){1,3}"
    r"(?![\w/]|[.,]\d)"
)

# A street address the case may not know: a house number, capitalised words and a street
# word ("12 Oak Road"), carried on through a district and town to a postcode when one follows.
_STREET = (
    r"Road|Street|Lane|Avenue|Close|Drive|Grove|Crescent|Terrace|Mount|Way|Place|Court|Gardens"
    r"|Walk|Row|Hill|View|Square|Rise|Parade|Mews|Vale|Fold|Croft|Green|Park|Rd|St|Ave|Ln"
)
_CAP = r"[A-ZÀ-Þ][\w'\u2019-]*"
_ADDRESS = re.compile(
    rf"(?<![\w,])(?:(?:Flat|Apartment|Unit)\s+\d+[A-Z]?,?\s+)?\d{{1,4}}[A-Z]?,?\s+"
    rf"(?:{_CAP}\s+){{1,3}}(?:{_STREET})\b\.?"
)
_ADDRESS_TAIL = re.compile(
    rf"(?:(?:[ \t]*,\s*|\s+){_CAP}(?:[ \t]+{_CAP}){{0,2}}){{0,3}}(?:[ \t]*,\s*|\s+)"
    rf"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{{2}})(?!\w)"
)

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS = [m.lower() for m in MONTH_NAMES]
_MONTH_NUMBER = (
    {m: i + 1 for i, m in enumerate(_MONTHS)}
    | {m[:3]: i + 1 for i, m in enumerate(_MONTHS)}
    | {"sept": 9}
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_DAY}(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}"  # 3 April 2019, 3rd of April 2019
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}"  # April 3, 2019
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))"  # 03/04/2019, 3.4.19
)
DATE = re.compile(rf"(?<![\w/.]){_DATE}(?![\w/]|[.]\d)", re.IGNORECASE)
# The date is a date of birth only when these words lead up to it ("born on", "DOB:").
_DOB = re.compile(
    r"(?:\bborn|\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth|\bbirthday)"
    r"(?:\s+(?:is|was|on|of|in|the|as|given|recorded|written))*\s*[:\-\u2013]?\s*"
    rf"(?:\(?\s*)({_DATE})(?![\w/]|[.]\d)",
    re.IGNORECASE,
)


def nhs_valid(digits: str) -> bool:
    """A ten-digit NHS number whose mod-11 check digit is right."""
    return len(digits) == 10 and bool(nhs.is_valid(digits))


def nino_valid(value: str) -> bool:
    """A National Insurance number in a form HMRC issues (format, prefix and suffix)."""
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    first, second = compact[0], compact[1]
    if first in _NINO_BAD_LETTERS or second in _NINO_BAD_LETTERS or second == "O":
        return False
    return compact[:2] not in _NINO_BAD_PREFIXES


def phone_key(value: str) -> str | None:
    """The national significant number of a UK phone number written any usual way, or None."""
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    if value.lstrip().startswith("+"):
        if not digits.startswith("44"):
            return None
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return None
    if len(digits) not in (9, 10) or digits[0] not in "123578":
        return None
    return digits


def parse_date(text: str) -> date | None:
    """A date written as the date patterns above accept it, day first (British)."""
    text = text.strip().lower().replace(",", " ")
    numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text)
    try:
        if numeric:
            day, month, year = (int(g) for g in numeric.groups())
            if year < 100:
                year += 2000 if year <= date.today().year % 100 else 1900
            return date(year, month, day)
        words = re.findall(r"[a-z]+|\d+", re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text))
        words = [w for w in words if w != "of"]
        if len(words) != 3:
            return None
        if words[0].isdigit():
            day_s, month_s, year_s = words
        else:
            month_s, day_s, year_s = words
        month_or_none = _MONTH_NUMBER.get(
            month_s[:4] if month_s.startswith("sept") else month_s[:3]
        )
        if month_or_none is None:
            return None
        return date(int(year_s), month_or_none, int(day_s))
    except ValueError:
        return None


def _finding(start: int, end: int, label: Label) -> Finding:
    return Finding(start, end, label, Role.UNKNOWN, None, False, None, "", Source.PATTERN)


def find_patterns(text: str) -> list[Finding]:
    """Every structured personal datum in `text`, sorted by start; nobody's yet."""
    found: list[Finding] = []
    for m in _NHS.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        label = Label.NHS_NUMBER if nhs_valid(digits) else Label.IDENTIFIER
        found.append(_finding(m.start(), m.end(), label))
    for m in _NINO.finditer(text):
        if m.group(5) not in "ABCD":
            continue  # not NI-shaped: the suffix is always A to D
        label = Label.NI_NUMBER if nino_valid(m.group()) else Label.IDENTIFIER
        found.append(_finding(m.start(), m.end(), label))
    for m in POSTCODE.finditer(text):
        found.append(_finding(m.start(), m.end(), Label.POSTCODE))
    for m in _PHONE.finditer(text):
        start, end = _trim_phone(text, m.start(), m.end())
        if end > start:
            found.append(_finding(start, end, Label.PHONE))
    for m in _ADDRESS.finditer(text):
        tail = _ADDRESS_TAIL.match(text, m.end())
        end = tail.end() if tail else m.end()
        found.append(_finding(m.start(), end, Label.ADDRESS))
    for m in _EMAIL.finditer(text):
        found.append(_finding(m.start(), m.end(), Label.EMAIL))
    for m in _DOB.finditer(text):
        if parse_date(m.group(1)) is not None:
            found.append(_finding(m.start(1), m.end(1), Label.DATE_OF_BIRTH))
    found.sort(key=lambda f: (f.start, -f.end))
    return _drop_contained(found)


def _drop_contained(found: list[Finding]) -> list[Finding]:
    """Drop a hit inside a longer one ("113 496 0123" inside "+44 (0)113 496 0123")."""
    kept: list[Finding] = []
    for f in found:
        if kept and f.start >= kept[-1].start and f.end <= kept[-1].end:
            continue
        kept.append(f)
    return kept


def _trim_phone(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop trailing digit groups until the number has a UK length ("0113 496 0123 2019"
    is a phone number then a year); (start, start) when no prefix of it is a phone number."""
    while end > start:
        if phone_key(text[start:end]) is not None:
            return start, end
        cut = max(text.rfind(ch, start, end) for ch in " -\n\t\u00a0")
        if cut <= start:
            break
        end = cut
        while end > start and text[end - 1] in " -\n\t\u00a0":
            end -= 1
    return start, start
