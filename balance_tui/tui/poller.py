"""One long-lived thread that reads what the watcher says changed.

A thread per poll would open a database connection per poll (tens of milliseconds on
PostgreSQL); this one keeps its connection for the life of the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from balance_tui.services.watch import ChangeBatch, ChangeWatcher


class Poller:
    """Wake it with ``request()``; it calls ``deliver(batch)`` or ``fail(text)``."""

    def __init__(
        self,
        watcher: ChangeWatcher,
        deliver: Callable[[ChangeBatch], None],
        fail: Callable[[str], None],
    ) -> None:
        self.watcher, self.deliver, self.fail = watcher, deliver, fail
        self._wake = threading.Event()
        self._signalled = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="balance-poller", daemon=True)
        self._thread.start()

    def request(self, *, signalled: bool = False) -> None:
        self._signalled |= signalled
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        db = self.watcher.services.db
        # Opened here, this thread's connection outlives each poll (thread_session reuses it).
        db.connect(reuse_if_open=True)
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                break
            signalled, self._signalled = self._signalled, False
            try:
                batch = self.watcher.poll(signalled=signalled)
            except Exception as exc:  # keep going: the database may come back
                self.fail(f"Database error: {exc}")
                continue
            if batch is not None:
                self.deliver(batch)
        db.close()  # this thread's connection
