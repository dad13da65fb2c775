"""`python -m rehearsal run NAME ...`: rehearse one workflow offline (rehearsal/run.py)."""

from __future__ import annotations

import sys

from rehearsal import run

USAGE = (
    "usage: python -m rehearsal run NAME [--stack STACK] [--input JSON | --input-file PATH] "
    "[--mock-config FILE --test-case CASE]"
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "run":
        given = f"unknown command {argv[0]!r}; " if argv and not argv[0].startswith("-") else ""
        print(f"python -m rehearsal: {given}{USAGE}", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return run.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
