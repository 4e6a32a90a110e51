"""Web pages of the archives domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
