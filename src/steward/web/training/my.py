"""A member of staff's own training: "My training" (what I must do, by when, where I stand,
what I have completed, my certificates), the built-in modules with their quiz, the result of
an attempt, and each completion's certificate as a PDF.

The induction gate's page links to ``/training/modules/{slug}``: that address is a contract.
Opening a module starts an attempt (or takes up the one left open), so the page is a GET
that writes (``@writes``); the quiz's answers are posted to the attempt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from steward.core.errors import DomainError
from steward.core.permissions import Actor, Permission
from steward.training import module_files
from steward.training.module_files import Module
from steward.training.policy import RequirementKind, Status
from steward.training.service import certificates, elearning, mine
from steward.training.service import modules as module_sync
from steward.training.service.compliance import Line
from steward.training.service.elearning import Offered
from steward.web.deps import DB, AppSettings, PageActor, csrf_protect, writes
from steward.web.downloads import download_response
from steward.web.forms import refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import govuk_date, render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Slug = Annotated[str, Path(min_length=1, max_length=module_files.MAX_SLUG, pattern=r"^[a-z0-9-]+$")]
QUESTION_FIELD = re.compile(r"^q[0-9]{1,3}$")

# How each status reads to the person it is about, and what it means (policy's definitions,
# in the second person). Shown beside each course and in full below the list.
STATUS_WORDS: dict[Status, tuple[str, str, str]] = {
    Status.CURRENT: (
        "Up to date",
        "green",
        "You have completed it and it does not need doing again within the due-soon window.",
    ),
    Status.DUE_SOON: (
        "Due soon",
        "yellow",
        "Your completion lapses within the due-soon window: do it again before it does.",
    ),
    Status.OVERDUE: (
        "Overdue",
        "red",
        "Your last completion has lapsed: do it again now.",
    ),
    Status.NEVER_DONE: (
        "Not done, overdue",
        "red",
        "You have not completed it and the deadline to do it has passed.",
    ),
    Status.NOT_YET_DUE: (
        "To do",
        "blue",
        "You have not completed it yet and are still within the time allowed to do it.",
    ),
}
KIND_WORDS: dict[RequirementKind, str] = {
    RequirementKind.INDUCTION: "Induction: needed before you can open case records",
    RequirementKind.MANDATORY: "Mandatory for everyone in your group",
    RequirementKind.SPECIALIST: "Specialist, for your role",
}
SYNCED = {
    "done": "The training catalogue is up to date with the built-in modules.",
}


@dataclass(frozen=True, slots=True)
class ShownLine:
    """A course I must do, as My training shows it."""

    line: Line
    words: str
    colour: str
    meaning: str
    detail: str
    kind: str
    module_href: str | None


def _detail(line: Line) -> str:
    standing = line.standing
    due = govuk_date(standing.due_on) if standing.due_on else None
    done = govuk_date(standing.last_completed_on) if standing.last_completed_on else None
    return {
        Status.CURRENT: f"Completed {done}; "
        + (f"lasts until {due}." if due else "it does not need renewing."),
        Status.DUE_SOON: f"Completed {done}; lapses on {due}.",
        Status.OVERDUE: f"Completed {done}; lapsed on {due}.",
        Status.NEVER_DONE: f"Was due by {due}.",
        Status.NOT_YET_DUE: f"Due by {due}.",
    }[line.status]


def _shown(line: Line) -> ShownLine:
    words, colour, meaning = STATUS_WORDS[line.status]
    offered = line.module_slug is not None and module_files.find(line.module_slug) is not None
    return ShownLine(
        line,
        words,
        colour,
        meaning,
        _detail(line),
        KIND_WORDS[line.kind],
        f"/training/modules/{line.module_slug}" if offered else None,
    )


@router.get("/training")
def my_training(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    found = mine.overview(db, actor)
    lines = [_shown(line) for line in found.lines]
    required = {line.line.module_slug for line in lines}
    return render(
        request,
        "training/my.html",
        {
            "mine": found,
            "lines": lines,
            "to_do": sum(line.line.status is not Status.CURRENT for line in lines),
            "completed": certificates.completed(db, found.staff.id, page) if found.staff else None,
            "other_modules": [m for m in _modules() if m.slug not in required],
            "statuses": [STATUS_WORDS[s] for s in Status],
            "not_linked": elearning.NOT_LINKED,
            "can_check": actor.can(Permission.TRAINING_VIEW_COMPLIANCE),
        },
    )


def _modules() -> list[Module]:
    return sorted(module_files.shipped().values(), key=lambda m: m.title)


def _modules_page(
    request: Request, db: DB, actor: Actor, *, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "training/modules.html",
        {
            "modules": [(m, elearning.course_of(db, m.slug)) for m in _modules()],
            "can_sync": actor.can(Permission.TRAINING_MANAGE),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/training/modules")
def modules_page(
    request: Request, db: DB, actor: PageActor, done: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    return _modules_page(request, db, actor, done=SYNCED.get(done))


@router.post("/training/modules/sync")
def sync_modules(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    result = module_sync.sync(db, actor)
    if result.refused:
        return _modules_page(
            request,
            db,
            actor,
            error="Some module files could not be used, so their courses were not changed.",
            errors={"modules": " ".join(module_sync.refused_message(r) for r in result.refused)},
            status_code=409,
        )
    return RedirectResponse("/training/modules?done=done", status_code=303)


def _module_page(
    request: Request,
    db: DB,
    offered: Offered,
    *,
    answers: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    module = offered.module
    sent = (
        elearning.attempts(db, offered.staff.id, offered.course.id)
        if offered.staff is not None and offered.course is not None
        else (0, [])
    )
    return render(
        request,
        "training/module.html",
        {
            "module": module,
            "offered": offered,
            "content": Markup(module.content_html),  # noqa: S704 - rendered with raw HTML off
            "questions": [
                (q, Markup(q.html), [Markup(o.html) for o in q.options])  # noqa: S704
                for q in module.questions
            ],
            "answers": answers or {},
            "sent_count": sent[0],
            "sent": sent[1],
            **extra,
        },
        status_code=status_code,
    )


@router.get("/training/modules/{slug}")
@writes
def module_page(request: Request, db: DB, actor: PageActor, slug: Slug) -> Response:
    return _module_page(request, db, elearning.offer(db, actor, slug))


async def _answers(request: Request) -> dict[str, str]:
    """The quiz's answers as posted: only fields named like a question (q1, q2...)."""
    form = await request.form()
    return {
        key: value
        for key, value in list(form.items())[: module_files.MAX_QUESTIONS + 10]
        if QUESTION_FIELD.match(key) and isinstance(value, str) and len(value) <= 3
    }


@router.post("/training/attempts/{attempt_id}")
def submit_answers(
    request: Request,
    db: DB,
    actor: PageActor,
    attempt_id: Id,
    answers: Annotated[dict[str, str], Depends(_answers)],
) -> Response:
    chosen = {k: int(v) if v.isascii() and v.isdigit() else None for k, v in answers.items()}
    slug = elearning.slug_of(db, actor, attempt_id)  # someone else's: as a missing one
    try:
        with db.begin_nested():
            elearning.submit(db, actor, attempt_id, chosen)
    except DomainError as exc:
        shown = refusal(exc, summary="quiz")
        return _module_page(request, db, elearning.offer(db, actor, slug), answers=answers, **shown)
    return RedirectResponse(f"/training/attempts/{attempt_id}", status_code=303)


@router.get("/training/attempts/{attempt_id}")
def attempt_result(request: Request, db: DB, actor: PageActor, attempt_id: Id) -> Response:
    marked = elearning.result(db, actor, attempt_id)
    return render(
        request,
        "training/result.html",
        {
            "result": marked,
            "wrong": [(q, Markup(q.html)) for q in marked.wrong],  # noqa: S704
        },
    )


@router.get("/training/completions/{completion_id}/certificate")
def certificate(db: DB, actor: PageActor, settings: AppSettings, completion_id: Id) -> Response:
    issued = certificates.issue(db, actor, completion_id, organisation=settings.organisation_name)
    return download_response(issued.filename, "application/pdf", issued.data)


@router.get("/training/certificates")
def check_certificate(
    request: Request,
    db: DB,
    actor: PageActor,
    reference: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    actor.require(Permission.TRAINING_VIEW_COMPLIANCE)
    reference = reference.strip()
    found = certificates.check(db, actor, reference) if reference else None
    return render(
        request,
        "training/check.html",
        {"reference": reference, "found": found, "checked": bool(reference)},
    )
