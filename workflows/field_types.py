"""Does each field of a catalogue entry hold the type its dataclass declares?

Catalogue entries are written by hand and nothing checks their types when
the program runs: a `timeout_seconds="5"` or a `functions=("open-case",)`
would reach code that assumes the declared type and fail there with a
traceback, or worse, deploy something else (`enabled="false"` is truthy).
So the declared annotations themselves are the rule: a field added to a
dataclass is checked without anyone writing a check for it.

Understood: classes (`str`, `Path`, dataclasses, whose fields are checked in
turn), `Any`, unions, `tuple[X, ...]`, `frozenset[X]` and `Mapping[K, V]` (or `dict[K, V]`).
Like mypy, `float` accepts an int; unlike Python, `int` and `float` refuse a
bool, which no count or size is meant to be.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

# A value shown in a message is cut here, so that a problem stays one readable line.
_SHOWN_CHARACTERS = 60


def field_problems(value: Any, path: str = "") -> Iterator[str]:
    """`<field> must be <type>; got ...` for each field of the dataclass instance `value`, at
    any depth, whose value does not have its declared type. `path` prefixes each field's name."""
    # The modules use `from __future__ import annotations`: their annotations are strings until resolved.
    hints = typing.get_type_hints(type(value))
    for declared in dataclasses.fields(value):
        yield from _problems(getattr(value, declared.name), hints[declared.name], f"{path}{declared.name}")


def shown(value: object) -> str:
    """`value`'s repr, cut short, on one line."""
    text = repr(value).replace("\n", " ")
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 3] + "..."


def _problems(value: object, hint: Any, path: str) -> Iterator[str]:
    options = typing.get_args(hint) if _is_union(hint) else (hint,)
    # The first option the value is an instance of decides how it is checked further.
    matching = next((option for option in options if _is_instance(value, option)), None)
    if matching is None:
        yield f"{path} must be {_type_name(hint)}; got {shown(value)} ({type(value).__name__})"
        return
    yield from _items_problems(value, matching, path)


def _items_problems(value: Any, hint: Any, path: str) -> Iterator[str]:
    """What is wrong inside `value`, which is already an instance of `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        yield from field_problems(value, f"{path}.")
    elif origin is tuple:
        for index, item in enumerate(value):
            yield from _problems(item, args[0], f"{path}[{index}]")
    elif origin is frozenset:
        # Sorted by repr: a set's order differs between runs, the message should not.
        for item in sorted(value, key=repr):
            yield from _problems(item, args[0], f"{path} member")
    elif isinstance(origin, type) and issubclass(origin, Mapping):
        for key, item in value.items():
            yield from _problems(key, args[0], f"{path} key")
            yield from _problems(item, args[1], f"{path}[{shown(key)}]")


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _is_instance(value: object, hint: Any) -> bool:
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    origin = typing.get_origin(hint)
    return isinstance(value, origin if origin is not None else hint)


def _type_name(hint: Any) -> str:
    """`hint` as it is written in the dataclass: `tuple[FunctionSpec, ...]`, `str | None`."""
    if hint is Any:
        return "Any"
    if hint is type(None):
        return "None"
    if hint is Ellipsis:
        return "..."
    if _is_union(hint):
        return " | ".join(_type_name(option) for option in typing.get_args(hint))
    origin = typing.get_origin(hint)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(arg) for arg in typing.get_args(hint))}]"
    return str(hint.__name__)
