"""Every change the rehearsal makes to moto (5.2.5), together, each at one named seam.

- **Lambda runner.** moto runs Lambda code in Docker; `LambdaFunction._invoke_lambda` is
  replaced by a run of the function's own deployment package in an isolated interpreter
  (`rehearsal.moto_aws.LambdaSandbox`).
- **JSONata.** moto's engine evaluates every JSONata expression through the module-global
  `_eval_jsonata` of `moto.stepfunctions.parser.asl.jsonata.jsonata`, which it leaves unset;
  it is set to `rehearsal.jsonata_engine.evaluate`. moto writes string variables into the
  expression between quotes as they are (`encode_jsonata_variable_declarations`), so that a
  value holding a quote or a newline broke it: they are written as JSON instead. moto only stubs
  `$hash` and `$uuid` (as JSONata that returns "not supported"): the stubs are removed, and the
  evaluator provides both. A failed evaluation fails the state with States.QueryEvaluationError
  (`StringJSONata._eval_body`), as on AWS, rather than States.Runtime.
- **Virtual time** (`rehearsal.virtual_time`). Every place moto's engine waits or reads the clock
  for an execution is redirected to that execution's virtual clock: the Wait state
  (`WaitFunction._wait_interval`, and `Timestamp._get_wait_seconds`, which also compared a UTC
  timestamp with local time), the retrier's backoff (`time.sleep` in `retrier_decl`), the
  execution's TimeoutSeconds (a real-time `join` in `Program.eval`), event timestamps
  (`EventManager._get_current_timestamp`), and the `datetime.datetime.now` of the modules in
  `CLOCK_READERS`; the threads the modules in `THREAD_STARTERS` start inherit their creator's
  place on the clock.
- **The Distributed Map.** moto's ASL grammar takes only `STANDARD` for a Distributed Map's
  `ExecutionType`: `definition_for_moto` deploys Express children as Standard ones (as moto runs
  an Express workflow as a Standard one). moto runs a Map Run's items inside its execution, not as
  child executions, and its `ListExecutions` fails with a TypeError when asked for a Map Run's:
  `StepFunctionResponse.list_executions` answers that request with a ValidationException saying so,
  which the ops tool shows as children it could not read.
- **AWS SDK integrations.** moto's engine calls boto3 with the service name Step Functions uses
  (it knows `sfn` alone: `cloudwatchlogs`, `eventbridge`... are no boto3 client) and the
  parameters as written, and hands back botocore's response as it is, though its helpers to turn
  both as Step Functions does (`_to_boto_request`, `_from_boto_response`) are there, unused.
  `StateTaskServiceAwsSdk` gets botocore's name of the service (`serverless_workflows.asl.sdk_models`), its
  parameters named and typed as botocore's model says (PascalCase to camelCase, JSON to a
  string), and its response named as Step Functions names it (PascalCase), its timestamps as ISO
  8601 text and its bytes and streams as text: moto's own execution history could not hold them.
- **Starting another workflow** (`states:startExecution`). moto's engine hands the optimised
  integration's parameters to its Step Functions client as Step Functions writes them
  (`StateMachineArn`), which that client refuses, and its response as botocore gives it
  (`executionArn`, a datetime), though its `.sync` follow-up reads `ExecutionArn`. The service
  (`StateTaskServiceSfn`) gets the same naming as an AWS SDK task, by botocore's model of the
  operation it calls (`StartExecution`, or `DescribeExecution` when a `.sync` task follows up).
  An execution started without a name (`Name` is optional) is named by a UUID, as AWS names it:
  moto's engine named it None (`StepFunctionsParserBackend.start_execution`), and its ARN ended in
  `:None`.
- **Mocked responses.** The engine's Task states honour a `MockTestCase` (Step Functions Local's
  mock configuration), which `ExecutionWorker` accepts, but moto's start path never passes one;
  `Execution._get_start_execution_worker` hands the test case registered for an execution
  (`expect_test_case`) to its worker. That is also where each execution gets its clock.

`tests/test_moto_seams.py` asserts each seam's shape and behaviour, so that a moto upgrade
that moves one fails there by name.
"""

from __future__ import annotations

import datetime
import importlib
import json
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC
from types import ModuleType
from typing import Any, cast
from unittest import mock

from moto.awslambda.models import LambdaFunction
from moto.stepfunctions.exceptions import ValidationException
from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.inline_iteration_component import (
    InlineIterationComponent,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.job import JobPool
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.backend.execution import Execution
from moto.stepfunctions.parser.mocking.mock_config import (
    MockedResponse,
    MockedResponseReturn,
    MockedResponseThrow,
    MockTestCase,
    StateMockedResponses,
)
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.parser.utils import TMP_THREADS, snake_to_camel_case
from moto.stepfunctions.responses import StepFunctionResponse

from rehearsal import jsonata_engine, virtual_time
from rehearsal.mock_config import TestCase
from serverless_workflows.asl import model, sdk_models

_ENGINE = "moto.stepfunctions.parser."
JSONATA_MODULE = _ENGINE + "asl.jsonata.jsonata"
# The modules that write variables into JSONata expressions, each holding its own reference.
JSONATA_ENCODERS = (JSONATA_MODULE, _ENGINE + "asl.eval.states", _ENGINE + "asl.eval.variable_store")
INTRINSICS_MODULE = _ENGINE + "asl.component.intrinsic.jsonata"
# moto's JSONata stubs of Step Functions functions, replaced by the evaluator's own.
STUBBED_FUNCTIONS = ("$hash", "$uuid")
RETRIER_MODULE = _ENGINE + "asl.component.common.retry.retrier_decl"
# Modules whose `threading.Thread` (or `Thread`) starts a thread of an execution -> the name
# replaced, and whether the module starts several side by side (branches, iterations).
THREAD_STARTERS = {
    _ENGINE + "asl.component.program.program": ("threading", False),
    _ENGINE + "asl.component.state.exec.state_map.iteration.inline_iteration_component": ("threading", True),
    _ENGINE + "asl.component.state.exec.state_parallel.branch_worker": ("threading", True),
    _ENGINE + "asl.component.state.exec.state_task.service.state_task_service_callback": ("threading", False),
    _ENGINE + "asl.component.state.exec.execute_state": ("Thread", False),
}
# Modules whose `datetime.datetime.now()` is a time of an execution: when a state was entered
# (the context object), when the execution stopped, when a Map Run or a branch stopped.
CLOCK_READERS = (
    _ENGINE + "asl.component.state.state",
    _ENGINE + "backend.execution",
    _ENGINE + "asl.component.state.exec.state_map.iteration.itemprocessor.map_run_record",
    _ENGINE + "asl.component.state.exec.state_parallel.branches_decl",
)
# After a timeout, how long the interrupted state gets to record the execution's end.
_TIMEOUT_GRACE_SECONDS = 1.0
# The longest a Map's item waits in real time for its slot (see _take_slot).
_SLOT_WAIT_SECONDS = 30.0
# How often an execution's real-time work is checked against its TimeoutSeconds.
_TIMEOUT_CHECK_SECONDS = 0.25


class _ModuleView:
    """A module as one other module sees it: some names replaced, the rest the module's own."""

    def __init__(self, real: ModuleType, **replaced: Any) -> None:
        self._real = real
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def module(name: str) -> ModuleType:
    return importlib.import_module(name)


# --- Lambda runner ----------------------------------------------------------------------------


_INVOKE_LAMBDA = LambdaFunction._invoke_lambda


@contextmanager
def lambda_runner(invoke: Any) -> Iterator[None]:
    """Route every Lambda invocation to `invoke(function, event) -> (payload, errored, logs)`."""
    with mock.patch.object(LambdaFunction, "_invoke_lambda", lambda function, event=None: invoke(function, event)):
        yield


# --- JSONata ----------------------------------------------------------------------------------


def encode_variable_declarations(bindings: dict[str, Any]) -> str:
    """moto's `encode_jsonata_variable_declarations`, with every value written as JSON."""
    return "".join(f"{reference}:={jsonata_engine.literal(value)};" for reference, value in bindings.items())


def query_evaluation_error(env: Any, expression: str, failed: Exception) -> FailureEventException:
    """The failure AWS records when a JSONata expression fails: States.QueryEvaluationError, with an
    EvaluationFailed event (as moto records its own JSONata result checks)."""
    error_name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
    details = EvaluationFailedEventDetails(
        error=error_name.error_name,
        cause=f"The JSONata expression '{expression}' threw an error during evaluation. {failed}",
    )
    exception = FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.EvaluationFailed,
            # moto declares EventDetails total, and fills it with one key as here.
            event_details=EventDetails(evaluationFailedEventDetails=details),  # type: ignore[typeddict-item]
        )
    )
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.EvaluationFailed,
        event_details=EventDetails(  # type: ignore[typeddict-item]
            evaluationFailedEventDetails=exception.get_evaluation_failed_event_details()
        ),
    )
    return exception


_STRING_JSONATA_EVAL = StringJSONata._eval_body


def _string_jsonata_eval_body(self: Any, env: Any) -> None:
    try:
        _STRING_JSONATA_EVAL(self, env)
    except jsonata_engine.QueryEvaluationFailed as failed:
        raise query_evaluation_error(env, self.expression, failed) from None


@contextmanager
def jsonata() -> Iterator[None]:
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(module(JSONATA_MODULE), "_eval_jsonata", jsonata_engine.evaluate))
        for name in JSONATA_ENCODERS:
            stack.enter_context(
                mock.patch.object(module(name), "encode_jsonata_variable_declarations", encode_variable_declarations)
            )
        declarations = module(INTRINSICS_MODULE)._DECLARATION_BY_VARIABLE_REFERENCE
        kept = {name: text for name, text in declarations.items() if name not in STUBBED_FUNCTIONS}
        stack.enter_context(mock.patch.dict(declarations, kept, clear=True))
        stack.enter_context(mock.patch.object(StringJSONata, "_eval_body", _string_jsonata_eval_body))
        yield


# --- virtual time -----------------------------------------------------------------------------

_PROGRAM_EVAL = Program.eval
_WAIT_INTERVAL = WaitFunction._wait_interval


def _program_eval(self: Any, env: Any) -> None:
    """`Program.eval`: the execution's TimeoutSeconds on its virtual clock. A real-time `join`
    would let an execution whose Waits take no time outlive its timeout."""
    here = virtual_time.current()
    timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
    if here is None or timeout is None or env.is_frame():
        _PROGRAM_EVAL(self, env)
        return
    clock = here.clock
    clock.set_deadline(timeout, env.set_timed_out)
    env.next_state_name = self.start_at.start_at_name
    worker = virtual_time.InheritingThread(target=EvalComponent.eval, args=(self, env), daemon=True)
    TMP_THREADS.append(worker)
    worker.start()
    while worker.is_alive() and not clock.timed_out:
        assert clock.deadline is not None
        left = (clock.deadline - here.now()).total_seconds()
        if left <= 0:  # the execution's real-time work (a Lambda function, say) outlasted it
            clock.time_out()
            break
        worker.join(timeout=min(left, _TIMEOUT_CHECK_SECONDS))
    if clock.timed_out:
        worker.join(timeout=_TIMEOUT_GRACE_SECONDS)


def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
    """`WaitFunction._wait_interval`: the wait takes no real time."""
    if virtual_time.current() is None:
        _WAIT_INTERVAL(self, env, wait_seconds)
        return
    if wait_seconds > 0 and env.is_running():
        virtual_time.sleep(wait_seconds)


def _timestamp_wait_seconds(self: Any, env: Any) -> int:
    """`Timestamp._get_wait_seconds` against the execution's clock, in UTC (moto subtracted the
    local time from a UTC timestamp)."""
    self.string.eval(env=env)
    written: str = env.stack.pop()
    until = self._from_timestamp_string(timestamp=written)
    if until is None:
        raise FailureEventException(self._create_failure_event(env, written))
    return int((until.replace(tzinfo=UTC) - virtual_time.now()).total_seconds())


class _MapSlots:
    """A Map's workers as slots on the virtual clock: each item starts when the first slot is free
    (moto hands items to whichever worker asks first in real time, and a worker whose Wait took no
    real time would take them all)."""

    def __init__(self) -> None:
        self.free: list[float] = []
        """Slot -> the virtual offset from which it is free (infinite while a worker holds it)."""
        self.held: dict[int, tuple[virtual_time.ThreadTime, int, int]] = {}
        """Worker thread -> its place on the clock, the slot it holds, and the id of its item."""
        self.launched = threading.Event()
        self.lock = threading.Lock()


_map_slots: weakref.WeakKeyDictionary[Any, _MapSlots] = weakref.WeakKeyDictionary()
_LAUNCH_WORKER = InlineIterationComponent._launch_worker
_AWAIT_JOBS = JobPool.await_jobs
_NEXT_JOB = JobPool.next_job
_CLOSE_JOB = JobPool.close_job


def _launch_worker(self: Any, env: Any, eval_input: Any, job_pool: Any) -> Any:
    here = virtual_time.current()
    if here is not None:
        _map_slots.setdefault(job_pool, _MapSlots()).free.append(here.base)
    return _LAUNCH_WORKER(self, env, eval_input, job_pool)


def _await_jobs(self: Any) -> Any:
    slots = _map_slots.get(self)
    if slots is not None:
        slots.launched.set()
    return _AWAIT_JOBS(self)


def _release(slots: _MapSlots, here: virtual_time.ThreadTime, job: Any | None = None) -> None:
    """The calling worker's slot is free from where the worker stands (moto asks for a worker's next
    item before it closes the last one)."""
    held = slots.held.get(threading.get_ident())
    if held is not None and (job is None or held[2] == id(job)):
        slots.free[held[1]] = here.offset
        del slots.held[threading.get_ident()]


def _take_slot(slots: _MapSlots, here: virtual_time.ThreadTime, job: Any) -> None:
    """Start `job` in the slot free first. A worker still running an item may free its slot earlier
    than that on the clock: the item waits (in real time) until none can."""
    deadline = time.monotonic() + _SLOT_WAIT_SECONDS
    while True:
        with slots.lock:
            _release(slots, here)
            slot = min(range(len(slots.free)), key=slots.free.__getitem__)
            start = slots.free[slot]
            earlier = [other for other, _, _ in slots.held.values() if other.offset < start]
            if not earlier or time.monotonic() > deadline:
                here.offset = here.base = start
                slots.free[slot] = float("inf")
                slots.held[threading.get_ident()] = (here, slot, id(job))
                return
        time.sleep(0.001)


def _next_job(self: Any) -> Any:
    job = _NEXT_JOB(self)
    here, slots = virtual_time.current(), _map_slots.get(self)
    if job is not None and here is not None and slots is not None:
        slots.launched.wait(timeout=_TIMEOUT_GRACE_SECONDS)
        _take_slot(slots, here, job)
    return job


def _close_job(self: Any, job: Any) -> Any:
    here, slots = virtual_time.current(), _map_slots.get(self)
    if here is not None and slots is not None:
        with slots.lock:
            _release(slots, here, job)
    return _CLOSE_JOB(self, job)


def _thread_class(fan_out: bool) -> type[threading.Thread]:
    return virtual_time.FanOutThread if fan_out else virtual_time.InheritingThread


@contextmanager
def virtual_clock() -> Iterator[None]:
    with ExitStack() as stack:
        for name, (attribute, fan_out) in THREAD_STARTERS.items():
            thread = _thread_class(fan_out)
            replacement = _ModuleView(threading, Thread=thread) if attribute == "threading" else thread
            stack.enter_context(mock.patch.object(module(name), attribute, replacement))
        for name in CLOCK_READERS:
            real = module(name).datetime
            stack.enter_context(
                mock.patch.object(module(name), "datetime", _ModuleView(real, datetime=virtual_time.VirtualDatetime))
            )
        retrier = module(RETRIER_MODULE)
        stack.enter_context(mock.patch.object(retrier, "time", _ModuleView(retrier.time, sleep=virtual_time.sleep)))
        stack.enter_context(mock.patch.object(EventManager, "_get_current_timestamp", staticmethod(virtual_time.now)))
        stack.enter_context(mock.patch.object(WaitFunction, "_wait_interval", _wait_interval))
        stack.enter_context(mock.patch.object(Timestamp, "_get_wait_seconds", _timestamp_wait_seconds))
        stack.enter_context(mock.patch.object(Program, "eval", _program_eval))
        stack.enter_context(mock.patch.object(InlineIterationComponent, "_launch_worker", _launch_worker))
        stack.enter_context(mock.patch.object(JobPool, "await_jobs", _await_jobs))
        stack.enter_context(mock.patch.object(JobPool, "next_job", _next_job))
        stack.enter_context(mock.patch.object(JobPool, "close_job", _close_job))
        yield


# --- the Distributed Map -----------------------------------------------------------------------


def definition_for_moto(definition: str) -> str:
    """`definition` as moto's engine parses it: a Distributed Map's Express children as Standard ones."""
    document = json.loads(definition)
    express = [machine for machine in model.read(document).machines() if machine.execution_type == "EXPRESS"]
    for machine in express:
        # The model's fields are the document's own objects: the document changes with them.
        cast(dict[str, Any], machine.fields["ProcessorConfig"])["ExecutionType"] = "STANDARD"
    return json.dumps(document, separators=(",", ":")) if express else definition


NO_CHILD_EXECUTIONS = "moto runs a Map Run's items inside its execution, not as child executions: it lists none"
_LIST_EXECUTIONS = StepFunctionResponse.list_executions


def _list_executions(self: Any) -> Any:
    if self._get_param("mapRunArn"):
        raise ValidationException(NO_CHILD_EXECUTIONS)
    return _LIST_EXECUTIONS(self)


@contextmanager
def distributed_map() -> Iterator[None]:
    with mock.patch.object(StepFunctionResponse, "list_executions", _list_executions):
        yield


# --- AWS SDK integrations ---------------------------------------------------------------------


def _sdk_operation(task: Any) -> Any | None:
    """botocore's model of the operation an AWS SDK task calls, or None."""
    found = sdk_models.service(task.resource.api_name)
    return sdk_models.operation(found, task.resource.api_action) if found else None


def _sdk_service_name(self: Any, boto_service_name: str | None = None) -> str:
    found = sdk_models.service(boto_service_name or self.resource.api_name)
    return found.botocore if found else str(boto_service_name or self.resource.api_name)


def _as_botocore_names(task: Any, operation: Any | None, parameters: dict[str, Any]) -> None:
    """`parameters` named and typed as botocore's model of `operation` says, in place, by the engine's
    own helper (which it leaves unused)."""
    if operation is not None and operation.input_shape is not None:
        task._to_boto_request(parameters, operation.input_shape)


def _as_step_functions_names(task: Any, operation: Any | None, response: Any) -> None:
    """botocore's `response` to `operation` named as Step Functions names it, in place, by the engine's
    own helper (which it leaves unused), and what JSON cannot hold made text."""
    if operation is not None and operation.output_shape is not None:
        task._from_boto_response(response, operation.output_shape)
    _as_json(response)


def _sdk_parameters(self: Any, parameters: dict[str, Any], *_: Any, **__: Any) -> None:
    _as_botocore_names(self, _sdk_operation(self), parameters)


def _sdk_response(self: Any, response: Any, *_: Any, **__: Any) -> None:
    _as_step_functions_names(self, _sdk_operation(self), response)


def _as_json(value: Any) -> Any:
    """`value` with what JSON cannot hold as text, changed in place where it is a container."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _as_json(item)
    elif isinstance(value, list):
        value[:] = [_as_json(item) for item in value]
    elif isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    elif isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    elif hasattr(value, "read"):  # a botocore StreamingBody
        return _as_json(value.read())
    return value


@contextmanager
def aws_sdk() -> Iterator[None]:
    with ExitStack() as stack:
        for name, replacement in (("_get_boto_service_name", _sdk_service_name),
                                  ("_normalise_parameters", _sdk_parameters),
                                  ("_normalise_response", _sdk_response)):  # fmt: skip
            stack.enter_context(mock.patch.object(StateTaskServiceAwsSdk, name, replacement))
        yield


# --- starting another workflow --------------------------------------------------------------

_sfn_normalise_parameters = StateTaskServiceSfn._normalise_parameters


def _sfn_operation(task: Any, service_action_name: str | None) -> Any | None:
    """botocore's model of the Step Functions operation `task` calls: its own (`startExecution`), or
    the one named in snake case by the engine's `.sync` follow-up (`describe_execution`)."""
    found = sdk_models.service("sfn")
    action = snake_to_camel_case(task._get_boto_service_action(service_action_name))
    return sdk_models.operation(found, action) if found else None


def _sfn_parameters(self: Any, parameters: dict[str, Any], boto_service_name: str | None = None,
                    service_action_name: str | None = None) -> None:  # fmt: skip
    _sfn_normalise_parameters(self, parameters, boto_service_name, service_action_name)  # Input as JSON text
    _as_botocore_names(self, _sfn_operation(self, service_action_name), parameters)


def _sfn_response(self: Any, response: Any, boto_service_name: str | None = None,
                  service_action_name: str | None = None) -> None:  # fmt: skip
    del boto_service_name
    _as_step_functions_names(self, _sfn_operation(self, service_action_name), response)


_parser_start_execution = StepFunctionsParserBackend.start_execution


def _start_named_execution(self: Any, state_machine_arn: str, name: str | None = None, *rest: Any, **more: Any) -> Any:
    return _parser_start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *rest, **more)


@contextmanager
def start_execution() -> Iterator[None]:
    with (
        mock.patch.object(StateTaskServiceSfn, "_normalise_parameters", _sfn_parameters),
        mock.patch.object(StateTaskServiceSfn, "_normalise_response", _sfn_response),
        mock.patch.object(StepFunctionsParserBackend, "start_execution", _start_named_execution),
    ):
        yield


# --- mocked responses, and each execution's clock ---------------------------------------------

_expected: dict[tuple[str, str | None], MockTestCase] = {}
"""(state machine ARN, execution name, or None for any of its executions) -> the test case."""
_expected_lock = threading.Lock()


def moto_test_case(case: TestCase) -> MockTestCase:
    """A test case as moto's engine takes it."""

    def response(attempts: Any) -> MockedResponse:
        if attempts.throws:
            return MockedResponseThrow(attempts.first, attempts.last, attempts.error, attempts.cause)
        return MockedResponseReturn(attempts.first, attempts.last, attempts.result)

    return MockTestCase(
        state_machine_name=case.workflow,
        test_case_name=case.name,
        state_mocked_responses_list=[
            StateMockedResponses(state, case.responses[state], [response(a) for a in attempts])
            for state, attempts in case.states.items()
        ],
    )


def expect_test_case(state_machine_arn: str, execution_name: str, case: TestCase) -> None:
    """Run the execution that will start as `execution_name` of `state_machine_arn` with `case`'s
    mocked responses."""
    with _expected_lock:
        _expected[(state_machine_arn, execution_name)] = moto_test_case(case)


@contextmanager
def mocking(state_machine_arn: str, case: TestCase) -> Iterator[None]:
    """Run every execution of `state_machine_arn` that starts meanwhile (a scheduler tick's, a
    smoke test's) with `case`'s mocked responses."""
    with _expected_lock:
        _expected[(state_machine_arn, None)] = moto_test_case(case)
    try:
        yield
    finally:
        with _expected_lock:
            _expected.pop((state_machine_arn, None), None)


_START_WORKER = Execution._get_start_execution_worker


def _start_execution_worker(execution: Any) -> Any:
    """`Execution._get_start_execution_worker`: the worker gets the execution's test case, if one
    was registered, and runs the execution on a virtual clock of its own."""
    worker = _START_WORKER(execution)
    with _expected_lock:
        case = _expected.pop((execution.state_machine_arn, execution.name), None) or _expected.get(
            (execution.state_machine_arn, None)
        )
    if case is not None:
        worker._mock_test_case = case  # type: ignore[misc] # moto's worker takes it at construction only
    clock = virtual_time.ExecutionClock(execution.start_date)
    run: Any = worker._execution_logic

    def run_on_clock() -> None:
        with virtual_time.bound(virtual_time.ThreadTime(clock)):
            run()

    worker._execution_logic = run_on_clock  # type: ignore[method-assign]
    return worker


@contextmanager
def execution_start() -> Iterator[None]:
    with mock.patch.object(Execution, "_get_start_execution_worker", _start_execution_worker):
        yield


@contextmanager
def patched(invoke: Any) -> Iterator[None]:
    """Every patch, for as long as the rehearsal's moto runs."""
    with (
        lambda_runner(invoke),
        jsonata(),
        virtual_clock(),
        execution_start(),
        distributed_map(),
        aws_sdk(),
        start_execution(),
    ):
        yield
