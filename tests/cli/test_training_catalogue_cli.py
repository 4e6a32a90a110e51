"""`steward training courses`: the course catalogue as JSON for automation, filtered by topic;
an unknown topic is a readable refusal."""

from __future__ import annotations

import json

from steward.core.permissions import Actor
from steward.training.catalogue_schemas import CourseCreate, RequirementCreate
from steward.training.service import catalogue, requirements
from tests.cli.conftest import Cli


def test_courses_are_listed_as_json_with_their_requirements_in_force(cli: Cli) -> None:
    assert json.loads(cli.ok("training", "courses", "--json").stdout) == {
        "total": 0,
        "courses": [],
    }
    with cli.session() as db:
        for code, topic in (("DP-1", "data_protection"), ("CY-1", "cyber_security")):
            course = catalogue.create(
                db,
                Actor.system(),
                CourseCreate(
                    code=code,
                    title=f"Course {code}",
                    topic=topic,
                    delivery="e_learning",
                    duration_minutes=30,
                    validity_months=12,
                ),
            )
        requirements.set_requirement(
            db,
            Actor.system(),
            RequirementCreate.model_validate(
                {"course_id": course.id, "kind": "mandatory", "due_within_days": 30}
            ),
        )
    listed = json.loads(cli.ok("training", "courses", "--json").stdout)
    assert listed["total"] == 2
    assert [(c["code"], c["requirements_in_force"]) for c in listed["courses"]] == [
        ("CY-1", 1),
        ("DP-1", 0),
    ]
    assert listed["courses"][0]["validity_months"] == 12
    only = json.loads(cli.ok("training", "courses", "--topic", "data_protection", "--json").stdout)
    assert [c["code"] for c in only["courses"]] == ["DP-1"]
    assert "CY-1" in cli.ok("training", "courses").stdout
    refused = cli("training", "courses", "--topic", "astrology")
    assert refused.exit_code != 0
    assert "astrology" in refused.stderr + refused.stdout
