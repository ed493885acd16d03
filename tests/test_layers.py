"""The layer rule, enforced: domain is pure, only tui/ imports Textual, tui/ never storage."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "balance_tui"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{p.relative_to(PACKAGE)} imports {name}"
        for p in paths
        for name in _imports(p)
        if name.split(".")[0] in forbidden or name.startswith(forbidden)
    ]


def test_domain_imports_no_storage_ui_or_services() -> None:
    assert (
        _offending(
            _modules("domain"),
            (
                "peewee",
                "playhouse",
                "textual",
                "rich",
                "balance_tui.store",
                "balance_tui.services",
                "balance_tui.tui",
                "sqlite3",
            ),
        )
        == []
    )


def test_only_the_tui_imports_textual() -> None:
    outside = [p for p in _modules() if "tui" not in p.relative_to(PACKAGE).parts[:1]]
    assert _offending(outside, ("textual",)) == []


def test_the_tui_never_touches_storage() -> None:
    assert _offending(_modules("tui"), ("peewee", "playhouse", "balance_tui.store")) == []


@pytest.mark.parametrize("module", ["domain", "store", "services", "tui"])
def test_each_layer_exists(module: str) -> None:
    assert _modules(module)


def test_services_never_import_the_tui_or_the_cli() -> None:
    forbidden = ("balance_tui.tui", "balance_tui.cli", "balance_tui.commands", "textual")
    assert _offending(_modules("services"), forbidden) == []


def test_the_store_never_imports_services_or_above() -> None:
    forbidden = (
        "balance_tui.services",
        "balance_tui.tui",
        "balance_tui.cli",
        "balance_tui.commands",
    )
    assert _offending(_modules("store"), forbidden) == []


_SQL = re.compile(
    r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|"
    r"TRIGGER)|DROP\s+TABLE|PRAGMA\s+\w|LISTEN\s+\w|BEGIN\s+(IMMEDIATE|DEFERRED))"
)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose may name SQL)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _sql_texts(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    docstrings = _docstrings(tree)
    return [
        f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _SQL.search(node.value)
    ]


def test_only_the_store_writes_sql() -> None:
    outside = [p for p in _modules() if p.relative_to(PACKAGE).parts[0] != "store"]
    assert [text for p in outside for text in _sql_texts(p)] == []


def test_the_sql_detector_sees_sql() -> None:
    sample = PACKAGE / "store" / "ledger.py"
    assert _sql_texts(sample), "the detector must find the store's own statements"


def test_the_domain_loads_without_storage() -> None:
    """Importing the pure layer (as the demo's writer process and the config do) loads no
    database library: the storage layer sets peewee up when it is first imported."""
    import subprocess
    import sys

    probe = (
        "import sys, balance_tui.domain, balance_tui.config; "
        "print(sorted(m for m in ('peewee', 'psycopg2', 'sqlite3') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
