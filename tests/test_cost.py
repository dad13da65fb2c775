"""The cost estimate, held to arithmetic done by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ops.__main__ import main as ops_main
from settings import StackSettings, stack_config
from tests.support import NIGHTLY_REPORT, WITH_EXAMPLE, Deploy
from workflows import cost
from workflows.catalogue import CALL_CENTER, CATALOGUE, SCHEDULED
from workflows.definition import WorkflowDefinition


def scheduled_workflow() -> WorkflowDefinition:
    return SCHEDULED.load_definition()


def call_center() -> WorkflowDefinition:
    return CALL_CENTER.load_definition()


def dev(**overrides: str) -> StackSettings:
    config = stack_config("dev")
    config.update({f"serverless-workflows:{key}": value for key, value in overrides.items()})
    return StackSettings.from_config(config, "dev")


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


def test_stack_estimate_shares_the_free_tier_between_workflows() -> None:
    estimate = cost.stack_estimate(CATALOGUE, dev())
    center = estimate["workflows"]["call-center"]
    # The schedule used all 4,000 free transitions: 1,000 x 6 x $0.000025.
    assert center["standard_usd"] == pytest.approx(0.15)
    assert estimate["total_standard_usd"] == pytest.approx(2.06 + 0.15)
    disabled = cost.stack_estimate(CATALOGUE, dev(scheduleEnabled="false"))
    assert disabled["workflows"]["scheduled"]["standard_usd"] == 0


def test_every_catalogue_workflow_is_priced_without_editing_the_estimate() -> None:
    estimate = cost.stack_estimate(WITH_EXAMPLE, StackSettings.from_config(stack_config("dev"), "dev", WITH_EXAMPLE))
    nightly = estimate["workflows"][NIGHTLY_REPORT.name]
    # cron(0 2 * * ? *): once a day.
    assert nightly["executions_per_month"] == pytest.approx(30)
    assert list(estimate["workflows"]) == [spec.name for spec in WITH_EXAMPLE]


def test_the_estimate_is_a_stack_output(deploy: Deploy) -> None:
    dev = deploy(stack="dev").outputs["monthlyCostEstimate"]
    assert dev["workflows"]["scheduled"]["executions_per_month"] == 43_200
    assert dev["workflows"]["scheduled"]["standard_usd"] == pytest.approx(2.06)
    config = stack_config("dev")
    config["serverless-workflows:scheduleEnabled"] = "false"
    assert deploy(config=config).outputs["monthlyCostEstimate"]["workflows"]["scheduled"]["standard_usd"] == 0


def test_ops_cost_prints_the_estimate_and_takes_price_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_main(["--stack", "dev", "cost"]) == 0
    printed = capsys.readouterr().out
    assert "scheduled         43,200            2      2.06     0.05" in printed
    assert "Total as deployed (Standard): $2.21" in printed
    assert ops_main(["--stack", "dev", "cost", "--price", "standard_per_transition=0.00005"]) == 0
    assert "Total as deployed (Standard): $4.42" in capsys.readouterr().out
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
    import settings

    # "TRUE" once deployed an enabled schedule that ops priced at $0; both now read it the same way.
    config = stack_config("dev")
    config["serverless-workflows:scheduleEnabled"] = "TRUE"
    monkeypatch.setattr(settings, "stack_config", lambda stack: config)
    program = deploy(config=config)
    assert program.named("scheduled-schedule").inputs["state"] == "ENABLED"
    assert ops_main(["--stack", "dev", "cost", "--executions", "call-center=1000"]) == 0
    printed = capsys.readouterr().out
    expected = program.outputs["monthlyCostEstimate"]["workflows"]["scheduled"]["standard_usd"]
    assert expected == pytest.approx(2.06)
    assert f"scheduled         43,200            2      {expected:.2f}" in printed


def test_ops_cost_explains_a_bad_schedule_expression(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import settings

    config = stack_config("dev")
    config["serverless-workflows:scheduleExpression"] = "rate(1 minutes)"
    monkeypatch.setattr(settings, "stack_config", lambda stack: config)
    assert ops_main(["--stack", "dev", "cost"]) == 2
    printed = capsys.readouterr().err
    assert (
        "scheduleExpression = 'rate(1 minutes)' is not valid: 'rate(1 minutes)': AWS requires rate(1 minute)" in printed
    )
    assert "Traceback" not in printed
