"""The seams of moto that rehearsal/moto_patches.py patches: each one's shape and behaviour as the
patch relies on them, so that a moto upgrade that moves one fails here, by name, rather than
silently running workflows in real time, without JSONata or without their mocks.

These read moto as shipped: its source text, and the originals the patches keep.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from moto.awslambda.models import LambdaFunction
from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.mocking import mock_config as moto_mocks

from rehearsal import moto_patches

# The whole module is the rehearsal layer's: `-m unit` and `-m program` do not even import it
# (tests/conftest.py), since loading moto and its engine takes a second or two a process.
pytestmark = pytest.mark.rehearsal

ENGINE = Path(importlib.import_module("moto.stepfunctions.parser").__file__ or "").parent


def source(name: str) -> str:
    return inspect.getsource(importlib.import_module(name))


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


# --- Lambda runner ------------------------------------------------------------------------------


def test_moto_invokes_lambda_code_through_invoke_lambda_with_the_event() -> None:
    assert parameters(moto_patches._INVOKE_LAMBDA) == ["self", "event"]
    assert "_invoke_lambda" in vars(LambdaFunction)
    # Its result is unpacked as (payload, errored, logs) where moto invokes a function.
    assert "res, errored, logs = self._invoke_lambda(event=body)" in source("moto.awslambda.models")


# --- JSONata ------------------------------------------------------------------------------------


def test_every_jsonata_expression_goes_through_one_unset_function_pointer() -> None:
    module = importlib.import_module(moto_patches.JSONATA_MODULE)
    text = source(moto_patches.JSONATA_MODULE)
    assert "_eval_jsonata: Callable[[JSONataExpression], Any] | None = None" in text
    seen: list[str] = []
    original = vars(module)["_eval_jsonata"]
    vars(module)["_eval_jsonata"] = seen.append
    try:
        module.eval_jsonata_expression("($x:=1;$x)")
    finally:
        vars(module)["_eval_jsonata"] = original
    assert seen == ["($x:=1;$x)"]
    # And it is the only way: nothing else in the engine starts a JVM or evaluates JSONata.
    evaluators = {path.name for path in ENGINE.rglob("*.py") if "eval_jsonata_expression(" in path.read_text()}
    assert evaluators == {"jsonata.py", "string_expression.py", "validations.py"}


def test_moto_writes_string_variables_into_expressions_unescaped() -> None:
    """The bug the patch fixes: if moto escapes them one day, the patch can go."""
    for name in moto_patches.JSONATA_ENCODERS:
        assert "encode_jsonata_variable_declarations" in vars(importlib.import_module(name))
    from moto.stepfunctions.parser.asl.jsonata.jsonata import encode_jsonata_variable_declarations

    original = inspect.unwrap(encode_jsonata_variable_declarations)
    if original is moto_patches.encode_variable_declarations:  # patched meanwhile: read the source
        assert "value_str_lit = f'\"{value}\"'" in source(moto_patches.JSONATA_MODULE)
    else:
        assert original({"$x": 'a"b'}) == '$x:="a"b";'
    assert moto_patches.encode_variable_declarations({"$x": 'a"b\n', "$n": 1}) == '$x:="a\\"b\\n";$n:=1;'


def test_moto_stubs_hash_and_uuid_in_a_table_of_jsonata_declarations() -> None:
    text = source(moto_patches.INTRINSICS_MODULE)
    for name in moto_patches.STUBBED_FUNCTIONS:
        assert f"{name}:=function(" in text
        assert f'"Function {name} is currently not supported"' in text
    module = importlib.import_module(moto_patches.INTRINSICS_MODULE)
    assert "_DECLARATION_BY_VARIABLE_REFERENCE.get(variable_reference)" in inspect.getsource(
        module.get_intrinsic_functions_declarations
    )


def test_a_jsonata_string_is_evaluated_in_its_eval_body_with_its_expression() -> None:
    assert parameters(moto_patches._STRING_JSONATA_EVAL) == ["self", "env"]
    assert StringJSONata("1 + 1").expression == "1 + 1"
    assert "eval_jsonata_expression(rich_jsonata_expression)" in inspect.getsource(moto_patches._STRING_JSONATA_EVAL)


# --- virtual time -------------------------------------------------------------------------------

_KINDS = {
    "now": re.compile(r"datetime\.datetime\.now\(|utcnow\(|time\.time\(\)"),
    "sleep": re.compile(r"time\.sleep\("),
    "wait": re.compile(r"\.wait\(|\.join\(timeout"),
    "thread": re.compile(r"Thread\("),
}
# (file, kind) the patches redirect to the execution's virtual clock.
PATCHED = {
    ("program.py", "thread"), ("program.py", "wait"), ("inline_iteration_component.py", "thread"),
    ("branch_worker.py", "thread"), ("state_task_service_callback.py", "thread"), ("execute_state.py", "thread"),
    ("state.py", "now"), ("execution.py", "now"), ("map_run_record.py", "now"), ("branches_decl.py", "now"),
    ("event_manager.py", "now"), ("retrier_decl.py", "sleep"), ("wait_function.py", "now"),
    ("wait_function.py", "wait"), ("timestamp.py", "now"),
}  # fmt: skip
# (file, kind) left in real time, and why.
LEFT_REAL = {
    ("provider.py", "now"): "LocalStack's API provider, which moto does not use",
    ("provider.py", "sleep"): "LocalStack's API provider, which moto does not use",
    ("models.py", "now"): "an execution's start: the real time it was asked for",
    ("test_state_program.py", "thread"): "the TestState API, which moto does not serve",
    ("test_state_program.py", "wait"): "the TestState API, which moto does not serve",
    ("activity.py", "now"): "an activity's creation date",
    ("alias.py", "now"): "an alias's creation date",
    ("state_machine.py", "now"): "a state machine's creation date",
    ("execution_worker.py", "thread"): "an execution's first thread, started by the API: bound to its clock on start",
    ("state_task_activitiy.py", "wait"): "an activity task waits for a worker to answer",
    ("state_task_service_callback.py", "wait"): "a task token waits for a caller to send it",
    ("state_task_service_callback.py", "sleep"): "polling a .sync job's real progress",
    ("callback.py", "wait"): "task tokens and heartbeats wait for a caller",
    ("job.py", "wait"): "a Map waits for its iterations to end",
    ("count_down_latch.py", "wait"): "a latch waits for threads to end",
    ("branches_decl.py", "wait"): "a Parallel waits for its branches to end",
    ("execute_state.py", "wait"): "a state waits for its attempt's thread (a Task's own TimeoutSeconds, real work)",
}


def test_the_patches_cover_every_place_the_engine_reads_the_clock_waits_or_starts_a_thread() -> None:
    found = set()
    for path in sorted(ENGINE.rglob("*.py")):
        if "antlr" in path.parts:
            continue
        for line in path.read_text().splitlines():
            if not line.lstrip().startswith("#"):
                found |= {(path.name, kind) for kind, pattern in _KINDS.items() if pattern.search(line)}
    assert sorted(found - PATCHED - set(LEFT_REAL)) == []
    # Each patched place is still there: a moto that moved it would leave its patch doing nothing.
    assert sorted(PATCHED - found) == []


def test_the_modules_that_start_threads_and_read_the_clock_hold_the_names_replaced() -> None:
    for name, (attribute, _) in moto_patches.THREAD_STARTERS.items():
        text = source(name)
        assert f"{attribute}.Thread(" in text or f"{attribute}(" in text, name
        expected = "import threading" if attribute == "threading" else "from threading import Thread"
        assert expected in text, name
    for name in moto_patches.CLOCK_READERS:
        text = source(name)
        assert "import datetime" in text, name
        assert "datetime.datetime.now(" in text, name
    retrier = source(moto_patches.RETRIER_MODULE)
    assert "import time" in retrier
    assert "time.sleep(interval_seconds)" in retrier


def test_the_wait_state_the_timestamp_and_the_program_timeout_have_the_shapes_patched() -> None:
    assert parameters(moto_patches._WAIT_INTERVAL) == ["self", "env", "wait_seconds"]
    assert "env.program_state_event.wait(wait_seconds)" in inspect.getsource(moto_patches._WAIT_INTERVAL)
    assert parameters(Timestamp._from_timestamp_string) == ["timestamp"]
    assert Timestamp._from_timestamp_string("2026-01-02T03:04:05Z") == datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert parameters(Timestamp._create_failure_event) == ["self", "env", "timestamp_str"]
    assert "timestamp - datetime.datetime.now()" in source(
        "moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp"
    )
    program_eval = inspect.getsource(moto_patches._PROGRAM_EVAL)
    assert "worker_thread.join(timeout=timeout)" in program_eval
    assert "env.set_timed_out()" in program_eval
    assert "self.timeout_seconds.timeout_seconds" in program_eval
    assert "env.next_state_name = self.start_at.start_at_name" in program_eval
    manager = source("moto.stepfunctions.parser.asl.eval.event.event_manager")
    assert "timestamp = timestamp or self._get_current_timestamp()" in manager
    assert parameters(Environment.set_timed_out) == ["self"]
    assert callable(Environment.is_frame)


def test_the_thread_a_thread_starts_inherits_its_clock_and_real_threads_stay_real() -> None:
    from rehearsal import virtual_time

    clock = virtual_time.ExecutionClock(datetime.datetime.now(datetime.UTC))
    seen: dict[str, Any] = {}
    with virtual_time.bound(virtual_time.ThreadTime(clock)) as here:
        here.advance(100)
        child = virtual_time.InheritingThread(target=lambda: seen.update(child=virtual_time.current()))
        plain = threading.Thread(target=lambda: seen.update(plain=virtual_time.current()))
        for thread in (child, plain):
            thread.start()
            thread.join()
    assert seen["child"].offset == 100
    assert seen["plain"] is None
    assert virtual_time.sleep(0) is True  # outside an execution: a real (here, empty) sleep
    assert abs(time.time() - datetime.datetime.now(datetime.UTC).timestamp()) < 1


# --- mocked responses -----------------------------------------------------------------------------


def test_the_worker_takes_a_test_case_that_the_start_path_never_passes() -> None:
    assert "mock_test_case" in parameters(ExecutionWorker.__init__)
    assert "self._mock_test_case = mock_test_case" in inspect.getsource(ExecutionWorker.__init__)
    assert "mock_test_case=self._mock_test_case" in inspect.getsource(ExecutionWorker._get_evaluation_environment)
    assert "target=self._execution_logic" in inspect.getsource(ExecutionWorker.start)
    assert parameters(moto_patches._START_WORKER) == ["self"]
    assert "mock_test_case" not in inspect.getsource(moto_patches._START_WORKER)
    # moto's own loader is not wired to anything: it finds no configuration.
    assert moto_mocks.load_mock_test_case_for("any", "case") is None


def test_moto_takes_mocked_responses_attempt_by_attempt() -> None:
    responses = moto_mocks.StateMockedResponses(
        "Open Case",
        "Flaky",
        [moto_mocks.MockedResponseThrow(0, 1, "Lambda.TooManyRequestsException", "slow"),
         moto_mocks.MockedResponseReturn(2, 2, {"Payload": {}})],
    )  # fmt: skip
    assert [type(r).__name__ for r in responses.mocked_responses] == [
        "MockedResponseThrow", "MockedResponseThrow", "MockedResponseReturn"
    ]  # fmt: skip
    case = moto_mocks.MockTestCase("call-center", "Throttled", [responses])
    assert case.state_mocked_responses == {"Open Case": responses}
    # Picked by the state's retry count, for the state about to run.
    lookup = inspect.getsource(Environment.get_current_mocked_response)
    assert 'context_object_data["State"]' in lookup
    assert '"RetryCount"' in lookup
    assert "state_mocked_responses.mocked_responses[retry_count]" in lookup


@pytest.mark.parametrize(
    "name",
    [
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service",
    ],
)
def test_task_states_honour_the_test_case(name: str) -> None:
    assert "env.is_mocked_mode()" in source(name)


def test_a_map_hands_its_items_to_workers_through_a_job_pool() -> None:
    assert parameters(moto_patches._NEXT_JOB) == ["self"]
    assert parameters(moto_patches._CLOSE_JOB) == ["self", "job"]
    assert parameters(moto_patches._AWAIT_JOBS) == ["self"]
    assert parameters(moto_patches._LAUNCH_WORKER) == ["self", "env", "eval_input", "job_pool"]
    inline = source("moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.inline_iteration_component")
    # Every worker is launched before the Map awaits its items.
    assert inline.index("self._launch_worker(env=env, eval_input=eval_input, job_pool=job_pool)") < inline.index(
        "job_pool.await_jobs()"
    )
    worker = source("moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker")
    # A worker asks for its next item before it closes the last one (the slots allow for it).
    assert worker.index("next_job: Job = self._job_pool.next_job()") < worker.index(
        "self._eval_pool(job=next_job, worker_frame=worker_frame)"
    )


# --- the Distributed Map ------------------------------------------------------------------------


def test_moto_parses_only_standard_children_of_a_distributed_map_so_express_ones_deploy_as_standard() -> None:
    def definition(children: str) -> str:
        processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}},
                     "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": children}}  # fmt: skip
        return json.dumps({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}})

    with pytest.raises(Exception, match="mismatched input '\"EXPRESS\"' expecting '\"STANDARD\"'"):
        AmazonStateLanguageParser.parse(definition("EXPRESS"))
    AmazonStateLanguageParser.parse(moto_patches.definition_for_moto(definition("EXPRESS")))
    assert moto_patches.definition_for_moto(definition("STANDARD")) == definition("STANDARD")


def test_moto_lists_no_child_executions_of_a_map_run_and_fails_when_asked() -> None:
    # Unpatched, ListExecutions reads the state machine ARN alone, which a request by Map Run has not.
    text = inspect.getsource(moto_patches._LIST_EXECUTIONS)
    assert 'arn = self._get_param("stateMachineArn")' in text
    assert "mapRunArn" not in text


# --- starting another workflow -------------------------------------------------------------------


def test_moto_starts_another_workflow_with_the_parameters_as_written_and_reads_its_result_as_sfn_names_it() -> None:
    sfn = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn"
    service = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"
    # moto's own method, as the patch found it (the class's attribute is the patch while moto runs).
    own = moto_patches._sfn_normalise_parameters
    assert own.__qualname__ == "StateTaskServiceSfn._normalise_parameters"
    text = source(sfn)
    # The request goes to the client as written (the only change: Input as JSON text), ...
    assert parameters(own) == ["self", "parameters", "boto_service_name", "service_action_name"]
    assert 'parameters["Input"] = to_json_str(' in inspect.getsource(own)
    assert "getattr(sfn_client, api_action)(**normalised_parameters)" in text
    # ... the response is not renamed (the base method does nothing), though `.sync` reads
    # `ExecutionArn` from it and has `DescribeExecution`'s renamed by service action name.
    assert "def _normalise_response" not in text
    base = inspect.getsource(importlib.import_module(service).StateTaskService._normalise_response)
    assert base.rstrip().endswith("pass")
    assert 'execution_arn: str = submission_output["ExecutionArn"]' in text
    assert 'service_action_name="describe_execution"' in text
    # moto's engine names an execution started without a name None, in its ARN too; the patch wraps
    # the method (the class's attribute is the patch while moto runs) and passes a UUID.
    own_start = moto_patches._parser_start_execution
    assert own_start.__qualname__ == "StepFunctionsParserBackend.start_execution"
    assert parameters(own_start)[:3] == ["self", "state_machine_arn", "name"]
    assert "exec_name = name  #" in inspect.getsource(own_start)
    # The patch finds the operation's model from that snake-case name by moto's own converter.
    assert (
        importlib.import_module("moto.stepfunctions.parser.utils").snake_to_camel_case("describe_execution")
        == "DescribeExecution"
    )


# --- AWS SDK integrations -----------------------------------------------------------------------


def test_moto_calls_the_aws_sdk_with_the_names_and_values_as_written() -> None:
    aws_sdk = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk"
    service = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"
    task = inspect.getsource(importlib.import_module(aws_sdk))
    # The client is made from the service's name as Step Functions writes it, sfn alone translated...
    assert "service_name = self._get_boto_service_name()" in task
    assert '"sfn": "stepfunctions"' in source(service)
    # ... and neither the request nor the response is normalised: the base methods do nothing,
    # while the helpers that would are there (the patch calls them).
    for name in ("_normalise_parameters", "_normalise_response"):
        assert f"def {name}" not in task  # the AWS SDK task does not override them
        body = inspect.getsource(getattr(importlib.import_module(service).StateTaskService, name))
        assert body.rstrip().endswith("pass"), name
    assert parameters(importlib.import_module(service).StateTaskService._to_boto_request) == [
        "self", "parameters", "structure_shape"]  # fmt: skip
    assert parameters(importlib.import_module(service).StateTaskService._from_boto_response) == [
        "self", "response", "structure_shape"]  # fmt: skip
