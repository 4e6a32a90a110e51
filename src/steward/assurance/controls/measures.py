"""Every measure the catalogue may name: its definition, how it is rated, who may see the
records behind it, and the function that computes it from the owning domain's figures.

A key with ``compute=None`` is named in the catalogue but has no function yet: it shows as
"not measured yet". Wiring one in is its ``compute=`` argument below (docs/assurance.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from steward.archives.service import assurance as archive_figures
from steward.assurance.areas import Area
from steward.assurance.audits.service import actions as action_figures
from steward.assurance.audits.service import attestations as attestation_figures
from steward.assurance.breaches import register as breach_figures
from steward.assurance.controls.policy import Kind, Thresholds, percent
from steward.assurance.oversight.service import break_glass as oversight_figures
from steward.assurance.processing.service import summary as register_figures
from steward.core import account_figures
from steward.core.permissions import Permission
from steward.intake.service import assurance as intake_figures
from steward.records.service import assurance as records_figures
from steward.retention.service import assurance as retention_figures
from steward.sar.service import assurance as sar_figures
from steward.training.service import assurance as training_figures

TWELVE_MONTHS_DAYS = 365


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    href: str | None = None


@dataclass(frozen=True)
class Computed:
    """What a measure found: numerator/denominator for a percentage, count for a count, and
    the rows behind the figure (for the drill-down, shown only to those who may see them)."""

    numerator: int | None = None
    denominator: int | None = None
    count: int | None = None
    note: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        if self.count is not None:
            return float(self.count)
        if self.numerator is None or self.denominator is None:
            return None
        return percent(self.numerator, self.denominator)


Compute = Callable[[Session, date], Computed]
# The same figure on many days at once, one Computed a day in the days' order, each equal to
# ``compute`` on that day (tests/assurance/test_measures_trend.py): a trend's twelve month
# ends from one reading instead of twelve.
OverTime = Callable[[Session, Sequence[date]], list[Computed]]


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    area: Area
    kind: Kind
    definition: str
    defaults: Thresholds
    columns: tuple[str, ...] = ()
    # Who may see the rows (names, references) behind the figure; others see the count.
    names_need: Permission = Permission.AUDIT_READ
    compute: Compute | None = None
    headline: bool = False  # drawn month by month on the dashboard's trend chart
    # The figure alone, cheaper where the rows cost a query of their own: what the dashboard,
    # a self-assessment and a trend show. None: ``compute``, its rows left unread.
    figure: Compute | None = None
    over_time: OverTime | None = None  # the trend at once; None: ``compute`` day by day


def _year_before(as_of: date) -> date:
    return date.fromordinal(as_of.toordinal() - TWELVE_MONTHS_DAYS + 1)


def sar_on_time(db: Session, as_of: date) -> Computed:
    return _sar_on_time(sar_figures.answered(db, _year_before(as_of), as_of))


def sar_on_time_over_time(db: Session, days: Sequence[date]) -> list[Computed]:
    """Every request answered over the whole span read once; each day keeps its 12 months
    (a request's answer day and its due date then do not depend on the day reported on)."""
    if not days:
        return []
    answered = sar_figures.answered(db, _year_before(min(days)), max(days))
    return [
        _sar_on_time([a for a in answered if _year_before(day) <= a.answered_on <= day])
        for day in days
    ]


def _sar_on_time(answered: list[sar_figures.Answered]) -> Computed:
    late = [a for a in answered if not a.on_time]
    return Computed(
        numerator=len(answered) - len(late),
        denominator=len(answered),
        note=f"{len(late)} answered late",
        rows=[
            Row(
                (
                    a.reference,
                    f"{a.due_on:%-d %b %Y}",
                    f"{a.answered_on:%-d %b %Y}",
                    "Yes" if a.extended else "No",
                ),
                f"/sar/requests/{a.request_id}",
            )
            for a in late
        ],
    )


def sar_overdue_open(db: Session, as_of: date) -> Computed:
    found = sar_figures.overdue(db, as_of)
    return Computed(
        count=len(found),
        note=f"most overdue: {found[0].days_over} days" if found else "",
        rows=[
            Row(
                (
                    o.reference,
                    o.status.replace("_", " "),
                    f"{o.due_on:%-d %b %Y}",
                    str(o.days_over),
                ),
                f"/sar/requests/{o.request_id}",
            )
            for o in found
        ],
    )


def training_current(db: Session, as_of: date) -> Computed:
    found = training_figures.compliance(db, as_of)
    return Computed(
        numerator=found.compliant,
        denominator=found.counted,
        rows=[
            Row(
                (p.staff_number, p.name, p.team or "No team", ", ".join(p.missing)),
                f"/training/staff/{p.staff_id}",
            )
            for p in found.not_current
        ],
    )


def training_current_over_time(db: Session, days: Sequence[date]) -> list[Computed]:
    """The figure alone (no rows: a trend point shows none) on each day, from one reading."""
    found = training_figures.compliance_over_time(db, days)
    return [Computed(numerator=found[day][0], denominator=found[day][1]) for day in days]


def starters_before_induction(db: Session, as_of: date) -> Computed:
    found = records_figures.access_before_induction(db, as_of)
    return Computed(
        count=len(found),
        rows=[
            Row(
                (p.staff_number, p.name, p.team or "No team", str(p.cases), ", ".join(p.missing)),
                f"/training/staff/{p.staff_id}",
            )
            for p in found
        ],
    )


def _account_rows(rows: list[account_figures.AccountRow]) -> list[Row]:
    return [
        Row(
            (
                r.username,
                r.role.replace("_", " "),
                f"{r.last_signin_at:%-d %b %Y}" if r.last_signin_at else "Never",
            )
        )
        for r in rows
    ]


def accounts_two_factor(db: Session, as_of: date) -> Computed:
    with_2fa, active = account_figures.two_factor(db, as_of)
    return Computed(
        numerator=with_2fa,
        denominator=active,
        rows=_account_rows(account_figures.without_two_factor(db, as_of)),
    )


def accounts_unused(db: Session, as_of: date) -> Computed:
    rows = account_figures.unused(db, as_of)
    return Computed(count=len(rows), rows=_account_rows(rows))


def _dated_rows(figure: retention_figures.Figure) -> list[Row]:
    return [
        Row(
            (
                r.identifier,
                "Case" if r.kind == "case" else "Paper file",
                f"{r.due_on:%-d %b %Y}" if r.due_on else "Cannot be dated",
            ),
            f"/cases/{r.record_id}" if r.kind == "case" else None,
        )
        for r in figure.rows
    ]


def records_past_disposal(db: Session, as_of: date, *, shown: int | None = None) -> Computed:
    found = retention_figures.past_disposal(db, as_of, shown=shown)
    if found is None:
        return Computed(count=0, note="no retention schedule approved")
    oldest = (as_of - found.oldest_due_on).days if found.oldest_due_on else None
    return Computed(
        count=found.count,
        note=f"oldest {oldest} days past its date" if oldest is not None else "",
        rows=_dated_rows(found),
    )


def records_past_disposal_figure(db: Session, as_of: date) -> Computed:
    """The count and the oldest date, without the oldest thousand rows."""
    return replace(records_past_disposal(db, as_of, shown=1), rows=[])


def records_undatable(db: Session, as_of: date, *, shown: int | None = None) -> Computed:
    found = retention_figures.undatable_records(db, shown=shown)
    if found is None:
        return Computed(count=0, note="no retention schedule approved")
    return Computed(count=found.count, rows=_dated_rows(found))


def records_undatable_figure(db: Session, as_of: date) -> Computed:
    return replace(records_undatable(db, as_of, shown=1), rows=[])


def record_classes_reviewed(db: Session, as_of: date) -> Computed:
    found = retention_figures.record_classes_reviewed(db, as_of)
    short = [c for c in found if not c.meets]
    no_owner = sum(1 for c in found if c.owner is None)
    return Computed(
        numerator=len(found) - len(short),
        denominator=len(found),
        note=f"{no_owner:,} class(es) without an owner",
        rows=[
            Row(
                (
                    c.code,
                    c.name,
                    c.owner or "No owner",
                    f"{c.last_reviewed_on:%-d %b %Y}" if c.last_reviewed_on else "Never",
                    "; ".join(c.gaps),
                ),
                f"/retention/classes/{c.class_id}",
            )
            for c in short
        ],
    )


def disposals_certified(db: Session, as_of: date) -> Computed:
    """Our own certificate for each disposal list carried out, and the contractor's for each
    paper file sent for destruction: one figure over both (each is a disposal that must be
    proven), the note and the drill-down keeping them apart."""
    start = _year_before(as_of)
    lists = retention_figures.disposal_lists_certified(db, start, as_of)
    paper = archive_figures.paper_destruction(db, start, as_of)
    return Computed(
        numerator=lists.certified + paper.certified,
        denominator=lists.completed + paper.counted,
        note=f"disposal lists: {lists.certified:,} of {lists.completed:,} certified; "
        f"paper files: {paper.certified:,} of {paper.counted:,} certified by the contractor, "
        f"{paper.awaiting:,} awaiting the certificate "
        f"(sent in the last {archive_figures.CERTIFICATE_DAYS} days)",
        rows=[
            *(
                Row(
                    (d.reference, "Disposal list", f"{d.completed_on:%-d %b %Y}", ""),
                    f"/retention/disposal/{d.list_id}",
                )
                for d in lists.uncertified
            ),
            *(
                Row(
                    (
                        f.reference,
                        "Paper file",
                        f"{f.sent_on:%-d %b %Y}",
                        f.destruction_reference or "",
                    ),
                    f"/archives/files/{f.file_id}",
                )
                for f in paper.uncertified
            ),
        ],
    )


def boxes_located(db: Session, as_of: date) -> Computed:
    located, held, lost = archive_figures.boxes_located(db, as_of)
    return Computed(
        numerator=located,
        denominator=held,
        rows=[Row((b.barcode,), f"/archives/boxes/{b.box_id}") for b in lost],
    )


def files_out_long(db: Session, as_of: date) -> Computed:
    found = archive_figures.files_out_long(db, as_of)
    return Computed(
        count=len(found),
        rows=[Row((o.reference, f"{o.out_on:%-d %b %Y}", str(o.days_out))) for o in found],
    )


def partner_under_agreement(db: Session, as_of: date) -> Computed:
    agreed, total, others = intake_figures.under_agreement(db, _year_before(as_of), as_of)
    return Computed(
        numerator=agreed,
        denominator=total,
        rows=[
            Row(
                (o.partner, f"{o.received_on:%-d %b %Y}"),
                f"/intake/submissions/{o.submission_id}",
            )
            for o in others
        ],
    )


def partner_rejection_rate(db: Session, as_of: date) -> Computed:
    partners = intake_figures.rows_by_partner(db, _year_before(as_of), as_of)
    accepted = sum(p.accepted for p in partners)
    decided = sum(p.decided for p in partners)
    worst = max(partners, key=lambda p: p.rejected / p.decided if p.decided else 0, default=None)
    return Computed(
        numerator=accepted,
        denominator=decided,
        note=f"highest rejection rate: {worst.partner}" if worst and worst.rejected else "",
        rows=[
            Row(
                (
                    p.partner,
                    f"{p.decided:,}",
                    f"{p.rejected:,}",
                    f"{100 * p.rejected / p.decided:.1f}%" if p.decided else "-",
                )
            )
            for p in partners
        ],
    )


def breaches_within_72h(db: Session, as_of: date) -> Computed:
    found = breach_figures.breach_summary(db, as_of)
    unexplained = found.not_notified - found.not_notified_with_reason
    return Computed(
        numerator=found.notified_within_72_hours,
        denominator=found.notified,
        note=f"{found.overdue_now:,} decision(s) overdue now; "
        f"{found.not_notified:,} not notified, {unexplained:,} of them without a reason",
    )


def break_glass_reviewed(db: Session, as_of: date) -> Computed:
    found = oversight_figures.break_glass_summary(db, as_of)
    return Computed(
        numerator=found.reviewed,
        denominator=found.uses,
        note=f"{found.not_justified:,} found not justified",
    )


def processing_complete(db: Session, as_of: date) -> Computed:
    found = register_figures.register_summary(db, as_of)
    return Computed(
        numerator=found.complete_and_reviewed,
        denominator=found.activities,
        note=f"{found.unmapped_classes:,} record class(es) not mapped to an activity; "
        f"{found.assets_without_owner:,} asset(s) without an owner",
    )


def audit_actions_overdue(db: Session, as_of: date) -> Computed:
    """Counts the red ones (urgent or high, overdue); the note gives every overdue action."""
    plan = action_figures.action_plan_summary(db, as_of)
    return Computed(
        count=plan.red,
        note=f"{plan.overdue:,} of {plan.open:,} open actions overdue",
        rows=[
            Row(
                (a.reference, a.priority.value, a.owner, a.agreed_on.isoformat()),
                f"/assurance/actions/{a.id}",
            )
            for a in action_figures.open_red_actions(db, as_of)
        ],
    )


def attestations_due(db: Session, as_of: date) -> Computed:
    found = attestation_figures.attestation_summary(db, as_of)
    return Computed(count=found.expired, note=f"{found.due_soon:,} due within 30 days")


_DEFAULT_PERCENT = Thresholds(green=95, amber=85)
_ZERO_TOLERANCE = Thresholds(green=0, amber=0)

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "sar_on_time",
            "Subject access requests answered on time",
            Area.REQUESTS,
            Kind.PERCENT,
            "Requests answered (sent, or refused with reasons) in the last 12 months on or "
            "before their due date as the clock stood that day: a lawful extension and any "
            "pause for clarification move the due date.",
            _DEFAULT_PERCENT,
            ("Reference", "Due", "Answered", "Extended"),
            Permission.SAR_MANAGE,
            sar_on_time,
            headline=True,
            over_time=sar_on_time_over_time,
        ),
        Measure(
            "sar_overdue_open",
            "Open requests overdue",
            Area.REQUESTS,
            Kind.COUNT,
            "Open requests past their due date today. A request whose clock is stopped for "
            "clarification, or not yet started (ID awaited), is not overdue.",
            _ZERO_TOLERANCE,
            ("Reference", "Status", "Due", "Days overdue"),
            Permission.SAR_MANAGE,
            sar_overdue_open,
        ),
        Measure(
            "training_current",
            "Staff with current mandatory training",
            Area.TRAINING,
            Kind.PERCENT,
            "Staff in post (leavers and those not yet started are not counted) with every "
            "course that applies to them current, out of those past their first window; "
            "the training compliance report's figure.",
            _DEFAULT_PERCENT,
            ("Staff number", "Name", "Team", "Missing"),
            Permission.TRAINING_VIEW_COMPLIANCE,
            training_current,
            headline=True,
            over_time=training_current_over_time,
        ),
        Measure(
            "starters_before_induction",
            "Staff with case access before induction",
            Area.TRAINING,
            Kind.COUNT,
            "Staff in post whose induction is not complete but who are assigned to a case. "
            "Target: none.",
            _ZERO_TOLERANCE,
            ("Staff number", "Name", "Team", "Cases assigned", "Induction outstanding"),
            Permission.TRAINING_VIEW_COMPLIANCE,
            starters_before_induction,
        ),
        Measure(
            "accounts_two_factor",
            "Accounts with two-factor sign-in",
            Area.SECURITY,
            Kind.PERCENT,
            "Active accounts with two-factor sign-in set up, out of all active accounts.",
            Thresholds(green=100, amber=90),
            ("Username", "Role", "Last signed in"),
            Permission.AUDIT_READ,
            accounts_two_factor,
            headline=True,
        ),
        Measure(
            "accounts_unused",
            "Accounts unused for 90 days",
            Area.SECURITY,
            Kind.COUNT,
            "Active accounts with no sign-in in the last 90 days (or never, for an account "
            "older than that). Each should be reviewed and closed if no longer needed.",
            Thresholds(green=0, amber=3),
            ("Username", "Role", "Last signed in"),
            Permission.AUDIT_READ,
            accounts_unused,
        ),
        Measure(
            "record_classes_reviewed",
            "Record classes with a reviewed rule and an owner",
            Area.RECORDS_MANAGEMENT,
            Kind.PERCENT,
            "Record classes of the file plan (each class records are kept in) with a rule in "
            "the retention schedule in force, a named owner, and the rule reviewed in the last "
            "12 months: a review recorded for the class, or the approval of a schedule version "
            "holding its rule. Owners are as they are now.",
            _DEFAULT_PERCENT,
            ("Code", "Class", "Owner", "Last reviewed", "Short of"),
            Permission.RETENTION_MANAGE,
            record_classes_reviewed,
        ),
        Measure(
            "records_past_disposal",
            "Records past their disposal date",
            Area.RECORDS_MANAGEMENT,
            Kind.COUNT,
            "Records (cases and paper files) whose date under the approved retention schedule "
            "has passed and that no hold in force covers (a held record is not overdue), with "
            "the age of the oldest. The drill-down lists the oldest 1,000.",
            Thresholds(green=0, amber=10),
            ("Record", "Kind", "Due"),
            Permission.RETENTION_MANAGE,
            records_past_disposal,
            figure=records_past_disposal_figure,
        ),
        Measure(
            "records_undatable",
            "Records that cannot be dated",
            Area.RECORDS_MANAGEMENT,
            Kind.COUNT,
            "Records (cases and paper files) the approved retention schedule cannot date: "
            "a fact its rule needs is missing. The drill-down lists the first 1,000.",
            Thresholds(green=0, amber=10),
            ("Record", "Kind", "Due"),
            Permission.RETENTION_MANAGE,
            records_undatable,
            figure=records_undatable_figure,
        ),
        Measure(
            "disposals_certified",
            "Disposals with a certificate",
            Area.RECORDS_MANAGEMENT,
            Kind.PERCENT,
            "Disposals in the last 12 months proven by a certificate: each disposal list "
            "carried out, by its certificate of destruction; each paper file sent for "
            "destruction, by the storage contractor's certificate (a file sent in the last 30 "
            "days is awaiting it, and not counted). Lists not yet carried out are not counted.",
            Thresholds(green=100, amber=95),
            ("Reference", "Kind", "Completed or sent", "Sent under"),
            Permission.RETENTION_MANAGE,
            disposals_certified,
        ),
        Measure(
            "boxes_located",
            "Paper boxes with a current location",
            Area.RECORDS_MANAGEMENT,
            Kind.PERCENT,
            "Archive boxes held (not destroyed) whose current location is recorded.",
            Thresholds(green=100, amber=98),
            ("Box without a location",),
            Permission.ARCHIVES_MANAGE,
            boxes_located,
        ),
        Measure(
            "files_out_long",
            "Paper files out for more than 30 days",
            Area.RECORDS_MANAGEMENT,
            Kind.COUNT,
            "Paper files (or boxes) taken out of the archive more than 30 days ago and not "
            "returned.",
            Thresholds(green=0, amber=5),
            ("File or box", "Out since", "Days out"),
            Permission.ARCHIVES_MANAGE,
            files_out_long,
        ),
        Measure(
            "partner_under_agreement",
            "Partner submissions under a current agreement",
            Area.DATA_SHARING,
            Kind.PERCENT,
            "Partner submissions in the last 12 months received under a data-sharing "
            "agreement with that partner in force on the day.",
            Thresholds(green=100, amber=98),
            ("Partner", "Received"),
            Permission.INTAKE_REVIEW,
            partner_under_agreement,
        ),
        Measure(
            "partner_rejection_rate",
            "Partner rows accepted (rejection rate by partner)",
            Area.DATA_SHARING,
            Kind.PERCENT,
            "Rows of partner files checked in the last 12 months that were accepted, out of "
            "those accepted or rejected; the drill-down gives each partner's rejection rate.",
            Thresholds(green=95, amber=90),
            ("Partner", "Rows decided", "Rejected", "Rejection rate"),
            Permission.ASSURANCE_VIEW,
            partner_rejection_rate,
        ),
        Measure(
            "breaches_within_72h",
            "Breaches reported within 72 hours",
            Area.BREACHES,
            Kind.PERCENT,
            "Breaches notified to the ICO within 72 clock hours of the organisation becoming "
            "aware; non-reports need a recorded reason.",
            Thresholds(green=100, amber=100),
            (),
            Permission.BREACH_MANAGE,
            breaches_within_72h,
        ),
        Measure(
            "break_glass_reviewed",
            "Break-glass uses reviewed",
            Area.SECURITY,
            Kind.PERCENT,
            "Emergency accesses to a case with a review outcome recorded.",
            Thresholds(green=100, amber=90),
            (),
            Permission.AUDIT_READ,
            break_glass_reviewed,
        ),
        Measure(
            "processing_complete",
            "Processing activities complete and reviewed",
            Area.GOVERNANCE,
            Kind.PERCENT,
            "Record-of-processing entries with every Article 30(1) field and reviewed by "
            "their review date.",
            Thresholds(green=100, amber=90),
            (),
            Permission.ASSURANCE_VIEW,
            processing_complete,
        ),
        Measure(
            "audit_actions_overdue",
            "Urgent or high audit actions overdue",
            Area.GOVERNANCE,
            Kind.COUNT,
            "Open urgent or high audit actions past their agreed date (any one is red); the "
            "note counts every overdue action, whatever its priority.",
            _ZERO_TOLERANCE,
            ("Reference", "Priority", "Owner", "Agreed date"),
            Permission.ASSURANCE_VIEW,
            audit_actions_overdue,
        ),
        Measure(
            "attestations_due",
            "Attestations due for review",
            Area.GOVERNANCE,
            Kind.COUNT,
            "Attestations (policies, terms of reference, minutes) past their review date.",
            _ZERO_TOLERANCE,
            (),
            Permission.ASSURANCE_VIEW,
            attestations_due,
        ),
    )
}
