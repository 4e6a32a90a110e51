"""Jinja2 templates with autoescaping, the CSRF field and the navigation every page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from steward.core.permissions import Actor, Permission
from steward.web.security import CSRF_FIELD, csrf_cookie_value, csrf_token_for

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.autoescape = True


def csrf_input(request: Request) -> Markup:
    token = csrf_token_for(request.app.state.settings.secret_key, csrf_cookie_value(request))
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def navigation(request: Request, actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None:
        return []
    items = [
        ("Home", "/", None),
        ("Users", "/users", Permission.USERS_MANAGE),
        ("Audit trail", "/audit", Permission.AUDIT_READ),
        ("Your account", "/account", None),
    ]
    path = request.url.path
    return [
        {"text": text, "href": href, "current": path == href}
        for text, href, needed in items
        if needed is None or actor.can(needed)
    ]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    viewer = getattr(request.state, "viewer", None)
    full = {
        "viewer": viewer,
        "navigation": navigation(request, viewer.actor if viewer else None),
        "csrf_input": csrf_input(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)
