"""JSONata for the rehearsal: evaluates the expressions moto's Step Functions engine composes.

moto's engine writes each `{% %}` expression, with `$states` and the workflow's variables
declared in front of it, as one JSONata text, and hands it to a single function it leaves
unset (`rehearsal/moto_patches.py` sets it to `evaluate`). The library is jsonata-python
(pinned in requirements-dev.txt; why that one: docs/testing-offline.md#jsonata), a pure-Python
port of jsonata-java, the engine moto's upstream evaluates through.

Step Functions adds functions to JSONata 2.0.6 (AWS's "JSONata functions provided by Step
Functions"): moto declares `$partition`, `$range` and `$parse` in JSONata itself, and only
stubs `$hash` and `$uuid`; those two, `$random` with a seed, and `$now`/`$millis` on the
execution's virtual clock are provided here.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

import jsonata  # type: ignore[import-untyped]

from rehearsal import virtual_time

# The algorithms AWS's $hash accepts, by the names it takes.
HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
# jsonata-java's message catalogue, which jsonata-python ports, says "Object" where jsonata-js
# (and AWS) say "function".
_OBJECT_FOR_FUNCTION = re.compile(r"\bObject\b")


class QueryEvaluationFailed(Exception):  # noqa: N818 - named for the Step Functions error it becomes
    """An expression that fails to evaluate: Step Functions fails the state with
    States.QueryEvaluationError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message


def _hash(value: Any, algorithm: Any) -> str:
    if not isinstance(value, str):
        raise QueryEvaluationFailed("", f"$hash takes a string to hash, got {json.dumps(value)}")
    digest = HASH_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if digest is None:
        raise QueryEvaluationFailed(
            "", f"$hash: the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, got {json.dumps(algorithm)}"
        )
    hexdigest: str = digest(value.encode()).hexdigest()
    return hexdigest


def _random(*seed: Any) -> float:
    # With a seed, AWS returns the same number each time; which number is AWS's own.
    return random.Random(seed[0]).random() if seed else random.random()


def _plain(value: Any) -> Any:
    """The result as JSON would carry it: plain lists and dicts, and integral numbers as integers
    (JSONata's numbers are doubles, which JSON writes without a fraction)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise QueryEvaluationFailed("", "the expression returned an unsupported result type (a function)")


def evaluate(expression: str) -> Any:
    """The value of a JSONata `expression` with no input, as Step Functions evaluates it; None for
    nothing (undefined) or null. Raises QueryEvaluationFailed."""
    stamp = int(virtual_time.now().timestamp() * 1000)
    try:
        compiled = jsonata.Jsonata(expression)
        # $now() and $millis() give one instant per evaluation, as in JSONata: the execution's.
        compiled.register_lambda("millis", lambda: stamp)
        compiled.register_lambda(
            "now",
            lambda picture=None, timezone=None: jsonata.Functions.datetime_from_millis(stamp, picture, timezone),
        )
        compiled.register_lambda("hash", _hash)
        compiled.register_lambda("uuid", lambda: str(uuid.uuid4()))
        compiled.register_lambda("random", _random)
        return _plain(compiled.evaluate(None))
    except QueryEvaluationFailed:
        raise
    except jsonata.JException as error:
        raise QueryEvaluationFailed(str(getattr(error, "error", "") or ""), _message(error)) from None
    except RecursionError:
        raise QueryEvaluationFailed("", "the expression recursed too deeply") from None
    # Whatever else the library raises fails the state, not the rehearsal.
    except Exception as error:
        raise QueryEvaluationFailed("", f"{type(error).__name__}: {error}") from None


def _message(error: Exception) -> str:
    return _OBJECT_FOR_FUNCTION.sub("function", str(error))


def literal(value: Any) -> str:
    """`value` written as a JSONata literal: JSON, strings escaped (moto wrote a string between
    quotes as it was, so a quote or a newline in a variable broke the expression)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> str:
    # The context object holds the execution's start as a datetime: ISO 8601, as moto writes it.
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)
