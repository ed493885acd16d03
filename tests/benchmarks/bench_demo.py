"""The demo's memory and time as its events grow over the same 100,000 customers and 365
days: 10^5 and 10^6 events (and 10^7, the issue's demo, when BALANCE_BENCH_DEMO_10M is set;
about 7 minutes, then ``verify`` of that book). Each demo runs in a fresh process, as a user
runs it; every process of it (the generator and, from 200,000 events, its writer process)
is sampled every 50 ms for its resident memory, and the sum of their proportional set sizes
(shared pages counted once) is the figure for the machine's memory. 10^5 events run once as
the command runs them (one process) and once with the writer process forced, so that one
row has the same two processes as the bigger demos.

Run: python -m tests.benchmarks.bench_demo
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CUSTOMERS = 100_000
DAYS = 365
#: The command, with the writer process forced from the first event.
WITH_WRITER = (
    "import sys; from balance_tui.services import demo_writer; demo_writer.PARALLEL_FROM = 0; "
    "from balance_tui.launch import main; sys.exit(main(sys.argv[1:]))"
)
PLAIN = "import sys; from balance_tui.launch import main; sys.exit(main(sys.argv[1:]))"


def _status(pid: int, field: str, name: str = "status") -> int:
    """A ``kB`` field of /proc/<pid>/<name>, in kB (0 once the process has gone)."""
    try:
        with open(f"/proc/{pid}/{name}") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(child) for child in children.read().split())
        except OSError:
            pass
    return found


def run_sampled(argv: list[str]) -> dict[str, float]:
    """Run ``argv``; its seconds, each process's peak RSS (MB, largest first), peak PSS sum."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    pss_peak = 0
    while process.poll() is None:
        pss = 0
        for pid in _tree(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), _status(pid, "VmRSS:"))
            pss += _status(pid, "Pss:", "smaps_rollup")
        pss_peak = max(pss_peak, pss)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(
            f"{argv} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    rss = [*sorted(peaks.values(), reverse=True), 0]
    return {
        "seconds": seconds,
        "generator_mb": rss[0] / 1024,
        "writer_mb": rss[1] / 1024,
        "pss_mb": pss_peak / 1024,
    }


def demo(events: int, db: Path, script: str = PLAIN) -> dict[str, float]:
    args = ["--db", str(db), "demo", "--customers", str(CUSTOMERS), "--days", str(DAYS)]
    return run_sampled([sys.executable, "-c", script, *args, "--events", str(events)])


def main() -> None:
    print(f"demo over {CUSTOMERS:,} customers and {DAYS} days, a fresh process each")
    print(f"{'events':<34}{'seconds':>9}{'generator MB':>14}{'writer MB':>11}{'PSS sum MB':>12}")
    sizes = [(10**5, "10^5 (one process)", PLAIN), (10**5, "10^5 (writer process)", WITH_WRITER)]
    sizes.append((10**6, "10^6", PLAIN))
    ten = bool(os.environ.get("BALANCE_BENCH_DEMO_10M"))
    if ten:
        sizes.append((10**7, "10^7", PLAIN))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (events, label, script) in enumerate(sizes):
            db = Path(tmp) / f"demo-{n}.db"
            figures = demo(events, db, script)
            rows.append((label, figures))
            writer = f"{figures['writer_mb']:>11.0f}" if figures["writer_mb"] else f"{'-':>11}"
            print(
                f"{label:<34}{figures['seconds']:>9.1f}{figures['generator_mb']:>14.0f}"
                f"{writer}{figures['pss_mb']:>12.0f}"
            )
            if events == 10**7:
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", PLAIN, "--db", str(db), "verify"],
                    check=True,
                    capture_output=True,
                )
                print(
                    f"{'verify of the 10^7 book (passes)':<34}{time.perf_counter() - started:>9.1f}"
                )
            for path in Path(tmp).glob(f"demo-{n}.db*"):
                path.unlink()
    base, last = rows[1][1], rows[-1][1]  # the same two processes
    print(
        f"growth, {rows[-1][0]} vs 10^5 (writer process): generator "
        f"{last['generator_mb'] / base['generator_mb']:.2f}x, writer "
        f"{last['writer_mb'] / base['writer_mb']:.2f}x, "
        f"PSS sum {last['pss_mb'] / base['pss_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
