"""Web pages of the retention domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
