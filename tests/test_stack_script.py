"""scripts/stack.sh, the body of `make deploy` and `make destroy`, driven against a stand-in
`pulumi` that records how it was called (the real CLI is not installed here)."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from rehearsal.program import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "stack.sh"

FAKE_PULUMI = """#!/usr/bin/env bash
echo "pulumi $* | backend=${PULUMI_BACKEND_URL:-} passfile=${PULUMI_CONFIG_PASSPHRASE_FILE:-}" >> "$CALLS"
if [ "$1" = whoami ]; then
  if [ "${LOGGED_IN:-0}" = 1 ]; then echo "Backend URL: https://api.pulumi.com"; exit 0; fi
  exit 1
fi
"""


def run_script(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE_PULUMI)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / "calls.log"
    environment = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(calls),
        "PULUMI_STATE_DIR": str(tmp_path / "state"),
        **env,
    }
    result = subprocess.run(["bash", str(SCRIPT), *args], env=environment, capture_output=True, text=True, check=False)
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_without_a_login_it_uses_a_local_backend_and_a_generated_passphrase(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "up", YES="1")
    assert result.returncode == 0, result.stderr
    state = tmp_path / "state"
    passphrase = state / "passphrase"
    assert passphrase.read_text().strip()
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    expected_env = f"backend=file://{state} passfile={passphrase}"
    assert calls[-2] == f"pulumi stack select --create dev --non-interactive | {expected_env}"
    assert calls[-1] == f"pulumi up --stack dev --yes | {expected_env}"


def test_the_generated_passphrase_is_kept_between_runs(tmp_path: Path) -> None:
    run_script(tmp_path, "up")
    first = (tmp_path / "state" / "passphrase").read_text()
    run_script(tmp_path, "destroy")
    assert (tmp_path / "state" / "passphrase").read_text() == first


def test_a_logged_in_user_keeps_their_backend_and_passphrase_handling(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", LOGGED_IN="1", STACK="prod")
    assert result.returncode == 0, result.stderr
    assert calls[-1] == "pulumi destroy --stack prod | backend= passfile="
    assert not (tmp_path / "state").exists()


def test_an_explicit_passphrase_is_respected(tmp_path: Path) -> None:
    _, calls = run_script(tmp_path, "preview", PULUMI_CONFIG_PASSPHRASE="secret")
    assert calls[-1].startswith("pulumi preview --stack dev --diff |")
    assert calls[-1].endswith("passfile=")
    assert not (tmp_path / "state" / "passphrase").exists()


@pytest.mark.parametrize("args", [(), ("deploy",)])
def test_an_unknown_action_is_refused(tmp_path: Path, args: tuple[str, ...]) -> None:
    result, calls = run_script(tmp_path, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert calls == []


def test_a_missing_cli_is_explained(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT), "up"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "The Pulumi CLI is not installed" in result.stderr
