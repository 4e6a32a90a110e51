"""The import-linter contracts name every package, so a new domain cannot slip past them.

import-linter only checks the modules a contract names, and refuses to run when a named
module does not exist: a domain package created later is unchecked until someone adds it.
These tests are that someone.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = {"steward.cli", "steward.web"}


def _packages() -> set[str]:
    source = ROOT / "src" / "steward"
    return {f"steward.{p.parent.name}" for p in source.glob("*/__init__.py")}


def _contract(name: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["name"] == name]
    assert len(found) == 1, f"no contract named {name!r} in pyproject.toml"
    return found[0]


def test_every_package_but_the_adapters_is_kept_from_web_and_cli_frameworks() -> None:
    contract = _contract("Services never import HTTP or CLI frameworks")
    covered = set(contract["source_modules"])
    missing = sorted(_packages() - ADAPTERS - covered)
    assert missing == [], f"add these to the contract's source_modules: {missing}"
    assert {"fastapi", "starlette", "typer", "jinja2"} <= set(contract["forbidden_modules"])


def test_every_package_has_a_place_in_the_layers() -> None:
    layers = _contract("Layers: adapters on top, core at the bottom")["layers"]
    named = {m for layer in layers for m in re.findall(r"steward\.\w+", layer)}
    missing = sorted(_packages() - named)
    assert missing == [], f"give these a layer in pyproject.toml: {missing}"
