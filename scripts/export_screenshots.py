"""Draw every screen into screenshots/*.svg from the fixed demo data the snapshot tests use.

Run: python scripts/export_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balance_tui.tui.app import create_app  # noqa: E402
from tests.tui.conftest import seeded_services  # noqa: E402
from tests.tui.snapshot_scenes import SCENES, SIZES  # noqa: E402

OUT = ROOT / "screenshots"


async def draw(name: str, size: tuple[int, int], folder: Path) -> Path:
    width, height = size
    book = folder / f"{name}-{width}x{height}.db"
    app = create_app(seeded_services(str(book)), poll_seconds=60)
    async with app.run_test(size=size) as pilot:
        await SCENES[name](pilot)
        return Path(app.save_screenshot(f"{name}-{width}x{height}.svg", path=str(OUT)))


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.svg"):
        old.unlink()
    os.environ["HOME"] = "/home/operator"  # the export dialog proposes ~/…, as in the tests
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENES:
            for size in SIZES:
                print(await draw(name, size, Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
