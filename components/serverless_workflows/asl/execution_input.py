"""An execution's input as Step Functions takes it: JSON text of at most 256 KiB as UTF-8.

Python's `json` writes NaN and Infinity, which are not JSON; every encoding here refuses
them (`allow_nan=False`) rather than send a text Step Functions rejects. There are two
senders, each with its encoding, and one limit:

- a schedule sends `schedule_input(payload)`, which the catalogue, the stack config and the
  Workflow component check with `input_problem` before anything is declared;
- `python -m ops run` and the rehearsal send `encoded_input(payload)`, the input as written
  (its key order and non-ASCII text kept), which raises before anything is sent.

This module imports neither Pulumi nor boto3.
"""

from __future__ import annotations

import json
from typing import Any

# Step Functions' limit on an execution's input, as UTF-8 encoded JSON.
MAX_INPUT_BYTES = 256 * 1024

# What Step Functions takes as an execution input, and what to do with more.
INPUT_RULE = (
    f"Step Functions takes at most {MAX_INPUT_BYTES:,} bytes of JSON, as UTF-8 "
    "(pass a reference, such as an S3 key, instead of the data)"
)


class InputTooLarge(ValueError):  # noqa: N818 - reads as the condition it names
    pass


class InputNotJson(ValueError):  # noqa: N818 - reads as the condition it names
    pass


def schedule_input(payload: Any) -> str:
    """The text a schedule passes its state machine: the one encoding of a payload, used by the
    component that declares the schedule and by every check of its size. allow_nan=False: Python
    would write NaN and Infinity, which are not JSON."""
    return json.dumps(payload, sort_keys=True, allow_nan=False)


def input_problem(value: Any) -> str | None:
    """Why `value` cannot start an execution, encoded as the schedule sends it, or None."""
    try:
        encoded = schedule_input(value)
    except (TypeError, ValueError, RecursionError) as error:
        return f"is not JSON ({error}); use dicts with str keys, lists, str, int, finite float, bool and None"
    size = len(encoded.encode("utf-8"))
    if size > MAX_INPUT_BYTES:
        return (
            f"is {size:,} bytes as JSON; Step Functions accepts at most {MAX_INPUT_BYTES:,} (256 KiB) of input "
            "(pass a reference, such as an S3 key, instead of the data)"
        )
    return None


def encoded_input(payload: Any) -> str:
    """The input as sent: JSON (no NaN or Infinity, which Python would write and AWS refuses),
    UTF-8, at most Step Functions' 256 KiB."""
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
        size = len(text.encode())
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800": no UTF-8 encodes it
        raise InputNotJson("the execution input holds a lone UTF-16 surrogate, which UTF-8 cannot encode") from None
    except ValueError as error:  # NaN or Infinity
        raise InputNotJson(f"the execution input is not JSON: {error}") from None
    if size > MAX_INPUT_BYTES:
        raise InputTooLarge(f"the execution input is {size:,} bytes; {INPUT_RULE}")
    return text
