"""Every key binding's id, for the config file's ``[keys]`` table to be checked against.

Screens load lazily for a fast start; this imports them all, so it runs only when the
config file remaps keys, after the first frame."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from textual.binding import Binding
from textual.dom import DOMNode


def _binding_ids(module: ModuleType) -> set[str]:
    ids: set[str] = set()
    for _, kind in inspect.getmembers(module, inspect.isclass):
        if issubclass(kind, DOMNode):
            ids.update(b.id for b in kind.BINDINGS if isinstance(b, Binding) and b.id)
    return ids


def known_binding_ids(*also: type[DOMNode]) -> set[str]:
    """The ids of the bindings of every screen and widget of the app, and of ``also``."""
    from balance_tui.tui import screens, widgets

    ids: set[str] = set()
    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            ids |= _binding_ids(importlib.import_module(f"{package.__name__}.{info.name}"))
    for kind in also:
        for base in kind.__mro__:  # the app's own bindings and its base classes'
            own = vars(base).get("BINDINGS", [])
            ids.update(b.id for b in own if isinstance(b, Binding) and b.id)
    return ids
