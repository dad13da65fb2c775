"""scripts/stack.sh, the body of `make deploy`, `preview` and `destroy`, driven against a
stand-in `pulumi` that records how it was called (the real CLI is not installed here).

Each test runs a copy of the script in its own project folder with its own stack
files, so that they do not depend on the real Pulumi.*.yaml, which change."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from rehearsal.program import PROJECT_ROOT

# Each test runs the script, with a stand-in pulumi, as processes of their own.
pytestmark = pytest.mark.program

SCRIPT = PROJECT_ROOT / "scripts" / "stack.sh"

FAKE_PULUMI = """#!/usr/bin/env bash
echo "pulumi $* | backend=${PULUMI_BACKEND_URL:-} passfile=${PULUMI_CONFIG_PASSPHRASE_FILE:-}" >> "$CALLS"
# Keep the policy pack's config as pulumi would read it: the script deletes its file afterwards.
previous=""
for arg in "$@"; do
  if [ "$previous" = --policy-pack-config ]; then cat "$arg" > "$PACK_CONFIG_SEEN"; fi
  previous=$arg
done
if [ "$1" = whoami ]; then
  if [ "${LOGGED_IN:-0}" = 1 ]; then echo "Backend URL: https://api.pulumi.com"; exit 0; fi
  exit 1
fi
# A passphrase backend writes the new stack's salt into its stack file; Pulumi Cloud writes none.
if [ "$1 $2" = "stack select" ] && [ -n "${WRITES_SALT:-}" ]; then
  echo "encryptionsalt: $WRITES_SALT" > "Pulumi.$4.yaml"
fi
"""

# A stand-in for `python -m deployment --policy-pack-config STACK` (tested in tests/test_policy.py):
# it records the call and prints a config, or fails as a bad stack file makes it fail.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$CALLS"
if [ -n "${PACK_CONFIG_FAILS:-}" ]; then echo "policy pack config: $PACK_CONFIG_FAILS" >&2; exit 2; fi
echo '{"top-level-timeout": {"enforcementLevel": "advisory", "exempt": []}}'
"""
PACK_FILE = re.compile(r"--policy-pack-config \S+")

DEV = "config:\n  aws:region: us-east-1\n"
PROD = "config:\n  aws:region: us-east-1\n  serverless-workflows:retainData: true\n"


def project(tmp_path: Path, stacks: dict[str, str] | None = None) -> Path:
    """A project folder with the script and the given stack files (default: dev, and prod retaining data)."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copy(SCRIPT, root / "scripts" / "stack.sh")
    for name, text in (stacks if stacks is not None else {"dev": DEV, "prod": PROD}).items():
        (root / f"Pulumi.{name}.yaml").write_text(text)
    return root


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("pulumi", FAKE_PULUMI), ("python", FAKE_PYTHON)):
        fake = bin_dir / name
        fake.write_text(text)
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(tmp_path / "calls.log"),
        "PULUMI_STATE_DIR": str(tmp_path / "state"),
        "PACK_CONFIG_SEEN": str(tmp_path / "pack-config.json"),
        "PYTHON": str(bin_dir / "python"),
        **env,
    }


def calls_of(tmp_path: Path) -> list[str]:
    """The commands run, each temporary policy pack config file shown as FILE."""
    calls = tmp_path / "calls.log"
    lines = calls.read_text().splitlines() if calls.exists() else []
    return [PACK_FILE.sub("--policy-pack-config FILE", line) if line.startswith("pulumi ") else line for line in lines]


def run_script(
    tmp_path: Path, *args: str, stacks: dict[str, str] | None = None, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the script with no terminal on stdin, as in CI."""
    root = project(tmp_path, stacks)
    result = subprocess.run(
        ["bash", str(root / "scripts" / "stack.sh"), *args],
        env=environment(tmp_path, **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, calls_of(tmp_path)


def run_in_terminal(tmp_path: Path, typed: str, *args: str, **env: str) -> tuple[int, str, list[str]]:
    """Run the script with a pseudo-terminal on stdin, answering its prompt with `typed`."""
    root = project(tmp_path)
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        ["bash", str(root / "scripts" / "stack.sh"), *args],
        env=environment(tmp_path, **env),
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        os.close(terminal)
        os.write(controller, f"{typed}\n".encode())
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()  # a script that never reads its answer fails the test instead of hanging it
            raise
    os.close(controller)
    return process.returncode, stderr, calls_of(tmp_path)


# --- backend and passphrase -------------------------------------------------


def test_without_a_login_it_uses_a_local_backend_and_a_generated_passphrase(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "up", YES="1")
    assert result.returncode == 0, result.stderr
    state = tmp_path / "state"
    passphrase = state / "passphrase"
    assert passphrase.read_text().strip()
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    expected_env = f"backend=file://{state} passfile={passphrase}"
    assert calls[-2] == f"pulumi stack select --create dev --non-interactive | {expected_env}"
    assert calls[-1] == f"pulumi up --stack dev --policy-pack policy --policy-pack-config FILE --yes | {expected_env}"


def test_the_generated_passphrase_is_kept_between_runs(tmp_path: Path) -> None:
    run_script(tmp_path, "up")
    first = (tmp_path / "state" / "passphrase").read_text()
    run_script(tmp_path, "destroy")
    assert (tmp_path / "state" / "passphrase").read_text() == first


def test_a_logged_in_user_keeps_their_backend_and_passphrase_handling(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", LOGGED_IN="1", STACK="prod", CONFIRM="prod")
    assert result.returncode == 0, result.stderr
    assert calls[-1] == "pulumi destroy --stack prod | backend= passfile="
    assert not (tmp_path / "state").exists()


def test_an_explicit_passphrase_is_respected(tmp_path: Path) -> None:
    _, calls = run_script(tmp_path, "preview", PULUMI_CONFIG_PASSPHRASE="secret")
    assert calls[-1].startswith("pulumi preview --stack dev --diff --policy-pack policy --policy-pack-config FILE |")
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
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "The Pulumi CLI is not installed" in result.stderr


# --- the policy pack and its config -----------------------------------------


@pytest.mark.parametrize("action", ["up", "preview"])
def test_up_and_preview_run_the_policy_pack_with_the_stacks_levels_as_its_config(tmp_path: Path, action: str) -> None:
    result, calls = run_script(tmp_path, action, STACK="prod", YES="1")
    assert result.returncode == 0, result.stderr
    assert "python -m deployment --policy-pack-config prod" in calls
    # The config reaches pulumi before anything else it is asked for.
    assert calls.index("python -m deployment --policy-pack-config prod") == 0
    assert f"pulumi {action} --stack prod" in calls[-1]
    assert "--policy-pack policy --policy-pack-config FILE" in calls[-1]
    seen = json.loads((tmp_path / "pack-config.json").read_text())
    assert seen == {"top-level-timeout": {"enforcementLevel": "advisory", "exempt": []}}


def test_the_config_file_is_removed_after_the_run(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result, _ = run_script(tmp_path, "up", YES="1", TMPDIR=str(scratch))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pack-config.json").exists()
    assert list(scratch.iterdir()) == []


def test_a_new_stack_gets_its_pack_config_once_its_stack_file_is_written(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "preview", STACK="staging", NEW="1")
    assert result.returncode == 0, result.stderr
    config_call = calls.index("python -m deployment --policy-pack-config staging")
    assert config_call > calls.index(next(c for c in calls if c.startswith("pulumi stack select")))
    assert "--policy-pack-config FILE" in calls[-1]


def test_destroy_runs_no_policy_pack(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", YES="1")
    assert result.returncode == 0, result.stderr
    assert not any(call.startswith("python ") for call in calls)
    assert "--policy-pack" not in calls[-1]


def test_a_stack_file_the_pack_config_cannot_read_is_refused_before_pulumi_is_asked(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "up", YES="1", PACK_CONFIG_FAILS="Config serverless-workflows:houseRules ...")
    assert result.returncode == 2
    assert result.stderr == "policy pack config: Config serverless-workflows:houseRules ...\n"
    assert [call for call in calls if call.startswith("pulumi ")] == []


def test_without_the_projects_python_the_script_says_to_install_it(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "preview", PYTHON=str(tmp_path / "no-python"))
    assert result.returncode == 2
    assert "run make deps first" in result.stderr
    assert [call for call in calls if call.startswith("pulumi ")] == []


# --- a stack needs its stack file -------------------------------------------


@pytest.mark.parametrize(("action", "target"), [("up", "deploy"), ("preview", "preview"), ("destroy", "destroy")])
def test_a_stack_without_a_stack_file_is_refused_in_one_line(tmp_path: Path, action: str, target: str) -> None:
    result, calls = run_script(tmp_path, action, STACK="staging", YES="1")
    assert result.returncode == 2
    assert result.stderr == (
        "No stack 'staging': there is no Pulumi.staging.yaml (stacks here: dev, prod)."
        f" To create it, add NEW=1: make {target} STACK=staging NEW=1\n"
    )
    # Refused before pulumi is asked anything, and before any state folder is made.
    assert calls == []
    assert not (tmp_path / "state").exists()


def test_new_1_creates_a_stack_that_has_no_stack_file(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "up", STACK="staging", NEW="1", YES="1")
    assert result.returncode == 0, result.stderr
    assert calls[-3].startswith("pulumi stack select --create staging --non-interactive |")
    assert calls[-2] == "python -m deployment --policy-pack-config staging"
    assert calls[-1].startswith("pulumi up --stack staging --policy-pack policy --policy-pack-config FILE --yes |")


def test_new_1_writes_the_stack_file_pulumi_cloud_does_not(tmp_path: Path) -> None:
    # Without it, the next run without NEW=1, make demo and ops cost would refuse the stack just made.
    result, _ = run_script(tmp_path, "up", STACK="staging", NEW="1", YES="1", LOGGED_IN="1")
    assert result.returncode == 0, result.stderr
    written = tmp_path / "project" / "Pulumi.staging.yaml"
    assert yaml.safe_load(written.read_text()) == {"config": {}}
    assert "Wrote Pulumi.staging.yaml (no values: the defaults); commit it." in result.stdout
    again, calls = run_script(tmp_path, "preview", STACK="staging")
    assert again.returncode == 0, again.stderr
    assert calls[-1].startswith("pulumi preview --stack staging --diff --policy-pack policy --policy-pack-config FILE")


def test_new_1_keeps_the_stack_file_pulumi_wrote(tmp_path: Path) -> None:
    result, _ = run_script(tmp_path, "up", STACK="staging", NEW="1", YES="1", WRITES_SALT="v1:abc")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "project" / "Pulumi.staging.yaml").read_text() == "encryptionsalt: v1:abc\n"
    assert "Wrote" not in result.stdout


def test_array_expansions_survive_set_u_in_bash_before_4_4() -> None:
    # bash 3.2 (macOS's) to 4.3 take "${a[@]}" of an empty array for an unbound variable under
    # set -u, so `make deploy` without YES=1 would die there. No such bash is installed here to
    # run the script under, so every expansion must carry the guard ${a[@]+"${a[@]}"}.
    script = SCRIPT.read_text()
    expansions = re.findall(r".?.?\$\{\w+\[@\]\}", script)
    assert expansions, "no array expansion left to check: drop this test"
    assert [found for found in expansions if not found.startswith('+"')] == []


def test_the_refusal_lists_the_real_projects_stacks() -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT), "up"],
        env={"PATH": "/usr/bin:/bin", "STACK": "no-such-stack"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    existing = sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in PROJECT_ROOT.glob("Pulumi.*.yaml")
    )
    assert f"(stacks here: {', '.join(existing)})" in result.stderr


@pytest.mark.parametrize("stack", ["Prod", "dev_1", "../dev", "a-stack-name-of-21-chr"])
def test_an_invalid_stack_name_is_refused_even_with_new(tmp_path: Path, stack: str) -> None:
    result, calls = run_script(tmp_path, "up", STACK=stack, NEW="1")
    assert result.returncode == 2
    assert result.stderr.startswith(f"Stack name '{stack}' is not valid")
    assert calls == []


# --- destroying a production stack ------------------------------------------


def test_destroying_production_without_a_terminal_or_confirm_is_refused(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", STACK="prod", YES="1")
    assert result.returncode == 2
    assert result.stderr == (
        "Refusing to destroy production stack 'prod' without a terminal; set CONFIRM=prod to confirm.\n"
    )
    assert calls == []


def test_confirm_with_the_stack_name_destroys_production_in_ci(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", STACK="prod", CONFIRM="prod", YES="1")
    assert result.returncode == 0, result.stderr
    assert calls[-1].startswith("pulumi destroy --stack prod --yes |")


def test_confirm_with_another_name_is_refused(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "destroy", STACK="prod", CONFIRM="dev", YES="1")
    assert result.returncode == 2
    assert result.stderr == "Not destroyed: CONFIRM=dev does not name stack 'prod'.\n"
    assert calls == []


def test_typing_the_stack_name_at_the_prompt_destroys_production(tmp_path: Path) -> None:
    code, stderr, calls = run_in_terminal(tmp_path, "prod", "destroy", STACK="prod")
    assert code == 0, stderr
    assert calls[-1].startswith("pulumi destroy --stack prod |")


def test_typing_anything_else_at_the_prompt_keeps_production(tmp_path: Path) -> None:
    code, stderr, calls = run_in_terminal(tmp_path, "yes", "destroy", STACK="prod")
    assert code == 2
    assert stderr.endswith("Not destroyed: 'yes' is not 'prod'.\n")
    assert calls == []


@pytest.mark.parametrize("setting", ["true", '"true"', "'true'", "True", "true  # keep the data", "maybe"], ids=repr)
def test_retain_data_other_than_false_makes_a_production_stack(tmp_path: Path, setting: str) -> None:
    stacks = {"data": f"config:\n  serverless-workflows:retainData: {setting}\n"}
    result, calls = run_script(tmp_path, "destroy", STACK="data", YES="1", stacks=stacks)
    assert result.returncode == 2
    assert "Refusing to destroy production stack 'data'" in result.stderr
    assert calls == []


@pytest.mark.parametrize("setting", [None, "false", '"false"'], ids=repr)
def test_other_stacks_are_destroyed_without_asking(tmp_path: Path, setting: str | None) -> None:
    text = "config:\n  aws:region: us-east-1\n"
    if setting is not None:
        text += f"  serverless-workflows:retainData: {setting}\n"
    result, calls = run_script(tmp_path, "destroy", STACK="scratch", YES="1", stacks={"scratch": text})
    assert result.returncode == 0, result.stderr
    assert calls[-1].startswith("pulumi destroy --stack scratch --yes |")


@pytest.mark.parametrize("action", ["up", "preview"])
def test_production_is_deployed_and_previewed_without_asking(tmp_path: Path, action: str) -> None:
    result, calls = run_script(tmp_path, action, STACK="prod", YES="1")
    assert result.returncode == 0, result.stderr
    assert calls[-1].startswith(f"pulumi {action} --stack prod")


# --- region: what CI hands to the AWS credentials -----------------------------


@pytest.mark.parametrize("written", ["eu-west-1", '"eu-west-1"', "eu-west-1  # Ireland"], ids=repr)
def test_region_prints_the_stack_files_aws_region_without_the_cli(tmp_path: Path, written: str) -> None:
    stacks = {"dev": f"config:\n  aws:region: {written}\n  serverless-workflows:logLevel: ALL\n"}
    result, calls = run_script(tmp_path, "region", stacks=stacks, PATH="/usr/bin:/bin")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "eu-west-1\n"
    assert calls == []


def test_region_of_a_stack_without_aws_region_is_refused(tmp_path: Path) -> None:
    result, _ = run_script(tmp_path, "region", stacks={"dev": "config:\n  serverless-workflows:logLevel: ALL\n"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Pulumi.dev.yaml sets no aws:region; set it with: pulumi config set aws:region <region> --stack dev\n"
    )


def test_region_of_a_missing_stack_is_refused(tmp_path: Path) -> None:
    result, _ = run_script(tmp_path, "region", STACK="staging")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "No stack 'staging': there is no Pulumi.staging.yaml.\n"


def test_the_destroy_help_says_a_production_stack_keeps_its_data() -> None:
    # `make destroy` on prod leaves its retainData resources; "removes everything" would send a
    # user to redeploy into the collisions "Known leftovers" (docs/architecture.md) describes.
    help_lines = [line for line in (PROJECT_ROOT / "Makefile").read_text().splitlines() if "@echo" in line]
    start = next(i for i, line in enumerate(help_lines) if "make destroy" in line)
    destroy = " ".join(help_lines[start : start + 2])
    assert "retainData" in destroy
    assert "docs/architecture.md: Known leftovers" in destroy
    for page in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]:
        assert "removes everything" not in page.read_text(), page.name
    architecture = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    assert "\n## Known leftovers after `pulumi destroy`\n" in architecture
