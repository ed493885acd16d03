"""The change type of the adjust form: one line of choices, a letter for each.

No overlay opens, so keys typed in one burst (a macro, a text expander, a fast typist) land
where they were typed for: ``tab w tab reason`` picks withdrawal and types the reason, and
``tab enter down down enter tab 7781`` (a drop-down's habit) picks the second type below.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from balance_tui.tui.widgets.follows_focus import FollowsFocus

#: The letter that picks each type (wager is ``g``: ``w`` is withdrawal; adjustment is
#: ``j``: ``a`` opens the form).
LETTERS = {"deposit": "d", "withdrawal": "w", "wager": "g", "settlement": "s", "adjustment": "j"}

STEPS = {"left": -1, "up": -1, "right": 1, "down": 1}


class TypePicker(FollowsFocus, Widget, can_focus=True):
    """Pick one of ``choices`` with its letter, or step with the arrow keys."""

    DEFAULT_CSS = """
    TypePicker { height: 1; padding: 0 1; background: $boost; }
    TypePicker:focus { background: $primary 30%; }
    """
    BINDINGS = [
        Binding("left,up", "step(-1)", "Previous type", show=False),
        Binding("right,down", "step(1)", "Next type", show=False),
    ]

    value: reactive[str] = reactive("", init=False)

    class Changed(Message):
        """The type picked changed."""

        def __init__(self, picker: TypePicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> TypePicker:
            return self.picker

    def __init__(self, choices: tuple[str, ...], value: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices = choices
        self.set_reactive(TypePicker.value, value)

    def render(self) -> Text:
        text = Text("Type ", style="dim")
        for choice in self.choices:
            letter = LETTERS.get(choice, "")
            chosen = choice == self.value
            text.append(" ")
            label = Text(f" {choice} ", style="reverse bold" if chosen else "")
            index = choice.find(letter) + 1 if letter else 0
            if index:
                label.stylize("underline", index, index + 1)
            text.append_text(label)
        return text

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """A type's letter is the picker's, not a binding's; so is enter (a drop-down's
        habit: it opens nothing here, and submits nothing)."""
        return key == "enter" or (character is not None and character.lower() in LETTERS.values())

    def on_key(self, event: events.Key) -> None:
        if self.screen.focused is not self:
            return  # typed behind a tab: FollowsFocus hands it on
        if event.key not in STEPS and self.take(event.key, event.character):
            event.stop()
            event.prevent_default()

    def take(self, key: str, character: str | None) -> bool:
        """Act on a key (typed, or played from keys typed ahead); False if not the picker's."""
        if key in STEPS:
            self.action_step(STEPS[key])
            return True
        if key == "enter":
            return True
        letter = (character or "").lower()
        for choice in self.choices:
            if LETTERS.get(choice) == letter:
                self.value = choice
                return True
        return False

    def action_step(self, delta: int) -> None:
        index = self.choices.index(self.value) if self.value in self.choices else 0
        self.value = self.choices[(index + delta) % len(self.choices)]

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))
