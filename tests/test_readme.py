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
