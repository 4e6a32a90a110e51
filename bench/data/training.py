"""A workforce and its training history for the compliance report, fixed seed (Faker en_GB).

Shape: ``staff`` people in 20 teams, from eight job roles (half family court advisers, a
tenth managers, a few SAR and records officers with Steward accounts), 72% permanent, 12%
temporary, 10% contractors and 6% volunteers; start dates over twelve years with 2% of the
workforce started in the last fortnight (inside their induction window) and about a tenth
already left. Twelve courses over every topic and fifteen requirements: two induction
courses for everyone; refreshers at 12, 24 and 36 months; specialist courses by job role or
account role, one course required twice; courses for volunteers, and for contractors and
temporary staff; a requirement since ended and one only lately in force; and a new version
of the records-management course, released eight months before the as-of date, that
everyone must redo.

Completions: each person's history of every course that applies (or applied) to them, from
their start (or five years back) to their leaving date, the as-of date or the requirement's
end, each refresher taken a little before or after it lapses; 5% of people let one lapse
now and then, 1% of courses are never taken; from the four sources (built-in e-learning,
Moodle, xAPI, a manager's classroom record). Exactly ``completions`` are kept: the oldest of
those a later completion of the same course replaced are dropped (or, short, the most recent
repeated a day earlier as a manager's record) to make up the number.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert

from steward.core import auth
from steward.training import policy
from steward.training.models import (
    Completion,
    Course,
    CourseVersion,
    Requirement,
    StaffMember,
    TrainingPolicy,
)
from steward.training.policy import EmploymentType, RequirementKind, Source, Topic

DEFAULT_SEED = 20_261_203
AS_OF = date(2026, 11, 30)
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 10_000
HISTORY_YEARS = 5
NEVER_TAKEN = 0.01  # of a person's courses, one never taken
LAPSING = 0.05  # of people, those who let a refresher lapse now and then

TEAMS = [
    f"{area} {n}"
    for area in ("North East", "North West", "Midlands", "London", "South East")
    for n in (1, 2, 3, 4)
]
# (job role, share of the workforce %)
JOB_ROLES = (
    ("Family Court Adviser", 50),
    ("Family Support Worker", 12),
    ("Business Support Officer", 18),
    ("Practice Supervisor", 8),
    ("Service Manager", 2),
    ("IT Analyst", 6),
    ("SAR Officer", 2),
    ("Records Officer", 2),
)
MANAGERS = ("Practice Supervisor", "Service Manager")
EMPLOYMENT = (
    (EmploymentType.PERMANENT, 72),
    (EmploymentType.TEMPORARY, 12),
    (EmploymentType.CONTRACTOR, 10),
    (EmploymentType.VOLUNTEER, 6),
)
SOURCES = ((Source.E_LEARNING, 40), (Source.MOODLE, 30), (Source.XAPI, 20), (Source.MANUAL, 10))


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    topic: Topic
    validity_months: int | None
    pass_mark: int | None = 80


COURSES = (
    CourseSpec("DP-INDUCTION", "Data protection induction", Topic.DATA_PROTECTION, None),
    CourseSpec("CYBER-INDUCTION", "Cyber security induction", Topic.CYBER_SECURITY, None),
    CourseSpec("DP-REFRESH", "Data protection refresher", Topic.DATA_PROTECTION, 12),
    CourseSpec("CYBER-REFRESH", "Cyber security refresher", Topic.CYBER_SECURITY, 12),
    CourseSpec("REMOTE-WORKING", "Working safely from home", Topic.REMOTE_WORKING, 24, None),
    CourseSpec("RECORDS-MGMT", "Records management", Topic.RECORDS_MANAGEMENT, 24),
    CourseSpec("SAR-HANDLING", "Handling subject access requests", Topic.SAR_HANDLING, 12, None),
    CourseSpec("RECORDS-SPEC", "The file plan and disposal", Topic.RECORDS_MANAGEMENT, 36, None),
    CourseSpec("MANAGING-INFO", "Managing information in a team", Topic.MANAGEMENT, 24, None),
    CourseSpec("INFO-SHARING", "Sharing information safely", Topic.INFORMATION_SHARING, 24),
    CourseSpec("VOL-CONFIDENTIALITY", "Confidentiality for volunteers", Topic.OTHER, 12, None),
    CourseSpec("THIRD-PARTY-SECURITY", "Security for temporary staff", Topic.CYBER_SECURITY, 12),
)
REDO_COURSE, REDO_VERSION, REDO_RELEASED = "RECORDS-MGMT", 2, date(2026, 3, 30)
NOT_VOLUNTEERS = [t.value for t in EmploymentType if t is not EmploymentType.VOLUNTEER]
FRONT_LINE = ["Family Court Adviser", "Family Support Worker"]
THIRD_PARTY = [EmploymentType.CONTRACTOR.value, EmploymentType.TEMPORARY.value]


@dataclass(frozen=True)
class RequirementSpec:
    course: str
    kind: RequirementKind
    due_within_days: int
    job_roles: list[str] | None = None
    employment_types: list[str] | None = None
    account_roles: list[str] | None = None
    starts_on: date = date(2015, 1, 1)
    ends_on: date | None = None


REQUIREMENTS = (
    RequirementSpec("DP-INDUCTION", RequirementKind.INDUCTION, 5),
    RequirementSpec("CYBER-INDUCTION", RequirementKind.INDUCTION, 5),
    RequirementSpec("DP-REFRESH", RequirementKind.MANDATORY, 60, employment_types=NOT_VOLUNTEERS),
    RequirementSpec("CYBER-REFRESH", RequirementKind.MANDATORY, 60),
    RequirementSpec(
        "REMOTE-WORKING",
        RequirementKind.MANDATORY,
        90,
        employment_types=[EmploymentType.PERMANENT.value, EmploymentType.TEMPORARY.value],
    ),
    # The same course for contractors, in force only lately: nobody is overdue the day it starts.
    RequirementSpec(
        "REMOTE-WORKING",
        RequirementKind.MANDATORY,
        90,
        employment_types=[EmploymentType.CONTRACTOR.value],
        starts_on=date(2026, 10, 1),
    ),
    RequirementSpec("RECORDS-MGMT", RequirementKind.MANDATORY, 90, employment_types=NOT_VOLUNTEERS),
    RequirementSpec("SAR-HANDLING", RequirementKind.SPECIALIST, 30, account_roles=["ig_officer"]),
    RequirementSpec("SAR-HANDLING", RequirementKind.SPECIALIST, 45, job_roles=["SAR Officer"]),
    RequirementSpec("RECORDS-SPEC", RequirementKind.SPECIALIST, 60, job_roles=["Records Officer"]),
    RequirementSpec("MANAGING-INFO", RequirementKind.SPECIALIST, 90, job_roles=list(MANAGERS)),
    RequirementSpec("INFO-SHARING", RequirementKind.MANDATORY, 90, job_roles=FRONT_LINE),
    RequirementSpec(
        "VOL-CONFIDENTIALITY",
        RequirementKind.MANDATORY,
        14,
        employment_types=[EmploymentType.VOLUNTEER.value],
    ),
    RequirementSpec(
        "THIRD-PARTY-SECURITY", RequirementKind.MANDATORY, 14, employment_types=THIRD_PARTY
    ),
    # Ended: counts for nobody now, but for the months of the trend before it ended.
    RequirementSpec(
        "INFO-SHARING",
        RequirementKind.MANDATORY,
        60,
        job_roles=["Business Support Officer"],
        ends_on=date(2026, 4, 1),
    ),
)


@dataclass
class Person:
    number: int
    name: str
    team: str
    job_role: str
    employment_type: EmploymentType
    start_date: date
    leaving_date: date | None
    account_role: str | None
    manager: int | None = None


@dataclass
class Workforce:
    people: list[Person]
    completions: list[tuple[int, int, int, date, Source]] = field(default_factory=list)
    # (person number, course index, version, completed on, source)
    seed: int = DEFAULT_SEED

    @property
    def leavers(self) -> int:
        return sum(p.leaving_date is not None and p.leaving_date <= AS_OF for p in self.people)


def _weighted(rng: random.Random, choices: tuple[tuple[object, int], ...]) -> object:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _applies(spec: RequirementSpec, person: Person) -> bool:
    return (
        (spec.job_roles is None or person.job_role in spec.job_roles)
        and (spec.employment_types is None or person.employment_type.value in spec.employment_types)
        and (spec.account_roles is None or person.account_role in spec.account_roles)
    )


def _people(rng: random.Random, staff: int, seed: int) -> list[Person]:
    from faker import Faker  # here: a benchmark's worker needs only the constants above

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    people = []
    first_day = date(2015, 1, 5)
    span = (AS_OF - first_day).days
    for number in range(1, staff + 1):
        job_role = str(_weighted(rng, JOB_ROLES))
        if rng.random() < 0.02:
            start = AS_OF - timedelta(days=rng.randrange(0, 14))
        else:
            start = first_day + timedelta(days=int(span * rng.random() ** 0.7))
        leaving = None
        if rng.random() < 0.11 and (AS_OF - start).days > 60:
            leaving = start + timedelta(days=rng.randrange(30, (AS_OF - start).days + 90))
        account_role = {"SAR Officer": "ig_officer", "Records Officer": "ig_officer"}.get(job_role)
        if job_role in MANAGERS and rng.random() < 0.5:
            account_role = "manager"
        people.append(
            Person(
                number,
                fake.name(),
                rng.choice(TEAMS),
                job_role,
                EmploymentType(_weighted(rng, EMPLOYMENT)),
                start,
                leaving,
                account_role,
            )
        )
    by_team: dict[str, list[Person]] = {}
    for person in people:
        if person.job_role in MANAGERS:
            by_team.setdefault(person.team, []).append(person)
    for person in people:
        managers = [m for m in by_team.get(person.team, []) if m is not person]
        if managers:
            person.manager = rng.choice(managers).number
    return people


def _history(
    rng: random.Random, person: Person, spec: CourseSpec, due_within: int, until: date
) -> Iterator[tuple[date, int]]:
    """(completed on, version) of one person's completions of one course, up to ``until``."""
    end = min(until, person.leaving_date or until)
    first = max(person.start_date, AS_OF - timedelta(days=365 * HISTORY_YEARS))
    day = first + timedelta(days=rng.randrange(0, max(1, due_within + 10)))
    lapses = rng.random() < LAPSING
    while day <= end:
        yield day, REDO_VERSION if spec.code == REDO_COURSE and day >= REDO_RELEASED else 1
        if spec.validity_months is None:
            return
        # A little early, a little late, and now and then a long lapse.
        late = rng.randrange(-40, 20)
        if lapses and rng.random() < 0.3:
            late += rng.randrange(30, 200)
        after = policy.add_months(day, spec.validity_months) + timedelta(days=late)
        if spec.code == REDO_COURSE and day < REDO_RELEASED < after and rng.random() < 0.95:
            # Most redo the new version within a few weeks of its release.
            after = REDO_RELEASED + timedelta(days=rng.randrange(1, 80))
        day = after


def generate(
    staff: int = 5_000, completions: int = 100_000, *, seed: int = DEFAULT_SEED
) -> Workforce:
    rng = random.Random(seed)
    people = _people(rng, staff, seed)
    index = {spec.code: i for i, spec in enumerate(COURSES)}
    found: list[tuple[int, int, int, date, Source]] = []
    for person in people:
        # Each course that applies (or applied: a requirement since ended), its first
        # deadline and until when it was required.
        courses: dict[str, tuple[int, date]] = {}
        for spec in REQUIREMENTS:
            if _applies(spec, person):
                due_within, until = courses.get(spec.course, (10**6, date.min))
                courses[spec.course] = (
                    min(due_within, spec.due_within_days),
                    max(until, spec.ends_on or AS_OF),
                )
        for code, (due_within, until) in courses.items():
            if rng.random() < NEVER_TAKEN:
                continue
            if person.start_date > AS_OF - timedelta(days=14) and rng.random() < 0.5:
                continue  # a new starter who has not yet done it
            spec = COURSES[index[code]]
            for day, version in _history(rng, person, spec, due_within, until):
                found.append(
                    (person.number, index[code], version, day, Source(_weighted(rng, SOURCES)))
                )
    found.sort(key=lambda c: (c[3], c[0], c[1]))
    if len(found) > completions:
        # The oldest of those a later completion of the same course has replaced.
        newest = {(c[0], c[1]): i for i, c in enumerate(found)}
        latest = set(newest.values())
        superseded = [i for i in range(len(found)) if i not in latest]
        drop = set(superseded[: len(found) - completions])
        found = [c for i, c in enumerate(found) if i not in drop]
        found = found[len(found) - completions :]
    extra = 0
    while len(found) < completions:
        # Another source's record of a recent completion, a day later: kept apart.
        number, course, version, day, _ = found[-1 - (extra % len(found))]
        found.append((number, course, version, day - timedelta(days=1), Source.MANUAL))
        extra += 1
    return Workforce(people, found, seed)


def _fingerprint(
    number: int, course_id: int, version: int, day: date, source: Source, n: int
) -> str:
    return hashlib.sha256(f"{number}|{course_id}|{version}|{day}|{source}|{n}".encode()).hexdigest()


def load(engine: Engine, workforce: Workforce) -> dict[str, int]:
    """Write the workforce into a migrated database (Core inserts, in batches); returns counts."""
    with engine.begin() as conn:
        conn.execute(
            insert(TrainingPolicy),
            [
                {
                    "id": 1,
                    "induction_gate": True,
                    "induction_days": 5,
                    "due_soon_days": 30,
                    "target_percent": 95,
                }
            ],
        )
        user_ids: dict[int, int] = {}
        accounts = [p for p in workforce.people if p.account_role is not None]
        for offset, person in enumerate(accounts, start=1):
            user_ids[person.number] = 100_000 + offset
        if accounts:
            conn.execute(
                insert(auth.User),
                [
                    {
                        "id": user_ids[p.number],
                        "username": f"staff.{p.number}",
                        "role": p.account_role,
                        "team": p.team,
                        "password_hash": "bench: no sign-in",
                        "role_approved": True,
                        "totp_enabled": False,
                        "is_active": True,
                        "must_change_password": False,
                        "two_factor_required": False,
                        "failed_signins": 0,
                        "created_at": STAMP,
                    }
                    for p in accounts
                ],
            )
        staff_rows = [
            {
                "id": p.number,
                "staff_number": f"E{p.number:06d}",
                "name": p.name,
                "email": f"staff.{p.number}@example.org",
                "team": p.team,
                "manager_id": None,
                "job_role": p.job_role,
                "employment_type": p.employment_type.value,
                "start_date": p.start_date,
                "leaving_date": p.leaving_date,
                "user_id": user_ids.get(p.number),
                "created_at": STAMP,
                "updated_at": STAMP,
            }
            for p in workforce.people
        ]
        for i in range(0, len(staff_rows), BATCH):
            conn.execute(insert(StaffMember), staff_rows[i : i + BATCH])
        from sqlalchemy import update

        for p in workforce.people:
            if p.manager is not None:
                conn.execute(
                    update(StaffMember)
                    .where(StaffMember.id == p.number)
                    .values(manager_id=p.manager)
                )
        conn.execute(
            insert(Course),
            [
                {
                    "id": i + 1,
                    "code": spec.code,
                    "title": spec.title,
                    "topic": spec.topic.value,
                    "delivery": "e_learning",
                    "duration_minutes": 30,
                    "description": "",
                    "version": REDO_VERSION if spec.code == REDO_COURSE else 1,
                    "validity_months": spec.validity_months,
                    "pass_mark": spec.pass_mark,
                    "module_slug": None,
                    "lms_ids": [],
                    "created_at": STAMP,
                }
                for i, spec in enumerate(COURSES)
            ],
        )
        index = {spec.code: i + 1 for i, spec in enumerate(COURSES)}
        versions = [
            {
                "course_id": i + 1,
                "version": 1,
                "released_on": date(2014, 1, 1),
                "requires_redo": False,
                "note": "",
            }
            for i in range(len(COURSES))
        ]
        versions.append(
            {
                "course_id": index[REDO_COURSE],
                "version": REDO_VERSION,
                "released_on": REDO_RELEASED,
                "requires_redo": True,
                "note": "The new retention schedule",
            }
        )
        conn.execute(insert(CourseVersion), versions)
        conn.execute(
            insert(Requirement),
            [
                {
                    "course_id": index[spec.course],
                    "kind": spec.kind.value,
                    "job_roles": spec.job_roles,
                    "teams": None,
                    "employment_types": spec.employment_types,
                    "account_roles": spec.account_roles,
                    "due_within_days": spec.due_within_days,
                    "starts_on": spec.starts_on,
                    "ends_on": spec.ends_on,
                    "created_at": STAMP,
                }
                for spec in REQUIREMENTS
            ],
        )
        rows = [
            {
                "staff_id": number,
                "course_id": course + 1,
                "course_version": version,
                "completed_on": day,
                "source": source.value,
                "score": 90 if COURSES[course].pass_mark else None,
                "fingerprint": _fingerprint(number, course, version, day, source, n),
                "note": "",
                "recorded_at": STAMP,
            }
            for n, (number, course, version, day, source) in enumerate(workforce.completions)
        ]
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(Completion), rows[i : i + BATCH])
    return {
        "staff": len(workforce.people),
        "accounts": len(user_ids),
        "completions": len(rows),
        "courses": len(COURSES),
        "requirements": len(REQUIREMENTS),
    }
