"""Legacy migration: cases with their persons, parties and documents, one JSON object per line.

Each line is one case, imported whole or not at all in its own SAVEPOINT: a bad line is
reported with its number and a reason and changes nothing, and the lines around it still land.
Everything goes through the records use-cases (create_case, create_person, add_party,
add_document, assign), so each change is audited and each document sealed and indexed
exactly as if staff had entered it.

Re-running a file duplicates nothing: a case whose number exists is skipped as already
imported, and persons are matched on their id in the legacy system (an Identifier with scheme
``legacy``), so the same person across lines and runs is one Person.

Reasons never quote the line's content (names, addresses, text): only field paths and the
rule that was broken, because reports are pasted into tickets and e-mails.

The format is documented field by field in docs/import.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, BinaryIO

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from steward.core import audit, auth
from steward.core.crypto import DataKey, KeyEncryptionKeys
from steward.core.errors import DomainError
from steward.core.permissions import Actor, Permission
from steward.core.schemas import StrictInput, no_control_characters
from steward.records import policy
from steward.records.events import RecordsEvent
from steward.records.models import (
    Case,
    CaseType,
    DocumentKind,
    Identifier,
    IdentifierScheme,
    PartyRole,
    Person,
    Provenance,
    RecordClass,
    SecurityMarking,
)
from steward.records.schemas import (
    CaseCreate,
    DocumentMeta,
    IdentifierIn,
    PastDate,
    PersonCreate,
)
from steward.records.service import cases, changes, documents, file_plan, persons

MAX_LINE_BYTES = 64 * 1024 * 1024
MAX_REASONS_PER_LINE = 5
MAX_LINES_LISTED = 10_000  # failures (and skips) kept in a report; all are counted
DEFAULT_BATCH_CASES = 500
DEFAULT_BATCH_SECONDS = 5.0

_LEGACY_REF = r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,63}$"
LegacyRef = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_LEGACY_REF)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# A JSON string holding U+0000 (PostgreSQL cannot store it in text): "\u0000" preceded by an
# even number of backslashes, i.e. not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
# A field name safe to repeat in a report; anything else (a key that is itself personal data,
# say) is shown only as "an unexpected field".
_SAFE_KEY = re.compile(r"^[a-z_][a-z0-9_]{0,63}\Z")


# --- the format of one line -----------------------------------------------------------


class ImportPerson(PersonCreate):
    ref: LegacyRef = Field(description="The person's id in the legacy system.")

    @model_validator(mode="after")
    def _no_legacy_identifier(self) -> ImportPerson:
        if any(i.scheme is IdentifierScheme.LEGACY for i in self.identifiers):
            raise ValueError(
                'the legacy identifier is taken from "ref": remove the "legacy" entry from '
                '"identifiers"'
            )
        return self

    def to_create(self) -> PersonCreate:
        """The PersonCreate the service takes, with ``ref`` as its legacy identifier."""
        values = {name: getattr(self, name) for name in PersonCreate.model_fields}
        values["identifiers"] = [
            *self.identifiers,
            IdentifierIn(scheme=IdentifierScheme.LEGACY, value=self.ref),
        ]
        return PersonCreate.model_construct(**values)  # validated already, as self


class ImportParty(StrictInput):
    person_ref: LegacyRef
    role: PartyRole


class ImportDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300)
    kind: DocumentKind
    created_on: PastDate
    security_marking: SecurityMarking = SecurityMarking.OFFICIAL_SENSITIVE
    provenance: Provenance = Provenance.STAFF
    author_name: str | None = Field(None, max_length=200)
    record_class: str | None = Field(None, max_length=64)
    about: list[LegacyRef] = Field(default_factory=list, max_length=200)
    filename: str | None = Field(None, max_length=255)
    # Not stripped: a document's text is kept exactly as it was.
    text: Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)] | None = None
    content_base64: str | None = None

    # The same rule as the other schemas' (a document's text may hold form feeds and the
    # like; its title, author and file name may not).
    _no_control_characters = field_validator(
        "title", "author_name", "filename", "record_class", mode="after"
    )(no_control_characters)

    @model_validator(mode="after")
    def _one_body(self) -> ImportDocument:
        if (self.text is None) == (self.content_base64 is None):
            raise ValueError(
                'give the document\'s body as exactly one of "text" or "content_base64"'
            )
        return self


class ImportCase(CaseCreate):
    """One line of an import file: a case, its persons, parties, documents and staff."""

    # The retention schedule dates adoption records from the order (DOMAIN.md section 2):
    # without it here, a bulk-imported adoption archive could never be dated.
    adoption_order_date: PastDate | None = None
    assigned_usernames: list[Username] = Field(default_factory=list, max_length=50)
    persons: list[ImportPerson] = Field(default_factory=list, max_length=500)
    parties: list[ImportParty] = Field(default_factory=list, max_length=1000)
    documents: list[ImportDocument] = Field(default_factory=list, max_length=1000)


# --- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did. Line numbers count from 1, blank lines included."""

    dry_run: bool = False
    lines: int = 0  # non-blank lines read
    imported: int = 0
    skipped: int = 0  # cases already imported
    failed: int = 0
    persons_created: int = 0
    persons_matched: int = 0
    parties_added: int = 0
    documents_added: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    failures: list[LineProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "lines": self.lines,
            "imported": self.imported,
            "skipped": self.skipped,
            "failed": self.failed,
            "persons_created": self.persons_created,
            "persons_matched": self.persons_matched,
            "parties_added": self.parties_added,
            "documents_added": self.documents_added,
            "skipped_lines": self.skipped_lines,
            "failures": [{"line": f.line, "reason": f.reason} for f in self.failures],
            "lists_truncated": len(self.failures) < self.failed
            or len(self.skipped_lines) < self.skipped,
        }

    def _fail(self, line: int, reasons: Sequence[str]) -> None:
        self.failed += 1
        if len(self.failures) < MAX_LINES_LISTED:
            shown = "; ".join(reasons[:MAX_REASONS_PER_LINE])
            if len(reasons) > MAX_REASONS_PER_LINE:
                shown += f"; and {len(reasons) - MAX_REASONS_PER_LINE} more problem(s)"
            self.failures.append(LineProblem(line, shown))

    def _skip(self, line: int) -> None:
        self.skipped += 1
        if len(self.skipped_lines) < MAX_LINES_LISTED:
            self.skipped_lines.append(line)


class _LineRejected(Exception):
    def __init__(self, *reasons: str) -> None:
        super().__init__(reasons[0] if reasons else "")
        self.reasons = list(reasons)


class _DryRun(Exception):
    """Raised at the end of a case in a dry run, so its savepoint is rolled back."""


# --- reading lines ----------------------------------------------------------------------


def read_lines(stream: BinaryIO, *, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The stream's lines, each cut off after ``max_line_bytes + 1`` bytes so a file with no
    line breaks cannot fill memory; the importer reports a cut line as too long."""
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            while True:  # drop the rest of the overlong line
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


# --- parsing and checks that need no database -----------------------------------------


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SAFE_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += ".(an unexpected field)" if out else "(an unexpected field)"
    return out or "the case"


def _validation_reasons(exc: ValidationError) -> list[str]:
    reasons = []
    for error in exc.errors(include_input=False, include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a field of the import format"
        reasons.append(f"{_path(error['loc'])}: {message}")
    return reasons


def _decode(raw: bytes | str, number: int) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
            raise _LineRejected(
                f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MB; split large "
                "documents out of the import"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _LineRejected(
                f"the line is not UTF-8 text (bad byte at position {exc.start + 1}); "
                "save the file as UTF-8"
            ) from exc
    return text.removeprefix("\ufeff") if number == 1 else text


def _parse(text: str) -> dict[str, Any]:
    if _JSON_NUL.search(text):
        raise _LineRejected(
            "a value contains the NUL character (\\u0000), which cannot be stored; remove it"
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineRejected(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:
        raise _LineRejected("not valid JSON for this format: nested too deeply") from exc
    if not isinstance(obj, dict):
        raise _LineRejected("each line must be one JSON object (one case)")
    return obj


def _cross_check(case: ImportCase) -> list[str]:
    """Rules across the parts of a line: every ref resolves, and names one person."""
    reasons = []
    first_index: dict[str, int] = {}
    for i, person in enumerate(case.persons):
        if person.ref in first_index:
            reasons.append(
                f"persons[{i}].ref: the same ref is already given to persons[{first_index[person.ref]}]"
            )
        else:
            first_index[person.ref] = i
    holder: dict[tuple[str, str], int] = {}
    for i, person in enumerate(case.persons):
        for j, ident in enumerate(person.identifiers):
            key = (ident.scheme.value, ident.value)
            if key in holder:
                reasons.append(
                    f"persons[{i}].identifiers[{j}]: the same identifier is already given to "
                    f"persons[{holder[key]}]"
                )
            holder[key] = i
    party_refs = set()
    for i, party in enumerate(case.parties):
        if party.person_ref not in first_index:
            reasons.append(
                f'parties[{i}].person_ref: no person in this line\'s "persons" has this ref'
            )
        party_refs.add(party.person_ref)
    for ref, i in first_index.items():
        if ref not in party_refs:
            reasons.append(
                f'persons[{i}]: is not a party to the case; add them to "parties" or leave them out'
            )
    if case.adoption_order_date is not None:
        if case.case_type is not CaseType.ADOPTION:
            reasons.append("adoption_order_date: only an adoption case has an adoption order")
        elif not changes.has_listeners():
            reasons.append("adoption_order_date: cannot be recorded (retention is not loaded)")
    for d, document in enumerate(case.documents):
        for a, ref in enumerate(document.about):
            if ref not in party_refs:
                reasons.append(f"documents[{d}].about[{a}]: names no party of this case")
    return reasons


@dataclass(frozen=True)
class _Body:
    data: bytes
    media_type: str


def _document_body(document: ImportDocument, index: int, max_bytes: int) -> _Body:
    where = f"documents[{index}]"
    if document.text is not None:
        data = document.text.encode("utf-8")
        where += ".text"
    else:
        assert document.content_base64 is not None
        where += ".content_base64"
        encoded = "".join(document.content_base64.split())
        if len(encoded) > (max_bytes // 3 + 1) * 4:
            raise _LineRejected(
                f"{where}: the file is larger than the {max_bytes // 2**20} MB limit"
            )
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _LineRejected(f"{where}: is not valid base64") from exc
    if len(data) > max_bytes:
        raise _LineRejected(f"{where}: the file is larger than the {max_bytes // 2**20} MB limit")
    try:
        media_type = policy.sniff_media_type(data)
    except DomainError as exc:
        if document.text is not None:
            raise _LineRejected(
                f"{where}: is not plain text (it looks like markup or binary data)"
            ) from exc
        raise _LineRejected(
            f"{where}: this type of file cannot be imported; accepted are PDF, Word (.docx), "
            "plain text, PNG, JPEG and TIFF"
        ) from exc
    return _Body(data, media_type)


# --- the import -------------------------------------------------------------------------


class _Importer:
    def __init__(
        self,
        db: Session,
        kek: KeyEncryptionKeys,
        actor: Actor,
        report: ImportReport,
        max_document_bytes: int,
    ) -> None:
        self.db, self.kek, self.actor, self.report = db, kek, actor, report
        self.max_document_bytes = max_document_bytes
        # username -> the active account. Kept as objects, so the session's identity map holds
        # them and assign() finds them there instead of querying once per case.
        self.users: dict[str, auth.User | None] = {}
        self.seen_numbers: set[str] = set()  # case numbers imported by this run
        self.class_codes: set[str] | None = None  # the file plan's codes, read once

    def line(self, number: int, raw: bytes | str) -> None:
        try:
            text = _decode(raw, number)
            if not text.strip():
                return
            self.report.lines += 1
            obj = _parse(text)
            # Already there? Then the line's content does not matter: checked before it is
            # validated, so re-running a large file is quick.
            number_given = obj.get("case_number")
            if isinstance(number_given, str) and self._exists(number_given.strip().upper()):
                self.report._skip(number)
                return
            try:
                case = ImportCase.model_validate(obj)
            except ValidationError as exc:
                raise _LineRejected(*_validation_reasons(exc)) from exc
            if case.case_number != number_given and self._exists(case.case_number):
                self.report._skip(number)  # found under the number as validation normalised it
                return
            reasons = _cross_check(case) + self._unknown_classes(case)
            if reasons:
                raise _LineRejected(*reasons)
            bodies = [
                _document_body(d, i, self.max_document_bytes) for i, d in enumerate(case.documents)
            ]
            user_ids = self._user_ids(case.assigned_usernames)
            self._import(number, case, bodies, user_ids)
        except _LineRejected as exc:
            self.report._fail(number, exc.reasons)

    def _unknown_classes(self, case: ImportCase) -> list[str]:
        # Checked here, not left to the service, whose message quotes the code given.
        if self.class_codes is None:
            self.class_codes = set(self.db.scalars(select(RecordClass.code)))
            self.class_codes.update(code for code, _, _ in file_plan.DEFAULT_FILE_PLAN)
        wanted = [("record_class", case.record_class)] + [
            (f"documents[{i}].record_class", d.record_class) for i, d in enumerate(case.documents)
        ]
        return [
            f"{where}: there is no such class in the file plan "
            f"(the default plan's codes are {', '.join(c for c, _, _ in file_plan.DEFAULT_FILE_PLAN)})"
            for where, code in wanted
            if code is not None and code not in self.class_codes
        ]

    def _exists(self, case_number: str) -> bool:
        if case_number in self.seen_numbers:
            return True
        return self.db.scalar(select(Case.id).where(Case.case_number == case_number)) is not None

    def _user_ids(self, usernames: list[str]) -> list[int]:
        ids, reasons = [], []
        for i, username in enumerate(usernames):
            if username not in self.users:
                user = self.db.scalar(select(auth.User).where(auth.User.username == username))
                self.users[username] = user if user is not None and user.is_active else None
            user = self.users[username]
            if user is None:
                reasons.append(
                    f"assigned_usernames[{i}]: there is no active staff account with this "
                    "username; create it first (steward users create) or remove it"
                )
            else:
                ids.append(user.id)
        if reasons:
            raise _LineRejected(*reasons)
        return ids

    def _known_persons(self, refs: list[str]) -> dict[str, Person]:
        """The persons already imported under these legacy refs, in one query."""
        if not refs:
            return {}
        rows = self.db.execute(
            select(Identifier.value, Person)
            .join(Person, Person.id == Identifier.person_id)
            .where(Identifier.scheme == IdentifierScheme.LEGACY, Identifier.value.in_(refs))
        )
        return {value: person for value, person in rows}

    def _import(
        self, number: int, case: ImportCase, bodies: list[_Body], user_ids: list[int]
    ) -> None:
        db, actor, report = self.db, self.actor, self.report
        where = "the case"
        created = matched = 0
        try:
            with db.begin_nested():
                row = cases.create_case(db, self.kek, actor, case)
                # Held for the case: the session keeps only weak references to loaded rows, so
                # without this every seal would re-read the data key and every party its person.
                data_key = db.get(DataKey, row.data_key_id)
                people = self._known_persons([p.ref for p in case.persons])
                for i, person in enumerate(case.persons):
                    if person.ref in people:
                        matched += 1
                        continue
                    where = f"persons[{i}]"
                    people[person.ref] = persons.create_person(db, actor, person.to_create())
                    created += 1
                person_ids = {ref: p.id for ref, p in people.items()}
                for i, party in enumerate(case.parties):
                    where = f"parties[{i}]"
                    persons.add_party(
                        db,
                        actor,
                        case_id=row.id,
                        person_id=person_ids[party.person_ref],
                        role=party.role,
                    )
                for i, (document, body) in enumerate(zip(case.documents, bodies, strict=True)):
                    where = f"documents[{i}]"
                    meta = DocumentMeta.model_construct(
                        title=document.title,
                        kind=document.kind,
                        created_on=document.created_on,
                        security_marking=document.security_marking,
                        provenance=document.provenance,
                        author_name=document.author_name,
                        subject_person_ids=[person_ids[ref] for ref in document.about],
                        record_class=document.record_class,
                    )
                    documents.add_document(
                        db,
                        self.kek,
                        actor,
                        case_id=row.id,
                        meta=meta,
                        data=body.data,
                        filename=document.filename or document.title,
                        max_bytes=self.max_document_bytes,
                    )
                for i, user_id in enumerate(user_ids):
                    where = f"assigned_usernames[{i}]"
                    cases.assign(db, actor, case_id=row.id, user_id=user_id)
                where = "the case"
                audit.record(
                    db,
                    actor,
                    RecordsEvent.CASE_IMPORTED,
                    subject_type="case",
                    subject_id=row.id,
                    details={
                        "line": number,
                        "persons_created": created,
                        "persons_matched": matched,
                        "parties": len(case.parties),
                        "documents": len(case.documents),
                    },
                )
                del data_key
                if report.dry_run:
                    raise _DryRun
            if case.adoption_order_date is not None:
                # Announced only once the case's savepoint has held: a failed line's case id
                # may be given to the next case, which must not inherit the date.
                changes.cases_changed(
                    db, actor, [row.id], {row.id: {"adoption_order": case.adoption_order_date}}
                )
        except _DryRun:
            pass
        except DomainError as exc:
            raise _LineRejected(f"{where}: {exc.message}") from exc
        except DBAPIError as exc:
            # The driver's text may quote values: name only the kind of refusal.
            raise _LineRejected(
                f"{where}: the database refused it ({type(exc.orig).__name__})"
            ) from exc
        self.seen_numbers.add(case.case_number)
        report.imported += 1
        report.persons_created += created
        report.persons_matched += matched
        report.parties_added += len(case.parties)
        report.documents_added += len(case.documents)


def import_cases(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    lines: Iterable[bytes | str],
    *,
    dry_run: bool = False,
    checkpoint: Callable[[], None] | None = None,
    batch_cases: int = DEFAULT_BATCH_CASES,
    batch_seconds: float = DEFAULT_BATCH_SECONDS,
    max_document_bytes: int = documents.DEFAULT_MAX_UPLOAD_BYTES,
    on_line: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import cases from JSON Lines; see docs/import.md.

    ``checkpoint`` is where the caller may commit: it is called between cases, every
    ``batch_cases`` lines or ``batch_seconds`` seconds, when every case so far is complete.
    Without it the whole import is one transaction (the caller's). Because a re-run skips what
    landed, an import stopped part-way is resumed by running it again.

    ``dry_run`` checks every line against the database as a real import would, then rolls
    each case back: nothing is kept, not even audit events."""
    actor.require(Permission.CASES_WRITE)
    report = ImportReport(dry_run=dry_run)
    importer = _Importer(db, kek, actor, report, max_document_bytes)
    if not dry_run:
        # Once, up front, rather than inside the first case's savepoint.
        file_plan.ensure_default_file_plan(db)
    since, started = 0, time.monotonic()
    # The imported cases are dated once per batch, set-based, not once per case.
    with changes.deferred(db, actor):
        for number, raw in enumerate(lines, start=1):
            importer.line(number, raw)
            if on_line is not None:
                on_line(report)
            since += 1
            if checkpoint is not None and (
                since >= batch_cases or time.monotonic() - started >= batch_seconds
            ):
                _end_batch(db, dry_run)
                checkpoint()
                since, started = 0, time.monotonic()
        _end_batch(db, dry_run)
    return report


def _end_batch(db: Session, dry_run: bool) -> None:
    if dry_run:
        changes.discard(db)  # every case was rolled back
    else:
        changes.flush(db)
