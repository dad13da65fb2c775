"""The cost estimate, held to arithmetic done by hand."""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ops import render
from ops.__main__ import main as ops_main
from serverless_workflows.asl.asl_checks import asl_problems
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from settings import StackSettings
from stack_files import stack_config
from tests.support import (
    NIGHTLY_REPORT,
    SUITE_CATALOGUE,
    TUTORIALS,
    Deploy,
    corpus_definitions,
    definition_of,
    mutate,
    random_json,
)
from workflows import cost
from workflows.catalogue import CALL_CENTER, SCHEDULED
from workflows.spec import FunctionSpec, WorkflowSpec


def scheduled_workflow() -> WorkflowDefinition:
    return SCHEDULED.load_definition()


def call_center() -> WorkflowDefinition:
    return CALL_CENTER.load_definition()


def dev(**overrides: str) -> StackSettings:
    config = stack_config("dev")
    config.update({f"serverless-workflows:{key}": value for key, value in overrides.items()})
    return StackSettings.from_config(config, "dev", TUTORIALS)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", 43_200),  # 30 days x 24 h x 60 min
        ("rate(5 minutes)", 8_640),
        ("rate(2 hours)", 360),
        ("rate(1 day)", 30),
        ("cron(0/15 * * * ? *)", 2_880),  # 4 an hour x 24 x 30
        ("cron(0 9 ? * MON-FRI *)", 5 * 30 / 7),  # once on each of ~21.4 weekdays
        ("cron(30 8,17 1 * ? *)", 2 * 30 / 31),  # twice on the 1st, month normalised to 30 days
        ("cron(0 0 ? JAN-MAR MON *)", 30 / 7 * 3 / 12),  # Mondays in a quarter of the year
        ("at(2030-01-31T09:00:00)", 1),
    ],
)
def test_executions_per_month(expression: str, expected: float) -> None:
    assert cost.executions_per_month(expression) == pytest.approx(expected)


def test_a_disabled_schedule_runs_nothing() -> None:
    assert cost.executions_per_month("rate(1 minute)", enabled=False) == 0


def test_paths_through_the_call_center() -> None:
    assert cost.paths(call_center()) == {
        "Close Case": ["Open Case", "Assign Case", "Work on Case", "Is Case Resolved", "Close Case"],
        "Fail": ["Open Case", "Assign Case", "Work on Case", "Is Case Resolved", "Escalate Case", "Fail"],
    }


def test_the_tutorial_schedule_costs_about_two_dollars_standard_and_five_cents_express() -> None:
    scheduled = cost.estimate("scheduled", scheduled_workflow(), 43_200, scheduled=True)
    assert scheduled.transitions_per_execution == {"World": 2}
    # (43,200 x 2 - 4,000 free) x $0.000025 = 82,400 x $0.000025
    assert scheduled.standard_usd == pytest.approx(2.06)
    # 43,200 x ($0.000001 + 0.1 s x 0.0625 GB x $0.00001667)
    assert scheduled.express_usd == pytest.approx(0.0477, abs=1e-4)
    assert scheduled.lambda_usd == 0
    assert scheduled.scheduler_usd == 0  # within the 14M free invocations


def test_call_center_counts_both_paths_and_its_lambda_calls() -> None:
    center = cost.estimate(
        "call-center", call_center(), 1_000, scheduled=False, functions=CALL_CENTER.function_placeholders
    )
    assert center.transitions_per_execution == {"Close Case": 5, "Fail": 6}
    assert center.lambda_requests_per_execution == {"Close Case": 4, "Fail": 4}
    # 6,000 transitions - 4,000 free = 2,000 x $0.000025
    assert center.standard_usd == pytest.approx(0.05)


def test_lambda_is_charged_past_the_free_tier_by_architecture() -> None:
    no_free = replace(cost.Prices(), lambda_free_requests=0, lambda_free_gb_seconds=0)
    functions = CALL_CENTER.function_placeholders
    arm = cost.estimate("cc", call_center(), 1_000_000, scheduled=False, prices=no_free, functions=functions)
    x86 = cost.estimate(
        "cc", call_center(), 1_000_000, scheduled=False, prices=no_free, functions=functions,
        assumptions=cost.Assumptions(lambda_architecture="x86_64"),
    )  # fmt: skip
    # 4M requests x $0.0000002 = $0.80; 4M x 0.1 s x 0.125 GB = 50,000 GB-s
    assert arm.lambda_usd == pytest.approx(0.80 + 50_000 * 0.0000133334, abs=1e-3)
    assert x86.lambda_usd == pytest.approx(0.80 + 50_000 * 0.0000166667, abs=1e-3)


def test_scheduler_is_charged_past_its_free_tier() -> None:
    busy = cost.estimate("s", scheduled_workflow(), 15_000_000, scheduled=True)
    assert busy.scheduler_usd == pytest.approx(1.0)  # 1M over 14M free x $1 per million


def test_prices_can_be_overridden() -> None:
    doubled = replace(cost.Prices(), standard_per_transition=0.00005)
    assert cost.estimate("s", scheduled_workflow(), 43_200, scheduled=True, prices=doubled).standard_usd == (
        pytest.approx(4.12)
    )


# The tutorials' monitoring a month: 22 alarms, 10 of them free, at $0.10; one dashboard of 22
# metrics, within the free tier of 3 dashboards of up to 50 metrics.
MONITORING = (22 - 10) * 0.10


def test_the_alarms_and_dashboard_pages_are_priced_past_the_free_tiers() -> None:
    tutorials = cost.stack_estimate(TUTORIALS, dev())["monitoring"]
    assert tutorials == {"alarms": 22, "dashboards": 1, "alarms_usd": pytest.approx(MONITORING), "dashboards_usd": 0}
    assert cost.stack_estimate(TUTORIALS, dev(alarmsEnabled="false"))["monitoring"]["alarms"] == 0
    assert cost.stack_estimate(TUTORIALS, dev(dashboardEnabled="false"))["monitoring"]["dashboards"] == 0
    # 45 workflows of 5 functions: 45 x (4 + 2 x 5) alarms; two pages, each past 50 metrics.
    many = tuple(
        WorkflowSpec(name=f"flow-{number}", title="Flow", definition="unread.asl.json",
                     functions=tuple(FunctionSpec(f"flow-{number}-{step}", "handlers.x.y", f"F{step}")
                                     for step in range(5)))
        for number in range(45)
    )  # fmt: skip
    priced = cost.monitoring_cost(many, dev(), cost.Prices())
    assert (priced.alarms, priced.dashboards) == (630, 2)
    assert priced.alarms_usd == pytest.approx(62.0)
    assert priced.dashboards_usd == pytest.approx(6.0)
    assert priced.usd == pytest.approx(68.0)


def test_stack_estimate_shares_the_free_tier_between_workflows() -> None:
    estimate = cost.stack_estimate(TUTORIALS, dev())
    center = estimate["workflows"]["call-center"]
    # The schedule used all 4,000 free transitions: 1,000 x 6 x $0.000025.
    assert center["standard_usd"] == pytest.approx(0.15)
    assert estimate["total_standard_usd"] == pytest.approx(2.06 + 0.15 + MONITORING)
    disabled = cost.stack_estimate(TUTORIALS, dev(scheduleEnabled="false"))
    assert disabled["workflows"]["scheduled"]["standard_usd"] == 0


def test_every_catalogue_workflow_is_priced_without_editing_the_estimate() -> None:
    estimate = cost.stack_estimate(
        SUITE_CATALOGUE, StackSettings.from_config(stack_config("dev"), "dev", SUITE_CATALOGUE)
    )
    nightly = estimate["workflows"][NIGHTLY_REPORT.name]
    # cron(0 2 * * ? *): once a day.
    assert nightly["executions_per_month"] == pytest.approx(30)
    assert list(estimate["workflows"]) == [spec.name for spec in SUITE_CATALOGUE]


def test_the_estimate_is_a_stack_output(deploy: Deploy) -> None:
    dev = deploy(stack="dev").outputs["monthlyCostEstimate"]
    assert dev["workflows"]["scheduled"]["executions_per_month"] == 43_200
    assert dev["workflows"]["scheduled"]["standard_usd"] == pytest.approx(2.06)
    config = stack_config("dev")
    config["serverless-workflows:scheduleEnabled"] = "false"
    assert deploy(config=config).outputs["monthlyCostEstimate"]["workflows"]["scheduled"]["standard_usd"] == 0


@pytest.fixture
def tutorials_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ops cost` prices the tutorials alone, whatever else a team's catalogue holds."""
    import ops.__main__ as ops_cli

    monkeypatch.setattr(ops_cli, "CATALOGUE", TUTORIALS)


@pytest.mark.usefixtures("tutorials_only")
def test_ops_cost_prints_the_estimate_and_takes_price_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_main(["--stack", "dev", "cost"]) == 0
    printed = capsys.readouterr().out
    assert "scheduled         43,200            2      2.06     0.05" in printed
    assert "Total as deployed (Standard): $3.41" in printed  # $2.21 and the alarms' $1.20
    assert "  CloudWatch: 22 alarms $1.20, 1 dashboard page $0.00 (in every total below)" in printed
    assert ops_main(["--stack", "dev", "cost", "--price", "standard_per_transition=0.00005"]) == 0
    assert "Total as deployed (Standard): $5.62" in capsys.readouterr().out
    assert ops_main(["--stack", "dev", "cost", "--price", "nonsense=1"]) == 2
    assert "--price nonsense: unknown price" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--executions", "call-center=-5"], "--executions call-center: '-5' must be a number of at least 0"),
        (["--executions", "call-center=many"], "--executions call-center: 'many' is not a number"),
        (["--executions", "nightly=5"], "--executions nightly: unknown workflow; workflows: scheduled, call-center"),
        (["--executions", "call-center"], "--executions call-center: write NAME=VALUE"),
        (["--price", "standard_per_transition=nan"], "must be a number of at least 0"),
    ],
)
def test_ops_cost_refuses_nonsense_numbers(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_main(["--stack", "dev", "cost", *argv]) == 2
    assert message in capsys.readouterr().err


def test_ops_cost_reads_config_values_exactly_as_the_program_does(
    deploy: Deploy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import stack_files

    # "TRUE" once deployed an enabled schedule that ops priced at $0; both now read it the same way.
    config = stack_config("dev")
    config["serverless-workflows:scheduleEnabled"] = "TRUE"
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: config)
    program = deploy(config=config)
    assert program.named("scheduled-schedule").inputs["state"] == "ENABLED"
    assert ops_main(["--stack", "dev", "cost", "--executions", "call-center=1000"]) == 0
    printed = capsys.readouterr().out
    expected = program.outputs["monthlyCostEstimate"]["workflows"]["scheduled"]["standard_usd"]
    assert expected == pytest.approx(2.06)
    # The row of `scheduled`, by its columns: their widths follow the longest workflow name.
    (row,) = [line.split() for line in printed.splitlines() if line.split()[:1] == ["scheduled"]]
    assert row[:4] == ["scheduled", "43,200", "2", f"{expected:.2f}"]


def test_ops_cost_explains_a_bad_schedule_expression(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import stack_files

    config = stack_config("dev")
    config["serverless-workflows:scheduleExpression"] = "rate(1 minutes)"
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: config)
    assert ops_main(["--stack", "dev", "cost"]) == 2
    printed = capsys.readouterr().err
    assert (
        "scheduleExpression = 'rate(1 minutes)' is not valid: 'rate(1 minutes)': AWS requires rate(1 minute)" in printed
    )
    assert "Traceback" not in printed


# --- any definition: nesting, Map items, loops, types ------------------------------------

VALID = sorted((Path(__file__).resolve().parent / "fixtures" / "asl" / "valid").glob("*.asl.json"))
NO_FREE_TIER = replace(
    cost.Prices(),
    standard_free_transitions=0,
    lambda_free_requests=0,
    lambda_free_gb_seconds=0,
    scheduler_free_invocations=0,
)


def corpus(name: str) -> WorkflowDefinition:
    return WorkflowDefinition.load(VALID[0].parent / f"{name}.asl.json")


def test_the_nightly_report_worked_example_by_hand() -> None:
    nightly = NIGHTLY_REPORT.load_definition()
    functions = NIGHTLY_REPORT.function_placeholders
    priced = cost.estimate("nightly", nightly, 100_000, scheduled=True, functions=functions)
    # Gather (Parallel)                                      1
    #   branch 1: Build report 1 + Summarise regions (Map) 1 + 10 items x Summarise 1 = 12
    #   branch 2: Let the ledger settle 1 + Stamp 1         = 2
    # Announce                                               1
    #                                                       16
    assert priced.transitions_per_execution == {"Announce": 16}
    assert priced.lambda_requests_per_execution == {"Announce": 1}  # Build report, inside branch 1
    # 100,000 x 16 = 1,600,000 - 4,000 free = 1,596,000 x $0.000025
    assert priced.standard_usd == pytest.approx(39.90)
    # Express wall clock, 50 ms a state plus its own time, branches side by side:
    #   branch 1: Build report 50 + 100 (Lambda) + Map 50 + 1 wave of 10 items (40 at once) x 50 = 250
    #   branch 2: Wait 50 + 1,000 (Seconds: 1) + Stamp 50                                       = 1,100
    #   Gather 50 + the slower branch 1,100 + Announce 50 + 100 (SNS task)                      = 1,300 ms
    assert priced.express_billed_ms == 1300
    # 50 MB + 2.4 KB of definition + 32 KB x 12 (2 branches + 10 items) = 50.4 MB: one 64 MB step
    assert priced.express_billed_memory_mb == 64
    # 100,000 x ($0.000001 + 1.3 s x 0.0625 GB x $0.00001667) = 100,000 x $0.0000023544
    assert priced.express_usd == pytest.approx(0.2354, abs=1e-4)
    # 100,000 requests and 100,000 x 0.1 s x 0.125 GB = 1,250 GB-s: within Lambda's free tier
    assert priced.lambda_usd == 0
    assert priced.notes == ["each Map assumed to process 10 items"]


def test_nested_maps_multiply_and_parallel_branches_all_count() -> None:
    # Outer (Parallel) 1 + [Per item (Map) 1 + items x (Inner (Parallel) 1 + Deep A 1 + Deep B 1)] + [Side 1]
    nested = corpus("parallel_map_parallel")
    assert cost.estimate("p", nested, 1, scheduled=False).transitions_per_execution == {"Outer": 1 + 1 + 10 * 3 + 1}
    four = cost.estimate("p", nested, 1, scheduled=False, map_items=4)
    assert four.transitions_per_execution == {"Outer": 1 + 1 + 4 * 3 + 1}
    # A Distributed Map of STANDARD children, each running an inline Map:
    # Outer map 1 + items x (1 to start the child + Inner map 1 + items x Part 1)
    manifest = corpus("map_distributed_manifest_nested")
    priced = cost.estimate("m", manifest, 1, scheduled=False, map_items=3)
    assert priced.transitions_per_execution == {"Outer map": 1 + 3 * (1 + 1 + 3 * 1)}
    assert priced.express_possible is False
    assert "Express would refuse this definition; its Express price is hypothetical" in priced.notes


def test_a_literal_items_list_is_counted_instead_of_the_assumption() -> None:
    # Items [1, 2, 3]: Each 1 + 3 children x (1 to start + Echo 1), whatever map_items says
    literal = corpus("jsonata_map_literal_items_distributed")
    assert cost.estimate("l", literal, 1, scheduled=False, map_items=50).transitions_per_execution == {"Each": 7}


def test_express_children_of_a_distributed_map_are_billed_as_express_executions() -> None:
    # 120 items, ItemBatcher MaxItemsPerBatch 50: ceil(120 / 50) = 3 EXPRESS child executions.
    csv = corpus("map_distributed_s3_csv")
    priced = cost.estimate("csv", csv, 10_000, scheduled=False, map_items=120, prices=NO_FREE_TIER)
    # Read CSV 1 + 1 per child started; the children's own states are not transitions.
    assert priced.transitions_per_execution == {"Read CSV": 4}
    assert priced.lambda_requests_per_execution == {"Read CSV": 3}  # Handle rows, once per child
    # Each child: Handle rows 50 + 100 (Lambda) = 150 ms, billed 200 ms x 64 MB:
    #   $0.000001 + 0.2 s x 0.0625 GB x $0.00001667 = $0.0000012084
    # 10,000 runs x (4 x $0.000025 + 3 x $0.0000012084) = $1.00 + $0.03625
    assert priced.standard_usd == pytest.approx(1.03625, abs=1e-4)


def test_every_choice_rule_and_the_default_are_walked() -> None:
    document = {
        "StartAt": "Which",
        "States": {
            "Which": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.quick", "BooleanEquals": True, "Next": "Quick"}],
                "Default": "Slow 1",
            },
            "Quick": {"Type": "Succeed"},
            "Slow 1": {"Type": "Pass", "Next": "Slow 2"},
            "Slow 2": {"Type": "Pass", "Next": "Slow end"},
            "Slow end": {"Type": "Succeed"},
        },
    }
    priced = cost.estimate("c", definition_of(document), 1, scheduled=False)
    assert priced.transitions_per_execution == {"Quick": 2, "Slow end": 4}
    assert priced.notes == ["priced on the longest path (4 transitions)"]


def test_a_loop_is_counted_round_a_stated_number_of_times() -> None:
    polling = corpus("choice_loop_with_wait")
    # Poll, Done?, Wait a bit form the loop: 3 states x 3 rounds + Finished 1
    priced = cost.estimate("poll", polling, 1_000, scheduled=False)
    assert priced.transitions_per_execution == {"Finished": 3 * 3 + 1}
    assert priced.notes == ["each loop counted 3 times round"]
    five = cost.estimate("poll", polling, 1_000, scheduled=False, assumptions=cost.Assumptions(loop_iterations=5))
    assert five.transitions_per_execution == {"Finished": 3 * 5 + 1}
    # Express: a round is Poll 50 + 100 (SDK task) + Done? 50 + Wait 50 + 5,000 = 5,250 ms;
    # 3 rounds + Finished 50 = 15,800 ms. 1,000 x ($0.000001 + 15.8 s x 0.0625 GB x $0.00001667)
    assert priced.express_billed_ms == 15_800
    assert priced.express_usd == pytest.approx(1_000 * (0.000001 + 15.8 * 0.0625 * 0.00001667), abs=1e-4)


def test_many_choices_in_a_row_are_priced_without_walking_every_path() -> None:
    # 2^60 paths: enumerating them would never end. Longest: 60 x (choice + Pass) + Done.
    states: dict[str, Any] = {"Done": {"Type": "Succeed"}}
    for i in reversed(range(60)):
        after = f"Choice {i + 1}" if i < 59 else "Done"
        states[f"Choice {i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": i, "Next": f"Pass {i}"}],
            "Default": after,
        }
        states[f"Pass {i}"] = {"Type": "Pass", "Next": after}
    document = {"StartAt": "Choice 0", "States": states}
    assert asl_problems(document) == []
    assert cost.estimate("many", definition_of(document), 1, scheduled=False).transitions_per_execution == {
        "Done": 60 * 2 + 1
    }


def test_retries_are_counted_when_assumed() -> None:
    functions = CALL_CENTER.function_placeholders
    priced = cost.estimate(
        "cc", call_center(), 1, scheduled=False, functions=functions, assumptions=cost.Assumptions(retries_per_state=1)
    )
    # Every Lambda task has a Retry, so runs twice; the Choice and the Fail once:
    # Close: 4 tasks x 2 + Is Case Resolved 1; Fail: 4 x 2 + 1 + Fail 1
    assert priced.transitions_per_execution == {"Close Case": 9, "Fail": 10}
    assert priced.lambda_requests_per_execution == {"Close Case": 8, "Fail": 8}


def test_lambda_is_priced_at_each_functions_own_memory_and_architecture() -> None:
    big = FunctionSpec(name="big", handler="h.big", placeholder="BigArn", memory_mb=1024, architecture="x86_64")
    document = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Crunch",
                    "States": {"Crunch": {"Type": "Task", "Resource": "${BigArn}", "End": True}},
                },
                "End": True,
            }
        },
    }
    priced = cost.estimate("big", definition_of(document), 1_000, scheduled=False, functions={"BigArn": big},
                           prices=NO_FREE_TIER)  # fmt: skip
    # 1,000 runs x 10 items = 10,000 requests x $0.0000002 = $0.002
    # 10,000 x 0.1 s x 1 GB = 1,000 GB-s x $0.0000166667 (x86_64) = $0.0166667
    assert priced.lambda_requests_per_execution == {"Fan": 10}
    assert priced.lambda_usd == pytest.approx(0.002 + 0.0166667, abs=1e-4)
    overridden = cost.estimate("big", definition_of(document), 1_000, scheduled=False, functions={"BigArn": big},
                               prices=NO_FREE_TIER, assumptions=cost.Assumptions(lambda_memory_mb=128,
                               lambda_architecture="arm64"))  # fmt: skip
    # 10,000 x 0.1 s x 0.125 GB = 125 GB-s x $0.0000133334 (arm64)
    assert overridden.lambda_usd == pytest.approx(0.002 + 125 * 0.0000133334, abs=1e-4)


def test_an_aws_sdk_lambda_invoke_is_a_lambda_request() -> None:
    scorer = FunctionSpec(name="scorer", handler="h.score", placeholder="ScorerArn", memory_mb=512)
    sdk_invoke = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:invoke", "TimeoutSeconds": 30}
    document = {
        "StartAt": "Score",
        "States": {
            "Score": {**sdk_invoke, "Parameters": {"FunctionName": "${ScorerArn}", "Payload.$": "$"}, "Next": "Audit"},
            "Audit": {**sdk_invoke, "Parameters": {"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:a"},
                      "Next": "Notify"},
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                       "Parameters": {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:t", "Message": "done"},
                       "End": True},
        },
    }  # fmt: skip
    priced = cost.estimate("sdk", definition_of(document), 100_000, scheduled=False, functions={"ScorerArn": scorer},
                           prices=NO_FREE_TIER)  # fmt: skip
    # Score and Audit call Lambda; Notify (SNS) does not: 2 requests a run.
    assert priced.lambda_requests_per_execution == {"Notify": 2}
    # 200,000 requests x $0.0000002 = $0.04
    # Score: 100,000 x 0.1 s x 0.5 GB (its function) = 5,000 GB-s; Audit, a literal ARN: 100,000 x 0.1 s
    # x 0.125 GB = 1,250 GB-s; both arm64: 6,250 GB-s x $0.0000133334 = $0.0833
    assert priced.lambda_usd == pytest.approx(0.04 + 0.0833, abs=1e-4)


def test_express_bills_duration_in_100_ms_steps_and_memory_in_64_mb_steps() -> None:
    document = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    priced = cost.estimate("fan", definition_of(document), 1_000, scheduled=False, map_items=1_000)
    # Fan 50 + ceil(1,000 items / 40 at once) = 25 waves x Echo 50 = 1,300 ms
    assert priced.express_billed_ms == 1_300
    # 50 MB + 32 KB x 1,000 iterations = 81.3 MB: two 64 MB steps
    assert priced.express_billed_memory_mb == 128
    # 1,000 x ($0.000001 + 1.3 s x 0.125 GB x $0.00001667) = 1,000 x $0.0000037089
    assert priced.express_usd == pytest.approx(0.0037, abs=1e-4)
    slow = cost.estimate("fan", definition_of(document), 1_000, scheduled=False, map_items=1_000,
                         assumptions=cost.Assumptions(express_duration_ms_per_state=51))  # fmt: skip
    # 51 + 25 x 51 = 1,326 ms, billed as 1,400
    assert slow.express_billed_ms == 1_400


def test_each_workflow_is_priced_by_its_deployed_type() -> None:
    estimate = cost.stack_estimate(TUTORIALS, dev(workflows='{"scheduled": {"type": "EXPRESS"}}'))
    scheduled, center = estimate["workflows"]["scheduled"], estimate["workflows"]["call-center"]
    assert (scheduled["type"], center["type"]) == ("EXPRESS", "STANDARD")
    # scheduled as Express: 43,200 x ($0.000001 + 0.1 s x 0.0625 GB x $0.00001667)
    assert scheduled["deployed_usd"] == pytest.approx(0.0477, abs=1e-4)
    # An Express workflow uses none of the 4,000 free transitions, so the call center has them:
    # (1,000 x 6 - 4,000) x $0.000025
    assert center["deployed_usd"] == pytest.approx(0.05)
    assert estimate["total_as_deployed_usd"] == pytest.approx(0.0477 + 0.05 + MONITORING, abs=1e-4)
    # The alternatives: all Standard as before; all Express adds the call center's
    # 1,000 x ($0.000001 + 0.7 s x 0.0625 GB x $0.00001667) = $0.0017
    assert estimate["total_standard_usd"] == pytest.approx(2.21 + MONITORING)
    assert estimate["total_express_usd"] == pytest.approx(0.0477 + 0.0017 + MONITORING, abs=1e-4)
    printed = render.cost("dev", estimate)
    assert "  Total as deployed (1 Standard, 1 Express): $1.30" in printed
    assert "  Total if all were Standard:                $3.41" in printed
    assert "  scheduled         43,200            2      2.06     0.05    0.00  Express      0.05" in printed
    express = cost.stack_estimate(TUTORIALS, dev(workflows='{"scheduled": {"type": "EXPRESS"}, "call-center": '
                                                 '{"type": "EXPRESS"}}'))  # fmt: skip
    # $0.0477 + $0.0017, and no transitions at all
    assert express["total_as_deployed_usd"] == pytest.approx(0.0494 + MONITORING, abs=1e-4)
    printed = render.cost("dev", express)
    assert "  Total as deployed (Express): $1.25\n  Total if all were Standard:  $3.41" in printed


def test_a_one_time_schedule_is_a_one_time_cost() -> None:
    prices = replace(cost.Prices(), standard_per_transition=0.01)
    estimate = cost.stack_estimate(TUTORIALS, dev(scheduleExpression="at(2030-01-31T09:00:00)"), prices=prices)
    scheduled = estimate["workflows"]["scheduled"]
    assert scheduled["executions_per_month"] == 0
    assert scheduled["one_time_executions"] == 1
    # Once, at list prices: 2 transitions x $0.01 + 1 scheduler invocation x $0.000001
    assert scheduled["one_time_usd"] == pytest.approx(0.02)
    assert estimate["one_time_usd"] == pytest.approx(0.02)
    # The month is the call center's alone, with all 4,000 free transitions: (6,000 - 4,000) x $0.01
    assert estimate["total_as_deployed_usd"] == pytest.approx(20.0 + MONITORING)
    printed = render.cost("dev", estimate)
    assert "  scheduled           once            2" in printed
    assert "    scheduled: $0.02 once" in printed
    disabled = cost.stack_estimate(
        TUTORIALS, dev(scheduleExpression="at(2030-01-31T09:00:00)", scheduleEnabled="false")
    )
    assert disabled["workflows"]["scheduled"]["one_time_executions"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"map_items": -1}, "map_items of workflow 'cc' must be a number of at least 0, not -1"),
        ({"map_items": float("nan")}, "map_items of workflow 'cc' must be a number of at least 0, not nan"),
        ({"map_items": "ten"}, "map_items of workflow 'cc' must be a number, not 'ten'"),
        ({"map_items": True}, "map_items of workflow 'cc' must be a number, not True"),
        ({"executions": float("inf")}, "executions of workflow 'cc' must be a number of at least 0, not inf"),
        ({"lambda_duration_ms": -100}, "assumption lambda_duration_ms must be a number of at least 0, not -100"),
        ({"express_duration_ms_per_state": float("nan")}, "assumption express_duration_ms_per_state must be"),
        ({"wait_seconds": "60"}, "assumption wait_seconds must be a number, not '60'"),
        ({"loop_iterations": 0}, "assumption loop_iterations must be a number of at least 1, not 0"),
        ({"lambda_architecture": "sparc"}, "assumption lambda_architecture must be arm64 or x86_64, not 'sparc'"),
        ({"lambda_memory_mb": 10**400}, "assumption lambda_memory_mb is too large"),
        ({"standard_per_transition": float("nan")}, "price standard_per_transition must be a number of at least 0"),
        ({"express_billing_ms": 0}, "price express_billing_ms must be more than 0"),
    ],
)
def test_bad_numbers_are_named_errors(change: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"map_items": change.get("map_items", 10)}
    assumptions = {k: v for k, v in change.items() if k in cost.Assumptions.__dataclass_fields__}
    prices = {k: v for k, v in change.items() if k in cost.Prices.__dataclass_fields__}
    with pytest.raises(cost.CostError, match=re.escape(message)) as raised:
        cost.estimate(
            "cc", call_center(), change.get("executions", 1_000), scheduled=False,
            assumptions=cost.Assumptions(**assumptions), prices=replace(cost.Prices(), **prices), **arguments,
        )  # fmt: skip
    assert isinstance(raised.value, ValueError)


def test_an_estimate_too_large_for_a_float_is_a_named_error() -> None:
    # 64 Maps nested, the deepest Step Functions accepts: 10^64 items fit in a float, 1e10^64 do not.
    machine: dict[str, Any] = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": True}}}
    for level in range(63):
        machine = {"StartAt": f"Map {level}", "States": {f"Map {level}": {"Type": "Map", "ItemProcessor": machine,
                                                                            "End": True}}}  # fmt: skip
    assert asl_problems(machine) == []
    deep = definition_of(machine)
    assert cost.estimate("deep", deep, 1, scheduled=False).transitions_per_execution == {
        "Map 62": pytest.approx(sum(10.0**level for level in range(64)))
    }
    with pytest.raises(cost.CostError, match="too large to estimate"):
        cost.estimate("deep", deep, 1, scheduled=False, map_items=1e10)
    with pytest.raises(cost.CostError, match="executions_per_month of 'call-center' must be a number of at least 0"):
        cost.stack_estimate(TUTORIALS, dev(), assumptions=cost.Assumptions(executions_per_month={"call-center": -1}))


class Configured:
    def __init__(self, workflow_type: str) -> None:
        self.type = workflow_type
        self.schedule = None


class OnDemand:
    """Settings under which every workflow runs on demand, as `workflow_type`."""

    alarms_enabled = True
    dashboard_enabled = True

    def __init__(self, workflow_type: str) -> None:
        self.workflow_type = workflow_type

    def workflow(self, spec: WorkflowSpec, /) -> Configured:
        return Configured(self.workflow_type)


ODD_ASSUMPTIONS: list[dict[str, Any]] = [
    {},
    {"map_items": 0},
    {"map_items": 2.5, "loop_iterations": 1, "retries_per_state": 2},
    {"map_items": 10_000, "wait_seconds": 0, "express_payload_kb": 256},
]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_definition_is_priced_without_an_exception(path: Path) -> None:
    document = json.loads(path.read_text())
    types = [t for t in ("STANDARD", "EXPRESS") if not asl_problems(document, workflow_type=t)]
    assert types, "the corpus holds only valid definitions"
    for workflow_type in types:
        for odd in ODD_ASSUMPTIONS:
            spec = WorkflowSpec(name="corpus", title="Corpus", definition=path, map_items=odd.get("map_items", 10))
            assumptions = cost.Assumptions(**{k: v for k, v in odd.items() if k != "map_items"})
            estimate = cost.stack_estimate((spec,), OnDemand(workflow_type), assumptions=assumptions)
            json.dumps(estimate, allow_nan=False)  # a stack output: plain, finite JSON
            priced = estimate["workflows"]["corpus"]
            assert priced["type"] == workflow_type
            assert priced["transitions_per_execution"], "some path reaches an end"
            key = "standard_usd" if workflow_type == "STANDARD" else "express_usd"
            assert priced["deployed_usd"] == pytest.approx(priced[key] + priced["lambda_usd"] + priced["scheduler_usd"])


def looped_and_nested(document: dict[str, Any], rng: random.Random, level: int = 0) -> dict[str, Any]:
    """A valid definition run as a Map's item processor or a Parallel branch, inside a loop
    that ends at `Done {level}` (state names are unique across every depth)."""
    inner = {"StartAt": document["StartAt"], "States": document["States"]}
    beside = {"StartAt": f"Beside {level}", "States": {f"Beside {level}": {"Type": "Pass", "End": True}}}
    container: dict[str, Any] = (
        {"Type": "Map", "ItemProcessor": inner}
        if rng.random() < 0.5
        else {"Type": "Parallel", "Branches": [inner, beside] if rng.random() < 0.5 else [inner]}
    )
    container["Next"] = f"Again? {level}"
    rule: dict[str, Any] = {"Variable": "$.again", "BooleanEquals": True, "Next": f"Work {level}"}
    if document.get("QueryLanguage") == "JSONata":
        rule = {"Condition": "{% $states.input.again %}", "Next": f"Work {level}"}
    outer: dict[str, Any] = {
        "StartAt": f"Work {level}",
        "States": {
            f"Work {level}": container,
            f"Again? {level}": {"Type": "Choice", "Choices": [rule], "Default": f"Done {level}"},
            f"Done {level}": {"Type": "Succeed"},
        },
    }
    if "QueryLanguage" in document:
        outer["QueryLanguage"] = document["QueryLanguage"]
    return outer


def test_valid_definitions_inside_loops_and_containers_are_priced_without_an_exception() -> None:
    rng = random.Random(5)
    priced = 0
    for path in VALID:
        document = json.loads(path.read_text())
        for level in range(3):
            document = looped_and_nested(document, rng, level)
            if asl_problems(document):
                continue
            priced += 1
            estimate = cost.estimate(
                "n", definition_of(document), 1_000, scheduled=False, map_items=rng.choice([0, 3, 7.5])
            )
            assert estimate.transitions_per_execution[f"Done {level}"] > 0
            assert math.isfinite(estimate.standard_usd + estimate.express_usd + estimate.lambda_usd)
    assert priced > 2 * len(VALID), "most wrapped definitions must stay valid, or this proves little"


def test_a_loop_around_a_container_multiplies_what_the_container_runs() -> None:
    document = looped_and_nested(json.loads(corpus("pass_minimal").text), random.Random(1))
    assert document["States"]["Work 0"]["Type"] == "Map"
    # Work 0 (Map) 1 + 10 items x Only 1 = 11, Again? 0 1: the loop, 3 times round; then Done 0 1
    priced = cost.estimate("loop", definition_of(document), 1, scheduled=False)
    assert priced.transitions_per_execution == {"Done 0": (11 + 1) * 3 + 1}


def test_paths_names_what_aws_would_refuse_rather_than_crash() -> None:
    document = {"StartAt": "A", "States": {"A": "not a state", "B": {"Type": "Succeed"}}}
    with pytest.raises(DefinitionError, match="state 'A': a state must be a JSON object, got 'not a state'"):
        cost.paths(definition_of(document))


def test_mangled_definitions_are_priced_or_refused_by_name_never_crash() -> None:
    rng = random.Random(3)
    seeds = [document for document in corpus_definitions() if not asl_problems(document)]
    priced = 0
    for number in range(200):
        definition = definition_of(mutate(rng.choice(seeds), rng) if number % 4 else random_json(rng))
        try:
            cost.paths(definition)
            cost.estimate("m", definition, 100, scheduled=False, workflow_type=rng.choice(["STANDARD", "EXPRESS"]))
            priced += 1
        except (DefinitionError, cost.CostError):
            pass
        except Exception:
            print(definition.text[:4000])
            raise
    assert priced > 5, "some mutants must stay valid, or this proves little"


def test_a_definition_aws_would_refuse_is_named_not_priced(tmp_path: Path) -> None:
    document = json.loads(CALL_CENTER.definition_path.read_text())
    document["States"]["Open Case"]["Next"] = "Anounce"
    broken = tmp_path / "call_center.asl.json"
    broken.write_text(json.dumps(document))
    catalogue = (SCHEDULED, replace(CALL_CENTER, definition=str(broken)))
    with pytest.raises(DefinitionError, match="Next names 'Anounce', which is not a state"):
        cost.stack_estimate(catalogue, StackSettings.from_config(stack_config("dev"), "dev", catalogue))


@pytest.mark.usefixtures("tutorials_only")
def test_ops_cost_takes_the_stack_before_or_after_the_command_and_refuses_absurd_prices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert ops_main(["cost", "--stack", "prod"]) == 0
    assert capsys.readouterr().out.startswith("Monthly estimate for stack 'prod'")
    assert ops_main(["--stack", "prod", "cost", "--stack", "dev"]) == 0  # the nearer one wins
    assert capsys.readouterr().out.startswith("Monthly estimate for stack 'dev'")
    assert ops_main(["cost", "--price", "standard_per_transition=0.025"]) == 0  # a thousand times: allowed
    capsys.readouterr()
    assert ops_main(["cost", "--price", "lambda_free_requests=5000000000"]) == 0  # a free tier, not a price
    capsys.readouterr()
    assert ops_main(["cost", "--price", "standard_per_transition=1e9"]) == 2
    assert capsys.readouterr().err == (
        "ops: --price standard_per_transition: '1e9' is more than 1,000 times the list price (2.5e-05); "
        "give the price in USD per unit, as the list price is\n"
    )
