"""``python -m balance_tui``: the same entry as the ``balance-tui`` command."""

import sys

from balance_tui.launch import main

sys.exit(main())
