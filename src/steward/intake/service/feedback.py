"""What a partner is told about a submission: a summary, each issue by row, field and code,
how many of each code, and the same as a CSV and a PDF report; and the list of submissions.

Feedback carries row numbers, field names, codes and our own messages, never a value the
partner sent: it is shown, downloaded and kept without personal data in it (the file's name
is the one thing of the partner's it repeats). Each view is a recorded read
(SUBMISSION_READ), each download an export (REPORT_EXPORTED).

Who sees what (partners.require_partner_scope): a partner account its own partner's
submissions only (another partner's answers as a missing one does), staff who review intake
every partner's, nobody else any.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, jobs, pdf
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.files import csv_cell
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.intake import datasets
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, Partner, RowIssue, Submission
from steward.intake.policy import (
    CODE_TITLES,
    CONSEQUENCE,
    MESSAGES,
    Code,
    Consequence,
    SubmissionStatus,
)
from steward.intake.service import partners

SUBJECT_TYPE = "submission"  # as the submission service records it
# The PDF lists this many issues at most (a page of A4 holds about 25): past it, the CSV,
# which lists every one, is the report to use, and the PDF says so.
PDF_MAX_ISSUES = 2_000
CSV_COLUMNS = ("row", "field", "code", "message")

STATUS_WORDS: dict[str, str] = {
    SubmissionStatus.RECEIVED: "Received, waiting to be checked",
    SubmissionStatus.VALIDATING: "Being checked",
    SubmissionStatus.COMPLETE: "Checked",
    SubmissionStatus.REFUSED: "Refused: nothing recorded",
}
# What each consequence means for the row, as the partner reads it.
CONSEQUENCE_WORDS: dict[Consequence, str] = {
    Consequence.REFUSE: "File refused",
    Consequence.REJECT: "Row not recorded: correct it and send it again",
    Consequence.QUARANTINE: "Row held for the information governance team",
}
WHOLE_ROW = "The row as a whole"


def _title(code: str) -> str:
    try:
        return CODE_TITLES[Code(code)]
    except ValueError:
        return code


def _message(code: str) -> str:
    try:
        return MESSAGES[Code(code)]
    except ValueError:
        return ""


def _consequence(code: str) -> str:
    try:
        return CONSEQUENCE_WORDS[CONSEQUENCE[Code(code)]]
    except ValueError:
        return ""


def _field_label(dataset: datasets.Dataset | None, field: str | None) -> str:
    if field is None:
        return WHOLE_ROW
    if dataset is None:
        return field
    try:
        return dataset.field(field).label
    except KeyError:
        return field


def _dataset(name: str, version: int) -> datasets.Dataset | None:
    try:
        return datasets.get(name, version)
    except NotFound:
        return None


# --- who may see a submission --------------------------------------------------------------


def _may_see_any(actor: Actor) -> None:
    if not (actor.can(Permission.INTAKE_REVIEW) or actor.can(Permission.INTAKE_SUBMIT)):
        raise Forbidden("Your role does not see partner submissions.")


def visible(db: Session, actor: Actor, submission_id: int) -> Submission:
    """The submission, if the actor may see it; another partner's answers as a missing one."""
    _may_see_any(actor)
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise NotFound("There is no such submission.")
    partners.require_partner_scope(db, actor, submission.partner_id)
    return submission


def read(db: Session, actor: Actor, submission_id: int) -> Submission:
    """The submission, its reading on record (the API's view of one)."""
    submission = visible(db, actor, submission_id)
    _record_read(db, actor, submission, {})
    return submission


def _record_read(
    db: Session, actor: Actor, submission: Submission, extra: dict[str, str | int]
) -> None:
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_READ,
        subject_type=SUBJECT_TYPE,
        subject_id=submission.id,
        details={"partner_id": submission.partner_id, **extra},
    )


# --- one submission's feedback ---------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    submission_id: int
    partner_id: int
    partner_name: str
    partner_code: str
    dataset: str
    dataset_title: str
    dataset_version: int
    agreement_reference: str | None
    filename: str
    file_format: str
    size_bytes: int
    received: datetime
    finished: datetime | None
    submitted_by: str | None
    status: str
    refusal_code: str | None
    rows: int
    rows_done: int
    accepted: int
    unchanged: int
    held: int
    rejected: int
    job_id: int | None
    shredded: datetime | None
    stopped: str | None = None  # why the background check stopped, if it did

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def in_progress(self) -> bool:
        return self.stopped is None and self.status in (
            SubmissionStatus.RECEIVED,
            SubmissionStatus.VALIDATING,
        )

    @property
    def refusal_title(self) -> str | None:
        return _title(self.refusal_code) if self.refusal_code else None

    @property
    def refusal_message(self) -> str | None:
        return _message(self.refusal_code) if self.refusal_code else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission_id": self.submission_id,
            "partner": self.partner_name,
            "partner_code": self.partner_code,
            "dataset": self.dataset,
            "dataset_title": self.dataset_title,
            "dataset_version": self.dataset_version,
            "agreement": self.agreement_reference,
            "filename": self.filename,
            "received": self.received,
            "finished": self.finished,
            "status": self.status,
            "refusal_code": self.refusal_code,
            "rows": self.rows,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "quarantined": self.held,
            "rejected": self.rejected,
        }


def summary_of(db: Session, submission: Submission) -> Summary:
    partner = db.get(Partner, submission.partner_id)
    agreement = db.get(Agreement, submission.agreement_id) if submission.agreement_id else None
    dataset = _dataset(submission.dataset, submission.dataset_version)
    names = auth.usernames(
        db, [submission.submitted_by_user_id] if submission.submitted_by_user_id else []
    )
    assert partner is not None  # a foreign key holds it
    return Summary(
        submission_id=submission.id,
        partner_id=partner.id,
        partner_name=partner.name,
        partner_code=partner.code,
        dataset=submission.dataset,
        dataset_title=dataset.title if dataset else submission.dataset,
        dataset_version=submission.dataset_version,
        agreement_reference=agreement.reference if agreement else None,
        filename=submission.filename,
        file_format=submission.file_format,
        size_bytes=submission.size_bytes,
        received=submission.submitted_at,
        finished=submission.finished_at,
        submitted_by=names.get(submission.submitted_by_user_id or 0),
        status=submission.status,
        refusal_code=submission.refusal_code,
        rows=submission.rows,
        rows_done=submission.rows_done,
        accepted=submission.accepted,
        unchanged=submission.unchanged,
        held=submission.quarantined,
        rejected=submission.rejected,
        job_id=submission.job_id,
        shredded=submission.shredded_at,
        stopped=_stopped(db, submission),
    )


@dataclass(frozen=True)
class Issue:
    """One issue with one field of one row: where, which rule, and what to do."""

    row: int
    field: str | None
    field_label: str
    code: str
    title: str
    message: str
    consequence: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class CodeCount:
    code: str
    title: str
    message: str
    consequence: str
    count: int


@dataclass(frozen=True)
class Feedback:
    summary: Summary
    counts: list[CodeCount]
    issues: Page[Issue]
    code: str | None  # the filter in force
    issues_total: int  # every issue, whatever the filter


def code_filter(code: str | None) -> str | None:
    """A code to filter issues by, checked: blank for every code."""
    if not code:
        return None
    try:
        return Code(code).value
    except ValueError:
        raise ValidationFailed(
            "Choose an issue code from the list.", errors={"code": "Choose a code from the list"}
        ) from None


def _issues_query(submission_id: int, code: str | None) -> Select[int, str | None, str]:
    query = (
        select(RowIssue.row_number, RowIssue.field, RowIssue.code)
        .where(RowIssue.submission_id == submission_id)
        .order_by(RowIssue.row_number, RowIssue.id)
    )
    return query.where(RowIssue.code == code) if code else query


def code_counts(db: Session, submission_id: int) -> list[CodeCount]:
    """How many issues of each code, the commonest first."""
    rows = db.execute(
        select(RowIssue.code, func.count())
        .where(RowIssue.submission_id == submission_id)
        .group_by(RowIssue.code)
    ).all()
    counted = [
        CodeCount(code, _title(code), _message(code), _consequence(code), int(n))
        for code, n in rows
    ]
    return sorted(counted, key=lambda c: (-c.count, c.code))


def _issue(dataset: datasets.Dataset | None, row: Any) -> Issue:
    number, field, code = row
    return Issue(
        row=number,
        field=field,
        field_label=_field_label(dataset, field),
        code=code,
        title=_title(code),
        message=_message(code),
        consequence=_consequence(code),
    )


def feedback(
    db: Session, actor: Actor, submission_id: int, page: PageRequest, *, code: str | None = None
) -> Feedback:
    """One submission's feedback, its issues paged (and filtered by code): a recorded read."""
    submission = visible(db, actor, submission_id)
    wanted = code_filter(code)
    dataset = _dataset(submission.dataset, submission.dataset_version)
    counts = code_counts(db, submission.id)
    total = sum(c.count for c in counts)
    filtered = next((c.count for c in counts if c.code == wanted), 0) if wanted else total
    found: Page[Any] = paginate(
        db,
        _issues_query(submission.id, wanted),
        page,
        scalars=False,
        total=(filtered, False),
    )
    _record_read(
        db, actor, submission, {"page": page.number, **({"code": wanted} if wanted else {})}
    )
    return Feedback(
        summary=summary_of(db, submission),
        counts=counts,
        issues=found.map(lambda row: _issue(dataset, row)),
        code=wanted,
        issues_total=total,
    )


def all_issues(db: Session, submission: Submission) -> Iterator[Issue]:
    """Every issue of a submission in row order, read in batches (a large file has many)."""
    dataset = _dataset(submission.dataset, submission.dataset_version)
    rows = db.execute(_issues_query(submission.id, None).execution_options(yield_per=2_000))
    for row in rows:
        yield _issue(dataset, row)


@dataclass(frozen=True)
class Progress:
    """How far checking has got: counts and a status, nothing sent."""

    status: str
    done: int
    total: int | None
    finished: bool

    @property
    def percent(self) -> int | None:
        return min(100, round(100 * self.done / self.total)) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "finished": self.finished,
        }


def progress(db: Session, actor: Actor, submission_id: int) -> Progress:
    """For the page's progress bar, polled while a large file is checked: no read recorded
    each poll (the page itself was)."""
    submission = visible(db, actor, submission_id)
    stopped = _stopped(db, submission) is not None
    finished = submission.status in (SubmissionStatus.COMPLETE, SubmissionStatus.REFUSED)
    return Progress(
        status="stopped" if stopped else submission.status,
        done=submission.rows_done,
        total=submission.rows or None,
        finished=finished or stopped,
    )


def _stopped(db: Session, submission: Submission) -> str | None:
    """Why the background check of an unfinished submission stopped (its job failed), or
    None while it runs or waits. The rows checked so far stay; a rerun carries on."""
    if submission.job_id is None or submission.status not in (
        SubmissionStatus.RECEIVED,
        SubmissionStatus.VALIDATING,
    ):
        return None
    job = db.get(jobs.Job, submission.job_id)
    if job is None or job.status != jobs.JobStatus.FAILED:
        return None
    return job.error or "The check stopped before the end."


# --- the report as files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    filename: str
    media_type: str
    data: bytes


def _exported(db: Session, actor: Actor, submission: Submission, fmt: str, issues: int) -> None:
    audit.record(
        db,
        actor,
        IntakeEvent.REPORT_EXPORTED,
        subject_type=SUBJECT_TYPE,
        subject_id=submission.id,
        details={"partner_id": submission.partner_id, "format": fmt, "issues": issues},
    )


def report_csv(db: Session, actor: Actor, submission_id: int) -> Report:
    """Every issue as CSV (row, field, code, message), each cell safe to open in a
    spreadsheet."""
    submission = visible(db, actor, submission_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for issue in all_issues(db, submission):
        writer.writerow(
            [
                csv_cell(issue.row),
                csv_cell(issue.field or ""),
                csv_cell(issue.code),
                csv_cell(issue.message),
            ]
        )
        count += 1
    _exported(db, actor, submission, "csv", count)
    # A byte-order mark: Excel then reads the file as UTF-8, as the partner's own tools do.
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return Report(f"submission-{submission.id}-feedback.csv", "text/csv; charset=utf-8", data)


def report_pdf(db: Session, actor: Actor, submission_id: int, *, organisation: str) -> Report:
    """The feedback as an A4 report: the summary, the issues by code, and each issue by row
    (the first PDF_MAX_ISSUES of them; the CSV has every one)."""
    submission = visible(db, actor, submission_id)
    summary = summary_of(db, submission)
    counts = code_counts(db, submission.id)
    total = sum(c.count for c in counts)
    listed: list[Issue] = []
    for issue in all_issues(db, submission):
        if len(listed) == PDF_MAX_ISSUES:
            break
        listed.append(issue)
    data = _pdf(organisation, summary, counts, listed, total)
    _exported(db, actor, submission, "pdf", len(listed))
    return Report(f"submission-{submission.id}-feedback.pdf", "application/pdf", data)


def summary_lines(summary: Summary) -> list[tuple[str, str]]:
    """The summary as (label, text) lines, as the page and the PDF show it."""
    lines = [
        ("Partner", summary.partner_name),
        ("Data set", f"{summary.dataset_title} (version {summary.dataset_version})"),
        ("Data-sharing agreement", summary.agreement_reference or "None"),
        ("File", summary.filename),
        ("Received", clock.govuk_datetime(summary.received)),
        ("Status", "Checking stopped before the end" if summary.stopped else summary.status_words),
    ]
    if summary.refusal_code:
        lines.append(("Why it was refused", f"{summary.refusal_message} ({summary.refusal_code})"))
    lines += [
        ("Rows", f"{summary.rows:,}"),
        ("Accepted and recorded", f"{summary.accepted:,}"),
        ("Unchanged (sent before)", f"{summary.unchanged:,}"),
        ("Held for the information governance team", f"{summary.held:,}"),
        ("Rejected: correct and send again", f"{summary.rejected:,}"),
    ]
    return lines


def _pdf(
    organisation: str,
    summary: Summary,
    counts: Sequence[CodeCount],
    issues: Sequence[Issue],
    total: int,
) -> bytes:
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("feedback", parent=styles["Normal"], fontSize=9.5, leading=12.5)
    small = ParagraphStyle("feedback-small", parent=normal, fontSize=8.5, leading=11)
    bold = ParagraphStyle("feedback-bold", parent=small, fontName="Helvetica-Bold")
    h1 = ParagraphStyle("feedback-h1", parent=styles["Title"], fontSize=17, alignment=0)
    h2 = ParagraphStyle("feedback-h2", parent=styles["Heading2"], fontSize=13)

    def para(text: str, style: ParagraphStyle = normal) -> Paragraph:
        return pdf.para(text, style)

    table = pdf.ruled_table
    width = pdf.FRAME_WIDTH
    story: list[Any] = [
        para(organisation, small),
        para(f"Feedback on submission {summary.submission_id}", h1),
        para(
            "This report lists each issue found in the file by row, field and code, with what "
            "to do about it. It holds none of the values that were sent.",
            normal,
        ),
        Spacer(1, 4 * mm),
        para("Summary", h2),
        table(
            [[para(k, bold), para(v, small)] for k, v in summary_lines(summary)],
            [width * 0.38, width * 0.62],
            header=False,
        ),
        Spacer(1, 4 * mm),
        para("Issues by code", h2),
    ]
    if counts:
        story.append(
            table(
                [[para(h, bold) for h in ("Code", "Issue", "What happens to the row", "Count")]]
                + [
                    [
                        para(c.code, small),
                        para(c.title, small),
                        para(c.consequence, small),
                        para(f"{c.count:,}", small),
                    ]
                    for c in counts
                ],
                [width * 0.2, width * 0.3, width * 0.38, width * 0.12],
            )
        )
    else:
        story.append(para("No issues were found.", normal))
    story += [Spacer(1, 4 * mm), para("Issues by row", h2)]
    if issues:
        if total > len(issues):
            story.append(
                para(
                    f"The first {len(issues):,} of {total:,} issues are listed here. The CSV "
                    "report lists every one.",
                    normal,
                )
            )
        story.append(
            table(
                [[para(h, bold) for h in ("Row", "Field", "Code", "What to do")]]
                + [
                    [
                        para(str(i.row), small),
                        para(
                            i.field_label + (f" ({i.field})" if i.field else ""),
                            small,
                        ),
                        para(i.code, small),
                        para(i.message, small),
                    ]
                    for i in issues
                ],
                [width * 0.08, width * 0.24, width * 0.18, width * 0.5],
            )
        )
    else:
        story.append(para("No row has an issue.", normal))
    return pdf.a4(
        story,
        title=f"Feedback on submission {summary.submission_id}",
        author=organisation,
        subject="Each issue found in a partner's file, by row, field and code",
    )


# --- the list of submissions -----------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    id: int
    partner_id: int
    partner_name: str
    dataset: str
    dataset_title: str
    dataset_version: int
    filename: str
    received: datetime
    status: str
    refusal_code: str | None
    rows: int
    accepted: int
    unchanged: int
    held: int
    rejected: int
    submitted_by: str | None

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission_id": self.id,
            "partner": self.partner_name,
            "dataset": self.dataset,
            "dataset_title": self.dataset_title,
            "dataset_version": self.dataset_version,
            "filename": self.filename,
            "received": self.received,
            "status": self.status,
            "refusal_code": self.refusal_code,
            "rows": self.rows,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "quarantined": self.held,
            "rejected": self.rejected,
            "submitted_by": self.submitted_by,
        }


@dataclass(frozen=True)
class Listing:
    page: Page[Listed]
    # The partner a partner account sees (None for staff); ``linked`` False: an account not
    # yet linked to any partner, which sees nothing.
    own_partner: str | None
    linked: bool


def submissions(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    partner_id: int | None = None,
    dataset: str | None = None,
    status: str | None = None,
) -> Listing:
    """Submissions newest first: a partner account's own partner's only; staff who review
    intake, every partner's (or one partner's)."""
    _may_see_any(actor)
    if dataset and dataset not in datasets.names():
        raise ValidationFailed(
            "Choose a data set from the list.", errors={"dataset": "Choose a data set"}
        )
    if status and status not in set(SubmissionStatus):
        raise ValidationFailed(
            "Choose a status from the list.", errors={"status": "Choose a status"}
        )
    own: Partner | None = None
    if not actor.can(Permission.INTAKE_REVIEW):
        own = partners.partner_of(db, actor)
        if own is None:
            return Listing(Page([], 0, page.number, page.size), None, False)
        partner_id = own.id  # a partner's filter can only ever be itself
    query = (
        select(Submission, Partner.name)
        .join(Partner, Partner.id == Submission.partner_id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
    )
    if partner_id is not None:
        query = query.where(Submission.partner_id == partner_id)
    if dataset:
        query = query.where(Submission.dataset == dataset)
    if status:
        query = query.where(Submission.status == status)
    found: Page[Any] = paginate(db, query, page, scalars=False)
    names = auth.usernames(
        db, [s.submitted_by_user_id for s, _ in found.items if s.submitted_by_user_id]
    )

    def listed(row: Any) -> Listed:
        submission, partner_name = row
        dataset_ = _dataset(submission.dataset, submission.dataset_version)
        return Listed(
            id=submission.id,
            partner_id=submission.partner_id,
            partner_name=partner_name,
            dataset=submission.dataset,
            dataset_title=dataset_.title if dataset_ else submission.dataset,
            dataset_version=submission.dataset_version,
            filename=submission.filename,
            received=submission.submitted_at,
            status=submission.status,
            refusal_code=submission.refusal_code,
            rows=submission.rows,
            accepted=submission.accepted,
            unchanged=submission.unchanged,
            held=submission.quarantined,
            rejected=submission.rejected,
            submitted_by=names.get(submission.submitted_by_user_id or 0),
        )

    return Listing(found.map(listed), own.name if own else None, True)


def partner_choices(db: Session, actor: Actor) -> list[tuple[int, str]]:
    """Every partner, by name, for staff choosing whose submissions to see or send."""
    actor.require(Permission.INTAKE_REVIEW)
    return [
        (pid, name)
        for pid, name in db.execute(select(Partner.id, Partner.name).order_by(Partner.name))
    ]
