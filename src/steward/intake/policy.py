"""The rules of partner-data intake: pure, no database, exhaustively unit-tested.

Every check a submission meets has a stable code (``Code``), a message a partner can act on
(``MESSAGES``) and a consequence (``CONSEQUENCE``):

- REFUSE      the whole file is refused and nothing is recorded (a file-level fault);
- REJECT      the row is not recorded: the partner must correct it and send it again;
- QUARANTINE  the row is held, sealed, for an information-governance officer to accept,
              correct or reject with a reason; nothing of it reaches the records until then.

A row is accepted (recorded, with its source kept) only when it has no issue at all. The
per-value checks here are the reference: the vectorised checks in ``rules`` must give the
same answer for every value (tests/intake/test_rules_match_policy.py holds them together).
Identifier formats are DOMAIN.md §3: NHS number 10 digits with a mod-11 check digit;
National Insurance number two prefix letters from the allowed set, six digits, suffix A-D;
UK postcode format.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import StrEnum

from stdnum.gb import nhs


class PartnerKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    COURT = "court"
    POLICE = "police"
    HEALTH = "health"
    OTHER = "other"


PARTNER_KIND_NAMES: dict[PartnerKind, str] = {
    PartnerKind.LOCAL_AUTHORITY: "Local authority",
    PartnerKind.COURT: "Court",
    PartnerKind.POLICE: "Police",
    PartnerKind.HEALTH: "Health",
    PartnerKind.OTHER: "Other",
}


class LawfulBasis(StrEnum):
    """UK GDPR Article 6(1): the bases a public body's data sharing can rest on."""

    LEGAL_OBLIGATION = "legal_obligation"  # 6(1)(c)
    PUBLIC_TASK = "public_task"  # 6(1)(e)
    VITAL_INTERESTS = "vital_interests"  # 6(1)(d)
    CONSENT = "consent"  # 6(1)(a): rarely right between public bodies, but it exists


LAWFUL_BASIS_NAMES: dict[LawfulBasis, str] = {
    LawfulBasis.LEGAL_OBLIGATION: "Legal obligation (Article 6(1)(c))",
    LawfulBasis.PUBLIC_TASK: "Public task (Article 6(1)(e))",
    LawfulBasis.VITAL_INTERESTS: "Vital interests (Article 6(1)(d))",
    LawfulBasis.CONSENT: "Consent (Article 6(1)(a))",
}


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class SubmissionStatus(StrEnum):
    RECEIVED = "received"  # stored, sealed, waiting for (or in) validation
    VALIDATING = "validating"
    COMPLETE = "complete"  # every row has an outcome (quarantined rows wait for a person)
    REFUSED = "refused"  # a file-level fault: nothing recorded


SUBMISSION_ALLOWED: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    SubmissionStatus.RECEIVED: frozenset({SubmissionStatus.VALIDATING, SubmissionStatus.REFUSED}),
    # A run stopped part-way (kill -9) is picked up again from VALIDATING.
    SubmissionStatus.VALIDATING: frozenset(
        {SubmissionStatus.VALIDATING, SubmissionStatus.COMPLETE, SubmissionStatus.REFUSED}
    ),
    SubmissionStatus.COMPLETE: frozenset(),
    SubmissionStatus.REFUSED: frozenset(),
}


class RowOutcome(StrEnum):
    ACCEPTED = "accepted"  # recorded, with its source
    UNCHANGED = "unchanged"  # the partner sent this same fact before: nothing new to record
    QUARANTINED = "quarantined"  # held for a person
    REJECTED = "rejected"  # not recorded; the partner must correct and resend


ROW_ALLOWED: dict[RowOutcome, frozenset[RowOutcome]] = {
    RowOutcome.QUARANTINED: frozenset({RowOutcome.ACCEPTED, RowOutcome.REJECTED}),
    RowOutcome.ACCEPTED: frozenset(),
    RowOutcome.UNCHANGED: frozenset(),
    RowOutcome.REJECTED: frozenset(),
}


class Decision(StrEnum):
    """What an information-governance officer does with a quarantined row."""

    ACCEPT = "accept"  # as sent
    CORRECT = "correct"  # with corrected values: the partner is told of the correction
    REJECT = "reject"


class Consequence(StrEnum):
    REFUSE = "refuse"
    REJECT = "reject"
    QUARANTINE = "quarantine"


class Code(StrEnum):
    # File level: the file is refused whole.
    FILE_EMPTY = "file.empty"
    FILE_TOO_LARGE = "file.too_large"
    FILE_TOO_MANY_ROWS = "file.too_many_rows"
    FILE_FORMAT = "file.format"
    FILE_ENCODING = "file.encoding"
    FILE_HEADER = "file.header"
    FILE_BOMB = "file.bomb"
    FILE_REPEATED = "file.repeated"
    AGREEMENT_NONE = "agreement.none"
    AGREEMENT_DATASET = "agreement.dataset"
    # Row level: the row is rejected.
    REQUIRED = "field.required"
    TOO_LONG = "field.too_long"
    CHOICE = "field.choice"
    FORMULA = "cell.formula"
    DATE_INVALID = "date.invalid"
    DATE_FUTURE = "date.future"
    NHS_FORMAT = "nhs.format"
    NHS_CHECKSUM = "nhs.checksum"
    NINO_FORMAT = "nino.format"
    NINO_PREFIX = "nino.prefix"
    POSTCODE_FORMAT = "postcode.format"
    PHONE_FORMAT = "phone.format"
    EMAIL_FORMAT = "email.format"
    ROW_DUPLICATE = "row.duplicate"
    CASE_UNKNOWN = "case.unknown"
    # Row level: the row is held for a person.
    DOB_IMPLAUSIBLE = "dob.implausible"
    CASE_CLOSED = "case.closed"
    PERSON_CONFLICT = "person.conflict"
    PERSON_POSSIBLE = "person.possible"
    EARLIER_DIFFERS = "earlier.differs"


_FILE_CODES = frozenset(c for c in Code if c.value.startswith(("file.", "agreement.")))
_QUARANTINE_CODES = frozenset(
    {
        Code.DOB_IMPLAUSIBLE,
        Code.CASE_CLOSED,
        Code.PERSON_CONFLICT,
        Code.PERSON_POSSIBLE,
        Code.EARLIER_DIFFERS,
    }
)
CONSEQUENCE: dict[Code, Consequence] = {
    code: Consequence.REFUSE
    if code in _FILE_CODES
    else Consequence.QUARANTINE
    if code in _QUARANTINE_CODES
    else Consequence.REJECT
    for code in Code
}

# Written for the partner who must fix the data: what is wrong and what to send instead.
# Never the value itself (a message is shown, exported and kept without personal data).
MESSAGES: dict[Code, str] = {
    Code.FILE_EMPTY: "The file has no rows. Send the file again with the data in it.",
    Code.FILE_TOO_LARGE: "The file is larger than the limit. Split it into smaller files.",
    Code.FILE_TOO_MANY_ROWS: "The file has more rows than the limit. Split it into smaller files.",
    Code.FILE_FORMAT: "The file could not be read as CSV, Excel (.xlsx) or JSON. Save it in one "
    "of those formats and send it again.",
    Code.FILE_ENCODING: "The file is not UTF-8 text. Save it as 'CSV UTF-8' and send it again.",
    Code.FILE_HEADER: "The columns do not match the data set's template. Use the column names "
    "from the template, spelt the same.",
    Code.FILE_BOMB: "The spreadsheet expands to far more data than its size suggests and was "
    "not opened. Save it again as a plain .xlsx file.",
    Code.FILE_REPEATED: "This exact file was submitted before. Nothing was recorded twice.",
    Code.AGREEMENT_NONE: "Your organisation has no data-sharing agreement in force today. "
    "Contact the organisation's information governance team.",
    Code.AGREEMENT_DATASET: "Your data-sharing agreement does not cover this data set. "
    "Contact the organisation's information governance team.",
    Code.REQUIRED: "This field is required. Fill it in.",
    Code.TOO_LONG: "This value is longer than the field allows. Shorten it.",
    Code.CHOICE: "This value is not one of the allowed values listed in the template.",
    Code.FORMULA: "This cell starts with =, +, -, @ or a control character, which a "
    "spreadsheet would run as a formula. Remove the character or the formula.",
    Code.DATE_INVALID: "This is not a date. Write dates as YYYY-MM-DD, for example 2024-03-31.",
    Code.DATE_FUTURE: "This date is in the future. Check the date.",
    Code.NHS_FORMAT: "An NHS number has 10 digits. Check the number.",
    Code.NHS_CHECKSUM: "This NHS number's check digit is wrong, so a digit has been mistyped. "
    "Check the number.",
    Code.NINO_FORMAT: "A National Insurance number is two letters, six digits and a letter "
    "A, B, C or D, for example QQ 12 34 56 C. Check the number.",
    Code.NINO_PREFIX: "This National Insurance number starts with two letters that are never "
    "issued. Check the number.",
    Code.POSTCODE_FORMAT: "This is not a UK postcode, for example SW1A 1AA. Check it.",
    Code.PHONE_FORMAT: "This is not a UK phone number. Use digits, with an optional +44 "
    "at the start, for example 020 7946 0000.",
    Code.EMAIL_FORMAT: "This is not an email address, for example name@example.org.",
    Code.ROW_DUPLICATE: "This row repeats an earlier row in the same file. Remove the copy.",
    Code.CASE_UNKNOWN: "No case has this case number. Check the number against the court papers.",
    Code.DOB_IMPLAUSIBLE: "The date of birth does not fit the person's role (for example a "
    "child aged over 18). The row is held for the information governance team to check.",
    Code.CASE_CLOSED: "The case is closed. The row is held for the information governance "
    "team to decide.",
    Code.PERSON_CONFLICT: "This person is already recorded with a different date of birth or "
    "identifier. The row is held for the information governance team to resolve.",
    Code.PERSON_POSSIBLE: "This person may already be recorded, but not certainly. The row is "
    "held for the information governance team to confirm.",
    Code.EARLIER_DIFFERS: "Your organisation sent a different value for this before. The row "
    "is held for the information governance team to decide which is right.",
}

CODE_TITLES: dict[Code, str] = {
    Code.FILE_EMPTY: "Empty file",
    Code.FILE_TOO_LARGE: "File too large",
    Code.FILE_TOO_MANY_ROWS: "Too many rows",
    Code.FILE_FORMAT: "Unreadable file",
    Code.FILE_ENCODING: "Not UTF-8",
    Code.FILE_HEADER: "Wrong columns",
    Code.FILE_BOMB: "Spreadsheet expands too far",
    Code.FILE_REPEATED: "File sent before",
    Code.AGREEMENT_NONE: "No agreement in force",
    Code.AGREEMENT_DATASET: "Data set not in the agreement",
    Code.REQUIRED: "Missing value",
    Code.TOO_LONG: "Value too long",
    Code.CHOICE: "Not an allowed value",
    Code.FORMULA: "Spreadsheet formula",
    Code.DATE_INVALID: "Not a date",
    Code.DATE_FUTURE: "Date in the future",
    Code.NHS_FORMAT: "NHS number format",
    Code.NHS_CHECKSUM: "NHS number check digit",
    Code.NINO_FORMAT: "National Insurance number format",
    Code.NINO_PREFIX: "National Insurance number prefix",
    Code.POSTCODE_FORMAT: "Postcode format",
    Code.PHONE_FORMAT: "Phone number format",
    Code.EMAIL_FORMAT: "Email address format",
    Code.ROW_DUPLICATE: "Repeated row",
    Code.CASE_UNKNOWN: "Unknown case number",
    Code.DOB_IMPLAUSIBLE: "Date of birth does not fit role",
    Code.CASE_CLOSED: "Case closed",
    Code.PERSON_CONFLICT: "Conflicts with the recorded person",
    Code.PERSON_POSSIBLE: "Possible match",
    Code.EARLIER_DIFFERS: "Differs from an earlier submission",
}


def outcome_for(codes: frozenset[Code] | set[Code]) -> RowOutcome:
    """A row's outcome from its issues: any rejecting issue rejects it (the partner must fix
    it, so a person need not look at it twice); else any holding issue quarantines it."""
    consequences = {CONSEQUENCE[code] for code in codes}
    if Consequence.REJECT in consequences or Consequence.REFUSE in consequences:
        return RowOutcome.REJECTED
    if Consequence.QUARANTINE in consequences:
        return RowOutcome.QUARANTINED
    return RowOutcome.ACCEPTED


def can_move(current: RowOutcome, wanted: RowOutcome) -> bool:
    return wanted in ROW_ALLOWED[current]


# What each sealed value is bound to (crypto.seal's context): a sealed row copied onto
# another row, or a file onto another submission, will not open there.
def row_context(row_id: int) -> str:
    return f"intake-row:{row_id}:values"


def reason_context(row_id: int) -> str:
    return f"intake-row:{row_id}:reason"


def file_context(submission_id: int) -> str:
    return f"intake-submission:{submission_id}:file"


# --- per-value checks: the reference for the vectorised rules ---------------------------

# A cell a spreadsheet would evaluate (OWASP CSV injection): =, +, -, @, tab, carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NHS_PATTERN = re.compile(r"^[0-9]{10}$")
# Letters never used at all, or never in the second place; and pairs never issued (HMRC).
NINO_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")
NINO_FIRST_NEVER = frozenset("DFIQUV")
NINO_SECOND_NEVER = frozenset("DFIOQUV")
NINO_PAIRS_NEVER = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
# Outward code (area letters, district digit(s), optional letter) and inward code (digit and
# two letters not C, I, K, M, O or V), with or without the space; GIR 0AA is the one oddity.
POSTCODE_PATTERN = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
# A UK number: 0 then 9 or 10 digits, or +44 then the same without the 0; spaces, hyphens
# and brackets around the area code allowed.
PHONE_PATTERN = re.compile(r"^(\+44\s?|0)[0-9][0-9 \-()]{7,14}[0-9]$")
PHONE_DIGITS = (10, 11)
# Syntax only: a local part, an @, and a domain with a dot. Whether the mailbox exists is
# not the partner's data quality.
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*/=?^_`{|}~+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


# What Python's str.strip and the patterns' \s take for whitespace (str.isspace), written out so
# the vectorised rules strip exactly the same characters (Rust's set lacks \x1c-\x1f).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The two ways a date may be written: ISO, and the day-first form UK spreadsheets use.
DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATE_UK = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


def compact(value: str) -> str:
    """Identifiers as compared: no spaces or hyphens, upper case."""
    return re.sub(r"[\s-]", "", value).upper()


def is_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def nhs_number_code(value: str) -> Code | None:
    number = compact(value)
    if not NHS_PATTERN.match(number):
        return Code.NHS_FORMAT
    return None if nhs.is_valid(number) else Code.NHS_CHECKSUM


def nino_code(value: str) -> Code | None:
    number = compact(value)
    if not NINO_PATTERN.match(number):
        return Code.NINO_FORMAT
    first, second = number[0], number[1]
    if first in NINO_FIRST_NEVER or second in NINO_SECOND_NEVER or number[:2] in NINO_PAIRS_NEVER:
        return Code.NINO_PREFIX
    return None


def parse_date(value: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY; None for anything else, or a day that does not exist
    (2023-02-30, year 0)."""
    text = value.strip()
    if found := DATE_ISO.fullmatch(text):
        year, month, day = found.groups()
    elif found := DATE_UK.fullmatch(text):
        day, month, year = found.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the inward code: how a postcode is recorded."""
    bare = compact(value)
    return f"{bare[:-3]} {bare[-3:]}" if len(bare) > 3 else bare


def postcode_ok(value: str) -> bool:
    return bool(POSTCODE_PATTERN.match(value.strip().upper()))


def phone_ok(value: str) -> bool:
    text = value.strip()
    if not PHONE_PATTERN.match(text):
        return False
    digits = re.sub(r"[^0-9]", "", text)
    national = "0" + digits[2:] if text.startswith("+44") else digits
    return len(national) in PHONE_DIGITS


def email_ok(value: str) -> bool:
    return bool(EMAIL_PATTERN.match(value.strip())) and len(value.strip()) <= 254


# Ages (on the date of the submission) that fit each role in a family case. A child subject
# is under 18 (Children Act 1989 s.105); a parent or a professional is at least 12 or 18.
AGE_LIMITS: dict[str, tuple[int, int]] = {
    "child_subject": (0, 17),
    "applicant": (12, 110),
    "respondent": (12, 110),
    "parent": (12, 110),
    "relative": (0, 110),
    "intervenor": (12, 110),
    "social_worker": (18, 90),
    "solicitor": (18, 90),
}


def age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def dob_plausible(role: str | None, dob: date, on: date) -> bool:
    low, high = AGE_LIMITS.get(role or "", (0, 110))
    return low <= age_on(dob, on) <= high


def shred_on(decided_on: date, retention_months: int) -> date:
    """The day a submission's file and row values are destroyed: ``retention_months`` (its
    agreement's) after its last row was decided; a day missing from that month rolls to the
    1st of the next, as retention's own dates do."""
    index = decided_on.year * 12 + (decided_on.month - 1) + retention_months
    year, month = divmod(index, 12)
    month += 1
    if decided_on.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, decided_on.day)
    return date(year + (month == 12), month % 12 + 1, 1)
