"""Reading what people type into GOV.UK form patterns back into values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Depends, Request

from steward.core.errors import DomainError, ValidationFailed

PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateAnswer:
    """A GOV.UK date input as typed (to show again) and, when it makes a date, the date."""

    parts: dict[str, str]
    value: date | None
    error: str | None

    @property
    def blank(self) -> bool:
        return not any(self.parts.values())


def read_date(
    form: Mapping[str, Any], name: str, *, what: str, required: bool = True
) -> DateAnswer:
    """``name-day``, ``name-month`` and ``name-year`` as a date, with the GOV.UK error wording
    ("Date of birth must include a month") where they do not make one. ``what`` is the
    question's subject as it starts a sentence, e.g. "The date the file is due back"."""
    parts = {part: str(form.get(f"{name}-{part}", "") or "").strip() for part in PARTS}
    missing = [part for part in PARTS if not parts[part]]
    if len(missing) == len(PARTS):
        return DateAnswer(parts, None, f"Enter {what[0].lower()}{what[1:]}" if required else None)
    if missing:
        return DateAnswer(parts, None, f"{what} must include a {' and '.join(missing)}")
    if not all(parts[part].isdigit() for part in PARTS) or len(parts["year"]) != 4:
        return DateAnswer(parts, None, f"{what} must be a real date")
    try:
        value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return DateAnswer(parts, None, f"{what} must be a real date")
    return DateAnswer(parts, value, None)


def date_parts(name: str) -> Any:
    """A route parameter holding a GOV.UK date input's three fields as ``read_date`` takes them
    (``name-day``, ``name-month``, ``name-year``), from the form, or from the query string on a
    GET: one parameter for a date, not three. Odd or over-long values are read_date's to refuse."""

    async def read(request: Request) -> dict[str, str]:
        source = request.query_params if request.method == "GET" else await request.form()
        return {f"{name}-{part}": str(source.get(f"{name}-{part}") or "") for part in PARTS}

    return Depends(read)


DateParts = dict[str, str]


def refusal(exc: DomainError, *, fields: tuple[str, ...] = (), summary: str) -> dict[str, Any]:
    """How a form page shows a refused action: 422 with the form's own fields linked when the
    input was wrong, 409 when the state refused it; an error nothing on the form can link to
    names the ``summary`` anchor instead."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {}
    if fields:
        errors = {k: v for k, v in errors.items() if k in fields}
    return {
        "status_code": 422 if isinstance(exc, ValidationFailed) else 409,
        "error": exc.message,
        "errors": errors or {summary: exc.message},
    }
