"""Checking a stored submission and recording what passes, a batch of rows at a time.

Each batch is one transaction: its rows' outcomes, issues and sealed values, whatever its
accepted rows became in the records, the submission's counters and ``rows_done`` commit
together or not at all. A run killed part-way (kill -9, a power cut) leaves every row wholly
recorded or not at all, and the next run (the job started again, ``steward intake resume``)
carries on after ``rows_done``, so nothing is recorded twice. The file is read and its rules
checked once per run, in memory; only the cross-record checks ask the database, once per
batch (cases, earlier facts, the identity search).

Per row, in order: the rules that need no database (``rules.check``); the case (unknown:
rejected; closed: held); the partner's earlier submissions of the same fact (the same value:
UNCHANGED, nothing recorded twice; another value: held); who the row is about (matching.py);
then the outcome from all its issues (policy.outcome_for). An accepted row is recorded
(recording.record_row) with its source.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock, crypto, jobs
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import one_connection, session_scope
from steward.core.errors import Conflict, InvalidTransition, NotFound
from steward.core.permissions import Actor, Permission
from steward.intake import datasets, reading, rules
from steward.intake.datasets import Dataset
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.models import (
    Agreement,
    Partner,
    RowIssue,
    Submission,
    SubmissionFile,
    SubmissionRow,
)
from steward.intake.policy import (
    CONSEQUENCE,
    SUBMISSION_ALLOWED,
    Code,
    Consequence,
    FileFormat,
    RowOutcome,
    SubmissionStatus,
    file_context,
    outcome_for,
    row_context,
)
from steward.intake.service import matching, recording
from steward.intake.service.matching import Match, Pending, Ref, Values, Verdict
from steward.records import service as records

BATCH_ROWS = 500
# A batch matches its rows against the identity index and adds its new persons' keys to it:
# at a million persons that index is far larger than SQLite's default page cache, and a
# batch would decrypt the same pages again and again. The batches share one connection, so
# the pages one read stay for the next (1M persons, 10,000 rows: 29 s -> 23 s).
BATCH_CACHE_KIB = 262_144
JOB_KIND = "intake.submission"
FACT_KEY_LABEL = b"steward intake facts v1"

# The fields that name a fact (this person in this role in this case; this check of this
# person on this day; this order on this day); the row's other fields are its content.
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "party_details": ("case_number", "role", "first_name", "last_name", "date_of_birth"),
    "safeguarding_checks": (
        "case_number",
        "first_name",
        "last_name",
        "date_of_birth",
        "check_type",
        "checked_on",
    ),
    "court_orders": ("case_number", "order_type", "order_date"),
}
_NAME_FIELDS = frozenset({"first_name", "last_name", "middle_names"})

Progress = Callable[[int, int], None]
BatchHook = Callable[[int], None]


@dataclass
class Prepared:
    """A submission's rows read, checked against the rules that need no database, and
    normalised: worked out once per run."""

    dataset: Dataset
    values: list[Values]
    issues: dict[int, list[tuple[str | None, Code]]]  # by row number
    fact_keys: list[str]
    fact_values: list[str]


def row_number(index: int) -> int:
    """The partner's row number of data row ``index`` (0-based): the header is row 1."""
    return index + 2


def move(submission: Submission, status: SubmissionStatus) -> None:
    if status not in SUBMISSION_ALLOWED[SubmissionStatus(submission.status)]:
        raise InvalidTransition(f"A submission that is {submission.status} cannot become {status}.")
    submission.status = status


def received_on(submission: Submission) -> date:
    """The day the file was received (in the UK): what "in the future" is judged against, the
    same on every run."""
    return submission.submitted_at.astimezone(clock.UK).date()


def _fact_text(name: str, value: str | None) -> str:
    if value is None:
        return ""
    if name in _NAME_FIELDS:
        return " ".join(value.casefold().split())
    return value.upper() if name == "case_number" else value


def _facts(db: Session, dataset: Dataset, values: list[Values]) -> tuple[list[str], list[str]]:
    key = crypto.hash_key(db, FACT_KEY_LABEL)
    named = FACT_FIELDS.get(dataset.name, dataset.columns)
    rest = [c for c in dataset.columns if c not in named]
    name = dataset.name.encode()
    keys, contents = [], []
    for row in values:
        keys.append(
            crypto.keyed_hash(
                key, name, json.dumps([_fact_text(f, row.get(f)) for f in named]).encode()
            )
        )
        contents.append(
            crypto.keyed_hash(
                key, name, json.dumps([_fact_text(f, row.get(f)) for f in rest]).encode()
            )
        )
    return keys, contents


def stored_file(db: Session, kek: KeyEncryptionKeys, submission: Submission) -> bytes:
    held = db.get(SubmissionFile, submission.id)
    if held is None or submission.data_key_id is None or submission.shredded_at is not None:
        raise NotFound("The file of this submission is no longer held.")
    return crypto.open_sealed(
        db,
        kek,
        key_id=submission.data_key_id,
        sealed=held.body,
        context=file_context(submission.id),
    )


def prepare(
    db: Session, kek: KeyEncryptionKeys, submission: Submission, table: pl.DataFrame | None = None
) -> Prepared:
    dataset = datasets.get(submission.dataset, submission.dataset_version)
    if table is None:
        table = reading.read_table(
            stored_file(db, kek, submission),
            file_format=FileFormat(submission.file_format),
            dataset=dataset,
        )
    issues: dict[int, list[tuple[str | None, Code]]] = defaultdict(list)
    for issue in rules.check(table, dataset, today=received_on(submission)):
        issues[issue.row_number].append((issue.field, Code(issue.code)))
    values: list[Values] = rules.normalise(table, dataset).to_dicts()
    keys, contents = _facts(db, dataset, values)
    return Prepared(dataset, values, dict(issues), keys, contents)


# --- one batch -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earlier:
    """The partner's latest accepted (or unchanged) row of a fact, from another submission."""

    fact_value: str
    case_id: int | None
    person_id: int | None
    document_id: int | None


def _earlier_facts(db: Session, submission: Submission, keys: Sequence[str]) -> dict[str, Earlier]:
    found: dict[str, Earlier] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):
        rows = db.execute(
            select(
                SubmissionRow.fact_key,
                SubmissionRow.fact_value,
                SubmissionRow.case_id,
                SubmissionRow.person_id,
                SubmissionRow.document_id,
            )
            .where(
                SubmissionRow.partner_id == submission.partner_id,
                SubmissionRow.fact_key.in_(wanted[start : start + 500]),
                SubmissionRow.submission_id != submission.id,
                SubmissionRow.outcome.in_((RowOutcome.ACCEPTED, RowOutcome.UNCHANGED)),
            )
            .order_by(SubmissionRow.id)
        )
        for key, value, case_id, person_id, document_id in rows:
            if key is not None and value is not None:
                found[key] = Earlier(value, case_id, person_id, document_id)  # the latest wins
    return found


@dataclass
class _Row:
    index: int
    values: Values
    issues: list[tuple[str | None, Code]]
    case_id: int | None = None
    unchanged: Earlier | None = None
    match: Match | None = None
    outcome: RowOutcome = RowOutcome.REJECTED
    person: Ref | None = None  # recorded or linked; for a held row, the candidate
    document_id: int | None = None
    recorded: bool = False

    @property
    def number(self) -> int:
        return row_number(self.index)

    @property
    def rejected(self) -> bool:
        return any(CONSEQUENCE[code] is not Consequence.QUARANTINE for _, code in self.issues)


@dataclass(frozen=True)
class _Context:
    submission: Submission
    partner: Partner
    agreement: Agreement
    prepared: Prepared


def _cross_record(db: Session, ctx: _Context, batch: list[_Row]) -> None:
    """Cases and earlier facts for every row; who each row is about for those still open."""
    prepared, submission = ctx.prepared, ctx.submission
    cases = records.cases_by_number(db, [r.values.get("case_number") or "" for r in batch])
    earlier = _earlier_facts(db, submission, [prepared.fact_keys[r.index] for r in batch])
    for row in batch:
        number = (row.values.get("case_number") or "").strip().upper()
        state = cases.get(number)
        if number and state is None:
            row.issues.append(("case_number", Code.CASE_UNKNOWN))
        elif state is not None:
            row.case_id = state.case_id
            if not state.open:
                row.issues.append(("case_number", Code.CASE_CLOSED))
        if row.rejected:
            continue
        before = earlier.get(prepared.fact_keys[row.index])
        if before is not None and before.fact_value == prepared.fact_values[row.index]:
            row.unchanged = before  # already decided and recorded: nothing new in it
            row.issues = []
        elif before is not None:
            row.issues.append((None, Code.EARLIER_DIFFERS))
    open_rows = [r for r in batch if not r.rejected and r.unchanged is None]
    if ctx.prepared.dataset.name == "party_details":
        for row, match in zip(
            open_rows, matching.match_parties(db, [r.values for r in open_rows]), strict=True
        ):
            row.match = match
    elif ctx.prepared.dataset.name == "safeguarding_checks":
        parties = records.case_parties(db, {r.case_id for r in open_rows if r.case_id})
        for row in open_rows:
            row.match = matching.find_subject(row.values, parties.get(row.case_id or 0, []))


def _decide(row: _Row, parties: bool, made: matching.InBatch) -> None:
    """The row's outcome from all its issues; for an accepted party, who it makes or links."""
    if row.unchanged is not None:
        row.outcome = RowOutcome.UNCHANGED
        row.case_id = row.unchanged.case_id or row.case_id
        row.person = row.unchanged.person_id
        row.document_id = row.unchanged.document_id
        return
    match = row.match
    if match is not None and parties and not row.rejected:
        match = made.correct(match, row.values)
    if match is not None and match.code is not None:
        row.issues.append((match.field, match.code))
    row.person = match.person_id if match is not None else None
    row.outcome = outcome_for({code for _, code in row.issues})
    if row.outcome is RowOutcome.ACCEPTED and parties:
        created = match is None or match.verdict is Verdict.NEW
        if created:
            row.person = Pending(row.index)
        assert row.person is not None
        made.note(row.person, row.values, created=created)


def _record(db: Session, kek: KeyEncryptionKeys, ctx: _Context, batch: list[_Row]) -> None:
    """Write the accepted rows into the records: party details all at once (new persons in
    one go, then every party), the others one document each."""
    accepted = [r for r in batch if r.outcome is RowOutcome.ACCEPTED]
    if ctx.prepared.dataset.name == "party_details":
        fresh = [r for r in accepted if isinstance(r.person, Pending)]
        fresh = [r for r in fresh if r.person == Pending(r.index)]
        made = recording.record_parties(
            db, [recording.PartyRow(r.values, r.case_id or 0, None) for r in fresh]
        )
        created = {r.index: pid for r, pid in zip(fresh, made, strict=True)}
        for row in batch:
            if isinstance(row.person, Pending):
                row.person = created.get(row.person.row)
        leaders = {r.index for r in fresh}
        linked = [r for r in accepted if r.index not in leaders]
        recording.record_parties(
            db,
            [
                recording.PartyRow(
                    r.values, r.case_id or 0, r.person if isinstance(r.person, int) else None
                )
                for r in linked
            ],
        )
        for row in accepted:
            row.recorded = True
        return
    rows = [
        recording.DocumentRow(
            r.values,
            r.case_id or 0,
            r.person if isinstance(r.person, int) else None,
            recording.Source(ctx.partner, ctx.agreement, ctx.submission, r.number),
        )
        for r in accepted
    ]
    for row, done in zip(
        accepted, recording.record_documents(db, kek, ctx.prepared.dataset, rows), strict=True
    ):
        row.person, row.document_id, row.recorded = done.person_id, done.document_id, True


def _store_rows(db: Session, kek: KeyEncryptionKeys, ctx: _Context, batch: list[_Row]) -> None:
    """Keep every row of the batch: its outcome, what it became, its values sealed (bound
    to the row's id, so inserted first), and its issues. Through Core, a statement each:
    as ORM objects, tracking and flushing 500 rows cost more than writing them."""
    prepared, submission = ctx.prepared, ctx.submission
    assert submission.data_key_id is not None
    now = clock.now()
    ids = list(
        db.scalars(
            insert(SubmissionRow).returning(SubmissionRow.id, sort_by_parameter_order=True),
            [
                {
                    "submission_id": submission.id,
                    "partner_id": submission.partner_id,
                    "row_number": row.number,
                    "outcome": row.outcome.value,
                    "fact_key": prepared.fact_keys[row.index],
                    "fact_value": prepared.fact_values[row.index],
                    "case_id": row.case_id,
                    "person_id": row.person if isinstance(row.person, int) else None,
                    "document_id": row.document_id,
                    "recorded_at": now if row.recorded else None,
                }
                for row in batch
            ],
        )
    )
    db.execute(
        update(SubmissionRow),
        [
            {
                "id": row_id,
                "values_sealed": crypto.seal(
                    db,
                    kek,
                    key_id=submission.data_key_id,
                    plaintext=json.dumps(row.values).encode(),
                    context=row_context(row_id),
                ),
            }
            for row, row_id in zip(batch, ids, strict=True)
        ],
    )
    issues = [
        {
            "submission_id": submission.id,
            "row_id": row_id,
            "row_number": row.number,
            "field": name,
            "code": code.value,
        }
        for row, row_id in zip(batch, ids, strict=True)
        for name, code in dict.fromkeys(row.issues)  # each (field, code) once
    ]
    if issues:
        db.execute(insert(RowIssue), issues)


def _batch(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, ctx: _Context, start: int, stop: int
) -> dict[RowOutcome, int]:
    prepared, submission = ctx.prepared, ctx.submission
    batch = [
        _Row(i, prepared.values[i], list(prepared.issues.get(row_number(i), [])))
        for i in range(start, stop)
    ]
    _cross_record(db, ctx, batch)
    made = matching.InBatch()
    parties = prepared.dataset.name == "party_details"
    for row in batch:
        _decide(row, parties, made)
    with records.deferred_changes(db, Actor.system()):
        _record(db, kek, ctx, batch)
    _store_rows(db, kek, ctx, batch)
    counts = {o: sum(1 for r in batch if r.outcome == o) for o in RowOutcome}
    submission.accepted += counts[RowOutcome.ACCEPTED]
    submission.unchanged += counts[RowOutcome.UNCHANGED]
    submission.quarantined += counts[RowOutcome.QUARANTINED]
    submission.rejected += counts[RowOutcome.REJECTED]
    submission.rows_done = stop
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.ROW_RECORDED,
        subject_type="submission",
        subject_id=submission.id,
        details={
            "rows": f"{row_number(start)}-{row_number(stop - 1)}",
            **{o.value: n for o, n in counts.items()},
        },
    )
    return counts


def _finish(db: Session, actor: Actor, submission: Submission) -> None:
    move(submission, SubmissionStatus.COMPLETE)
    submission.finished_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_VALIDATED,
        subject_type="submission",
        subject_id=submission.id,
        details={
            "rows": submission.rows,
            "accepted": submission.accepted,
            "unchanged": submission.unchanged,
            "quarantined": submission.quarantined,
            "rejected": submission.rejected,
        },
    )


def _context(db: Session, submission: Submission, prepared: Prepared) -> _Context:
    partner = db.get(Partner, submission.partner_id)
    agreement = db.get(Agreement, submission.agreement_id) if submission.agreement_id else None
    if partner is None or agreement is None:
        raise NotFound("The submission's partner or agreement is no longer held.")
    return _Context(submission, partner, agreement, prepared)


def _locked(db: Session, submission_id: int) -> Submission:
    """The submission, locked for this transaction on PostgreSQL: two runs of one submission
    (a job and `steward intake resume`) take turns, and the second finds the rows done."""
    submission = db.scalar(
        select(Submission).where(Submission.id == submission_id).with_for_update()
    )
    if submission is None:
        raise NotFound("There is no such submission.")
    return submission


def next_batch(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    submission_id: int,
    prepared: Prepared,
    *,
    batch_rows: int = BATCH_ROWS,
) -> tuple[int, bool]:
    """Process the next batch after ``rows_done`` in the caller's transaction; the last one
    completes the submission. Returns (rows done, finished)."""
    submission = _locked(db, submission_id)
    if submission.status != SubmissionStatus.VALIDATING:
        return submission.rows_done, True
    start = submission.rows_done
    stop = min(start + batch_rows, submission.rows)
    if start < stop:
        _batch(db, kek, actor, _context(db, submission, prepared), start, stop)
    if stop >= submission.rows:
        _finish(db, actor, submission)
        return stop, True
    return stop, False


def _begin(db: Session, actor: Actor, submission: Submission) -> bool:
    """Move a received submission to validating; False if there is nothing left to do."""
    if submission.status in (SubmissionStatus.COMPLETE, SubmissionStatus.REFUSED):
        return False
    if submission.shredded_at is not None:
        raise Conflict("This submission's data was destroyed at the end of its retention.")
    if submission.status == SubmissionStatus.RECEIVED:
        move(submission, SubmissionStatus.VALIDATING)
        db.flush()
    return True


def _refuse_late(db: Session, actor: Actor, submission: Submission, code: Code) -> None:
    """A stored file that can no longer be read as its data set asks (a reader made stricter
    since it was received): refused whole, nothing of it recorded (no row was yet)."""
    move(submission, SubmissionStatus.REFUSED)
    submission.refusal_code = code
    submission.finished_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_REFUSED,
        subject_type="submission",
        subject_id=submission.id,
        details={"code": code.value, "partner_id": submission.partner_id},
    )


def process(
    factory: sessionmaker[Session],
    kek: KeyEncryptionKeys,
    actor: Actor,
    submission_id: int,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
    before_commit: BatchHook | None = None,
) -> None:
    """Carry out (or carry on with) a stored submission, one transaction per batch.
    ``before_commit(n)`` is called inside the n-th batch's transaction of this run, before
    its commit (tests kill there); ``progress(done, total)`` after each commit."""
    with session_scope(factory) as db:
        submission = db.get(Submission, submission_id)
        if submission is None:
            raise NotFound("There is no such submission.")
        if not _begin(db, actor, submission):
            return
        try:
            prepared = prepare(db, kek, submission)
        except Refused as exc:
            if submission.rows_done:
                raise
            _refuse_late(db, actor, submission, exc.code)
            return
        done, total = submission.rows_done, submission.rows
    if progress is not None:
        progress(done, total)
    n = 0
    finished = False
    with one_connection(factory, cache_kib=BATCH_CACHE_KIB) as batches:
        while not finished:
            n += 1
            with session_scope(batches) as db:
                done, finished = next_batch(
                    db, kek, actor, submission_id, prepared, batch_rows=batch_rows
                )
                if before_commit is not None:
                    before_commit(n)
            if progress is not None:
                progress(done, total)


def process_here(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    submission: Submission,
    *,
    table: pl.DataFrame | None = None,
) -> None:
    """Process a small submission wholly in the caller's transaction (a request's): the
    file is already read (``table``), and the answer is ready when the page comes back."""
    if not _begin(db, actor, submission):
        return
    prepared = prepare(db, kek, submission, table)
    finished = False
    while not finished:
        _, finished = next_batch(db, kek, actor, submission.id, prepared)


def unfinished(db: Session) -> list[int]:
    """Submissions received or part-way through validation: what `steward intake resume`
    carries on with."""
    return list(
        db.scalars(
            select(Submission.id)
            .where(
                Submission.status.in_((SubmissionStatus.RECEIVED, SubmissionStatus.VALIDATING)),
                Submission.shredded_at.is_(None),
            )
            .order_by(Submission.id)
        )
    )


# --- in the background -------------------------------------------------------------------------


def start_processing(
    db: Session, actor: Actor, queue: jobs.JobQueue, submission: Submission
) -> jobs.Job:
    """Process a large submission in the background (core.jobs), progress in rows; or watch
    the run already going. Staff who review intake may watch a partner's job; other
    partners' accounts may not."""
    permission = (
        Permission.INTAKE_REVIEW
        if actor.can(Permission.INTAKE_REVIEW)
        else Permission.INTAKE_SUBMIT
    )
    job = jobs.start(
        db,
        actor,
        queue,
        kind=JOB_KIND,
        permission=permission,
        subject_id=submission.id,
        watchers=Permission.INTAKE_REVIEW,
    )
    job.total = submission.rows
    submission.job_id = job.id
    db.flush()
    return job


@jobs.handler(JOB_KIND)
def _run(run: jobs.JobRun) -> str | None:
    if run.subject_id is None:
        raise NotFound("There is no such submission.")
    process(run.factory, run.keyring, run.actor, run.subject_id, progress=run.progress)
    return f"/intake/submissions/{run.subject_id}"
