"""Jinja2 templates with autoescaping, the CSRF field and the navigation every page shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from steward.core import clock
from steward.core.permissions import ROLE_NAMES, Actor, Permission, Role
from steward.retention.service import registry as retention_registry
from steward.web.paging import page_links
from steward.web.security import (
    CSRF_FIELD,
    csrf_cookie_value,
    csrf_token_for,
    megabytes,
    session_secret,
)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.autoescape = True

ANY_CASE_READ = (
    Permission.CASES_READ_ASSIGNED,
    Permission.CASES_READ_TEAM,
    Permission.CASES_READ_ALL,
)

# How coded values read on a page, where the plain "replace underscores" would read badly.
LABELS = {
    "official": "OFFICIAL",
    "official_sensitive": "OFFICIAL-SENSITIVE",
    "nhs": "NHS number",
    "nino": "National Insurance number",
    "la_ref": "Local authority reference",
    "legacy": "Reference in the previous system",
    "report_to_court": "Report to court",
    "previous": "Previous name",
    "alias": "Also known as",
    "sar_request": "Subject access request file",
}

# Roles, as people name them (core.permissions.Role's values). Kept apart from LABELS because
# the codes are common words used elsewhere too: a document's provenance "partner" is not a
# "Partner organisation user".


# Dates as GOV.UK writes them: core.clock words them for pages and printed documents alike.
govuk_date = clock.govuk_date
govuk_datetime = clock.govuk_datetime


def label(value: object) -> str:
    """A coded value (an enum or its string) as words: "private_law" reads "Private law"."""
    if value is None:
        return ""
    if isinstance(value, Role):
        return role_label(value)
    code = value.value if isinstance(value, Enum) else str(value)
    return LABELS.get(code) or code.replace("_", " ").capitalize()


def role_label(value: object) -> str:
    """A role (a Role or its stored string) as words: "ig_officer" reads "Information
    governance officer"."""
    if value is None:
        return ""
    code = value.value if isinstance(value, Enum) else str(value)
    try:
        return ROLE_NAMES[Role(code)]
    except ValueError:
        return code.replace("_", " ").capitalize()


def filesize(size: int) -> str:
    return megabytes(size) if size >= 1024 else f"{size} bytes"


templates.env.filters.update(
    govuk_date=govuk_date,
    govuk_datetime=govuk_datetime,
    label=label,
    role_label=role_label,
    filesize=filesize,
)
templates.env.globals.update(
    page_links=page_links,
    record_link=retention_registry.link,
    # The footer's "Report a breach", on every page for staff who may report one.
    breach_report=Permission.BREACH_REPORT,
)


def csrf_input(request: Request) -> Markup:
    token = csrf_token_for(
        request.app.state.settings.secret_key, csrf_cookie_value(request), session_secret(request)
    )
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


@dataclass(frozen=True)
class MenuItem:
    text: str
    href: str
    needed: tuple[Permission, ...] = ()  # shown to holders of any one of them; none: everyone
    not_for: tuple[Permission, ...] = ()  # hidden from holders of any: they reach it another way
    # The pages the item groups, each a tab of the sub-navigation shown on them: one menu item
    # per area of work keeps the menu short enough to read.
    tabs: tuple[tuple[str, str], ...] = ()


PARTNER_DATA_TABS = (
    ("Submissions", "/intake/submissions"),
    ("Held partner data", "/intake/held"),
    ("Partners", "/intake/partners"),
    ("Data quality", "/intake/quality"),
)

MENU: tuple[MenuItem, ...] = (
    MenuItem("Home", "/"),
    MenuItem("Cases", "/cases", ANY_CASE_READ),
    MenuItem("Search", "/search", ANY_CASE_READ),
    MenuItem("Paper archive", "/archives", (Permission.ARCHIVES_MANAGE,)),
    MenuItem("Paper files out", "/archives/retrievals", (Permission.ARCHIVES_REQUEST,)),
    MenuItem(
        "Find a person",
        "/search/people",
        (Permission.CASES_READ_ALL, Permission.SAR_MANAGE, Permission.INTAKE_REVIEW),
    ),
    MenuItem("Retention", "/retention", (Permission.RETENTION_MANAGE,)),
    MenuItem(
        "Partner data", "/intake/submissions", (Permission.INTAKE_REVIEW,), tabs=PARTNER_DATA_TABS
    ),
    MenuItem("Your organisation", "/intake/organisation", (Permission.INTAKE_SUBMIT,)),
    MenuItem("Corrections to your data", "/intake/corrections", (Permission.INTAKE_SUBMIT,)),
    MenuItem(
        "Partner data quality",
        "/intake/quality",
        (Permission.ASSURANCE_VIEW, Permission.INTAKE_SUBMIT),
        not_for=(Permission.INTAKE_REVIEW,),  # a tab of "Partner data" for them
    ),
    MenuItem(
        "Staff",
        "/training/staff",
        (Permission.TRAINING_VIEW_COMPLIANCE, Permission.TRAINING_MANAGE),
    ),
    MenuItem("Subject access", "/sar", (Permission.SAR_MANAGE,)),
    MenuItem("Send data", "/intake/send", (Permission.INTAKE_SUBMIT,)),
    MenuItem("Your submissions", "/intake/submissions", (Permission.INTAKE_SUBMIT,)),
    MenuItem(
        "Training courses",
        "/training/courses",
        (Permission.TRAINING_MANAGE, Permission.TRAINING_VIEW_COMPLIANCE),
    ),
    # Break-glass review is a part of assurance: its sub-navigation leads there.
    MenuItem("Assurance", "/assurance", (Permission.ASSURANCE_VIEW,)),
    MenuItem("Documents without text", "/documents-without-text", (Permission.CASES_READ_ALL,)),
    MenuItem("Users", "/users", (Permission.USERS_MANAGE,)),
    MenuItem("Audit trail", "/audit", (Permission.AUDIT_READ,)),
    MenuItem("Your account", "/account"),
)
# Staff see their own training (partner organisations' users are not on the staff list).
MY_TRAINING = MenuItem("My training", "/training")


def _menu_for(actor: Actor) -> list[MenuItem]:
    shown = [
        item
        for item in MENU
        if (not item.needed or any(map(actor.can, item.needed)))
        and not any(map(actor.can, item.not_for))
    ]
    if actor.role is not Role.PARTNER:
        shown.insert(-1, MY_TRAINING)
    return shown


def navigation(request: Request, actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None:
        return []
    shown = _menu_for(actor)
    current = current_href(
        request.url.path,
        [href for item in shown for href in (item.href, *dict(item.tabs).values())],
    )
    return [
        {
            "text": item.text,
            "href": item.href,
            "current": current in (item.href, *dict(item.tabs).values()),
        }
        for item in shown
    ]


def section_tabs(request: Request, actor: Actor | None) -> list[dict[str, Any]]:
    """The sub-navigation of the menu item the page belongs to, when that item groups pages."""
    if actor is None:
        return []
    for item in _menu_for(actor):
        hrefs = [href for _, href in item.tabs]
        current = current_href(request.url.path, hrefs)
        if current is not None:
            return [
                {"text": text, "href": href, "current": href == current, "group": item.text}
                for text, href in item.tabs
            ]
    return []


def current_href(path: str, hrefs: list[str]) -> str | None:
    """The one menu item a page belongs to: the longest href that is the path or a folder of
    it, so /search/people marks "Find a person" and not "Search" too (a menu has one current
    item); "/" only matches the home page itself."""
    matches = [h for h in hrefs if path == h or (h != "/" and path.startswith(h + "/"))]
    return max(matches, key=len, default=None)


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
        "section_tabs": section_tabs(request, viewer.actor if viewer else None),
        "csrf_input": csrf_input(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)
