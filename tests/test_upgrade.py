"""A book written by the previous release (schema 0010: the shared roles, no tier rules in
the book, acknowledgements and refusals of the demo without audit records) upgrades on
both backends, verifies, and takes new changes that verify."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest

import balance_tui
from balance_tui.config import Settings
from balance_tui.services import open_services

#: The last commit of the release whose books are upgraded here.
PREVIOUS_RELEASE = "2a403fa"
ROOT = Path(__file__).resolve().parent.parent


def _previous_release(tmp: Path) -> Path:
    """The previous release's package, from the repository's history."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", PREVIOUS_RELEASE, "balance_tui"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the repository's history does not hold {PREVIOUS_RELEASE}")
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


MIGRATIONS = Path(balance_tui.__file__).parent / "store" / "migrations"


def _old(code: Path, url: str, *argv: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "balance_tui", "--db", url, *argv],
        cwd=code,  # python -m puts the working directory first on the path
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_a_book_of_the_previous_release_upgrades_and_verifies(db_url: str, tmp_path: Path) -> None:
    code = _previous_release(tmp_path / "previous")
    if db_url.startswith("postgresql"):
        _old(code, db_url, "migrate")
    _old(code, db_url, "demo", "--customers", "20", "--days", "5", "--events", "400")
    services = open_services(db_url, Settings(operator="owner"), migrate=True)
    applied = services.migrations_applied
    newest = max(p.stem for p in MIGRATIONS.glob("0*.py"))
    assert applied[0] == "0011_trusted_triggers" and applied[-1] == newest
    report = services.verifier.verify()
    assert report.ok, report.problems
    if not db_url.startswith("postgresql"):  # the book names its upgrader its admin
        assert [(e.name, e.role) for e in services.operators.operators()] == [("owner", "admin")]
    customer = services.manager.list_customers()[0].customer.id
    assert services.manager.update_balance(
        customer, None, Decimal("1"), "deposit", "after the upgrade", "owner"
    ).success
    assert services.verifier.verify().ok
    services.db.close()
