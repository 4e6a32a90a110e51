"""HTML pages of the platform: home and the audit trail. Sign-in, your account and staff
accounts are in web/accounts_pages.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import audit, auth
from steward.core.permissions import (
    PERMISSION_DESCRIPTIONS,
    ROLE_DESCRIPTIONS,
    Permission,
    Role,
)
from steward.web.deps import DB, PageActor, csrf_protect, optional_user
from steward.web.home import home_panels
from steward.web.ids import MAX_ID
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/")
def home(
    request: Request, db: DB, user: Annotated[auth.User | None, Depends(optional_user)]
) -> Response:
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    actor = user.actor
    allowed = [PERMISSION_DESCRIPTIONS[p] for p in Permission if actor.can(p)]
    return render(
        request,
        "home.html",
        {
            "role": Role(user.role),
            "role_description": ROLE_DESCRIPTIONS[Role(user.role)],
            "allowed": allowed,
            "panels": home_panels(db, actor),
        },
    )


# --- audit trail ----------------------------------------------------------------------


@router.get("/audit")
def audit_trail(
    request: Request,
    db: DB,
    actor: PageActor,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    events = audit.list_events(db, actor, limit=50, before_seq=before)
    return render(request, "audit.html", {"events": events, "last_anchor": audit.last_anchor(db)})


@router.post("/audit/verify")
def audit_verify(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.AUDIT_READ)
    result = audit.verify(db)
    events = audit.list_events(db, actor, limit=50)
    context = {"events": events, "verification": result, "last_anchor": audit.last_anchor(db)}
    return render(request, "audit.html", context)
