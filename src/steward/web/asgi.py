"""ASGI entry point for process managers: ``uvicorn --factory steward.web.asgi:app``."""

from __future__ import annotations

from fastapi import FastAPI

from steward.core.config import get_settings
from steward.web.app import create_app


def app() -> FastAPI:
    return create_app(get_settings())
