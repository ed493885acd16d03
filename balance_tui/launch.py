"""The ``balance-tui`` command's first code: the collector is off while the program loads.

Loading the program (Textual, Peewee, our modules) and drawing the first screen make some
10^5 objects that live as long as the program does. Python's collector, left on, walks
them again and again while they are made: about a twentieth of the start-up. It is off from
here; ``cli.main`` turns it on for a sub-command, and the TUI (``cli.run_tui``) once its
first frame is drawn, having set those objects aside (``gc.freeze``). Only the standard
library's ``gc`` loads before the switch.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()
    try:
        from balance_tui.cli import main as run

        return run(argv)
    finally:
        gc.enable()
