"""The core input rule on what reaches a route outside a schema: query strings, path
segments and form fields (pages read their forms field by field, not through StrictInput).

Installed once on the whole app, so a new form cannot forget it. JSON bodies are checked by
their StrictInput schemas; uploaded files are content, not fields, and are not checked here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from steward.core.schemas import FORBIDDEN_CHARS, FORBIDDEN_MESSAGE

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_hidden_characters(request: Request) -> None:
    fields = [("query", k, v) for k, v in request.query_params.multi_items()]
    fields += [("path", k, v) for k, v in request.path_params.items() if isinstance(v, str)]
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        # Starlette keeps the parsed form on the request: the route reads the same one.
        form = await request.form()
        fields += [("body", k, v) for k, v in form.multi_items() if isinstance(v, str)]
    bad = {(where, name) for where, name, value in fields if FORBIDDEN_CHARS.search(value)}
    if bad:
        raise RequestValidationError(
            [
                {"loc": (where, name), "msg": FORBIDDEN_MESSAGE, "type": "value_error"}
                for where, name in sorted(bad)
            ]
        )
