"""The training demo's files, written as the systems that make them write them: HR's staff
list (CSV), Moodle's course completion report (CSV) and the cyber security provider's xAPI
export (JSON), for the demo to import through the same services as a real organisation's
(formats: docs/training.md)."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from datetime import date, timedelta

from steward.demo.training_catalogue import COURSES, CYBER_ACTIVITY, MODULE_LMS_IDS
from steward.demo.training_plan import Hire, Route, TrainingPlan, weekday


def hr_csv(plan: TrainingPlan) -> bytes:
    """HR's staff list, as HR exports it (docs/training.md, "Staff from HR")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "staff_number",
            "name",
            "email",
            "team",
            "manager",
            "role",
            "employment_type",
            "start_date",
            "leaving_date",
            "username",
        ]
    )
    for hire in sorted(plan.hires, key=lambda h: h.staff_number):
        writer.writerow(
            [
                hire.staff_number,
                hire.name,
                hire.email,
                hire.team,
                hire.manager.staff_number if hire.manager else "",
                hire.role,
                hire.employment_type.value,
                hire.start_date.isoformat(),
                hire.leaving_date.isoformat() if hire.leaving_date else "",
                hire.username or "",
            ]
        )
    return out.getvalue().encode()


def moodle_csv(plan: TrainingPlan) -> bytes:
    """Moodle's custom report of course completions (one row a completion, and a row
    "No" for a course started and left), dates as Moodle's English writes them."""
    rng = random.Random(f"training-moodle-{plan.seed}-{plan.today}")  # noqa: S311
    titles = {c.code: c.title for c in COURSES} | {m.code: m.title for m in plan.modules.values()}
    shortnames = {code: ids[0] for code, ids in MODULE_LMS_IDS.items()}
    shortnames |= {c.code: c.lms_ids[0] for c in COURSES}
    rows: list[tuple[str, date | None, Hire, int | None]] = [
        (d.course, d.on, d.hire, d.score) for d in plan.by_route(Route.MOODLE)
    ]
    rows += [(n.course, None, n.hire, None) for n in plan.not_done if n.route is Route.MOODLE]
    rows.sort(key=lambda r: (shortnames[r[0]], r[1] or plan.today, r[2].staff_number))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Course short name",
            "Course full name with link",
            "Full name",
            "Email address",
            "ID number",
            "Completed",
            "Time completed",
            "Grade",
        ]
    )
    for course, on, hire, score in rows:
        email = hire.email if rng.random() < 0.8 else hire.email.title()
        writer.writerow(
            [
                shortnames[course],
                titles[course],
                hire.name,
                email,
                hire.staff_number if rng.random() < 0.85 else "",
                "Yes" if on else "No",
                _moodle_time(on, rng) if on else "",
                f"{score:.2f} %" if score is not None else "-",
            ]
        )
    return out.getvalue().encode()


def xapi_json(plan: TrainingPlan) -> bytes:
    """The cyber security provider's LRS export: a statement for every try, passed or
    failed, and the odd other verb."""
    rng = random.Random(f"training-xapi-{plan.seed}-{plan.today}")  # noqa: S311
    statements: list[dict[str, object]] = []

    def statement(hire: Hire, on: date, verb: str, scaled: float | None) -> None:
        learner: dict[str, object] = {"objectType": "Agent", "name": hire.name}
        if rng.random() < 0.75:
            learner["mbox"] = f"mailto:{hire.email}"
        else:
            learner["account"] = {
                "homePage": "https://hr.steward-demo.example",
                "name": hire.staff_number,
            }
        made: dict[str, object] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": learner,
            "verb": {
                "id": f"http://adlnet.gov/expapi/verbs/{verb}",
                "display": {"en-GB": verb},
            },
            "object": {
                "objectType": "Activity",
                "id": CYBER_ACTIVITY,
                "definition": {"name": {"en-GB": "Cyber security awareness"}},
            },
            "timestamp": f"{on.isoformat()}T{rng.randint(8, 15):02d}:{rng.randrange(60):02d}:00Z",
        }
        if scaled is not None:
            made["result"] = {
                "score": {"scaled": scaled},
                "success": verb == "passed",
                "completion": True,
            }
        statements.append(made)

    for done in plan.by_route(Route.XAPI):
        if rng.random() < 0.2:
            statement(done.hire, done.on, "attempted", None)
        if done.failed_first is not None:
            earlier = weekday(done.on - timedelta(days=rng.randint(1, 5)), forward=False)
            statement(done.hire, max(earlier, done.hire.start_date), "failed",
                      done.failed_first / 100)  # fmt: skip
        statement(done.hire, done.on, "passed", (done.score or 100) / 100)
    return json.dumps({"statements": statements}, ensure_ascii=False, indent=1).encode()


def _moodle_time(day: date, rng: random.Random) -> str:
    """'Friday, 15 March 2024, 2:05 PM', as Moodle's custom reports write a time."""
    hour, minute = rng.randint(9, 16), rng.randrange(60)
    shown = f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"
    return f"{day:%A}, {day.day} {day:%B %Y}, {shown}"
