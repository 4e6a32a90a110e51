"""Demo hook of the training domain: the catalogue, its requirements, a workforce of about three
hundred and two or more years of their training, loaded through the training services as an
organisation would load them (the plan: ``demo.training_plan``).

In order, in one transaction (so the gate never sees requirements without the completions
that satisfy them):

1. the built-in modules synced into the catalogue and the demo's classroom, webinar and
   reading courses added, with their LMS ids, and the requirements set, all by the DPO on
   the day the modules went live;
2. HR's staff list imported from a CSV file, linking every demo account (but the partner's)
   and the synthetic caseworkers to a staff record, with their line managers;
3. the LMS history imported: a Moodle completion report (CSV) and an xAPI statement export;
4. Steward's own modules taken since they went live: by the demo accounts through the
   e-learning service itself (the clock set to the day), by the rest of the workforce as
   their attempts and completions (they have no account to take them with);
5. classroom sessions, webinars and paper acknowledgements recorded by the `manager` account
   for its reports and by the training administrator (`admin`) for everyone else, each with a
   generated attendance sheet as its evidence;
6. the `new-starter` account put on two of `caseworker`'s open cases: they started a few days
   ago and have not done their induction, so the gate closes the cases to them until they
   take the module.

Idempotent: does nothing once any completion exists."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict
from steward.core.permissions import Actor, Role
from steward.demo.organisation import DEFAULT_SEED
from steward.demo.pdf import text_pdf
from steward.demo.training_catalogue import COURSES, MODULE_LMS_IDS, REQUIREMENTS
from steward.demo.training_files import hr_csv, moodle_csv, xapi_json
from steward.demo.training_plan import NEW_STARTER, Account, Hire, Route, TrainingPlan
from steward.records import service as records
from steward.records.models import Case, CaseAssignment, CaseStatus
from steward.training import policy
from steward.training.catalogue_schemas import CourseChange, RequirementCreate
from steward.training.events import TrainingEvent
from steward.training.models import Attempt, Completion, Course, StaffMember
from steward.training.module_files import Module
from steward.training.policy import Source
from steward.training.service import (
    catalogue,
    completions,
    compliance,
    elearning,
    gate,
    lms,
    manual,
    modules,
    requirements,
    staff,
)

# Who does what: the DPO owns the catalogue, the administrator runs the imports.
DPO, ADMIN, MANAGER, CASEWORKER = "dpo", "admin", "manager", "caseworker"
NEW_STARTER_CASES = 2
NOTES = {
    "SAFEGUARDING-SHARING": "Half-day classroom session; each attendee signed the sheet.",
    "RECORDS-ARCHIVE": "Classroom session at the records store; each attendee signed the sheet.",
    "MANAGING-INFO": "Live webinar; attendance from the webinar platform's register.",
    "INFOSEC-POLICY": "Paper acknowledgement forms, signed and returned.",
}


@dataclass(frozen=True)
class TrainingDemo:
    """What the training demo holds, for the seed's closing lines."""

    staff: int
    in_post: int
    leavers: int
    completions: Mapping[str, int]  # by source
    attempts: int
    compliant_percent: float | None


def prepare(
    factory: sessionmaker[Session],
    kek: KeyEncryptionKeys,
    *,
    seed: int = DEFAULT_SEED,
    names: Mapping[str, str] | None = None,
) -> TrainingDemo | None:
    """Load the training demo (``names``: how the case demo names its caseworkers, by
    username, so their staff records agree with the documents they sign). None when any
    completion already exists."""
    with session_scope(factory) as db:
        if db.scalar(select(Completion.id).limit(1)) is not None:
            return None
        users = {
            u.username: u
            for u in db.scalars(select(auth.User).where(auth.User.role != Role.PARTNER.value))
        }
        accounts = [
            Account(u.username, Role(u.role), u.team, (names or {}).get(u.username))
            for u in sorted(users.values(), key=lambda u: u.username)
        ]
        today = clock.today()
        plan = TrainingPlan(
            today=today,
            seed=seed,
            accounts=accounts,
            induction_days=gate.current_policy(db).induction_days,
        )
        dpo, admin = _actor(users, DPO), _actor(users, ADMIN)
        _catalogue(db, dpo, plan)
        report = staff.import_staff(db, admin, hr_csv(plan))
        if not report.ok:  # pragma: no cover - the plan writes a clean file
            raise RuntimeError(f"the demo's HR file was refused: {report.problems[:3]}")
        ids = {n: i for n, i in db.execute(select(StaffMember.staff_number, StaffMember.id))}
        courses = {c.code: c for c in db.scalars(select(Course))}
        for content in (moodle_csv(plan), xapi_json(plan)):
            imported = lms.import_completions(db, admin, content, today=today)
            if not imported.ok:  # pragma: no cover - the plan writes clean files
                raise RuntimeError(f"the demo's LMS file was refused: {imported.problems[:3]}")
        _elearning(db, plan, ids, courses, users)
        _sessions(db, kek, plan, ids, courses, users, admin)
        _new_starter_cases(db, users)
        by_source = Counter(db.scalars(select(Completion.source)))
        attempts = db.scalar(select(func.count()).select_from(Attempt)) or 0
        standings = compliance.standings(db, today)
        counted = [s for s in standings if not s.in_window]
        return TrainingDemo(
            staff=len(plan.hires),
            in_post=len(standings),
            leavers=sum(1 for h in plan.hires if h.leaving_date and h.leaving_date <= today),
            completions=dict(sorted(by_source.items())),
            attempts=attempts,
            compliant_percent=policy.percent(sum(s.compliant for s in counted), len(counted)),
        )


def _actor(users: Mapping[str, auth.User], username: str) -> Actor:
    user = users.get(username)
    return user.actor if user is not None else Actor.system()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a UK working day (10:00 UTC is 10:00 or 11:00 in the UK: the same day)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _catalogue(db: Session, dpo: Actor, plan: TrainingPlan) -> None:
    """The catalogue and requirements as the DPO set them up when the modules went live."""
    with clock.frozen(_at(plan.live, 9)):
        modules.sync(db, dpo)
        held = {c.code: c for c in db.scalars(select(Course))}
        for code, lms_ids in MODULE_LMS_IDS.items():
            course = held.get(code)
            if course is not None and not course.lms_ids:
                catalogue.change(db, dpo, course.id, CourseChange(lms_ids=lms_ids))
        for spec in COURSES:
            if spec.code not in held:
                held[spec.code] = catalogue.create(db, dpo, spec)
        # In force since the organisation's training policy of four years ago: the history
        # imported from the LMS is judged by them.
        since = date(plan.today.year - 4, 4, 1)
        for rule in REQUIREMENTS:
            data = RequirementCreate(
                course_id=held[rule.course].id,
                kind=rule.kind,
                due_within_days=rule.due_within_days,
                teams=list(rule.teams) if rule.teams else None,
                job_roles=list(rule.job_roles) if rule.job_roles else None,
                employment_types=list(rule.employment_types) if rule.employment_types else None,
                account_roles=list(rule.account_roles) if rule.account_roles else None,
                starts_on=since,
            )
            with contextlib.suppress(Conflict):  # set by an earlier, interrupted seed
                requirements.set_requirement(db, dpo, data)


def _answers(module: Module, score: int, rng: random.Random) -> dict[str, int | None]:
    """Answers that score ``score``: that many right, the rest a wrong option."""
    asked = len(module.questions)
    right = next(n for n in range(asked + 1) if policy.score_percent(n, asked) == score)
    chosen = set(rng.sample(range(asked), right))
    answers: dict[str, int | None] = {}
    for index, question in enumerate(module.questions):
        wrong = [i for i in range(len(question.options)) if i != question.correct_index]
        answers[question.id] = question.correct_index if index in chosen else rng.choice(wrong)
    return answers


def _elearning(
    db: Session,
    plan: TrainingPlan,
    ids: Mapping[str, int],
    courses: Mapping[str, Course],
    users: Mapping[str, auth.User],
) -> None:
    """The built-in modules taken since they went live. A person with an account takes it
    through the e-learning service on the day; for the rest, who have none to take it with,
    the attempts are written as the service writes them and each pass is recorded through
    ``completions``."""
    rng = random.Random(f"training-elearning-{plan.seed}-{plan.today}")  # noqa: S311
    tries: list[tuple[Hire, str, date, int]] = []  # the score decides a pass
    for done in plan.by_route(Route.ELEARNING):
        if done.failed_first is not None:
            tries.append((done.hire, done.course, done.on, done.failed_first))
        tries.append((done.hire, done.course, done.on, done.score or 100))
    for missed in plan.not_done:
        if missed.route is Route.ELEARNING and missed.score is not None:
            tries.append((missed.hire, missed.course, missed.on, missed.score))
    written: list[tuple[Attempt, Course]] = []
    minute = 0
    for hire, code, on, score in tries:
        module = plan.modules[code]
        answers = _answers(module, score, rng)
        minute = (minute + 37) % 300
        at = _at(on, 9 + minute // 60, minute % 60)
        user = users.get(hire.username or "")
        if user is not None:
            with clock.frozen(at):
                attempt = elearning.start(db, user.actor, module.slug)[1]
            with clock.frozen(at + timedelta(minutes=module.duration_minutes)):
                elearning.submit(db, user.actor, attempt.id, answers)
            continue
        course = courses[code]
        asked = len(module.questions)
        right = sum(1 for q in module.questions if answers[q.id] == q.correct_index)
        attempt = Attempt(
            staff_id=ids[hire.staff_number],
            course_id=course.id,
            course_version=course.version,
            started_at=at,
            submitted_at=at + timedelta(minutes=module.duration_minutes),
            answers=answers,
            score=policy.score_percent(right, asked),
            passed=policy.passes(policy.score_percent(right, asked), course.pass_mark),
        )
        db.add(attempt)
        written.append((attempt, course))
    db.flush()
    # Written as an import writes its records: each completion through the one recorder, the
    # whole history one event (as an LMS file is), not an event per attempt of a person who
    # could not have taken it in Steward.
    batch = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    recorded = 0
    for attempt, course in written:
        if attempt.passed and attempt.submitted_at is not None:
            kept = completions.record(
                db,
                Actor.system(),
                completions.NewCompletion(
                    staff_id=attempt.staff_id,
                    course_id=course.id,
                    course_version=attempt.course_version,
                    completed_on=attempt.submitted_at.astimezone(clock.UK).date(),
                    source=Source.E_LEARNING,
                    score=attempt.score,
                    attempt_id=attempt.id,
                    import_batch=batch,
                ),
                audited=False,
            )
            recorded += kept is not None
    audit.record(
        db,
        Actor.system(),
        TrainingEvent.COMPLETIONS_IMPORTED,
        details={
            "format": "e_learning_history",
            "batch": batch,
            "rows": len(written),
            "recorded": recorded,
            "failed": sum(1 for attempt, _ in written if not attempt.passed),
        },
    )


def _sessions(
    db: Session,
    kek: KeyEncryptionKeys,
    plan: TrainingPlan,
    ids: Mapping[str, int],
    courses: Mapping[str, Course],
    users: Mapping[str, auth.User],
    admin: Actor,
) -> None:
    """Sessions recorded by hand, one entry per session and recorder, with its sheet."""
    lead = plan.accounts_linked().get(MANAGER)
    sessions: dict[tuple[str, date, str], list[Hire]] = defaultdict(list)
    for done in plan.by_route(Route.MANUAL):
        recorder = MANAGER if lead is not None and done.hire.manager is lead else ADMIN
        sessions[(done.course, done.on, recorder)].append(done.hire)
    for (code, on, recorder), people in sorted(sessions.items()):
        actor = _actor(users, MANAGER) if recorder == MANAGER else admin
        course = courses[code]
        for start in range(0, len(people), manual.MAX_PEOPLE):
            group = people[start : start + manual.MAX_PEOPLE]
            manual.record(
                db,
                kek,
                actor,
                manual.Attendance(
                    staff_ids=[ids[h.staff_number] for h in group],
                    course_id=course.id,
                    completed_on=on,
                    note=NOTES.get(code, ""),
                    evidence=_sheet(course, on, group),
                ),
            )


def _sheet(course: Course, on: date, people: list[Hire]) -> bytes:
    """The attendance sheet, as scanned after the session (a PDF with a text layer)."""
    lines = [
        f"Course: {course.title} ({course.code})",
        f"Date: {on.day} {on:%B %Y}",
        f"Delivery: {course.delivery.replace('_', ' ')}, {course.duration_minutes} minutes",
        "",
        "Staff number   Name                                  Signature",
    ]
    lines += [f"{h.staff_number:<14} {h.name:<37} (signed)" for h in people]
    lines += ["", f"{len(people)} attended. Invented for Steward's demonstration data."]
    return text_pdf("Attendance sheet", "\n".join(lines))


def _new_starter_cases(db: Session, users: Mapping[str, auth.User]) -> None:
    """The new starter shadows the demo caseworker on two of her open cases."""
    starter, mentor = users.get(NEW_STARTER), users.get(CASEWORKER)
    if starter is None or mentor is None:
        return
    if db.scalar(select(CaseAssignment.id).where(CaseAssignment.user_id == starter.id).limit(1)):
        return
    shared = db.scalars(
        select(Case.id)
        .join(CaseAssignment, CaseAssignment.case_id == Case.id)
        .where(CaseAssignment.user_id == mentor.id, Case.status == CaseStatus.OPEN)
        .order_by(Case.id)
        .limit(NEW_STARTER_CASES)
    ).all()
    for case_id in shared:
        records.assign(db, Actor.system(), case_id=case_id, user_id=starter.id)
