"""``@record`` is ``@dataclass(frozen=True)`` with its methods made without compiling five
of them: every behaviour a record is used for, held to the dataclass's own."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from balance_tui.domain.record import record


def _twins(body: Callable[[], dict[str, Any]], annotations: dict[str, str]) -> tuple[type, type]:
    """The same class made by each decorator (each with fields of its own)."""

    def make(decorate: Any, name: str) -> type:
        namespace = {**body(), "__annotations__": dict(annotations), "__module__": __name__}
        cls = type(name, (), namespace)
        made: type = decorate(cls)
        globals()[name] = made  # picklable by name
        return made

    return make(record, "Ours"), make(dataclass(frozen=True), "Theirs")


def _factory_list() -> list[int]:
    return [1]


KINDS: dict[str, tuple[Callable[[], dict[str, Any]], dict[str, str]]] = {
    "plain": (dict, {"code": "str", "amount": "Decimal"}),
    "defaults": (lambda: {"note": "", "count": 0}, {"code": "str", "note": "str", "count": "int"}),
    "factory": (
        lambda: {
            "items": field(default_factory=_factory_list),
            "tags": field(default_factory=tuple),
        },
        {"code": "str", "items": "list[int]", "tags": "tuple[str, ...]"},
    ),
    "not shown, not compared": (
        lambda: {"cache": field(default=None, repr=False, compare=False)},
        {"code": "str", "cache": "object"},
    ),
    "not in init": (
        lambda: {"seen": field(default_factory=dict, init=False, compare=False, hash=False)},
        {"code": "str", "seen": "dict[str, int]"},
    ),
    "one field": (dict, {"code": "str"}),
    "no fields": (dict, {}),
}

ARGS: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "plain": [(("C1", Decimal("1.50")), {}), ((), {"amount": Decimal(2), "code": "C2"})],
    "defaults": [(("C1",), {}), (("C1", "n", 3), {}), (("C1",), {"count": 7})],
    "factory": [(("C1",), {}), (("C1", [4, 5], ("a",)), {})],
    "not shown, not compared": [(("C1",), {}), (("C1", "cached"), {})],
    "not in init": [(("C1",), {})],
    "one field": [(("C1",), {}), ((), {"code": "C9"})],
    "no fields": [((), {})],
}


def _state(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in dataclasses.fields(instance)}


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_is_made_shown_compared_and_hashed_as_a_frozen_dataclass(kind: str) -> None:
    ours, theirs = _twins(*KINDS[kind])
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    assert ours.__doc__ is not None and theirs.__doc__ is not None
    assert ours.__doc__.replace("Ours", "X") == theirs.__doc__.replace("Theirs", "X")
    assert ours.__match_args__ == theirs.__match_args__  # type: ignore[attr-defined]
    assert [f.name for f in dataclasses.fields(ours)] == [
        f.name for f in dataclasses.fields(theirs)
    ]
    made = [(ours(*a, **k), theirs(*a, **k)) for a, k in ARGS[kind]]
    for mine, their in made:
        assert _state(mine) == _state(their)
        assert repr(mine).replace("Ours", "X") == repr(their).replace("Theirs", "X")
        assert dataclasses.asdict(mine) == dataclasses.asdict(their)
        assert dataclasses.astuple(mine) == dataclasses.astuple(their)
        try:
            expected_hash: Any = hash(their)
        except TypeError as exc:  # an unhashable field
            with pytest.raises(TypeError, match=str(exc)):
                hash(mine)
        else:
            assert hash(mine) == expected_hash  # same fields, same tuple
    for (mine, their), (other_mine, other_their) in zip(made, made[1:] + made[:1], strict=True):
        assert (mine == other_mine) == (their == other_their)
        assert mine == ours(
            **{f.name: getattr(mine, f.name) for f in dataclasses.fields(mine) if f.init}
        )
        assert mine != their  # another class: never equal, as dataclasses compare
        assert mine.__eq__(their) is NotImplemented


def test_default_factories_make_a_new_value_for_each_record() -> None:
    ours, _ = _twins(*KINDS["factory"])
    one, two = ours("C1"), ours("C2")
    assert one.items == [1] and one.items is not two.items


@pytest.mark.parametrize("kind", ["plain", "defaults", "not in init"])
def test_a_record_cannot_be_changed_and_says_so_as_a_dataclass_does(kind: str) -> None:
    ours, theirs = _twins(*KINDS[kind])
    args, kwargs = ARGS[kind][0]
    for instance in (ours(*args, **kwargs), theirs(*args, **kwargs)):
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'code'"):
            instance.code = "other"
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'extra'"):
            instance.extra = 1  # not a field either: a frozen instance takes nothing new
        with pytest.raises(FrozenInstanceError, match="cannot delete field 'code'"):
            del instance.code


def test_replace_copy_and_pickle_work_as_for_a_dataclass() -> None:
    ours, _ = _twins(*KINDS["defaults"])
    one = ours("C1", "a note", 2)
    assert dataclasses.replace(one, count=5) == ours("C1", "a note", 5)
    assert copy.copy(one) == one and copy.deepcopy(one) == one
    assert pickle.loads(pickle.dumps(one)) == one
    assert dataclasses.is_dataclass(one) and dataclasses.is_dataclass(ours)


def test_post_init_runs_after_the_fields_are_set_and_may_normalise_them() -> None:
    @record
    class Limits:
        low: Decimal
        high: Any = Decimal(10)

        def __post_init__(self) -> None:
            object.__setattr__(self, "high", Decimal(str(self.high)))
            if self.low >= self.high:
                raise ValueError("low must be below high")

    assert Limits(Decimal(1), 5).high == Decimal(5)
    with pytest.raises(ValueError, match="low must be below high"):
        Limits(Decimal(20))


def test_methods_written_in_the_class_are_kept() -> None:
    @record
    class Shown:
        code: str

        def __repr__(self) -> str:
            return f"<{self.code}>"

    assert repr(Shown("C1")) == "<C1>"
    assert Shown("C1") == Shown("C1") and hash(Shown("C1")) == hash(Shown("C1"))


def test_a_record_refuses_what_it_does_not_make() -> None:
    with pytest.raises(TypeError, match="__setattr__"):

        @record
        class Settable:
            code: str

            def __setattr__(self, name: str, value: Any) -> None:  # pragma: no cover
                pass

    with pytest.raises(TypeError, match="keyword-only"):

        @record
        class KeywordOnly:
            code: str = field(kw_only=True)


def test_a_recursive_repr_does_not_loop() -> None:
    @record
    class Node:
        children: list[Any] = field(default_factory=list)

    node = Node()
    node.children.append(node)
    assert repr(node) == "test_a_recursive_repr_does_not_loop.<locals>.Node(children=[...])"


def test_nothing_is_compiled_until_the_first_record_of_a_class_is_made(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import builtins

    compiled: list[str] = []
    real_exec = builtins.exec

    def counting(source: Any, *args: Any) -> None:
        compiled.append(str(source))
        real_exec(source, *args)

    monkeypatch.setattr(builtins, "exec", counting)

    @record
    class Parent:
        """Documented."""

        code: str
        count: int = 0

    class Child(Parent):  # inherits the fields and the __init__
        pass

    assert compiled == []  # defined, signed, documented: nothing compiled yet
    assert str(inspect.signature(Parent)) == "(code: 'str', count: 'int' = 0) -> None"
    assert Child("C2", 2) == Child("C2", 2) and Child("C2").count == 0
    assert Parent("C1", 1).count == 1 and Parent(code="C3").code == "C3"
    assert len(compiled) == 1  # once for the class, whichever made the first one
    assert str(inspect.signature(Parent)) == "(code: 'str', count: 'int' = 0) -> None"
