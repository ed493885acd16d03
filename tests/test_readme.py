"""The README's Python example does what the README says, and can be run twice."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_example_prints_what_it_shows_and_runs_twice(tmp_path: Path) -> None:
    example = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert example is not None
    script = tmp_path / "example.py"
    script.write_text(example.group(1))
    shown = re.findall(r"^# (first|second) run:\s+(.*)$", example.group(1), re.M)
    assert [name for name, _ in shown] == ["first", "second"]
    for _, expected in shown:
        done = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected.strip()


def test_the_sql_for_a_dba_is_what_migrate_grants() -> None:
    """The README's DBA SQL, from the schema grants on, is what ``migrate`` runs for a book
    in schema ``public`` of database ``book``."""
    from balance_tui.store.roles import database_sql, derived_prefix, grants_sql, role_names

    names = role_names(derived_prefix("book", "public"))
    block = re.search(
        r"```sql\n(CREATE ROLE bt_book_public_operator.*?)```", README.read_text(), re.S
    )
    assert block is not None
    statements = [" ".join(s.split()) for s in block.group(1).split(";") if s.strip()]
    expected = grants_sql("public", names) + database_sql("book", names)
    assert statements[statements.index(expected[0]) :] == expected


def test_the_checkpoint_example_runs_as_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """keygen, checkpoint and verify --checkpoint, line by line as the README shows them."""
    import shlex

    from balance_tui.cli import main

    section = README.read_text().split("## Audit checkpoints", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    book = str(tmp_path / "book.db")
    for line in block.group(1).splitlines():
        argv = shlex.split(line.split("#", 1)[0].replace("~", str(tmp_path)))
        assert argv[0] == "balance-tui"
        assert main(["--db", book, *argv[1:]]) == 0, line
    assert (tmp_path / "checkpoints" / "2026-11-25.json").exists()


def test_the_python_example_type_checks_strictly(tmp_path: Path) -> None:
    """The package ships its annotations (py.typed): a user's script written like the
    README's example passes ``mypy --strict``."""
    example = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert example is not None
    script = tmp_path / "example.py"
    script.write_text(example.group(1))
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_help_on_the_package_reads_as_a_reference() -> None:
    """``help(balance_tui)`` names and describes the public API, though it loads lazily."""
    import pydoc

    import balance_tui

    text = pydoc.render_doc(balance_tui, renderer=pydoc.plaintext)
    for name in ("BalanceManager", "BalanceUpdateResult", "connect", "initialize_balance_tables"):
        assert name in text
    assert "Apply one change" in text or "update_balance" in text
