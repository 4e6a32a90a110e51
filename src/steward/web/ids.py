"""Ids in paths, queries and forms: whole numbers a database key can hold.

An id of 2^63 or more fits no BIGINT (nor SQLite's INTEGER): unbounded, it reached the
database driver and failed there as a server error. Bounded here, it is refused as invalid
input before any service is called. Every route takes ids through these types;
tests/web/test_ids.py fails for a route that takes a plain ``int``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from pydantic import Field

MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in the path: ``/cases/{case_id}``."""

FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
"""An id chosen in a form."""

IdItem = Annotated[int, Field(ge=1, le=MAX_ID)]
"""One id of a list, in a form or a JSON body."""
