"""The GitHub Actions pipeline (.github/workflows/delivery.yml) against docs/delivery.md,
its "The pipeline" and "Setting it up" sections, and the promises made there.

GitHub Actions cannot run here, so this reads the workflow as data: each job's
commands, as the page's table names them, and its structure (permissions,
OIDC, environment, concurrency, pinned actions, the policy pack). actionlint,
in `make lint`, checks the workflow's syntax and its shell scripts.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearsal.program import PROJECT_ROOT

WORKFLOW_FILE = PROJECT_ROOT / ".github" / "workflows" / "delivery.yml"
DELIVERY = PROJECT_ROOT / "docs" / "delivery.md"
OPERATIONS = PROJECT_ROOT / "docs" / "operations.md"

Job = dict[str, Any]
Step = dict[str, Any]

PULUMI_ACTION = "pulumi/actions"
AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials"


@functools.cache
def _parsed(text: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(text)
    return loaded


def workflow() -> dict[str, Any]:
    # Parsed once per text (PyYAML takes a tenth of a second), copied for each caller to change.
    loaded = copy.deepcopy(_parsed(WORKFLOW_FILE.read_text()))
    # YAML 1.1 reads the key `on` as the boolean true.
    return {("on" if key is True else str(key)): value for key, value in loaded.items()}


def jobs() -> dict[str, Job]:
    found: dict[str, Job] = workflow()["jobs"]
    return found


def action(step: Step) -> str:
    return str(step.get("uses", "")).split("@")[0]


def matrix_runs(job: Job) -> list[dict[str, str]]:
    """One mapping of matrix values per run of the job ([{}] without a matrix)."""
    matrix = job.get("strategy", {}).get("matrix", {})
    keys = sorted(matrix)
    return [dict(zip(keys, values, strict=True)) for values in product(*(matrix[k] for k in keys))]


def expand(value: Any, values: dict[str, str]) -> str:
    text = str(value)
    for key, replacement in values.items():
        text = text.replace(f"${{{{ matrix.{key} }}}}", replacement)
    return text


def commands(job: Job) -> list[str]:
    """What a job runs, as command lines: `run:` lines that start a make, pulumi or
    Python command, and each Pulumi action step as the `pulumi` command it stands for.
    A command that every run of a matrix repeats is listed once."""
    found: list[str] = []
    for values in matrix_runs(job):
        for step in job["steps"]:
            if action(step) == PULUMI_ACTION:
                inputs = {key: expand(value, values) for key, value in step.get("with", {}).items()}
                command = f"pulumi {inputs['command']} --stack {inputs['stack-name']}"
                if "policyPacks" in inputs:
                    command += f" --policy-pack {inputs['policyPacks']}"
                if "policyPackConfigs" in inputs:
                    command += f" --policy-pack-config {inputs['policyPackConfigs']}"
                found.append(command)
            for line in expand(step.get("run", ""), values).splitlines():
                if line.startswith(("make ", "pulumi ", ".venv/bin/python ")):
                    found.append(line.strip())
    return list(dict.fromkeys(found))


def doc_section(page: Path, title: str) -> str:
    """The `## title` section of a docs page, up to the next `## ` heading."""
    text = page.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def setting_it_up() -> str:
    return doc_section(DELIVERY, "Setting it up")


def docs_table() -> dict[str, list[str]]:
    """Job name -> the commands the table of docs/delivery.md, "The pipeline", says it runs."""
    table: dict[str, list[str]] = {}
    section = doc_section(DELIVERY, "The pipeline")
    # The section's other tables (environments, roles, backends) are not this one.
    start = section.index("| When | Job | Runs |")
    for line in section[start : section.index("\n\n", start)].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        job = re.findall(r"`([^`]+)`", cells[1])[0]
        table[job] = re.findall(r"`([^`]+)`", cells[2])
    return table


# --- the docs and the pipeline say the same --------------------------------


def test_the_docs_table_lists_every_job_and_what_it_runs() -> None:
    table = docs_table()
    assert set(table) == set(jobs()), "jobs in the table of docs/delivery.md and in the workflow differ"
    for name, job in jobs().items():
        assert commands(job) == table[name], f"job {name}"


def test_every_make_target_the_pipeline_runs_exists() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE))
    run = [command.split()[1] for job in jobs().values() for command in commands(job) if command.startswith("make ")]
    assert run, "the pipeline runs no make target"
    assert set(run) <= targets


def test_the_docs_name_every_variable_and_secret_the_workflow_reads() -> None:
    text = WORKFLOW_FILE.read_text()
    names = set(re.findall(r"\$\{\{\s*(?:vars|secrets)\.([A-Z_]+)", text))
    assert names >= {"AWS_ROLE_ARN", "PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"}
    section = setting_it_up()
    assert {name for name in names if f"`{name}`" not in section} == set()


# --- triggers and what each event runs ----------------------------------------


def test_pull_requests_check_and_preview_pushes_to_main_deploy() -> None:
    triggers = workflow()["on"]
    assert triggers["pull_request"]["branches"] == ["main"]
    assert triggers["push"]["branches"] == ["main"]
    assert "github.event_name == 'pull_request'" in jobs()["preview"]["if"]
    assert jobs()["tip"]["if"] == "github.event_name == 'push'"
    # Nothing reaches a stack before the tests and lint passed.
    assert jobs()["preview"]["needs"] == "check"
    assert jobs()["tip"]["needs"] == "check"
    assert jobs()["deploy-dev"]["needs"] == "tip"
    assert jobs()["deploy-prod"]["needs"] == "deploy-dev"


def test_previews_cover_every_stack_and_are_posted_on_the_pull_request() -> None:
    stacks = sorted(path.name.split(".")[1] for path in PROJECT_ROOT.glob("Pulumi.*.yaml"))
    preview = jobs()["preview"]
    assert sorted(run["stack"] for run in matrix_runs(preview)) == stacks
    (step,) = (step for step in preview["steps"] if action(step) == PULUMI_ACTION)
    assert step["with"]["comment-on-pr"] is True


def test_every_preview_and_update_runs_the_policy_pack() -> None:
    steps = [step for job in jobs().values() for step in job["steps"] if action(step) == PULUMI_ACTION]
    assert {step["with"]["command"] for step in steps} == {"preview", "up"}
    assert all(step["with"].get("policyPacks") == "policy" for step in steps)
    assert (PROJECT_ROOT / "policy" / "PulumiPolicy.yaml").exists()


def test_the_pulumi_cli_is_the_version_of_the_sdk_pin() -> None:
    pin = re.search(r"^pulumi==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)
    assert pin is not None
    versions = {
        str(step["with"].get("pulumi-version"))
        for job in jobs().values()
        for step in job["steps"]
        if action(step) == PULUMI_ACTION
    }
    assert versions == {pin.group(1)}


def test_deploys_install_only_requirements_txt() -> None:
    for name in ("preview", "deploy-dev", "deploy-prod"):
        runs = [step.get("run", "") for step in jobs()[name]["steps"]]
        assert "make deps" in runs, name
        assert not any("requirements-dev" in run or "make venv" in run for run in runs), name


# --- permissions and credentials ----------------------------------------------


def test_the_token_has_no_permission_unless_a_job_asks() -> None:
    assert workflow()["permissions"] == {}
    for name, job in jobs().items():
        permissions = job["permissions"]
        assert permissions["contents"] == "read", name
        uses = {action(step) for step in job["steps"]}
        comments = any(step.get("with", {}).get("comment-on-pr") for step in job["steps"])
        expected_writes = {"id-token"} if AWS_CREDENTIALS_ACTION in uses else set()
        if comments:
            expected_writes.add("pull-requests")
        writes = {scope for scope, level in permissions.items() if level == "write"}
        assert writes == expected_writes, name


def test_aws_credentials_come_from_oidc_with_a_role_from_a_variable() -> None:
    text = WORKFLOW_FILE.read_text()
    assert "aws-access-key-id" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text
    roles = {}
    for name, job in jobs().items():
        steps = job["steps"]
        pulumi = [i for i, step in enumerate(steps) if action(step) == PULUMI_ACTION]
        credentials = [i for i, step in enumerate(steps) if action(step) == AWS_CREDENTIALS_ACTION]
        assert len(pulumi) == len(credentials), name
        if not pulumi:
            continue
        # Credentials before Pulumi: an S3 backend needs them to log in.
        assert credentials[0] < pulumi[0], name
        inputs = steps[credentials[0]]["with"]
        assert set(inputs) == {"role-to-assume", "aws-region"}, name
        roles[name] = inputs["role-to-assume"]
        assert inputs["aws-region"] == "${{ steps.stack.outputs.region }}", name
    # Each job's role is its environment's variable: one role per environment, so per stack
    # and account, and the preview's a read-only one (see the environment tests below).
    assert set(roles) == {"preview", "deploy-dev", "deploy-prod"}
    assert set(roles.values()) == {"${{ vars.AWS_ROLE_ARN }}"}
    assert all("environment" in jobs()[name] for name in roles)


def test_the_region_step_reads_the_stack_file() -> None:
    for name in ("preview", "deploy-dev", "deploy-prod"):
        (step,) = (step for step in jobs()[name]["steps"] if step.get("id") == "stack")
        assert "region=$(scripts/stack.sh region)" in step["run"], name
        assert "STACK" in jobs()[name]["env"], name


def test_prod_is_deployed_only_behind_the_prod_environment() -> None:
    for name, job in jobs().items():
        updates = [
            step["with"]["stack-name"]
            for step in job["steps"]
            if action(step) == PULUMI_ACTION and step["with"]["command"] == "up"
        ]
        if "prod" in updates:
            assert job.get("environment") == "prod", name
        else:
            assert job.get("environment") != "prod", name
    assert jobs()["deploy-prod"]["env"]["STACK"] == "prod"


# --- environments: which credentials each run gets -----------------------------


def environments() -> dict[tuple[str, str], str]:
    """(job, stack) -> the environment that run of the job uses, for each run that names one."""
    found = {}
    for name, job in jobs().items():
        if "environment" not in job:
            continue
        for values in matrix_runs(job):
            stack = values.get("stack") or job["env"]["STACK"]
            found[(name, stack)] = expand(job["environment"], values)
    return found


def pulumi_commands(job: Job) -> set[str]:
    return {str(step["with"]["command"]) for step in job["steps"] if action(step) == PULUMI_ACTION}


def test_every_run_that_gets_credentials_names_an_environment_of_its_own_stack() -> None:
    # Secrets and the role variable are read in the environment's scope: a run without one would
    # fall back to repository-level values, which every job of every branch can read.
    for name, job in jobs().items():
        text = yaml.safe_dump(job)
        if "secrets." in text or "vars.AWS_ROLE_ARN" in text:
            assert "environment" in job, name
    assert environments() == {
        ("preview", "dev"): "preview-dev",
        ("preview", "prod"): "preview-prod",
        ("deploy-dev", "dev"): "dev",
        ("deploy-prod", "prod"): "prod",
    }


def test_pull_request_code_never_runs_in_an_environment_that_deploys() -> None:
    deploying = {env for (name, _), env in environments().items() if "up" in pulumi_commands(jobs()[name])}
    previewing = {env for (name, _), env in environments().items() if "up" not in pulumi_commands(jobs()[name])}
    assert deploying
    assert previewing
    assert deploying.isdisjoint(previewing)
    # Only the preview runs on a pull request; the deploys only on a push.
    assert "pull_request" in jobs()["preview"]["if"]
    assert pulumi_commands(jobs()["preview"]) == {"preview"}
    assert jobs()["tip"]["if"] == "github.event_name == 'push'"
    assert jobs()["deploy-dev"]["needs"] == "tip"


def test_a_pull_request_from_a_fork_skips_the_preview() -> None:
    # A fork's run gets no secrets or OIDC token: skipped, it is not a red check on every fork's PR.
    assert "github.event.pull_request.head.repo.full_name == github.repository" in jobs()["preview"]["if"]


def test_the_docs_set_up_every_environment_the_workflow_names() -> None:
    section = setting_it_up()
    for environment in set(environments().values()):
        assert f"`{environment}`" in section, environment
        assert f"`repo:OWNER/REPO:environment:{environment}`" in section, environment


# --- only the tip of main is deployed --------------------------------------------

TIP_JOB = "tip"
DEPLOY_JOBS = ("deploy-dev", "deploy-prod")


def tip_step(job: str) -> Step:
    steps: list[Step] = jobs()[job]["steps"]
    (step,) = (step for step in steps if step.get("id") == "tip")
    return step


FAKE_GH = """#!/usr/bin/env bash
echo "gh $*" >> "$CALLS"
[ -n "$FAKE_TIP" ] || { echo "gh: HTTP 502" >&2; exit 1; }
echo "$FAKE_TIP"
"""


def test_the_tip_is_checked_in_a_job_no_environment_records() -> None:
    # A job that names an environment is recorded as a deployment of its commit, even with
    # every step skipped: the common case, an older commit, is turned away before one.
    tip = jobs()[TIP_JOB]
    assert "environment" not in tip
    assert tip["steps"] == [tip_step(TIP_JOB)]
    assert tip["outputs"]["newest"] == "${{ steps.tip.outputs.newest }}"
    assert jobs()["deploy-dev"]["if"] == f"needs.{TIP_JOB}.outputs.newest == 'true'"
    # deploy-prod runs only after deploy-dev succeeded: an older commit asks no reviewer.
    assert "if" not in jobs()["deploy-prod"]


def test_a_deploy_overtaken_while_it_waited_fails_before_anything_else_runs() -> None:
    # A newer push may land while a deploy waits for its stack's concurrency group or for the
    # prod approval: checked again, it fails (a failed deployment, not a successful one that
    # never happened) and, by the default `if: success()`, no later step runs.
    for name in DEPLOY_JOBS:
        check, stop, *rest = jobs()[name]["steps"]
        assert check == tip_step(TIP_JOB), name
        assert stop["if"] == "steps.tip.outputs.newest != 'true'", name
        assert stop["run"].strip() == "exit 1", name
        assert [step for step in rest if "if" in step] == [], name
        assert "environment" in jobs()[name], name


def run_tip_step(tmp_path: Path, job: str, tip: str) -> tuple[subprocess.CompletedProcess[str], str, list[str]]:
    """Run the job's tip step as GitHub runs a `run:` script, with a stand-in `gh`."""
    step = tip_step(job)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text(FAKE_GH)
    fake.chmod(0o755)
    output = tmp_path / "output"
    output.touch()
    calls = tmp_path / "calls"
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "CALLS": str(calls),
            "FAKE_TIP": tip,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_REPOSITORY": "OWNER/REPO",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": "1111111111111111111111111111111111111111",
            **step["env"],
        },
        capture_output=True,
        text=True,
        check=False,
    )
    return result, output.read_text(), calls.read_text().splitlines() if calls.exists() else []


# The deploy jobs run the same step (checked above): running the tip job's covers theirs.
@pytest.mark.program
def test_the_tip_of_main_is_deployed(tmp_path: Path) -> None:
    result, output, calls = run_tip_step(tmp_path, TIP_JOB, tip="1111111111111111111111111111111111111111")
    assert result.returncode == 0, result.stderr
    assert output == "newest=true\n"
    assert calls == ["gh api repos/OWNER/REPO/git/ref/heads/main --jq .object.sha"]


@pytest.mark.program
def test_a_commit_that_is_no_longer_the_tip_is_skipped_with_a_notice(tmp_path: Path) -> None:
    result, output, _ = run_tip_step(tmp_path, TIP_JOB, tip="2222222222222222222222222222222222222222")
    assert result.returncode == 0, result.stderr
    assert output == "newest=false\n"
    assert result.stdout == (
        "::notice::Not deployed: refs/heads/main is now at 2222222222222222222222222222222222222222,"
        " whose run deploys it.\n"
    )


@pytest.mark.program
def test_an_unknown_tip_fails_the_deploy_rather_than_skip_or_run_it(tmp_path: Path) -> None:
    result, output, _ = run_tip_step(tmp_path, TIP_JOB, tip="")
    assert result.returncode != 0
    assert output == ""


# --- concurrency ---------------------------------------------------------------


def test_each_stack_is_updated_by_one_run_at_a_time_and_never_cancelled() -> None:
    groups = {}
    for name in ("deploy-dev", "deploy-prod"):
        concurrency = jobs()[name]["concurrency"]
        stack = jobs()[name]["env"]["STACK"]
        assert concurrency["cancel-in-progress"] is False, name
        assert stack in concurrency["group"], name
        groups[name] = concurrency["group"]
    assert len(set(groups.values())) == 2
    preview = jobs()["preview"]["concurrency"]
    assert "${{ matrix.stack }}" in preview["group"]
    # A preview must not share a deploy's group: a pending one would replace a pending deploy.
    assert preview["group"] not in groups.values()


def test_only_pull_request_runs_are_cancelled_by_a_newer_push() -> None:
    concurrency = workflow()["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


# --- pinned actions ------------------------------------------------------------

USES = re.compile(r"^\s*-?\s*uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$")


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    lines = [line for line in WORKFLOW_FILE.read_text().splitlines() if re.match(r"^\s*-?\s*uses:", line)]
    assert lines
    for line in lines:
        match = USES.match(line)
        assert match is not None, line
        _, ref, version = match.groups()
        assert re.fullmatch(r"[0-9a-f]{40}", ref), line
        assert version is not None, f"no version comment: {line}"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", version), line


def test_one_action_one_sha() -> None:
    pins: dict[str, set[str]] = {}
    for line in WORKFLOW_FILE.read_text().splitlines():
        match = USES.match(line)
        if match:
            pins.setdefault(match.group(1), set()).add(match.group(2))
    assert pins
    assert {name: shas for name, shas in pins.items() if len(shas) > 1} == {}


def test_checkout_keeps_no_credentials() -> None:
    for name, job in jobs().items():
        for step in job["steps"]:
            if action(step) == "actions/checkout":
                assert step["with"]["persist-credentials"] is False, name


# --- the trust policy of docs/delivery.md ----------------------------------------


def trust_policies() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)```", setting_it_up(), flags=re.DOTALL)
    return [json.loads(re.sub(r"^ {3}", "", block, flags=re.MULTILINE)) for block in blocks]


def test_the_docs_trust_policy_admits_only_githubs_oidc_tokens_for_sts() -> None:
    (policy,) = trust_policies()
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    conditions = statement["Condition"]
    assert set(conditions) == {"StringEquals"}, "no StringLike: a wildcard would admit other branches"
    assert conditions["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    # A job that names an environment gets a token whose subject is that environment's.
    assert conditions["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"repo:OWNER/REPO:environment:{environments()[('deploy-dev', 'dev')]}"
    )


def test_the_docs_name_no_subject_a_job_of_this_workflow_cannot_have() -> None:
    # Every job that gets credentials names an environment, so no token says pull_request or a branch.
    subjects = set(re.findall(r"`(repo:OWNER/REPO:[^`]+)`", DELIVERY.read_text()))
    assert subjects == {f"repo:OWNER/REPO:environment:{env}" for env in environments().values()}


# --- what docs/delivery.md asks for the deploy roles ---------------------------


def iam_actions(text: str) -> set[str]:
    return set(re.findall(r"`([a-z0-9-]+:[A-Z][A-Za-z]+)`", text))


def test_the_deploy_roles_are_given_what_ops_verify_calls() -> None:
    table = doc_section(OPERATIONS, "Permissions")
    rows = {
        re.findall(r"`([a-z]+)`", line)[0]: line for line in table.splitlines() if re.match(r"^\| `[a-z]+` \|", line)
    }
    # verify runs the smoke tests as `run` does.
    needed = iam_actions(rows["verify"]) | iam_actions(rows["run"])
    assert "scheduler:GetSchedule" in needed
    assert needed - iam_actions(setting_it_up()) == set()


# --- the inputs actionlint cannot check ------------------------------------------

# actionlint knows the inputs of an action by its version tag; pinned to a SHA, an action's
# `with:` goes unchecked. These are some input names of each action's action.yml. Which tag
# they were first read at was not recorded; each list was since checked against the
# action.yml of the repository commit named beside it, not at the pinned tag (the version
# comment in the workflow), which cannot be fetched here: re-read that tag when a pin moves.
ACTION_INPUTS = {
    # actions/checkout@02c73802609a582111d8af3a9cd6519263dd983a; pinned: v7.0.0
    "actions/checkout": {"repository", "ref", "token", "persist-credentials", "path", "fetch-depth"},
    # actions/setup-python@05b0430d2d0525a63c8ea5bc7d09fc0e14911520; pinned: v7.0.0
    "actions/setup-python": {"python-version", "python-version-file", "cache", "cache-dependency-path"},
    # aws-actions/configure-aws-credentials@0271a818bc5ab9a7c293ae792bddd98e0e89d304; pinned: v6.3.0
    "aws-actions/configure-aws-credentials": {"role-to-assume", "aws-region", "audience", "role-session-name"},
    # pulumi/actions@046dbb705fb6939b61dbdbce4e882944612ac1f6, which predates `pulumi-version`:
    # that name is the one here not checked against any action.yml; pinned: v7.0.0
    PULUMI_ACTION: {
        "command",
        "stack-name",
        "work-dir",
        "comment-on-pr",
        "cloud-url",
        "policyPacks",
        "policyPackConfigs",
        "pulumi-version",
        "upsert",
        "edit-pr-comment",
    },
}


def test_every_action_input_is_one_the_action_declares() -> None:
    used = [(action(step), key) for job in jobs().values() for step in job["steps"] for key in step.get("with", {})]
    assert used
    assert [(name, key) for name, key in used if key not in ACTION_INPUTS.get(name, set())] == []
