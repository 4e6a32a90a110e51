"""`steward serve` logs an unexpected error by its type and path only: no traceback, whose
frames and messages can carry personal data, reaches stderr from uvicorn or from Steward."""

from __future__ import annotations

import logging
import logging.config
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.cli.conftest import Cli

SECRET = "Ava Zielinska born 2 March 2011"


def _served_log_config(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    cli.ok("serve")
    return served


def test_an_unexpected_error_reaches_stderr_as_type_and_path_only(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served = _served_log_config(cli, monkeypatch)
    app = served["app"]

    @app.get("/boom")
    def boom() -> None:
        raise ValueError(SECRET)

    capsys.readouterr()
    logging.config.dictConfig(served.get("log_config") or {"version": 1})
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/boom").status_code == 500
        # What uvicorn does with the exception Starlette re-raises after the 500 is sent.
        try:
            raise ValueError(SECRET)
        except ValueError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application\n")
        err = capsys.readouterr().err
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    assert "ValueError" in err and "/boom" in err
    assert "Traceback" not in err and SECRET not in err
