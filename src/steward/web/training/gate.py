"""The induction gate's answer on the web: the page (403) that says why case records are
closed and links to each induction course still to complete, its JSON twin, and the banner
a gated member of staff sees on their home page. The refusal itself is decided in records'
need-to-know check (records.service.access.InductionRequired)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.service import InductionRequired
from steward.training.service import gate
from steward.training.service.gate import GateState, OutstandingCourse
from steward.web.api_contract import InductionCourse, InductionRefusal, error_body
from steward.web.rendering import render

TITLE = "Complete your induction before you can see case records"
# Where a course is done when Steward has no module for it: the member of staff's own page
# lists what they must do and how (classroom, webinar, the LMS).
MY_TRAINING = "/training"


@dataclass(frozen=True, slots=True)
class CourseLink:
    code: str
    title: str
    href: str
    # Taken here in Steward (a built-in module) rather than elsewhere.
    module: bool


def course_links(courses: tuple[OutstandingCourse, ...]) -> list[CourseLink]:
    return [
        CourseLink(
            course.code,
            course.title,
            f"/training/modules/{course.module_slug}" if course.module_slug else MY_TRAINING,
            course.module_slug is not None,
        )
        for course in courses
    ]


def closed_for(db: Session, actor: Actor) -> GateState | None:
    """The gate's state for a member of staff whose role reads cases, if it keeps case
    records closed to them; None otherwise (it is open, or they read no cases)."""
    if not records.induction_outstanding(db, actor) or actor.user_id is None:
        return None
    return gate.state(db, actor.user_id)


def _context(state: GateState | InductionRequired) -> dict[str, object]:
    return {
        "gate_title": TITLE,
        "gate_unlinked": state.unlinked,
        "gate_courses": course_links(state.courses),
        "my_training": MY_TRAINING,
    }


def home_context(db: Session, actor: Actor) -> dict[str, object]:
    """What the home page needs for its banner: empty when the gate is open."""
    state = closed_for(db, actor)
    return {} if state is None else {"gate": _context(state)}


def refusal(request: Request, exc: InductionRequired, *, json: bool) -> Response:
    if json:
        induction = InductionRefusal(
            unlinked=exc.unlinked,
            courses=[
                InductionCourse(code=link.code, title=link.title, url=link.href)
                for link in course_links(exc.courses)
            ],
            training_url=MY_TRAINING,
        )
        return JSONResponse(error_body(exc.message, induction=induction), status_code=403)
    return render(
        request,
        "training/induction_required.html",
        {"title": TITLE, **_context(exc)},
        status_code=403,
    )
