"""The home page. Sign-in, your account and staff accounts are in web/accounts_pages.py; the
audit trail in web/audit_pages.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import auth
from steward.core.permissions import (
    PERMISSION_DESCRIPTIONS,
    ROLE_DESCRIPTIONS,
    Permission,
    Role,
)
from steward.web.deps import DB, csrf_protect, optional_user
from steward.web.home import home_panels
from steward.web.rendering import render
from steward.web.training import gate as training_gate

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
            **training_gate.home_context(db, actor),
        },
    )
