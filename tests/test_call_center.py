"""The call-center workflow as the program declares it under mocks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pulumi

from components.packaging import archive_zip, handler_archive, handler_sources
from rehearsal.fake_aws import ACCOUNT_ID, REGION
from rehearsal.program import PROJECT_ROOT, ProgramRun
from tests.conftest import Deploy

PREFIX = "serverless-workflows-dev"
STEPS = ("open-case", "assign-case", "work-on-case", "close-case", "escalate-case")
FUNCTION_ARNS = {step: f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{PREFIX}-{step}" for step in STEPS}


def document(run: ProgramRun, name: str, key: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(run.named(name).inputs[key])
    return parsed


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
        assert function["role"] == f"arn:aws:iam::{ACCOUNT_ID}:role/{PREFIX}-{step}-fn"


def test_each_function_logs_to_a_managed_group_declared_before_it(deploy: Deploy) -> None:
    run = deploy()
    for step in STEPS:
        group = run.named(f"{step}-logs")
        assert group.inputs == {"name": f"/aws/lambda/{PREFIX}-{step}", "retentionInDays": 14}
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


# --- packaging -------------------------------------------------------------------


def test_the_package_holds_exactly_the_handler_sources() -> None:
    tracked = {f"handlers/{p.name}" for p in (PROJECT_ROOT / "handlers").glob("*.py")}
    assert set(handler_sources()) == tracked == {"handlers/__init__.py", "handlers/case.py", "handlers/call_center.py"}


def test_tests_caches_and_virtualenvs_inside_handlers_are_left_out(tmp_path: Path) -> None:
    package = tmp_path / "handlers"
    for relative in [
        "__init__.py",
        "steps.py",
        "sub/__init__.py",
        "sub/util.py",
        "__pycache__/steps.cpython-311.py",
        "tests/test_steps.py",
        "test_steps.py",
        ".venv/lib/site.py",
        "venv/lib/x.py",
    ]:
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text("")
    assert sorted(handler_sources(package)) == [
        "handlers/__init__.py",
        "handlers/steps.py",
        "handlers/sub/__init__.py",
        "handlers/sub/util.py",
    ]


def test_every_function_gets_the_same_archive_of_those_files(deploy: Deploy) -> None:
    run = deploy()
    archives = [run.named(f"{step}-function").inputs["code"] for step in STEPS]
    for archive in archives:
        assert isinstance(archive, pulumi.AssetArchive)
        assert set(archive.assets) == set(handler_sources())
        for archive_path, asset in archive.assets.items():
            assert isinstance(asset, pulumi.FileAsset)
            assert Path(asset.path) == handler_sources()[archive_path]


def test_the_archive_imports_on_its_own_as_lambda_would_import_it(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(archive_zip(handler_archive()))) as bundle:
        assert sorted(bundle.namelist()) == sorted(handler_sources())
        bundle.extractall(tmp_path)
    # -I: no working tree on the path; only the unpacked task root, as in Lambda.
    probe = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import handlers.call_center as m; "
        "print(m.__file__); print(m.open_case({'inputCaseID': 'z'}, None)['Message'])"
    )
    result = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True)
    module_file, message = result.stdout.splitlines()
    assert Path(module_file).is_relative_to(tmp_path)
    assert message == "Case z: opened..."


def test_equal_sources_give_equal_archives() -> None:
    assert archive_zip(handler_archive()) == archive_zip(handler_archive())
