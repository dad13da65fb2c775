"""Email addresses for notifications: one rule, used by the settings and by Monitoring."""

from __future__ import annotations

import re

# One plain address: no display name ("Ops <ops@x>"), no list, no spaces. \Z, not $: "$"
# would accept a trailing newline.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z"
)
MAX_EMAIL = 254
EMAIL_RULE = (
    "one address such as oncall@example.com: a local part of letters, digits and .!#$%&'*+/=?^_`{|}~-, "
    "then '@', then a domain of dot-separated labels ending in a top-level domain; "
    "no display name, spaces or lists"
)


def is_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL and _EMAIL.match(text) is not None
