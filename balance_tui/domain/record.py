"""``@record``: a frozen dataclass whose methods are compiled at once.

Python 3.11's ``dataclasses`` compile every method they write on its own: six compiles for a
frozen class (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``), each about 0.1 ms however small the class. The first screen imports some
fifty records, and their methods took about a third of our share of the start-up.
``record`` lets ``dataclasses`` take the fields (``fields``, ``replace``, ``asdict`` and
``is_dataclass`` work as for any dataclass) and gives the class the same six methods with
the same behaviour: ``__init__`` compiled for its fields when the first record of the
class is made (most are not made before the first frame), the other five shared functions
that read the fields' names (``operator.attrgetter``), so nothing else is compiled.
``tests/domain/test_record.py`` holds it to ``dataclass(frozen=True)``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, field
from operator import attrgetter
from reprlib import recursive_repr
from types import MethodType
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

#: Names the compiled ``__init__`` uses itself; a field may not take one.
_OWN_NAMES = frozenset({"self", "_set", "_FACTORY"})


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True)``, compiling only its ``__init__`` (see the module)."""
    for method in ("__setattr__", "__delattr__"):
        if method in cls.__dict__:
            raise TypeError(f"Cannot overwrite attribute {method} in class {cls.__name__}")
    class_hash = cls.__dict__.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    documented = cls.__dict__.get("__doc__") is not None
    if not documented:  # else dataclasses would document it by object's own signature (below)
        cls.__doc__ = ""
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)  # the fields; no methods
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if len(fields) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: a record has no ClassVar or InitVar fields")
    if any(f.kw_only is True or f.name in _OWN_NAMES for f in fields):
        raise TypeError(f"{cls.__name__}: no keyword-only fields, none named {sorted(_OWN_NAMES)}")
    methods: dict[str, Any] = {
        "__init__": _FirstInit(cls, fields),
        "__repr__": _repr([f.name for f in fields if f.repr]),
        "__eq__": _eq(_values([f.name for f in fields if f.compare])),
        "__setattr__": _setattr(cls, frozenset(f.name for f in fields)),
        "__delattr__": _delattr(cls, frozenset(f.name for f in fields)),
    }
    if not explicit_hash:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        methods["__hash__"] = _hash(_values(hashed))
    for name, function in methods.items():
        if name in ("__init__", "__repr__", "__eq__") and name in cls.__dict__:
            continue  # written by hand in the class: kept, as dataclasses keep it
        function.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, function)
    if not documented:  # as dataclasses document it: "Name(field: type, ...)"
        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    return cls


class _FirstInit:
    """A record's ``__init__`` until its first call, which compiles the real one and puts it
    in its place: most records are never made before the first frame, and a compile is most
    of what a record costs to define. ``inspect.signature`` reads the real one's."""

    __name__ = "__init__"

    def __init__(self, cls: type, fields: tuple[Field[Any], ...]) -> None:
        self._cls, self._fields = cls, fields
        self.__qualname__ = f"{cls.__qualname__}.__init__"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return self if instance is None else MethodType(self, instance)

    def __call__(self, instance: Any, *args: Any, **kwargs: Any) -> None:
        self.compiled()(instance, *args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.compiled())

    def compiled(self) -> Any:
        init = self._cls.__dict__.get("__init__")
        if init is self:  # (two threads may both compile it: the same function either way)
            init = _init(self._cls, self._fields)
            init.__qualname__ = self.__qualname__
            type.__setattr__(self._cls, "__init__", init)
        return init if init is not None else _init(self._cls, self._fields)


def _init(cls: type, fields: tuple[Field[Any], ...]) -> Any:
    """``__init__``, compiled for these fields (the one method that needs their names as
    parameters): each set through ``object.__setattr__``, then ``__post_init__``."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params, body = ["self"], []
    for f in fields:
        if f.default_factory is not MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
        if not f.init:
            if f.default_factory is not MISSING:
                body.append(f" _set(self, {f.name!r}, _factory_{f.name}())")
            continue  # a plain default is the class attribute, as with dataclasses
        if f.default is not MISSING:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
            body.append(f" _set(self, {f.name!r}, {f.name})")
        elif f.default_factory is not MISSING:
            params.append(f"{f.name}=_FACTORY")
            value = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
            body.append(f" _set(self, {f.name!r}, {value})")
        else:
            params.append(f.name)
            body.append(f" _set(self, {f.name!r}, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append(" self.__post_init__()")
    made: dict[str, Any] = {}
    source = "\n".join([f"def __init__({', '.join(params)}):", *(body or [" pass"])])
    exec(source, scope, made)  # our own text, built from the field names checked above
    init = made["__init__"]
    init.__annotations__ = {**{f.name: f.type for f in fields if f.init}, "return": None}
    return init


class _Factory:
    """The default of a field with a default factory, in the ``__init__`` signature."""

    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses show it


_FACTORY = _Factory()


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named fields of an instance, as a tuple (what ``dataclasses`` compare and hash)."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda instance: (one(instance),)
    return attrgetter(*names)  # type: ignore[return-value]


def _repr(names: list[str]) -> Callable[[Any], str]:
    @recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _setattr(cls: type, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    return __setattr__


def _delattr(cls: type, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __delattr__
