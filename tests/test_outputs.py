"""The `workflows` stack output as one contract (workflows/outputs.py): what the program writes
is what the tools read, a stack deployed by an earlier version still reads, and a malformed
entry is refused with a message that says what to do."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from rehearsal.program import PROJECT_ROOT
from tests.support import NIGHTLY_REPORT, SUITE_CATALOGUE, Deploy, tool_environment
from workflows.outputs import (
    NOT_RECORDED,
    FunctionOutput,
    OutputError,
    QueueOutput,
    ScheduleOutput,
    TableOutput,
    TopicOutput,
    WorkflowOutput,
    entry_output,
    json_keys,
    read_entry,
    read_workflows,
)

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:serverless-workflows-dev-orders"

EVERY_FIELD: WorkflowOutput[str] = WorkflowOutput(
    type="EXPRESS",
    state_machine_arn=MACHINE,
    state_machine_name="serverless-workflows-dev-orders",
    console_url="https://console/orders",
    role_arn="arn:aws:iam::123456789012:role/orders-sfn-use1",
    log_group="/aws/vendedlogs/states/serverless-workflows-dev-orders",
    schedule=ScheduleOutput(name="orders", group="orders", dead_letter_queue_url="https://sqs/dlq", enabled=False),
    functions={"record": FunctionOutput(function_name="record", function_arn="arn:record", log_group="/aws/lambda/r")},
    resources={
        "ready": TopicOutput(arn="arn:topic"),
        "outbox": QueueOutput(arn="arn:queue", url="https://sqs/outbox"),
        "orders": TableOutput(arn="arn:table", name="orders-table"),
    },
)


def written() -> dict[str, Any]:
    return entry_output(EVERY_FIELD)


def test_an_entry_is_written_with_the_keys_and_in_the_order_of_the_output_users_know() -> None:
    assert json.dumps(written()) == json.dumps(
        {
            "type": "EXPRESS",
            "stateMachineArn": MACHINE,
            "stateMachineName": "serverless-workflows-dev-orders",
            "consoleUrl": "https://console/orders",
            "roleArn": "arn:aws:iam::123456789012:role/orders-sfn-use1",
            "logGroup": "/aws/vendedlogs/states/serverless-workflows-dev-orders",
            "schedule": {
                "name": "orders",
                "group": "orders",
                "deadLetterQueueUrl": "https://sqs/dlq",
                "enabled": False,
            },
            "functions": {
                "record": {"functionName": "record", "functionArn": "arn:record", "logGroup": "/aws/lambda/r"}
            },
            "resources": {
                "ready": {"arn": "arn:topic"},
                "outbox": {"arn": "arn:queue", "url": "https://sqs/outbox"},
                "orders": {"arn": "arn:table", "name": "orders-table"},
            },
        }
    )


def test_what_is_written_reads_back_as_the_same_record() -> None:
    # Through JSON, as `pulumi stack output --json` hands it over.
    assert read_entry("orders", json.loads(json.dumps(written()))) == EVERY_FIELD


def test_the_programs_own_output_reads_back_and_writes_again_unchanged(deploy: Deploy) -> None:
    outputs = deploy(catalogue=SUITE_CATALOGUE).outputs
    deployed = read_workflows(outputs)
    assert list(deployed) == [spec.name for spec in SUITE_CATALOGUE]
    for name, entry in deployed.items():
        assert json.dumps(entry_output(entry)) == json.dumps(outputs["workflows"][name]), name
    topic = f"arn:aws:sns:us-east-1:123456789012:serverless-workflows-dev-{NIGHTLY_REPORT.name}-ready"
    assert deployed[NIGHTLY_REPORT.name].resources == {"ready": TopicOutput(arn=topic)}


# A field added by a later version is missing from a stack deployed before it: each reads as its
# default, the value the tools assumed before (a Standard workflow, an enabled schedule). Only
# stateMachineArn has none: without it no tool can do anything.
DEFAULTS: list[tuple[str, str, Any]] = [
    ("type", "type", "STANDARD"),
    ("stateMachineName", "state_machine_name", NOT_RECORDED),
    ("consoleUrl", "console_url", NOT_RECORDED),
    ("roleArn", "role_arn", NOT_RECORDED),
    ("logGroup", "log_group", NOT_RECORDED),
    ("schedule", "schedule", None),
    ("functions", "functions", {}),
    ("resources", "resources", {}),
    ("schedule.enabled", "schedule.enabled", True),
    ("schedule.deadLetterQueueUrl", "schedule.dead_letter_queue_url", NOT_RECORDED),
    ("functions.record.functionName", "functions.record.function_name", NOT_RECORDED),
    ("functions.record.functionArn", "functions.record.function_arn", NOT_RECORDED),
    ("functions.record.logGroup", "functions.record.log_group", NOT_RECORDED),
]


@pytest.mark.parametrize(("path", "attribute", "default"), DEFAULTS)
def test_an_entry_without_a_field_a_later_version_added_reads_with_its_default(
    path: str, attribute: str, default: Any
) -> None:
    entry = written()
    *parents, last = path.split(".")
    holder = entry
    for part in parents:
        holder = holder[part]
    del holder[last]
    value: Any = read_entry("orders", entry)
    for part in attribute.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    assert value == default


def test_the_defaults_above_cover_every_field_but_the_state_machine_arn_and_the_schedules_name_and_group() -> None:
    # A field added to the records is added to DEFAULTS too, so that an older stack is read with it.
    entry = written()
    covered = {path for path, _, _ in DEFAULTS}
    assert covered >= {key for key in entry if key != "stateMachineArn"}
    assert covered >= {f"schedule.{key}" for key in entry["schedule"] if key not in ("name", "group")}
    assert covered >= {f"functions.record.{key}" for key in entry["functions"]["record"]}


def test_items_the_tools_do_not_read_are_left_out_when_malformed_rather_than_refused() -> None:
    entry = written()
    entry["functions"]["broken"] = "not an object"
    entry["resources"]["unknown"] = {"id": "x"}
    entry["consoleUrl"] = 7
    read = read_entry("orders", entry)
    assert set(read.functions) == {"record"}
    assert set(read.resources) == {"ready", "outbox", "orders"}
    assert read.console_url == NOT_RECORDED


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({}, "the stack outputs have no 'workflows'; is this version of the program deployed? (keys: [])"),
        (
            {"workflows": [1]},
            "the stack outputs have a 'workflows' that is not an object (list); is this version of the program "
            "deployed? (keys: ['workflows'])",
        ),
        ({"workflows": {"w": "x"}}, "the stack outputs' workflows.w has no stateMachineArn; redeploy the stack"),
        (
            {"workflows": {"w": {"stateMachineArn": 7}}},
            "the stack outputs' workflows.w has no stateMachineArn; redeploy the stack",
        ),
        (
            {"workflows": {"w": {"stateMachineArn": "arn:aws:sns:us-east-1:123456789012:t"}}},
            "the stack outputs' workflows.w.stateMachineArn 'arn:aws:sns:us-east-1:123456789012:t' is not a state "
            "machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>); redeploy the stack, or fix the file",
        ),
        (
            {"workflows": {"w": {"stateMachineArn": MACHINE, "type": None}}},
            "the stack outputs' workflows.w.type None is not one of STANDARD, EXPRESS; redeploy the stack, "
            "or fix the file",
        ),
        (
            {"workflows": {"w": {"stateMachineArn": MACHINE, "logGroup": ["a"]}}},
            "the stack outputs' workflows.w.logGroup is not a name; redeploy the stack",
        ),
        (
            {"workflows": {"w": {"stateMachineArn": MACHINE, "schedule": {"name": "s"}}}},
            "the stack outputs' workflows.w.schedule has no name and group; redeploy the stack",
        ),
    ],
)
def test_a_malformed_output_is_refused_with_what_to_do(outputs: dict[str, Any], message: str) -> None:
    with pytest.raises(OutputError) as refused:
        read_workflows(copy.deepcopy(outputs))
    assert str(refused.value) == message


@pytest.mark.program
def test_the_contract_and_the_names_load_without_pulumi_or_boto3() -> None:
    # The ops tool reads the outputs without the Pulumi SDK (`ops cost` must not load it).
    probe = (
        "import sys\n"
        "import workflows.outputs, serverless_workflows.names\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pulumi', 'pulumi_aws', 'boto3')))\n"
    )
    environment = tool_environment()
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_readme_lists_the_fields_of_an_entry_the_records_have() -> None:
    # Found by its content: the README is being split into pages of docs/.
    pages = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    rows = [line for page in pages for line in page.read_text(encoding="utf-8").splitlines()]
    # The stack outputs' table, not the stack config's, which has a `workflows` key too.
    row = next((line for line in rows if line.startswith("| `workflows` |") and "stateMachineArn" in line), None)
    assert row is not None, "no row of the stack outputs' table names `workflows` in README.md or docs/*.md"
    listed = set(re.findall(r"`([^`]+)`", row.split("|")[2]))
    assert listed == {*json_keys(WorkflowOutput), *json_keys(ScheduleOutput), *json_keys(FunctionOutput)}
