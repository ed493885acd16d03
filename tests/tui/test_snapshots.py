"""Snapshot tests: each screen and form on fixed demo data and a frozen clock."""

from __future__ import annotations

import pytest

from balance_tui.tui.app import create_app
from tests.tui.conftest import seeded_services
from tests.tui.snapshot_scenes import SCENES


@pytest.mark.parametrize("scene", list(SCENES))
def test_screen(scene, snap_compare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(seeded_services(str(tmp_path / "snap.db")), poll_seconds=60)
    assert snap_compare(app, terminal_size=(120, 36), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", ["customers", "adjust_form", "history", "analytics"])
def test_screen_at_80_by_24(scene, snap_compare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(seeded_services(str(tmp_path / "snap.db")), poll_seconds=60)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])
