"""The sub-commands of ``balance-tui``, grouped by what they touch."""
