"""One long-lived loop that reads what the watcher says changed.

A thread per poll would open a database connection per poll (tens of milliseconds on
PostgreSQL); this one keeps its connection for the life of the app. The app runs ``run``
as a Textual thread worker, so it is listed, reported and stopped with the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.worker import get_current_worker

from balance_tui.services.watch import BookGone, ChangeBatch, ChangeWatcher

#: How often an idle loop looks whether the app is leaving.
STOP_CHECK_SECONDS = 0.2


class Poller:
    """Wake it with ``request()``; it calls ``deliver(batch)``, ``fail(text)``, or
    ``lost(text)`` once when the database file is gone (and then stops); ``recovered()``
    after a poll succeeds again following a failure."""

    def __init__(
        self,
        watcher: ChangeWatcher,
        deliver: Callable[[ChangeBatch], None],
        fail: Callable[[str], None],
        lost: Callable[[str], None],
        recovered: Callable[[], None] = lambda: None,
    ) -> None:
        self.watcher, self.deliver, self.fail, self.lost = watcher, deliver, fail, lost
        self.recovered = recovered
        self._failing = False
        self._wake = threading.Event()
        self._signalled = False
        self._stopping = False

    def request(self, *, signalled: bool = False) -> None:
        self._signalled |= signalled
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def run(self) -> None:
        db = self.watcher.services.db
        # Opened here, this thread's connection outlives each poll (thread_session reuses it).
        db.connect(reuse_if_open=True)
        worker = get_current_worker()
        while True:
            woke = self._wake.wait(STOP_CHECK_SECONDS)
            if self._stopping or worker.is_cancelled:
                break  # the app is leaving (Textual cancels its workers on exit)
            if not woke:
                continue
            self._wake.clear()
            signalled, self._signalled = self._signalled, False
            try:
                batch = self.watcher.poll(signalled=signalled)
            except BookGone as exc:  # said once; polling a file that is gone is pointless
                self.lost(str(exc))
                break
            except Exception as exc:  # keep going: the database may come back
                self._failing = True
                self.fail(f"Database error: {exc}")
                continue
            if self._failing:
                self._failing = False
                self.recovered()
            if batch is not None:
                self.deliver(batch)
        db.close()  # this thread's connection
