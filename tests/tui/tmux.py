"""Driving the app in a real terminal (tmux) for what Pilot cannot show.

Every test session runs on a tmux server of its own (``-L``): an operator's or another
test's tmux server could otherwise impose its window size on ours.
"""

from __future__ import annotations

import subprocess
import time
import uuid


class Terminal:
    """One detached tmux session of a given size running ``command``, on a private server."""

    def __init__(self, command: str, width: int, height: int) -> None:
        self.socket = f"balance-test-{uuid.uuid4().hex[:10]}"
        self._tmux("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), command)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def record(self, path: str) -> None:
        """Copy everything the program writes to the terminal from now on to ``path``."""
        self._tmux("pipe-pane", "-o", "-t", "app", f"cat > {path}")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "app", *keys)

    def paste(self, text: str) -> None:
        """Paste ``text`` as a terminal does (bracketed, when the program asked for it)."""
        self._tmux("set-buffer", "-b", "paste", text)
        self._tmux("paste-buffer", "-p", "-b", "paste", "-t", "app")

    def pane(self) -> str:
        """What the terminal shows now, as text."""
        return self._tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, seconds: float = 30) -> str:
        """The pane once it shows ``text`` (bounded: fails after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pane = self.pane()
            if text in pane:
                return pane
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n{self.pane()}")

    def wait_until_gone(self, text: str, seconds: float = 30) -> str:
        """The pane once it no longer shows ``text`` (bounded: fails after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pane = self.pane()
            if text not in pane:
                return pane
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never went away:\n{self.pane()}")

    def size(self) -> tuple[int, int]:
        width, height = self._tmux(
            "display", "-p", "-t", "app", "#{window_width} #{window_height}"
        ).split()
        return int(width), int(height)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
