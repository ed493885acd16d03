"""The five top-level screens (Textual modes) and their modal forms.

Each screen is its own module, imported when first shown (see ``BalanceApp.MODES``)."""
