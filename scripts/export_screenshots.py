"""Draw every screen into screenshots/*.svg from the fixed demo data the snapshot tests use.

Run: python scripts/export_screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balance_tui.tui.app import create_app  # noqa: E402
from tests.tui.conftest import seeded_services  # noqa: E402
from tests.tui.snapshot_scenes import SCENES  # noqa: E402

OUT = ROOT / "screenshots"


async def draw(name: str, size: tuple[int, int], folder: Path) -> Path:
    app = create_app(seeded_services(str(folder / f"{name}.db")), poll_seconds=60)
    async with app.run_test(size=size) as pilot:
        await SCENES[name](pilot)
        return Path(app.save_screenshot(f"{name}.svg", path=str(OUT)))


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENES:
            print(await draw(name, (120, 36), Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
