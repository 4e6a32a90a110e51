"""What the detector finds, and how overlapping findings resolve into spans to redact.

A Finding is everything the detector saw, kept or redacted, so a reviewer can read why;
a Span is only what is to be redacted, the form the CLI prints and the bundle draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """The exemption that justifies a redaction (DOMAIN.md §1; shown in the redaction log)."""

    THIRD_PARTY = "THIRD_PARTY"
    SOCIAL_WORK_HARM = "SOCIAL_WORK_HARM"
    EXPECTATION = "EXPECTATION"
    CHILD_ABUSE = "CHILD_ABUSE"
    LEGAL_PRIVILEGE = "LEGAL_PRIVILEGE"
    CRIME = "CRIME"
    JUDICIAL = "JUDICIAL"
    NOT_REQUESTER = "NOT_REQUESTER"


class Label(StrEnum):
    """What kind of personal data a span is."""

    NAME = "NAME"
    ADDRESS = "ADDRESS"
    POSTCODE = "POSTCODE"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    NHS_NUMBER = "NHS_NUMBER"
    NI_NUMBER = "NI_NUMBER"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    # Number-shaped personal data that fails its checksum or has no known scheme: still
    # caught when it sits in someone's details, never called an NHS number.
    IDENTIFIER = "IDENTIFIER"
    # A reviewer's own redaction of text no rule names (an opinion, a whole passage).
    OTHER = "OTHER"


class Role(StrEnum):
    """Whose data it is, relative to the request."""

    REQUESTER = "requester"
    THIRD_PARTY = "third_party"
    PROFESSIONAL = "professional"
    UNKNOWN = "unknown"


class Source(StrEnum):
    """Which part of the detector found it."""

    CASE = "case"  # a party the case knows
    PATTERN = "pattern"  # structure: NHS, NI, postcode, phone, email, date of birth
    NER = "ner"  # a name the case does not know, found by the language model
    REVIEWER = "reviewer"  # added by a person


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing seen in the text, whether it is to be redacted or kept, and why."""

    start: int  # Python str index into the text, inclusive
    end: int  # exclusive
    label: Label
    role: Role
    party: int | None  # index into CaseContext.parties, None for the requester or unknown
    redact: bool
    code: Code | None  # set when redact is True
    reason: str  # readable: "other parent's address", "name not known to the case"
    source: Source

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text to redact: what `steward redact detect` prints and the bundle draws."""

    start: int
    end: int
    label: Label
    code: Code
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label.value,
            "code": self.code.value,
            "reason": self.reason,
        }


def _rank(finding: Finding) -> tuple[int, int, int]:
    # Longer wins; on a tie, what the case knows beats an anonymous pattern or model hit;
    # then a kept requester finding beats a redaction (their own data is disclosed).
    attributed = 1 if finding.source in (Source.CASE, Source.REVIEWER) else 0
    requester = 1 if finding.role is Role.REQUESTER else 0
    return (finding.length, attributed, requester)


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings, sorted by start: where two overlap, the higher-ranked wins.

    Reviewer findings are never dropped for an overlapping machine finding.
    """
    ordered = sorted(
        findings,
        key=lambda f: (f.source is not Source.REVIEWER, *(-k for k in _rank(f)), f.start),
    )
    chosen: list[Finding] = []
    for finding in ordered:
        if finding.end <= finding.start:
            continue
        if any(finding.start < c.end and c.start < finding.end for c in chosen):
            continue
        chosen.append(finding)
    return sorted(chosen, key=lambda f: (f.start, f.end))


def spans(findings: Iterable[Finding]) -> list[Span]:
    """The redactions among resolved findings, adjacent runs with the same code merged."""
    out: list[Span] = []
    for f in resolve(findings):
        if not f.redact or f.code is None:
            continue
        last = out[-1] if out else None
        if (
            last is not None
            and last.code is f.code
            and last.label is f.label
            and f.start <= last.end
        ):
            out[-1] = Span(last.start, max(last.end, f.end), last.label, last.code, last.reason)
        else:
            out.append(Span(f.start, f.end, f.label, f.code, f.reason))
    return out
