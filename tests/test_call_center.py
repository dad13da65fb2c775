"""The call-center workflow as the program declares it under mocks."""

from __future__ import annotations

from pathlib import Path

import pulumi

from rehearsal.fake_aws import ACCOUNT_ID, REGION
from serverless_workflows.lambda_package import handler_archive
from tests.support import PREFIX, Deploy, document, role_arn

STEPS = ("open-case", "assign-case", "work-on-case", "close-case", "escalate-case")
FUNCTION_ARNS = {step: f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{PREFIX}-{step}" for step in STEPS}


def test_each_function_is_a_component_with_its_own_role_and_log_group(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        component = run.named(step)
        assert component.type == "serverless-workflows:index:HandlerFunction"
        assert {r.name for r in run.children_of(component)} == {
            f"{step}-logs",
            f"{step}-role",
            f"{step}-policy",
            f"{step}-function",
        }


def test_functions_are_configured_explicitly(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        function = run.named(f"{step}-function").inputs
        assert function["name"] == f"{PREFIX}-{step}"
        assert function["handler"] == f"handlers.call_center.{step.replace('-', '_')}"
        assert function["runtime"] == "python3.14"
        assert function["architectures"] == ["arm64"]
        assert function["memorySize"] == 128
        assert function["timeout"] == 5
        assert function["loggingConfig"] == {
            "logFormat": "JSON",
            "logGroup": f"/aws/lambda/{PREFIX}-{step}",
            "applicationLogLevel": "INFO",
            "systemLogLevel": "WARN",
        }
        assert function["tracingConfig"] == {"mode": "Active"}
        assert function["role"] == role_arn(f"{PREFIX}-{step}", "fn")


def test_each_function_logs_to_a_managed_group_declared_before_it(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        group = run.named(f"{step}-logs")
        assert group.inputs == {"name": f"/aws/lambda/{PREFIX}-{step}", "retentionInDays": 14}, (
            f"{step}'s log group, named for its function, keeps its logs 14 days"
        )
        assert group.urn in run.named(f"{step}-function").dependencies


def test_function_roles_may_write_only_their_own_log_group(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        trust = document(run, f"{step}-role", "assumeRolePolicy")
        assert trust["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
        statements = document(run, f"{step}-policy", "policy")["Statement"]
        assert statements[0] == {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/lambda/{PREFIX}-{step}:*"],
        }
        assert [s["Sid"] for s in statements] == ["WriteOwnLogGroup", "WriteTraces"]
    assert not run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), "no AWS-managed policies"


def test_state_machine_role_may_invoke_exactly_the_five_functions(deploy: Deploy) -> None:
    statements = document(deploy(), "call-center-policy", "policy")["Statement"]
    invoke = [s for s in statements if s["Sid"] == "InvokeTaskFunctions"]
    assert invoke == [
        {
            "Sid": "InvokeTaskFunctions",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": sorted(FUNCTION_ARNS.values()),
        }
    ]
    assert {s["Sid"] for s in statements} == {"DeliverExecutionLogs", "WriteTraces", "InvokeTaskFunctions"}


def test_state_machine_role_trusts_step_functions_for_the_call_center_only(deploy: Deploy) -> None:
    (statement,) = document(deploy(), "call-center-role", "assumeRolePolicy")["Statement"]
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{PREFIX}-call-center"
    }


def test_definition_is_deployed_with_each_task_calling_its_function(deploy: Deploy) -> None:
    run = deploy()
    states = document(run, "call-center-state-machine", "definition")["States"]
    assert {name: s["Resource"] for name, s in states.items() if s["Type"] == "Task"} == {
        "Open Case": FUNCTION_ARNS["open-case"],
        "Assign Case": FUNCTION_ARNS["assign-case"],
        "Work on Case": FUNCTION_ARNS["work-on-case"],
        "Close Case": FUNCTION_ARNS["close-case"],
        "Escalate Case": FUNCTION_ARNS["escalate-case"],
    }
    assert states["Is Case Resolved"]["Choices"][0]["Variable"] == "$.Status"
    assert "${" not in run.named("call-center-state-machine").inputs["definition"]


def test_stack_outputs_name_the_call_center_resources(deploy: Deploy) -> None:
    outputs = deploy().outputs
    entry = outputs["workflows"]["call-center"]
    assert entry["schedule"] is None
    assert entry["functions"]["open-case"] == {
        "functionName": f"{PREFIX}-open-case",
        "functionArn": FUNCTION_ARNS["open-case"],
        "logGroup": f"/aws/lambda/{PREFIX}-open-case",
    }
    assert sorted(entry["functions"]) == sorted(STEPS)
    assert outputs["callCenterStateMachineArn"] == (
        f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{PREFIX}-call-center"
    )
    assert outputs["callCenterConsoleUrl"].endswith(f"#/statemachines/view/{outputs['callCenterStateMachineArn']}")
    assert {k: v for k, v in outputs.items() if k.endswith("FunctionName")} == {
        "openCaseFunctionName": f"{PREFIX}-open-case",
        "assignCaseFunctionName": f"{PREFIX}-assign-case",
        "workOnCaseFunctionName": f"{PREFIX}-work-on-case",
        "closeCaseFunctionName": f"{PREFIX}-close-case",
        "escalateCaseFunctionName": f"{PREFIX}-escalate-case",
    }


# --- packaging (the closure and dependencies themselves: tests/test_lambda_package.py) ---


def test_every_function_runs_its_own_handler_package(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        code = run.named(f"{step}-function").inputs["code"]
        assert isinstance(code, pulumi.AssetArchive)
        expected = handler_archive(f"handlers.call_center.{step.replace('-', '_')}")

        def files(archive: pulumi.AssetArchive) -> dict[str, Path]:
            return {p: Path(a.path) for p, a in archive.assets.items() if isinstance(a, pulumi.FileAsset)}

        assert files(code) == files(expected)
        assert len(files(code)) == len(code.assets)
        # The tutorial's package, unchanged: the closure of handlers.call_center.
        assert sorted(code.assets) == ["handlers/__init__.py", "handlers/call_center.py", "handlers/case.py"]


def test_the_workflows_output_has_exactly_the_fields_shortcuts_may_point_at(deploy: Deploy) -> None:
    from workflows.spec import FUNCTION_FIELDS, OUTPUT_FIELDS, SCHEDULE_FIELDS

    entries = deploy().outputs["workflows"]
    for entry in entries.values():
        assert set(entry) == {*OUTPUT_FIELDS, "schedule", "functions", "resources"}
    assert set(entries["scheduled"]["schedule"]) == set(SCHEDULE_FIELDS)
    assert set(entries["call-center"]["functions"]["open-case"]) == set(FUNCTION_FIELDS)
