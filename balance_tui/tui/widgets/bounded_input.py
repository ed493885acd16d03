"""Text boxes that say what does not fit, instead of dropping it with only a bell.

Textual's ``Input(max_length=...)`` refuses a paste that would pass the limit and rings the
bell; a 100 KB paste into a reason or a note then leaves the box as it was, unexplained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

if TYPE_CHECKING:
    _Mixin = Input
else:  # a plain mixin, mixed in before Input
    _Mixin = object


class SaysWhatDoesNotFit(_Mixin):
    """Mix in before ``Input``: a refused change is said, naming the box's limit."""

    def restricted(self) -> None:
        self.app.bell()
        if self.max_length:
            self.notify(
                f"That does not fit: this box takes at most {self.max_length:,} characters; "
                "nothing was added.",
                severity="warning",
                markup=False,
            )


class BoundedInput(SaysWhatDoesNotFit, Input):
    """A text box with a limit that says when something does not fit."""
