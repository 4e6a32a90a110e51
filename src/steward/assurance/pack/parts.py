"""What goes into the evidence pack: one small function per part, each calling the owning
domain's own export (which checks who may read it and records its own export event) and
returning the files it makes.

A part the builder's role may not read is left out, and the README says so: the pack never
holds more than its builder could download one file at a time. Free text sealed in the
database (statements, notes, reasons, a breach's narrative) stays out: it may name people, and
each has its page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from steward.archives.service import certificates as archive_certificates
from steward.assurance import report
from steward.assurance.areas import Area
from steward.assurance.audits.service import actions, assessments, attestations
from steward.assurance.breaches import register as breaches
from steward.assurance.controls import service as controls
from steward.assurance.controls.policy import RAG_LABELS
from steward.assurance.oversight.models import AccessReviewEntry
from steward.assurance.oversight.service import access_review
from steward.assurance.oversight.service import break_glass as glass
from steward.assurance.processing.service import exports as processing
from steward.core.crypto import KeyEncryptionKeys
from steward.core.files import csv_cell
from steward.core.paging import MAX_SIZE, Page, PageRequest
from steward.core.permissions import Actor
from steward.retention.service import certificate_pdf, schedule_print
from steward.retention.service import certificates as retention_certificates

T = TypeVar("T")


@dataclass(frozen=True)
class PackFile:
    path: str  # inside the zip, under its part's folder
    data: bytes
    about: str  # one line for the README
    rows: int | None = None  # data rows of a CSV (header not counted)


@dataclass(frozen=True)
class Context:
    db: Session
    actor: Actor
    as_of: date
    keyring: KeyEncryptionKeys
    organisation: str


@dataclass(frozen=True)
class Part:
    title: str
    make: Callable[[Context], list[PackFile]]


# --- helpers ---------------------------------------------------------------------------------


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]]) -> tuple[bytes, int]:
    """A CSV whose every cell a spreadsheet shows as text (core.files.csv_cell), and its rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(c) for c in header])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
        count += 1
    return out.getvalue().encode("utf-8"), count


def csv_file(path: str, about: str, lines: Iterable[Sequence[object]]) -> PackFile:
    """A file from an export that yields its header first (the breach register's, the plan's)."""
    found = iter(lines)
    header = next(found)
    data, count = csv_bytes(header, found)
    return PackFile(path, data, about, count)


def every_page(fetch: Callable[[PageRequest], Page[T]]) -> list[T]:
    """All rows of a paged service call: an export that takes a page gets every page."""
    found: list[T] = []
    number = 1
    while True:
        page = fetch(PageRequest(number, MAX_SIZE))
        found.extend(page.items)
        if len(page.items) < MAX_SIZE:
            return found
        number += 1


def _when(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


# --- 02: the measures ------------------------------------------------------------------------

# Which measures' drill-down rows go in, and why: only rows that name no data subject. A new
# measure must be placed in one of these two (tests/assurance/test_pack.py checks).
ROWS_IN_PACK: dict[str, str] = {
    "sar_on_time": "request references and dates; no requester's name",
    "sar_overdue_open": "request references, status and dates; no requester's name",
    "accounts_two_factor": "staff usernames and roles, as the access review register has them",
    "accounts_unused": "staff usernames and roles, as the access review register has them",
    "boxes_located": "archive box barcodes",
    "partner_under_agreement": "partner organisations and dates",
    "partner_rejection_rate": "partner organisations and counts",
    "audit_actions_overdue": "recommendation references, priorities, owners (staff) and dates",
}
ROWS_LEFT_OUT: dict[str, str] = {
    "training_current": "names staff with lapsed training: the figure is enough for the pack",
    "starters_before_induction": "names staff: the figure is enough for the pack",
    "records_past_disposal": "case numbers and file references identify families",
    "records_undatable": "case numbers and file references identify families",
    "files_out_long": "paper file references identify families",
    "record_classes_reviewed": "not measured yet",
    "disposals_certified": "not measured yet",
    "breaches_within_72h": "a figure without rows (the breach register is in 03-registers)",
    "break_glass_reviewed": "a figure without rows (the break-glass register is in 03-registers)",
    "processing_complete": "a figure without rows (the record of processing is in 03-registers)",
    "attestations_due": "a figure without rows (the attestations are in 06-attestations)",
}

FIGURE_HEADER = (
    "key",
    "title",
    "area",
    "figure",
    "numerator",
    "denominator",
    "count",
    "status",
    "green",
    "amber",
    "thresholds",
    "note",
    "definition",
)


def measures(ctx: Context) -> list[PackFile]:
    results = controls.results(ctx.db, ctx.actor, ctx.as_of)
    data, count = csv_bytes(
        FIGURE_HEADER,
        (
            (
                r.measure.key,
                r.measure.title,
                r.measure.area.label,
                "" if r.value is None else f"{r.value:g}",
                _number(r.computed.numerator if r.computed else None),
                _number(r.computed.denominator if r.computed else None),
                _number(r.computed.count if r.computed else None),
                RAG_LABELS[r.rag],
                f"{r.thresholds.green:g}",
                f"{r.thresholds.amber:g}",
                r.threshold_words,
                r.computed.note if r.computed else "",
                r.measure.definition,
            )
            for r in results
        ),
    )
    files = [
        PackFile(
            "02-measures/measures.csv",
            data,
            f"Every measure the catalogue names, as of {ctx.as_of.isoformat()}: figure, status, "
            "thresholds and definition (figures only, no names).",
            count,
        )
    ]
    for r in results:
        if r.computed is None or r.measure.key not in ROWS_IN_PACK:
            continue
        if not r.computed.rows or not ctx.actor.can(r.measure.names_need):
            continue
        measure, rows = controls.export(ctx.db, ctx.actor, r.measure.key, ctx.as_of)
        rows_data, rows_count = csv_bytes(measure.columns, (row.cells for row in rows))
        files.append(
            PackFile(
                f"02-measures/rows-{measure.key}.csv",
                rows_data,
                f"The records behind '{measure.title}': {ROWS_IN_PACK[measure.key]}.",
                rows_count,
            )
        )
    return files


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


# --- 03: the registers -----------------------------------------------------------------------


def action_plan(ctx: Context) -> list[PackFile]:
    lines = actions.export_rows(
        ctx.db, ctx.actor, actions.ActionFilter(status=actions.ALL), ctx.as_of
    )
    return [
        csv_file(
            "03-registers/action-plan.csv",
            "Every audit recommendation's action, open or closed, with owner (staff), agreed "
            "date and status; no update notes.",
            lines,
        )
    ]


def breach_register(ctx: Context) -> list[PackFile]:
    lines = breaches.export(ctx.db, ctx.actor, breaches.RegisterFilter())
    return [
        csv_file(
            "03-registers/breach-register.csv",
            "The breach register's facts and decisions (Art 33(5)): dates, the 72-hour clock, "
            "risk, counts, data categories, the ICO decision; no narrative, reasons or links "
            "to cases or people.",
            lines,
        )
    ]


def board_report(ctx: Context) -> list[PackFile]:
    """The board report for the same day, as the board read it and as figures."""
    found = report.figures(ctx.db, ctx.actor, ctx.as_of, organisation=ctx.organisation)
    return [
        PackFile(
            "01-report/board-report.pdf",
            report.pdf(found),
            "The board report: each ICO area's rating and measures, recommendations by "
            "priority, the action plan's progress and the scales it uses; no personal data.",
        ),
        PackFile(
            "01-report/board-report.json",
            json.dumps(report.to_json(found), indent=2, sort_keys=True).encode("utf-8"),
            "The board report's figures, for comparing one report with another.",
        ),
    ]


def processing_register(ctx: Context) -> list[PackFile]:
    activities = processing.activities_csv(ctx.db, ctx.actor).encode("utf-8")
    pdf = processing.activities_pdf(ctx.db, ctx.actor, organisation=ctx.organisation)
    assets = processing.assets_csv(ctx.db, ctx.actor).encode("utf-8")
    return [
        PackFile(
            "03-registers/record-of-processing.csv",
            activities,
            "The record of processing activities (Art 30(1)), every field; owners are staff.",
            _data_rows(activities),
        ),
        PackFile(
            "03-registers/record-of-processing.pdf",
            pdf,
            "The same record of processing, printed.",
        ),
        PackFile(
            "03-registers/information-assets.csv",
            assets,
            "The information asset register: assets, owners (staff), activities, classes.",
            _data_rows(assets),
        ),
    ]


def _data_rows(data: bytes) -> int:
    return max(0, len(list(csv.reader(io.StringIO(data.decode("utf-8"))))) - 1)


BREAK_GLASS_HEADER = (
    "use",
    "opened_at",
    "expires_at",
    "opened_by",
    "outcome",
    "reviewed_by",
    "reviewed_at",
    "follow_up_recorded",
)


def break_glass(ctx: Context) -> list[PackFile]:
    uses = glass.export_uses(ctx.db, ctx.keyring, ctx.actor)
    data, count = csv_bytes(
        BREAK_GLASS_HEADER,
        (
            (
                u.id,
                _when(u.opened_at),
                _when(u.expires_at),
                u.user,
                u.review.outcome.value if u.review else "not yet reviewed",
                u.review.reviewer if u.review else "",
                _when(u.review.reviewed_at) if u.review else "",
                "yes" if u.review and u.review.follow_up else "no",
            )
            for u in uses
        ),
    )
    return [
        PackFile(
            "03-registers/break-glass-review.csv",
            data,
            "Every break-glass use and its review outcome, by use number and staff username; "
            "no case numbers, reasons or notes (they tell what happened in a case).",
            count,
        )
    ]


ROUND_HEADER = ("review", "opened_at", "opened_by", "closed_at", "closed_by", "accounts")
ENTRY_HEADER = (
    "review",
    "username",
    "role",
    "team",
    "two_factor",
    "last_signed_in",
    "decision",
    "decided_at",
    "role_after",
    "team_after",
    "active_after",
)


def _round_entries(ctx: Context, round_id: int, page: PageRequest) -> Page[AccessReviewEntry]:
    return access_review.get_round(ctx.db, ctx.actor, round_id, page)[1]


def _assessments(ctx: Context, area: Area, page: PageRequest) -> Page[assessments.AssessmentView]:
    return assessments.history(ctx.db, ctx.keyring, ctx.actor, area, page)


def access_reviews(ctx: Context) -> list[PackFile]:
    rounds = every_page(lambda p: access_review.list_rounds(ctx.db, ctx.actor, p))
    round_data, round_count = csv_bytes(
        ROUND_HEADER,
        (
            (
                v.round.id,
                _when(v.round.opened_at),
                v.opened_by,
                _when(v.round.closed_at),
                v.closed_by or "",
                v.accounts,
            )
            for v in rounds
        ),
    )
    entries: list[AccessReviewEntry] = []
    for v in rounds:
        entries += every_page(partial(_round_entries, ctx, v.round.id))
    entry_data, entry_count = csv_bytes(
        ENTRY_HEADER,
        (
            (
                e.round_id,
                e.username,
                e.role,
                e.team or "",
                "yes" if e.two_factor else "no",
                _when(e.last_signin_at),
                e.decision or "",
                _when(e.decided_at),
                e.role_after or "",
                e.team_after or "",
                "" if e.active_after is None else ("yes" if e.active_after else "no"),
            )
            for e in entries
        ),
    )
    return [
        PackFile(
            "03-registers/access-reviews.csv",
            round_data,
            "Every periodic access review: when, by whom, how many accounts.",
            round_count,
        ),
        PackFile(
            "03-registers/access-review-accounts.csv",
            entry_data,
            "Each review's accounts (staff): role, team, two-factor, last sign-in, decision.",
            entry_count,
        ),
    ]


ASSESSMENT_HEADER = ("area", "assessed_on", "rating", "assessed_by", "current")


def self_assessments(ctx: Context) -> list[PackFile]:
    rows: list[tuple[object, ...]] = []
    for area in Area:
        found = every_page(partial(_assessments, ctx, area))
        rows += [
            (area.label, _when(v.assessed_on), v.rating.label, v.assessed_by or "", v.current)
            for v in found
        ]
    data, count = csv_bytes(ASSESSMENT_HEADER, ((*r[:4], "yes" if r[4] else "no") for r in rows))
    return [
        PackFile(
            "03-registers/self-assessments.csv",
            data,
            "Every self-assessment per ICO audit area, the current one marked; the statements "
            "are on the self-assessment pages.",
            count,
        )
    ]


# --- 04: retention ---------------------------------------------------------------------------


def retention_schedule(ctx: Context) -> list[PackFile]:
    version, pdf = schedule_print.schedule_pdf(ctx.db, ctx.actor)
    return [
        PackFile(
            f"04-retention/retention-schedule-v{version}.pdf",
            pdf,
            f"The approved retention schedule in force (version {version}).",
        )
    ]


def catalogue(ctx: Context) -> list[PackFile]:
    current = controls.current(ctx.db)
    number = current.version.version if current.version else 0
    name = f"control-catalogue-v{number}.yaml" if number else "control-catalogue-shipped.yaml"
    return [
        PackFile(
            f"02-measures/{name}",
            current.source.encode("utf-8"),
            "The control catalogue in force: each expectation, its articles and its measure.",
        )
    ]


# --- 05: certificates ------------------------------------------------------------------------

CERTIFICATE_HEADER = (
    "certificate",
    "disposal_list",
    "issued_at",
    "destroyed",
    "sent_to_contractor",
    "kept",
    "rules",
    "proposed_by",
    "approved_by",
    "executed_by",
    "method",
    "list_sha256",
)


def disposal_certificates(ctx: Context) -> list[PackFile]:
    found = retention_certificates.issued_by(ctx.db, ctx.actor, until=ctx.as_of)
    data, count = csv_bytes(
        CERTIFICATE_HEADER,
        (
            (
                c.reference,
                c.list_reference,
                _when(c.issued_at),
                c.destroyed_count,
                c.paper_count,
                c.kept_count,
                "; ".join(
                    f"{r.class_code} rule v{r.rule_version} (schedule v{r.schedule_version})"
                    for r in c.rules
                ),
                c.proposed_by or "",
                c.approved_by or "",
                c.executed_by or "",
                c.method,
                c.sha256,
            )
            for c in found
        ),
    )
    listed = PackFile(
        "05-certificates/disposal-certificates.csv",
        data,
        "Every certificate of destruction issued by the as-of date: counts, rules, who "
        "approved (staff), the method, the SHA-256 of the list; no record identifiers.",
        count,
    )
    # Each certificate as it is printed to be signed and filed.
    printed = [
        PackFile(
            f"05-certificates/{c.reference}.pdf",
            certificate_pdf.render(c, ctx.organisation),
            f"Certificate of destruction {c.reference} (disposal list {c.list_reference}), "
            "as printed to sign and file.",
        )
        for c in found
    ]
    return [listed, *printed]


ARCHIVE_HEADER = (
    "disposal_reference",
    "received_at",
    "destroyed",
    "missing",
    "unexpected",
    "certificate_sha256",
)


def archive_certificates_part(ctx: Context) -> list[PackFile]:
    found = every_page(lambda p: archive_certificates.certificates_page(ctx.db, ctx.actor, p))
    data, count = csv_bytes(
        ARCHIVE_HEADER,
        (
            (
                c.reference,
                _when(c.received_at),
                c.destroyed_count,
                c.missing_count,
                c.unexpected_count,
                c.sha256,
            )
            for c in found
            if c.received_at.date() <= ctx.as_of
        ),
    )
    return [
        PackFile(
            "05-certificates/paper-destruction-certificates.csv",
            data,
            "The storage contractor's certificates of destruction, as reconciled: counts and "
            "the SHA-256 of each file as received (Steward keeps the fingerprint, not the "
            "file; the per-file lines name files and are on the archive's pages).",
            count,
        )
    ]


# --- 06: attestations ------------------------------------------------------------------------

ATTESTATION_HEADER = (
    "attestation",
    "title",
    "expectation",
    "attested_on",
    "review_on",
    "state",
    "recorded_by",
    "document",
)


def attestation_files(ctx: Context) -> list[PackFile]:
    lines = every_page(
        lambda p: attestations.list_attestations(ctx.db, ctx.actor, p, as_of=ctx.as_of)
    )
    files: list[PackFile] = []
    names: dict[int, str] = {}
    for line in lines:
        document = attestations.document(ctx.db, ctx.keyring, ctx.actor, line.id)
        names[line.id] = f"documents/{document.filename}"
        files.append(
            PackFile(
                f"06-attestations/documents/{document.filename}",
                document.data,
                f"The document of attestation {line.id} ({line.title}).",
            )
        )
    data, count = csv_bytes(
        ATTESTATION_HEADER,
        (
            (
                a.id,
                a.title,
                a.expectation_id,
                _when(a.attested_on),
                _when(a.review_on),
                a.state.label,
                a.recorded_by or "",
                names[a.id],
            )
            for a in lines
        ),
    )
    register = PackFile(
        "06-attestations/attestations.csv",
        data,
        "Every attestation with its state on the as-of date and its document's file name in "
        "this folder; the statements are on the attestation pages.",
        count,
    )
    return [register, *files]


# The parts in the order of the zip's folders. A part is one entry here.
PARTS: tuple[Part, ...] = (
    Part("Board report", board_report),
    Part("Measures", measures),
    Part("Control catalogue", catalogue),
    Part("Action plan", action_plan),
    Part("Breach register", breach_register),
    Part("Record of processing and information assets", processing_register),
    Part("Break-glass review", break_glass),
    Part("Access reviews", access_reviews),
    Part("Self-assessments", self_assessments),
    Part("Retention schedule", retention_schedule),
    Part("Certificates of destruction", disposal_certificates),
    Part("Paper archive destruction certificates", archive_certificates_part),
    Part("Attestations", attestation_files),
)
