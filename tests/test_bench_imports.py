"""Every name a benchmark imports from another benchmark module exists there, including the
imports made inside functions (each side runs in a child process that imports lazily, so a
renamed helper would otherwise surface only when someone runs `make bench`). Read from the
source, so the peers' packages (the [bench] extra) need not be installed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_path(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _defined(module: str) -> set[str]:
    """Names a module binds at its top level: functions, classes, assignments, imports."""
    names: set[str] = set()
    for node in ast.parse(_module_path(module).read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _bench_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bench"):
                found += [(path.name, node.module or "", alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize(("where", "module", "name"), _bench_imports())
def test_a_benchmark_imports_only_what_exists(where: str, module: str, name: str) -> None:
    submodule = _module_path(f"{module}.{name}")
    assert name in _defined(module) or submodule.exists(), (
        f"{where} imports {name} from {module}, which has no such name"
    )
