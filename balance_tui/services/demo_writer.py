"""Where the demo's generated rows go: each customer's hash chain, then the bulk insert.

Chaining (a canonical JSON text and a SHA-256 per event) and inserting are half of a large
demo's work and need nothing from the generator but its rows, so big demos run them in a
second process fed through a bounded queue: generating on one core, chaining and writing on
the other, and never more than a few chunks in memory.
"""

from __future__ import annotations

import multiprocessing
import queue
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quoted  # (C) a JSON string, non-ASCII kept
from multiprocessing.process import BaseProcess
from typing import Any

from peewee import Database

from balance_tui.domain.errors import StorageError
from balance_tui.domain.hashing import GENESIS_HASH, link_hash
from balance_tui.store import bulk

Rows = list[tuple[object, ...]]
_AT = {name: i for i, name in enumerate(bulk.DEMO_EVENT_COLUMNS)}
_PREV = _AT["prev_hash"]
#: Each hashed field (``ChainedFields``, chain version 2) and the event column it is
#: stored in; None for fields the demo leaves empty. A field missing here would change every
#: hash, and ``verify`` (run on demo books by the tests) would say so.
HASHED_FIELDS = {
    "customer_id": None,  # the customer's code, not the stored id: given beside the row
    "sequence": "sequence",
    "agent_id": "agent_code",
    "change_type": "change_type",
    "amount_cents": "amount_cents",
    "previous_cents": "previous_cents",
    "new_cents": "new_cents",
    "reason": "reason",
    "performed_by": "performed_by",
    "vip_level": "vip_level",
    "metadata_json": "metadata_json",
    "risk_score": "risk_score",
    "warnings_json": "warnings_json",
    "idempotency_key": None,
    "created_us": "created_us",
    "reverses_event_id": "reverses_event_id",
    "currency": "currency",
    "db_user": "db_user",
    "approval_id": None,
    "chain_version": "chain_version",
    "request_hash": None,  # hashed from version 3; the demo writes version 2 (no keys)
}
_CUSTOMER_PK = _AT["customer_id"]
(_AGENT, _AMOUNT, _CHAIN_VERSION, _CHANGE_TYPE, _CREATED, _CURRENCY, _DB_USER, _METADATA) = (
    _AT[c]
    for c in (
        "agent_code",
        "amount_cents",
        "chain_version",
        "change_type",
        "created_us",
        "currency",
        "db_user",
        "metadata_json",
    )
)
(_NEW, _PERFORMED_BY, _PREVIOUS, _REASON, _REVERSES, _RISK, _SEQUENCE, _VIP, _WARNINGS) = (
    _AT[c]
    for c in (
        "new_cents",
        "performed_by",
        "previous_cents",
        "reason",
        "reverses_event_id",
        "risk_score",
        "sequence",
        "vip_level",
        "warnings_json",
    )
)


def canonical_event(row: tuple[Any, ...], code: str) -> bytes:
    """The canonical encoding of a demo event's ``HASHED_FIELDS`` (``code``: its
    customer's code), written out field by field in sorted order: a third of the cost of
    building the dictionary and encoding it. A test holds the two together, unicode and
    nulls included; the fields the demo leaves empty are null."""
    reverses, db_user = row[_REVERSES], row[_DB_USER]
    return (
        f'{{"agent_id":{_quoted(row[_AGENT])},"amount_cents":{row[_AMOUNT]:d},'
        f'"approval_id":null,"chain_version":{row[_CHAIN_VERSION]:d},'
        f'"change_type":{_quoted(row[_CHANGE_TYPE])},"created_us":{row[_CREATED]:d},'
        f'"currency":{_quoted(row[_CURRENCY])},"customer_id":{_quoted(code)},'
        f'"db_user":{"null" if db_user is None else _quoted(db_user)},'
        f'"idempotency_key":null,"metadata_json":{_quoted(row[_METADATA])},'
        f'"new_cents":{row[_NEW]:d},"performed_by":{_quoted(row[_PERFORMED_BY])},'
        f'"previous_cents":{row[_PREVIOUS]:d},"reason":{_quoted(row[_REASON])},'
        f'"reverses_event_id":{"null" if reverses is None else f"{reverses:d}"},'
        f'"risk_score":{row[_RISK]:d},"sequence":{row[_SEQUENCE]:d},'
        f'"vip_level":{_quoted(row[_VIP])},"warnings_json":{_quoted(row[_WARNINGS])}}}'
    ).encode()


@dataclass
class Chunk:
    """Generated rows: events (``prev_hash`` and ``hash`` still empty) with the code of each
    event's customer (what its hash names), alerts, refused attempts."""

    events: Rows = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    alerts: Rows = field(default_factory=list)
    rejected: Rows = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.events)

    def __bool__(self) -> bool:
        return bool(self.events or self.alerts or self.rejected)


class ChainingWriter:
    """Links each event to its customer's previous one and inserts the chunk."""

    def __init__(self, db: Database) -> None:
        self.bulk = bulk.BulkWriter(db)
        self.heads: dict[int, str] = {}  # customer id -> hash of its latest event

    def write(self, chunk: Chunk) -> None:
        chained = [
            self._chain(row, code) for row, code in zip(chunk.events, chunk.codes, strict=True)
        ]
        self.bulk.write(chained, chunk.alerts, chunk.rejected)

    def _chain(self, row: tuple[Any, ...], code: str) -> tuple[object, ...]:
        pk = row[_CUSTOMER_PK]
        prev = self.heads.get(pk, GENESIS_HASH)
        digest = link_hash(prev, canonical_event(row, code))
        self.heads[pk] = digest
        return (*row[:_PREV], prev, digest, *row[_PREV + 2 :])

    def close(self) -> dict[int, str]:
        return self.heads

    def abort(self) -> None:
        """Nothing to stop: what was written is rolled back by the caller's failure."""


class WriterProcess:
    """A ChainingWriter in a child process (forked: it opens its own connection to the same
    database). ``write`` blocks while ``QUEUED`` chunks wait; ``close`` returns the heads."""

    # One chunk waiting while the child writes another keeps both busy: the child is the
    # slower side, so a longer queue only holds more chunks in memory (3 held 20 MB more
    # at 10^6 events, for no time).
    QUEUED = 1

    def __init__(self, db: Database) -> None:
        # The child must not share the parent's connections: close them before forking.
        db.close()
        close_all = getattr(db, "close_all", None)
        if close_all is not None:  # a pool keeps idle connections open
            close_all()
        context = multiprocessing.get_context("fork")
        self.chunks: Any = context.Queue(maxsize=self.QUEUED)
        self.results: Any = context.Queue()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(db, self.chunks, self.results), name="demo-writer", daemon=True
        )
        self.process.start()

    def write(self, chunk: Chunk) -> None:
        while True:
            try:
                self.chunks.put(chunk, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def close(self) -> dict[int, str]:
        self.write(None)  # type: ignore[arg-type]
        while True:
            try:
                outcome = self.results.get(timeout=1.0)
                break
            except queue.Empty:
                self._check_alive()
        self.process.join()
        if isinstance(outcome, str):
            raise StorageError(f"Writing the demo data failed: {outcome}")
        return outcome  # type: ignore[no-any-return]

    def abort(self) -> None:
        """Stop the child at once (the generator failed; what it wrote stays as written)."""
        self.process.terminate()
        self.process.join()

    def _check_alive(self) -> None:
        if not self.process.is_alive():
            raise StorageError(
                f"The demo's writer process stopped (exit code {self.process.exitcode})."
            )


def _serve(db: Database, chunks: Any, results: Any) -> None:
    """The child: write every chunk until ``None``; answer the heads, or what went wrong.
    After a failure it keeps taking chunks (and drops them) so the parent never blocks."""
    writer = ChainingWriter(db)
    failure: str | None = None
    while (chunk := chunks.get()) is not None:
        if failure is None:
            try:
                writer.write(chunk)
            except Exception as exc:  # reported to the parent, which raises it
                failure = f"{type(exc).__name__}: {exc}"
    db.close()
    results.put(failure if failure is not None else writer.close())


def writer_for(db: Database, events: int) -> ChainingWriter | WriterProcess:
    """Where ``events`` generated events go: a second process for big demos (where the
    operating system can fork), this one otherwise."""
    if events >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        return WriterProcess(db)
    return ChainingWriter(db)


#: Demos at least this big chain and write in a second process (below, starting it costs
#: more than it saves).
PARALLEL_FROM = 200_000
