"""The SLA engine stays pure: no Django, no database driver, no clock (ADR 0002)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sladesk.sla

ENGINE = Path(sladesk.sla.__file__).parent
FORBIDDEN_IMPORTS = ("django", "ninja", "psycopg", "sqlite3", "time")
FORBIDDEN_CALLS = ("now", "utcnow", "today", "time", "monotonic", "perf_counter")


def _engine_sources() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


def test_no_engine_module_imports_django_a_database_or_the_clock() -> None:
    offenders = []
    for path in _engine_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_IMPORTS
            ]
    assert offenders == []


def test_no_engine_module_reads_the_current_time() -> None:
    offenders = []
    for path in _engine_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_CALLS:
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_importing_the_engine_loads_no_django() -> None:
    code = (
        "import sys, sladesk.sla; print(sorted(m for m in sys.modules if m.startswith('django')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_import_linter_contract_holds() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ENGINE.parents[2],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
