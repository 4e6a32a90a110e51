"""The organisation's training settings: read by those who manage training or see compliance,
changed by the data protection officer alone (training.service.settings says why)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.core import auth
from steward.core.errors import DomainError, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import PolicyChange
from steward.training.service import settings
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.rendering import render
from steward.web.training.catalogue_words import invalid, words

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PATH = "/training/settings"
FIELDS = ("induction_gate", "gate_off_reason", "induction_days", "due_soon_days", "target_percent")


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    form: dict[str, str] | None = None,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    current = settings.read(db, actor)
    if form is None:
        form = {
            "induction_gate": "on" if current.induction_gate else "off",
            "gate_off_reason": current.gate_off_reason or "",
            "induction_days": str(current.induction_days),
            "due_soon_days": str(current.due_soon_days),
            "target_percent": str(current.target_percent),
        }
    changed_by = current.changed_by_user_id
    return render(
        request,
        "training/settings.html",
        {
            "current": current,
            "form": form,
            "target_words": settings.TARGET_WORDS,
            "changed_by": auth.usernames(db, [changed_by]).get(changed_by) if changed_by else None,
            "can_change": actor.can(Permission.TRAINING_SETTINGS),
            "can_manage": actor.can(Permission.TRAINING_MANAGE),
            "gate_off": settings.gate_off(db),
            **words(),
            **extra,
        },
        status_code=status_code,
    )


@router.get(PATH)
def settings_page(
    request: Request,
    db: DB,
    actor: PageActor,
    saved: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    return _page(request, db, actor, saved=saved == "yes")


@router.post(PATH)
def change_settings(
    request: Request,
    db: DB,
    actor: PageActor,
    induction_gate: Annotated[str, Form(max_length=3)] = "",
    gate_off_reason: Annotated[str, Form(max_length=4000)] = "",
    induction_days: Annotated[str, Form(max_length=20)] = "",
    due_soon_days: Annotated[str, Form(max_length=20)] = "",
    target_percent: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not actor.can(Permission.TRAINING_SETTINGS):
        raise Forbidden("Only the data protection officer can change the training settings.")
    form = {
        "induction_gate": induction_gate,
        "gate_off_reason": gate_off_reason,
        "induction_days": induction_days,
        "due_soon_days": due_soon_days,
        "target_percent": target_percent,
    }
    try:
        errors = {
            name: f"Enter the {what}"
            for name, what in (
                ("induction_days", "induction days"),
                ("due_soon_days", "due-soon days"),
                ("target_percent", "target"),
            )
            if not form[name].strip()
        }
        if induction_gate not in ("on", "off"):
            errors["induction_gate"] = "Choose whether the induction gate is on"
        if errors:
            raise ValidationFailed("Check the answers below.", errors=errors)
        try:
            data = PolicyChange.model_validate(
                {
                    "induction_gate": induction_gate == "on",
                    # Only read when the gate is (or stays) off.
                    "gate_off_reason": gate_off_reason if induction_gate == "off" else None,
                    "induction_days": induction_days.strip(),
                    "due_soon_days": due_soon_days.strip(),
                    "target_percent": target_percent.strip(),
                }
            )
        except ValidationError as exc:
            raise invalid(exc) from None
        with db.begin_nested():
            settings.change(db, actor, data)
    except DomainError as exc:
        return _page(
            request, db, actor, form, **refusal(exc, fields=FIELDS, summary="induction_gate")
        )
    return RedirectResponse(f"{PATH}?saved=yes", status_code=303)
