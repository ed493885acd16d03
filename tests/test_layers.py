"""The layer rule, enforced: domain is pure, only tui/ imports Textual, tui/ never storage."""

from __future__ import annotations

import ast
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
