"""Driving the app in a real terminal (tmux) for what Pilot cannot show."""

from __future__ import annotations

import subprocess


def pane(session: str) -> str:
    """What the terminal shows now, as text."""
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout
