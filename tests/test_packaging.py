"""The wheel a user installs: the package, its migrations, ``py.typed`` and the licence;
no tests, snapshots or screenshots; Textual as a range (another Textual app in the same
environment must not clash), pinned only in the test extra the snapshots need."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    if built.returncode and "No matching distribution found for hatchling" in built.stderr:
        pytest.skip("the build backend (hatchling) cannot be fetched here")
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("balance_tui-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_the_package_and_nothing_of_the_repository(wheel) -> None:  # type: ignore[no-untyped-def]
    names = wheel.namelist()
    assert "balance_tui/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    migrations = {p.name for p in (ROOT / "balance_tui/store/migrations").glob("0*.py")}
    shipped = {Path(n).name for n in names if n.startswith("balance_tui/store/migrations/")}
    assert migrations <= shipped
    assert "balance_tui/tui/app.tcss" in names
    assert not [n for n in names if n.startswith(("tests/", "screenshots/", "scripts/"))]


def test_textual_is_a_range_at_run_time(wheel) -> None:  # type: ignore[no-untyped-def]
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(wheel.read(meta).decode())
    textual = [r for r in metadata.get_all("Requires-Dist") or [] if r.startswith("textual")]
    plain = [r for r in textual if "extra ==" not in r]
    assert plain == ["textual<9,>=8.2.8"], textual
    assert any("==8.2.8" in r and "extra == 'test'" in r for r in textual), textual
    assert "Programming Language :: Python :: 3.13" in (metadata.get_all("Classifier") or [])
