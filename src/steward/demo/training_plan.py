"""The training demo planned from the seed, with no database: a workforce of about three
hundred as HR would export it, and each person's training history under the demo's
requirements (``demo.training_catalogue``), ready to be written as the files of
``demo.training_files`` and loaded through the training services by ``demo.training``.

The same seed, day and accounts give the same plan. What it is made to show:

* a workforce of case teams (north, south: the demo cases' teams) and central teams, line
  managers with reports, mostly permanent staff with temporary, contract and volunteer staff,
  starters in the last six weeks (some still inside their induction window) and leavers
  over the last two years;
* a history long enough that every figure of the last six months is true, not only today's:
  each course's completions start a refresher interval before that, and are renewed a few
  days to six weeks before they lapse;
* completions from every source: Moodle (the organisation's LMS before Steward's modules went
  live, ``LIVE_DAYS`` ago, and for policy acknowledgements still), xAPI (an external cyber
  security provider), Steward's own modules since, and managers' records of classroom
  sessions, webinars and paper acknowledgements;
* most people keep up; some let one course lapse or never did one (more often temporary and
  contract staff), so the organisation's figure sits somewhat below its 95% target.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from faker import Faker

from steward.core.permissions import Role
from steward.demo.people import FEMALE, MALE, PeopleFactory, ascii_only
from steward.demo.training_catalogue import (
    CONTRACTOR,
    COURSES,
    CYBER,
    DP,
    IG_ROLE,
    INFOSEC,
    PERMANENT,
    REQUIREMENTS,
    SAFEGUARDING,
    SESSIONS,
    TEMPORARY,
    VOLUNTEER,
)
from steward.training import module_files, policy
from steward.training.policy import EmploymentType

# Steward's built-in modules went live this many days ago: e-learning before that was done in
# Moodle (or, for cyber security, with an external provider reporting by xAPI).
LIVE_DAYS = 300
# Every figure from this many months back is true: histories start a refresher interval
# before it.
TRUE_FOR_MONTHS = 6
EMAIL_DOMAIN = "staff.steward-demo.example"
TEAM_MANAGERS = 6  # in each case team
REPORTS = 14  # of each case-team manager
LEAVERS = 34
STARTERS = 10
NEW_STARTER = "new-starter"
NEW_STARTER_DAYS = 3  # started this many days ago
LATE_STARTER_DAYS = 12  # a starter past their induction deadline, induction not done


class Route(StrEnum):
    """How a completion reaches Steward."""

    MOODLE = "moodle"
    XAPI = "xapi"
    ELEARNING = "e_learning"
    MANUAL = "manual"


@dataclass(frozen=True)
class Account:
    """A Steward account that exists, to link a staff record to."""

    username: str
    role: Role
    team: str | None
    name: str | None = None  # how the case demo signs their documents, if it names them


class Profile(StrEnum):
    KEEPS_UP = "keeps_up"
    LAPSED = "lapsed"  # let one course lapse
    NEVER = "never"  # never did one course


@dataclass(eq=False)
class Hire:
    """One person on HR's list."""

    name: str
    first: str
    last: str
    team: str
    role: str
    employment_type: EmploymentType
    start_date: date
    leaving_date: date | None
    manager: Hire | None
    account: Account | None = None
    staff_number: str = ""
    email: str = ""
    profile: Profile = Profile.KEEPS_UP
    # The course the profile is about (a lapsed or never-done one).
    gap: str | None = None
    # Courses whose last completion is pinned (a demo account's refresher due soon).
    pins: dict[str, date] = field(default_factory=dict)

    @property
    def username(self) -> str | None:
        return self.account.username if self.account else None

    @property
    def account_role(self) -> str | None:
        return self.account.role.value if self.account else None


@dataclass(frozen=True)
class Done:
    """One completion: who, what, when, how it reaches Steward, and how the quiz went."""

    hire: Hire
    course: str
    on: date
    route: Route
    score: int | None = None
    failed_first: int | None = None  # the score of a failed attempt before the pass


@dataclass(frozen=True)
class NotDone:
    """A record that is no completion: a failed quiz, an LMS row "not completed"."""

    hire: Hire
    course: str
    on: date
    route: Route
    score: int | None


def weekday(day: date, *, forward: bool) -> date:
    """``day``, or the nearest weekday after (``forward``) or before it."""
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


class TrainingPlan:
    """The plan for one seed, day and set of accounts. ``hires`` (HR's rows) and ``done``
    (the completions, oldest first) are ready on construction."""

    def __init__(
        self,
        *,
        today: date,
        seed: int,
        accounts: Sequence[Account],
        induction_days: int = 5,
    ) -> None:
        self.today = today
        self.seed = seed
        self.live = today - timedelta(days=LIVE_DAYS)
        self.induction_days = induction_days
        self.rng = random.Random(f"training-{seed}")  # noqa: S311 - invented, reproducible
        fake = Faker("en_GB")
        fake.seed_instance(seed + 13)
        self.people = PeopleFactory(self.rng, fake)
        self.accounts = {a.username: a for a in accounts}
        modules = list(module_files.shipped().values())
        self.modules = {m.code: m for m in modules}
        self.validity: dict[str, int | None] = {m.code: m.validity_months for m in modules}
        self.validity |= {c.code: c.validity_months for c in COURSES}
        self._emails: set[str] = set()
        self.hires: list[Hire] = []
        self._build()
        self._number()
        self.done: list[Done] = []
        self.not_done: list[NotDone] = []
        for hire in self.hires:
            self._history(hire)
        self.done.sort(key=lambda d: (d.on, d.hire.staff_number, d.course))

    # --- the workforce ------------------------------------------------------------------

    def _name(self) -> tuple[str, str]:
        gender = FEMALE if self.rng.random() < 0.7 else MALE
        human = self.people.person(
            tradition=self.people.tradition(), gender=gender, dob=None, generation="any"
        )
        return human.first, human.last

    def _tenure(self, employment_type: EmploymentType, senior: bool = False) -> int:
        rng = self.rng
        if employment_type is TEMPORARY:
            return rng.randint(45, 420)
        if employment_type is CONTRACTOR:
            return rng.randint(60, 900)
        if employment_type is VOLUNTEER:
            return rng.randint(120, 2500)
        days = int(rng.lognormvariate(math.log(5 * 365), 0.8)) + (3 * 365 if senior else 0)
        return min(max(days, 120), 28 * 365)

    def _hire(
        self,
        team: str,
        role: str,
        manager: Hire | None,
        employment_type: EmploymentType = PERMANENT,
        *,
        account: str | None = None,
        senior: bool = False,
        started_days_ago: int | None = None,
        leaving_date: date | None = None,
    ) -> Hire:
        found = self.accounts.get(account) if account else None
        if found is not None and found.name:
            first, last = found.name.split()[0], found.name.split()[-1]
            name = found.name
        else:
            first, last = self._name()
            name = f"{first} {last}"
        days = (
            started_days_ago
            if started_days_ago is not None
            else self._tenure(employment_type, senior)
        )
        if employment_type is CONTRACTOR and leaving_date is None and self.rng.random() < 0.5:
            leaving_date = self.today + timedelta(days=self.rng.randint(20, 300))
        hire = Hire(
            name=name,
            first=first,
            last=last,
            team=team,
            role=role,
            employment_type=employment_type,
            start_date=weekday(self.today - timedelta(days=days), forward=False),
            leaving_date=leaving_date,
            manager=manager,
            account=found,
        )
        if started_days_ago is not None:  # a starter's day is the day they started
            hire.start_date = self.today - timedelta(days=days)
        self.hires.append(hire)
        return hire

    def _build(self) -> None:
        rng = self.rng
        ceo = self._hire("leadership", "Chief executive", None, senior=True)
        ops = self._hire("leadership", "Director of operations", ceo, senior=True)
        corporate = self._hire("leadership", "Director of corporate services", ceo, senior=True)
        self._hire("leadership", "Executive assistant", ceo)
        synthetic = sorted(
            (a for a in self.accounts.values() if a.role is Role.CASEWORKER and a.team),
            key=lambda a: a.username,
        )
        managers: dict[str, list[Hire]] = {}
        for team, demo in (("north", "caseworker"), ("south", "caseworker2")):
            head = self._hire(team, "Service manager", ops, senior=True)
            placed: list[list[str]] = [[] for _ in range(TEAM_MANAGERS)]
            if demo in self.accounts:
                placed[0].append(demo)
            others = [
                a.username
                for a in synthetic
                if a.team == team and a.username not in (demo, NEW_STARTER)
            ]
            for index, username in enumerate(others):
                placed[index % TEAM_MANAGERS].append(username)
            managers[team] = []
            for index in range(TEAM_MANAGERS):
                lead = self._hire(
                    team,
                    "Team manager",
                    head,
                    account="manager" if team == "north" and index == 0 else None,
                    senior=True,
                )
                managers[team].append(lead)
                for username in placed[index][:REPORTS]:
                    self._hire(team, "Family court adviser", lead, account=username)
                self._hire(team, "Practice supervisor", lead, senior=True)
                for _ in range(REPORTS - 1 - len(placed[index][:REPORTS])):
                    draw = rng.random()
                    if draw < 0.06:
                        self._hire(team, "Volunteer mentor", lead, VOLUNTEER)
                    elif draw < 0.16:
                        self._hire(team, "Family court adviser", lead, TEMPORARY)
                    elif draw < 0.3:
                        self._hire(team, "Senior family court adviser", lead, senior=True)
                    else:
                        self._hire(team, "Family court adviser", lead)
        archive = self._hire("archive", "Records manager", corporate, senior=True)
        for role, count in (("Records officer", 4), ("Archive assistant", 3)):
            for _ in range(count):
                self._hire("archive", role, archive)
        for _ in range(2):
            self._hire("archive", "Scanning technician", archive, CONTRACTOR)
        ig = "information governance"
        dpo = self._hire(ig, "Data protection officer", corporate, account="dpo", senior=True)
        self._hire(ig, IG_ROLE, dpo, account="ig-officer")
        for _ in range(2):
            self._hire(ig, IG_ROLE, dpo)
        digital = self._hire("digital", "Head of digital", corporate, senior=True)
        self._hire("digital", "Systems administrator", digital, account="admin")
        for _ in range(4):
            self._hire("digital", "Service desk analyst", digital)
        for _ in range(3):
            self._hire("digital", "Developer", digital, CONTRACTOR)
        support = "business support"
        support_lead = self._hire(support, "Business support manager", ops, senior=True)
        leaders = [self._hire(support, "Business support team leader", support_lead)]
        leaders.append(self._hire(support, "Business support team leader", support_lead))
        for index in range(22):
            kind = TEMPORARY if rng.random() < 0.25 else PERMANENT
            self._hire(support, "Business support officer", leaders[index % 2], kind)
        people = "people and finance"
        people_lead = self._hire(people, "Head of people and finance", corporate, senior=True)
        for role, count in (("HR adviser", 4), ("Finance officer", 4), ("Payroll officer", 2)):
            for _ in range(count):
                self._hire(people, role, people_lead)
        quality = "quality and assurance"
        quality_lead = self._hire(quality, "Head of quality and assurance", ceo, senior=True)
        for _ in range(3):
            self._hire(quality, "Quality assurance officer", quality_lead)
        self._hire(quality, "Internal auditor", quality_lead, account="auditor")
        self._starters(managers, leaders, digital)
        self._leavers(managers, leaders, archive)
        self._profiles()

    def _starters(
        self, managers: dict[str, list[Hire]], leaders: list[Hire], digital: Hire
    ) -> None:
        rng = self.rng
        if NEW_STARTER in self.accounts:
            self._hire(
                "north",
                "Family court adviser",
                managers["north"][0],
                account=NEW_STARTER,
                started_days_ago=NEW_STARTER_DAYS,
            )
        late = self._hire(
            "south",
            "Family court adviser",
            managers["south"][1],
            TEMPORARY,
            started_days_ago=LATE_STARTER_DAYS,
        )
        late.profile, late.gap = Profile.NEVER, DP
        for index in range(STARTERS - 2):
            days = rng.randint(1, 42)
            if index == 0:
                self._hire("business support", "Business support officer", leaders[0], TEMPORARY,
                           started_days_ago=days)  # fmt: skip
            elif index == 1:
                self._hire("digital", "Developer", digital, CONTRACTOR, started_days_ago=days)
            else:
                team = ("north", "south")[index % 2]
                lead = managers[team][rng.randrange(1, TEAM_MANAGERS)]
                self._hire(team, "Family court adviser", lead, started_days_ago=days)

    def _leavers(self, managers: dict[str, list[Hire]], leaders: list[Hire], archive: Hire) -> None:
        rng = self.rng
        for _ in range(LEAVERS):
            left_days_ago = rng.randint(5, 700)
            draw = rng.random()
            if draw < 0.75:
                team = rng.choice(("north", "south"))
                role, lead = "Family court adviser", rng.choice(managers[team])
            elif draw < 0.92:
                team, role, lead = "business support", "Business support officer", leaders[0]
            else:
                team, role, lead = "archive", "Archive assistant", archive
            kind = rng.choices(
                (PERMANENT, TEMPORARY, CONTRACTOR, VOLUNTEER), weights=(70, 20, 5, 5)
            )[0]
            tenure = self._tenure(kind)
            left = self.today - timedelta(days=left_days_ago)
            hire = self._hire(team, role, lead, kind, leaving_date=left, started_days_ago=0)
            hire.start_date = weekday(left - timedelta(days=tenure), forward=False)
            if kind is VOLUNTEER:
                hire.role = "Volunteer mentor"

    def _profiles(self) -> None:
        """Who keeps up and who does not; the manager demo account's team made to show both."""
        rng = self.rng
        demo = {
            "caseworker",
            "caseworker2",
            "manager",
            "ig-officer",
            "dpo",
            "admin",
            "auditor",
            NEW_STARTER,
        }
        for hire in self.hires:
            if hire.profile is not Profile.KEEPS_UP or hire.username in demo:
                continue
            if hire.leaving_date is not None and hire.leaving_date <= self.today:
                continue
            risk = 2.0 if hire.employment_type in (TEMPORARY, CONTRACTOR) else 1.0
            draw = rng.random()
            if draw < 0.1 * risk:
                hire.profile = Profile.LAPSED
            elif draw < 0.15 * risk:
                hire.profile = Profile.NEVER
            if hire.profile is not Profile.KEEPS_UP:
                # Induction is the one course everyone has done once (an account holder's
                # last one may have lapsed, which the gate does not mind).
                choices = [
                    c
                    for c in self._courses_of(hire)
                    if c != DP or (hire.profile is Profile.LAPSED and not hire.account)
                ]
                weights = [{CYBER: 5, DP: 3, INFOSEC: 3}.get(c, 2) for c in choices]
                hire.gap = rng.choices(choices, weights)[0]
        by_username = {h.username: h for h in self.hires if h.username}
        if "caseworker" in by_username:
            by_username["caseworker"].pins[CYBER] = self._due_in(19, 12)
        lead = by_username.get("manager")
        if lead is not None:
            lead.pins[DP] = self._due_in(24, 12)
            reports = [
                h
                for h in self.hires
                if h.manager is lead and h.account is None and h.employment_type is PERMANENT
            ]
            for hire, (profile, gap) in zip(
                reports,
                ((Profile.LAPSED, CYBER), (Profile.NEVER, SAFEGUARDING), (Profile.KEEPS_UP, None)),
                strict=False,
            ):
                hire.profile, hire.gap = profile, gap
            if len(reports) > 2:
                reports[2].pins[INFOSEC] = self._due_in(9, 24)

    def _due_in(self, days: int, validity_months: int) -> date:
        """The completion day that lapses ``days`` from today."""
        return weekday(
            policy.add_months(self.today + timedelta(days=days), -validity_months), forward=False
        )

    def _number(self) -> None:
        """Staff numbers in the order people started, as HR gives them; work emails."""
        order = sorted(enumerate(self.hires), key=lambda pair: (pair[1].start_date, pair[0]))
        for number, (_, hire) in enumerate(order, start=10_001):
            hire.staff_number = f"S{number}"
        for hire in self.hires:
            local = f"{ascii_only(hire.first)}.{ascii_only(hire.last)}".lower().strip(".")
            email, suffix = f"{local}@{EMAIL_DOMAIN}", 2
            while email in self._emails:
                email, suffix = f"{local}{suffix}@{EMAIL_DOMAIN}", suffix + 1
            self._emails.add(email)
            hire.email = email

    # --- training history ---------------------------------------------------------------

    def _courses_of(self, hire: Hire) -> dict[str, int]:
        """The courses required of ``hire`` and the days each allows them the first time."""
        found: dict[str, int] = {}
        for spec in REQUIREMENTS:
            if spec.audience().matches(
                job_role=hire.role,
                team=hire.team,
                employment_type=hire.employment_type.value,
                account_role=hire.account_role,
            ):
                days = self.induction_days if spec.due_within_days is None else spec.due_within_days
                found[spec.course] = min(days, found.get(spec.course, days))
        return found

    def route(self, hire: Hire, course: str, day: date) -> Route:
        if course in self.modules:
            if day >= self.live:
                return Route.ELEARNING
            return Route.XAPI if course == CYBER else Route.MOODLE
        if course == INFOSEC and hire.employment_type is not VOLUNTEER:
            return Route.MOODLE  # acknowledged in Moodle; volunteers sign a paper form
        return Route.MANUAL

    def _on_grid(self, hire: Hire, course: str, day: date, *, forward: bool) -> date:
        """The day a completion wanted on ``day`` falls on: a weekday, or for a course
        recorded by hand the session before or after it."""
        if self.route(hire, course, day) is not Route.MANUAL:
            return weekday(day, forward=forward)
        first, every = SESSIONS[course]
        steps = (day - first).days / every
        return first + timedelta(days=every * (math.ceil(steps) if forward else math.floor(steps)))

    def _history(self, hire: Hire) -> None:
        rng = self.rng
        last_day = self.today
        if hire.leaving_date is not None:
            last_day = min(last_day, hire.leaving_date - timedelta(days=1))
        if hire.username == NEW_STARTER:
            return  # started a few days ago: nothing done yet, induction the first thing
        for course, due_days in sorted(self._courses_of(hire).items()):
            if hire.profile is Profile.NEVER and hire.gap == course:
                self._never(hire, course)
                continue
            validity = self.validity[course] or 1200
            horizon = policy.add_months(self.today, -(TRUE_FOR_MONTHS + validity))
            if hire.start_date >= horizon:
                wanted = hire.start_date + timedelta(days=rng.randint(0, max(0, due_days - 2)))
                if hire.start_date > self.today - timedelta(days=60) and course == DP:
                    wanted = hire.start_date + timedelta(days=rng.randint(0, 2))
            else:
                wanted = horizon + timedelta(days=rng.randrange(validity * 30))
            day = self._on_grid(hire, course, wanted, forward=True)
            if day < hire.start_date:
                day = self._on_grid(hire, course, hire.start_date, forward=True)
            days: list[date] = []
            while day <= last_day:
                days.append(day)
                renew = policy.add_months(day, validity) - timedelta(days=rng.randint(3, 40))
                day = max(self._on_grid(hire, course, renew, forward=False), day + timedelta(1))
            if hire.profile is Profile.LAPSED and hire.gap == course and days[1:]:
                days.pop()  # the last refresher not done: the one before has lapsed
            if course in hire.pins and days:
                days[-1] = hire.pins[course]
            for on in days:
                self._complete(hire, course, on)

    def _never(self, hire: Hire, course: str) -> None:
        """Never completed: perhaps a quiz failed, or an LMS course started and left."""
        day = weekday(max(hire.start_date, self.today - timedelta(days=200)), forward=True)
        if day >= self.today or self.rng.random() < 0.5:
            return
        route = self.route(hire, course, day)
        if route is Route.ELEARNING:
            self.not_done.append(NotDone(hire, course, day, route, self._score(course, False)))
        elif route is Route.MOODLE:
            self.not_done.append(NotDone(hire, course, day, route, None))

    def _score(self, course: str, passed: bool) -> int:
        """A quiz score: from the module's own questions where it has them."""
        module = self.modules.get(course)
        asked = len(module.questions) if module else 10
        mark = module.pass_mark if module else 80
        right = [n for n in range(asked + 1) if policy.passes(policy.score_percent(n, asked), mark)]
        wrong = [n for n in range(asked // 2, asked + 1) if n not in right]
        return policy.score_percent(self.rng.choice(right if passed else wrong), asked)

    def _complete(self, hire: Hire, course: str, on: date) -> None:
        route = self.route(hire, course, on)
        rng = self.rng
        score = None
        failed = None
        if route in (Route.ELEARNING, Route.XAPI) or (route is Route.MOODLE and course != INFOSEC):
            score = self._score(course, True)
            if rng.random() < 0.12:
                failed = self._score(course, False)
        self.done.append(Done(hire, course, on, route, score, failed))

    # --- as the files say it ------------------------------------------------------------

    def in_post(self) -> Iterator[Hire]:
        return (h for h in self.hires if policy.in_scope(h.start_date, h.leaving_date, self.today))

    def by_route(self, route: Route) -> list[Done]:
        return [d for d in self.done if d.route is route]

    def accounts_linked(self) -> Mapping[str, Hire]:
        return {h.username: h for h in self.hires if h.username}
