"""What each component does first with its arguments: read them against their Args type, in one
shape, before anything is declared.

A component's arguments are a TypedDict. From Python they are the dict its caller built; from
Pulumi's other languages, through the component provider, a plain dict of the same keys, in which
an integer arrives as a float (3.0: pulumi 3.272 maps integer inputs to floats), and a map declared
plain may arrive as one output (when a caller passes a secret or another resource's value for it).
`checked` reads either against the Args type's annotations, nested Args types included:

- a field the type does not have, a required field left out, or a value of another type is
  refused, in one line naming the field and what it takes;
- a float that is a whole number becomes an int;
- None counts as not given, so that an optional field can be passed on as it is.

A refusal of one argument is an `ArgumentError`, which says where the argument is, so that the
component provider can name it to another language by that language's spelling.

The checks of what a value means (a name's characters, a number's range) stay with each
component; these are only the types, and the one reading of a role given by name or ARN that
every grant shares (`check_roles`, `role_name`).
"""

import collections.abc
import contextlib
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from serverless_workflows import iam
from serverless_workflows.refusals import ArgumentError, ArgumentPath, Key, dotted


def checked(args: object, args_type: type, what: str) -> dict[str, Any]:
    """The fields of `args` that hold a value, each read as `args_type` (a TypedDict) declares it;
    `what` starts every refusal ("Workflow 'orders'")."""
    return _fields(args, args_type, what, ())


@contextlib.contextmanager
def refused_at(*path: str | int | Key) -> Iterator[None]:
    """A refusal (ValueError) raised inside, by a check shared with code that knows no arguments (the
    stack settings' too), made an ArgumentError at `path`."""
    try:
        yield
    except ArgumentError:
        raise
    except ValueError as error:
        raise ArgumentError(str(error), path) from None


def one_of(given: Mapping[str, Any], names: tuple[str, ...], what: str) -> str:
    """Which one of the alternative fields `names` is given; anything but exactly one is refused."""
    chosen = [name for name in names if name in given]
    if len(chosen) != 1:
        listed = ", ".join(names[:-1]) + f" or {names[-1]}"
        found = f"{' and '.join(chosen)} are" if chosen else "none is"
        # The path of the first field given twice over, or of the first alternative when none is.
        raise ArgumentError(
            f"{what}: give exactly one of {listed}; {found} given.", (chosen[1] if chosen else names[0],)
        )
    return chosen[0]


def check_roles(roles: Sequence[object], field: str, what: str) -> None:
    """Refuse a role of `roles` (names or ARNs) known now that is neither; one known only once
    deployed is checked then (`role_name`)."""
    for number, role in enumerate(roles):
        if isinstance(role, str) and (problem := iam.role_reference_problem(role)):
            raise ArgumentError(f"{what}: {field}[{number}] {problem}.", (field, number))


def role_name(grantee: aws.iam.Role | pulumi.Input[str]) -> pulumi.Input[str]:
    """The name of the role a grant goes to, as an inline policy's `role` takes it: a role object's,
    or the role a name or an ARN names (path and all)."""
    if isinstance(grantee, aws.iam.Role):
        return grantee.id
    if isinstance(grantee, str):
        return iam.role_name_of(grantee)
    # An output or an awaitable of the name or ARN: Output.from_input takes either, mypy one at a time.
    return pulumi.Output.from_input(cast(pulumi.Output[str], grantee)).apply(iam.role_name_of)


def _fields(value: object, args_type: type, what: str, path: ArgumentPath) -> dict[str, Any]:
    name = args_type.__name__
    if not isinstance(value, Mapping):
        where = dotted(path) or "the arguments"
        raise ArgumentError(f"{what}: {where} must be a {name} (a mapping of its fields), {_got(value)}.", path)
    hints = {key: _unwrapped(hint) for key, hint in args_type.__annotations__.items()}
    given = {key: item for key, item in value.items() if item is not None}
    unknown = sorted(str(key) for key in given if key not in hints)
    if unknown:
        # A nested one by where it is: the same type may stand in several places (thresholds).
        holder = dotted(path) or name
        raise ArgumentError(
            f"{what}: {holder} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(hints)}.",
            (*path, unknown[0]),
        )
    required: frozenset[str] = getattr(args_type, "__required_keys__", frozenset())
    missing = [key for key in hints if key in required and key not in given]
    if missing:
        at = (*path, missing[0])
        raise ArgumentError(f"{what}: {dotted(at)} is required: {_described(hints[missing[0]])}.", at)
    return {key: _value(item, hints[key], what, (*path, key)) for key, item in given.items()}


def _value(value: Any, hint: Any, what: str, path: ArgumentPath) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any or (_is_input(hint) and isinstance(value, pulumi.Output | collections.abc.Awaitable)):
        return value
    if origin is typing.Union:
        return _value(value, _plain_part(hint), what, path)
    if typing.is_typeddict(hint):
        return _fields(value, hint, what, path)
    if origin in (collections.abc.Mapping, dict):
        return _mapping(value, hint, what, path)
    if origin in (collections.abc.Sequence, list):
        return _sequence(value, hint, what, path)
    return _single(value, hint, what, path)


def _mapping(value: Any, hint: Any, what: str, path: ArgumentPath) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ArgumentError(
            f"{what}: {dotted(path)} must be {_described(hint)}, known when the program runs, {_got(value)}.", path
        )
    _, item_hint = typing.get_args(hint)
    for key in value:
        if not isinstance(key, str):
            raise ArgumentError(f"{what}: {dotted(path)} has the key {key!r}; its keys are strings.", path)
    return {key: _value(item, item_hint, what, (*path, Key(key))) for key, item in value.items()}


def _sequence(value: Any, hint: Any, what: str, path: ArgumentPath) -> list[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, collections.abc.Sequence):
        raise ArgumentError(
            f"{what}: {dotted(path)} must be {_described(hint)}, known when the program runs, {_got(value)}.", path
        )
    (item_hint,) = typing.get_args(hint)
    return [_value(item, item_hint, what, (*path, number)) for number, item in enumerate(value)]


def _single(value: Any, hint: Any, what: str, path: ArgumentPath) -> Any:
    if hint is int:
        return _whole(value, what, path)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    # bool is an int to Python, and no number or string to anyone else.
    wrong = not number if hint is float else isinstance(hint, type) and not isinstance(value, hint)
    if wrong or (isinstance(value, bool) and hint is not bool):
        raise ArgumentError(f"{what}: {dotted(path)} must be {_described(hint)}, {_got(value)}.", path)
    return value


def _whole(value: Any, what: str, path: ArgumentPath) -> int:
    # Another language's integer arrives as a float; 2.5 is no integer from anywhere.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"{what}: {dotted(path)} must be a whole number, {_got(value)}.", path)
    return value


def _unwrapped(hint: Any) -> Any:
    """`hint` without NotRequired or Required. The annotations are read as written, as Pulumi's
    component analyzer reads them: `typing.get_type_hints` would evaluate `pulumi.Input`'s forward
    reference to `Output[T]` in the module of the Args type, which does not import `Output`."""
    if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
        return typing.get_args(hint)[0]
    return hint


def _is_output(part: Any) -> bool:
    # pulumi.Input[T] holds the forward reference "Output[T]", unresolved.
    if isinstance(part, typing.ForwardRef):
        return part.__forward_arg__.startswith("Output[")
    return part is pulumi.Output or typing.get_origin(part) is pulumi.Output


def _is_input(hint: Any) -> bool:
    """Whether `hint` is `pulumi.Input[T]`: T, an awaitable of T or an Output of T."""
    return any(_is_output(part) for part in typing.get_args(hint))


def _plain_part(hint: Any) -> Any:
    """The T of `pulumi.Input[T]` (or of `T | None`)."""
    parts = [
        part
        for part in typing.get_args(hint)
        if part is not type(None) and not _is_output(part) and typing.get_origin(part) is not collections.abc.Awaitable
    ]
    return parts[0] if len(parts) == 1 else Any


def _described(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is typing.Union:
        inner = _described(_plain_part(hint))
        return f"{inner} (or an output of one)" if _is_input(hint) else inner
    if typing.is_typeddict(hint):
        return f"a {hint.__name__}"
    if origin in (collections.abc.Mapping, dict):
        return f"a map (string keys, each value {_described(typing.get_args(hint)[1])})"
    if origin in (collections.abc.Sequence, list):
        return f"a list (each item {_described(typing.get_args(hint)[0])})"
    described = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", Any: "any value"}
    if hint in described:
        return described[hint]
    return f"a {getattr(hint, '__name__', str(hint))}"


def _got(value: object) -> str:
    if isinstance(value, pulumi.Output):
        return "got an output (a value known only once deployed, or a secret)"
    shown = repr(value)
    return f"got {shown if len(shown) <= 60 else shown[:57] + '...'} ({type(value).__name__})"
