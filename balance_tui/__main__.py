"""``python -m balance_tui``: the same entry as the ``balance-tui`` command."""

import sys

from balance_tui.cli import main

sys.exit(main())
