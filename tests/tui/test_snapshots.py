"""Snapshot tests: every screen, the card and each dialog, on fixed demo data and a frozen
clock, at 80×24, 120×36 and 160×45."""

from __future__ import annotations

import pytest

from balance_tui.tui.app import create_app
from tests.tui.conftest import seeded_services
from tests.tui.snapshot_diff import explain
from tests.tui.snapshot_scenes import SCENES, SIZES


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("scene", list(SCENES))
def test_screen(scene, size, snap_compare, tmp_path, monkeypatch, request) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOME", "/home/operator")  # the export dialog proposes ~/…
    app = create_app(seeded_services(str(tmp_path / "snap.db")), poll_seconds=60)
    assert snap_compare(app, terminal_size=size, run_before=SCENES[scene]), explain(request.node)
