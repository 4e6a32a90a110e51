"""The retention schedule as a document: any version in print (a page with print CSS, and a
PDF), and what changed between two versions (classes added, removed, and changed in their
trigger, period, action or authority), as a page and a PDF.

Retention owns its schedule, so the wording of a printed schedule lives here; assurance's pages
only show it. Reading needs retention:manage or assurance:view (the DPO and auditors read the
schedule as evidence without managing it). The schedule holds no personal data, so reading it
is not audited; exporting a PDF is, as every export is."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records.models import RecordClass
from steward.retention import policy
from steward.retention.events import RetentionAudit
from steward.retention.models import RetentionSchedule
from steward.retention.service import schedules

READERS = (Permission.RETENTION_MANAGE, Permission.ASSURANCE_VIEW)


@dataclass(frozen=True)
class PrintedRule:
    class_code: str
    class_name: str
    rule_version: int
    trigger: str
    period: str
    action: str
    summary: str  # the rule in a sentence, as the schedule words it
    authority: str
    citation: str


@dataclass(frozen=True)
class PrintedSchedule:
    version: int
    title: str
    owner: str
    status: str
    loaded_at: datetime
    approved_at: datetime | None
    sha256: str
    rules: tuple[PrintedRule, ...]


@dataclass(frozen=True)
class Change:
    """One field of a class's rule that differs between the two versions."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ClassDiff:
    class_code: str
    class_name: str
    kind: str  # "added", "removed" or "changed"
    changes: tuple[Change, ...]
    rule: PrintedRule | None  # the new rule when added or changed, the old when removed


@dataclass(frozen=True)
class ScheduleDiff:
    old: PrintedSchedule
    new: PrintedSchedule
    classes: tuple[ClassDiff, ...]

    def of_kind(self, kind: str) -> list[ClassDiff]:
        return [c for c in self.classes if c.kind == kind]

    @property
    def unchanged(self) -> int:
        touched = {c.class_code for c in self.classes}
        return len([r for r in self.new.rules if r.class_code not in touched])


# The fields compared, in the order a reader weighs them: what starts the clock, how long it
# runs, what then happens, and on whose authority.
COMPARED: tuple[tuple[str, str], ...] = (
    ("trigger", "Trigger"),
    ("period", "Period"),
    ("action", "Action"),
    ("authority", "Authority"),
    ("citation", "Citation"),
)


def require_reader(actor: Actor) -> None:
    if not any(actor.can(p) for p in READERS):
        raise Forbidden("Your role does not read the retention schedule.")


def versions(db: Session, actor: Actor) -> list[RetentionSchedule]:
    """Every version loaded, newest first (withdrawn drafts too: they are part of the story)."""
    require_reader(actor)
    return list(db.scalars(select(RetentionSchedule).order_by(RetentionSchedule.version.desc())))


def printable(db: Session, actor: Actor, version: int | None = None) -> PrintedSchedule:
    """``version`` in print; without one, the approved schedule."""
    require_reader(actor)
    schedule = schedules.get(db, version) if version is not None else None
    if schedule is None:
        schedule = schedules.require_approved(db)
    return _printed(db, schedule)


def _printed(db: Session, schedule: RetentionSchedule) -> PrintedSchedule:
    names = dict(db.execute(select(RecordClass.code, RecordClass.name)).all())
    parsed = schedules.parsed_rules(schedule)
    rows = []
    for stored in sorted(schedule.rules, key=lambda r: r.class_code):
        rule = parsed.get(stored.class_code)
        rows.append(
            PrintedRule(
                class_code=stored.class_code,
                class_name=names.get(stored.class_code, stored.class_code),
                rule_version=stored.version,
                trigger=_trigger(rule),
                period=_period(rule),
                action=stored.action.replace("_", " "),
                summary=stored.description,
                authority=stored.authority,
                citation=stored.citation,
            )
        )
    return PrintedSchedule(
        version=schedule.version,
        title=schedule.title,
        owner=schedule.owner,
        status=str(schedule.status),
        loaded_at=schedule.loaded_at,
        approved_at=schedule.approved_at,
        sha256=schedule.sha256,
        rules=tuple(rows),
    )


def _trigger(rule: policy.Rule | None) -> str:
    if rule is None or rule.action is policy.Action.KEEP_PERMANENTLY:
        return "none (kept permanently)"
    return rule.trigger.describe()


def _period(rule: policy.Rule | None) -> str:
    if rule is None or rule.action is policy.Action.KEEP_PERMANENTLY:
        return "permanent"
    text = rule.period.describe()
    if rule.rounding is not policy.Rounding.NONE:
        text += f", to the {rule.rounding.value.replace('_', ' ')}"
    return text


def differences(db: Session, actor: Actor, old_version: int, new_version: int) -> ScheduleDiff:
    """What changed from ``old_version`` to ``new_version``, class by class."""
    require_reader(actor)
    if old_version == new_version:
        raise ValidationFailed(
            "Choose two different versions to compare.",
            errors={"to": "Choose a version other than the one compared from"},
        )
    old = _printed(db, schedules.get(db, old_version))
    new = _printed(db, schedules.get(db, new_version))
    return ScheduleDiff(old, new, tuple(compare(old.rules, new.rules)))


def default_pair(db: Session, actor: Actor) -> tuple[int, int]:
    """The two versions a reader most likely wants compared: a version newer than the
    approved one (a draft awaiting approval) with the approved one; otherwise the approved
    one with the version before it."""
    current = printable(db, actor).version
    others = [s.version for s in versions(db, actor) if s.version != current]
    if not others:
        raise ValidationFailed(
            "There is only one version of the schedule: nothing to compare yet.",
            errors={"from": "Only one version has been loaded"},
        )
    newest = max(others)
    if newest > current:
        return current, newest
    return max(v for v in others if v < current), current


def compare(old: tuple[PrintedRule, ...], new: tuple[PrintedRule, ...]) -> list[ClassDiff]:
    """Pure: the classes added, removed or changed, in class-code order."""
    before = {r.class_code: r for r in old}
    after = {r.class_code: r for r in new}
    found: list[ClassDiff] = []
    for code in sorted(before.keys() | after.keys()):
        was, now = before.get(code), after.get(code)
        if was is None and now is not None:
            found.append(ClassDiff(code, now.class_name, "added", (), now))
        elif now is None and was is not None:
            found.append(ClassDiff(code, was.class_name, "removed", (), was))
        elif was is not None and now is not None:
            changes = tuple(
                Change(label, getattr(was, name), getattr(now, name))
                for name, label in COMPARED
                if getattr(was, name) != getattr(now, name)
            )
            if changes:
                found.append(ClassDiff(code, now.class_name, "changed", changes, now))
    return found


# --- PDFs ------------------------------------------------------------------------------------


def _styles() -> dict[str, object]:
    sheet = getSampleStyleSheet()
    return {"title": sheet["Title"], "h2": sheet["Heading2"], "body": sheet["BodyText"]}


def _cell(text: str) -> Paragraph:
    style = getSampleStyleSheet()["BodyText"]
    small = style.clone("cell", fontSize=8, leading=10)
    return Paragraph(escape(text), small)


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(
        [[_cell(h) for h in header]] + [[_cell(c) for c in row] for row in rows],
        colWidths=widths,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _when(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y") if value else "not approved"


def schedule_pdf(db: Session, actor: Actor, version: int | None = None) -> tuple[int, bytes]:
    """The schedule ``version`` (or the approved one) as an A4 landscape PDF."""
    printed = printable(db, actor, version)
    styles = _styles()
    story: list[object] = [
        Paragraph(escape(f"{printed.title} (version {printed.version})"), styles["title"]),
        Paragraph(
            escape(
                f"Owner: {printed.owner}. Status: {printed.status}. Approved: "
                f"{_when(printed.approved_at)}. SHA-256 of the source: {printed.sha256}."
            ),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _table(
            ["Class", "Record class", "Trigger", "Period", "Action", "Authority and citation"],
            [
                [
                    r.class_code,
                    r.class_name,
                    r.trigger,
                    r.period,
                    r.action,
                    f"{r.authority}: {r.citation}",
                ]
                for r in printed.rules
            ],
            [32 * mm, 40 * mm, 55 * mm, 28 * mm, 20 * mm, 95 * mm],
        ),
    ]
    _export_event(db, actor, printed.version, "schedule")
    return printed.version, _build(story, f"Retention schedule version {printed.version}")


def diff_pdf(db: Session, actor: Actor, old_version: int, new_version: int) -> bytes:
    diff = differences(db, actor, old_version, new_version)
    styles = _styles()
    title = f"Retention schedule: version {diff.old.version} to version {diff.new.version}"
    story: list[object] = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(
            escape(
                f"{len(diff.of_kind('added'))} classes added, {len(diff.of_kind('removed'))} "
                f"removed, {len(diff.of_kind('changed'))} changed, {diff.unchanged} unchanged."
            ),
            styles["body"],
        ),
    ]
    for kind, heading in (("added", "Added"), ("removed", "Removed"), ("changed", "Changed")):
        found = diff.of_kind(kind)
        story.append(Paragraph(f"{heading} ({len(found)})", styles["h2"]))
        if not found:
            story.append(Paragraph("None.", styles["body"]))
            continue
        if kind == "changed":
            rows = [
                [c.class_code, c.class_name, ch.field, ch.before, ch.after]
                for c in found
                for ch in c.changes
            ]
            story.append(
                _table(
                    ["Class", "Record class", "What", "Before", "After"],
                    rows,
                    [32 * mm, 45 * mm, 25 * mm, 84 * mm, 84 * mm],
                )
            )
        else:
            rows = [[c.class_code, c.class_name, c.rule.summary if c.rule else ""] for c in found]
            story.append(
                _table(["Class", "Record class", "Rule"], rows, [40 * mm, 70 * mm, 160 * mm])
            )
    _export_event(db, actor, new_version, "differences", compared_with=old_version)
    return _build(story, title)


def _build(story: list[object], title: str) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="Steward",
    )
    document.build(story)
    return out.getvalue()


def _export_event(
    db: Session, actor: Actor, version: int, what: str, compared_with: int | None = None
) -> None:
    details: dict[str, int | str] = {"version": version, "what": what}
    if compared_with is not None:
        details["compared_with"] = compared_with
    audit.record(
        db,
        actor,
        RetentionAudit.SCHEDULE_EXPORTED,
        subject_type="retention_schedule",
        details=details,
    )
