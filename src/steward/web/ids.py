"""Ids in paths, queries and forms: whole numbers a database key can hold.

The keys are INTEGER columns: 32 bits on PostgreSQL. An id of 2^31 or more reached the
database there and failed as a server error (Schemathesis found it; SQLite's 64-bit INTEGER
had hidden it). Bounded here, it is refused as invalid input before any service is called. Every route takes ids through these types;
tests/web/test_ids.py fails for a route that takes a plain ``int``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from pydantic import Field

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in the path: ``/cases/{case_id}``."""

FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
"""An id chosen in a form."""

IdItem = Annotated[int, Field(ge=1, le=MAX_ID)]
"""One id of a list, in a form or a JSON body."""
