"""Every benchmark, one after the other, each printing its table (baseline and ours measured
in the same run). Not part of the test suite. Run: python -m tests.benchmarks.run_all
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time

BENCHMARKS = (
    "bench_update",
    "bench_update_pg",
    "bench_queries",
    "bench_rollups",
    "bench_scale",
    "bench_demo",
    "bench_app",
    "bench_keys_line",
    "bench_realtime",
    "bench_verify",
    "bench_history_keys",
    "bench_sort",
    "bench_customers",
)
DEMO = ("demo", "--customers", "10000", "--days", "365", "--events", "1000000")


def _machine() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {cores} cores, Python {platform.python_version()}"


def _demo_and_verify() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/demo.db"
        for name, argv in (("demo 10^6 events", DEMO), ("verify 10^6 events", ("verify",))):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "balance_tui", "--db", db, *argv],
                check=True,
                capture_output=True,
            )
            print(f"{name:<52}{time.perf_counter() - start:>10.1f} s")


def main() -> None:
    print(f"machine: {_machine()}\n")
    _demo_and_verify()
    for name in BENCHMARKS:
        print()
        subprocess.run([sys.executable, "-m", f"tests.benchmarks.{name}"], check=True)


if __name__ == "__main__":
    main()
