"""The whole program under every stack file, and what each config key changes."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearsal.program import PROJECT, PROJECT_ROOT, ProgramRun, Registration
from serverless_workflows import workflow
from serverless_workflows.asl.definition import DefinitionError
from serverless_workflows.logs import STATES_LOG_LEVELS
from serverless_workflows.workflow import WorkflowArgs
from settings import KNOWN_KEYS, StackSettings
from stack_files import ConfigError, stack_config
from tests.support import NIGHTLY_REPORT, STACKS, SUITE_CATALOGUE, TUTORIALS, Deploy, definition_file, with_config
from workflows.catalogue import CATALOGUE, SCHEDULED
from workflows.spec import CatalogueError, Queue, ScheduleSpec, Topic, WorkflowSpec


def test_there_are_dev_and_prod_stacks() -> None:
    assert {"dev", "prod"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_evaluates_with_the_same_resources(deploy: Deploy, stack: str) -> None:
    run = deploy(stack=stack)
    types = sorted(r.type for r in run)
    assert types.count("aws:sfn/stateMachine:StateMachine") == len(CATALOGUE)
    assert types.count("aws:lambda/function:Function") == sum(len(spec.functions) for spec in CATALOGUE)
    assert types.count("aws:scheduler/schedule:Schedule") == sum(spec.schedule is not None for spec in CATALOGUE)
    assert run.outputs["scheduledStateMachineName"] == f"serverless-workflows-{stack}-scheduled"
    assert sorted(run.outputs["workflows"]) == sorted(spec.name for spec in CATALOGUE)


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_uses_the_tagging_provider_and_a_stack_specific_name(deploy: Deploy, stack: str) -> None:
    run = deploy(stack=stack, config=stack_config(stack), catalogue=SUITE_CATALOGUE)
    (provider,) = run.of_type("pulumi:providers:aws")
    # Providers receive structured config as JSON text.
    assert json.loads(provider.inputs["defaultTags"]) == {
        "tags": {"project": "serverless-workflows", "stack": stack, "managed-by": "pulumi"}
    }
    aws_resources = [r for r in run if r.type.startswith("aws:")]
    assert aws_resources
    # Resources without a name of their own: a key, a topic's policy, a subscription.
    unnamed = {"aws:kms/key:Key", "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription"}
    for resource in aws_resources:
        assert resource.provider.startswith(provider.urn), resource.name
        if resource.type in unnamed:
            continue
        physical = str(
            resource.inputs.get("name") or resource.inputs.get("role") or resource.inputs.get("dashboardName")
        )
        assert f"serverless-workflows-{stack}-" in physical, resource.name


def test_iam_role_names_carry_the_region_so_two_regions_do_not_collide(deploy: Deploy) -> None:
    # IAM names are account-wide; everything else is regional already.
    names = {}
    for region in ("us-east-1", "eu-west-1"):
        config = with_config()
        config["aws:region"] = region
        declared = deploy(config=config, catalogue=SUITE_CATALOGUE)
        names[region] = {r.inputs["name"] for r in declared.of_type("aws:iam/role:Role")}
    assert "serverless-workflows-dev-scheduled-sfn-use1" in names["us-east-1"]
    assert "serverless-workflows-dev-scheduled-sfn-euw1" in names["eu-west-1"]
    assert not names["us-east-1"] & names["eu-west-1"]
    assert len(names["us-east-1"]) == len(names["eu-west-1"]) >= 8


def not_kept(run: ProgramRun, days: int) -> dict[str, object]:
    """The log groups of `run` that do not keep their logs `days` days, and how long they do (None: forever)."""
    kept = {r.name: r.inputs.get("retentionInDays") for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert kept, "no log group"
    return {name: retention for name, retention in kept.items() if retention != days}


def test_prod_keeps_logs_longer_than_dev(deploy: Deploy) -> None:
    for stack, days in (("dev", 14), ("prod", 365)):
        assert not_kept(deploy(stack=stack), days) == {}, (
            f"stack {stack}: log groups not kept {days} days (None: forever)"
        )


def test_pulumi_yaml_declares_the_same_defaults_as_the_settings_and_the_catalogue() -> None:
    declared = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["config"]
    defaults = StackSettings(stack="any")
    (claiming,) = [spec for spec in CATALOGUE if spec.schedule is not None and spec.schedule.stack_keys]
    assert claiming.schedule is not None
    expected = {
        "scheduleExpression": claiming.schedule.expression,
        "scheduleTimezone": claiming.schedule.timezone,
        "scheduleEnabled": claiming.schedule.enabled,
        "logLevel": defaults.log_level,
        "logRetentionDays": defaults.log_retention_days,
        "tracingEnabled": defaults.tracing_enabled,
        "retainData": defaults.retain_data,
        "alarmsEnabled": defaults.alarms_enabled,
        "dashboardEnabled": defaults.dashboard_enabled,
    }
    assert {key: value["default"] for key, value in declared.items()} == expected
    assert all(value.get("description") for value in declared.values())


# Tests of the schedule's config, and of the provider's, evaluate a program with the scheduled
# workflow alone: neither depends on the other workflows, and the program is then a fraction of the size.
SCHEDULED_ONLY = (SCHEDULED,)


def inputs(run: ProgramRun, name: str) -> dict[str, Any]:
    return run.named(name).inputs


# --- each config key changes what is deployed --------------------------------


def test_schedule_expression(deploy: Deploy) -> None:
    run = deploy(config=with_config(scheduleExpression="cron(0 9 * * ? *)"), catalogue=SCHEDULED_ONLY)
    assert inputs(run, "scheduled-schedule")["scheduleExpression"] == "cron(0 9 * * ? *)"


def test_schedule_enabled_false_deploys_the_schedule_disabled(deploy: Deploy) -> None:
    run = deploy(config=with_config(scheduleEnabled="false"), catalogue=SCHEDULED_ONLY)
    assert inputs(run, "scheduled-schedule")["state"] == "DISABLED"


def test_schedule_payload(deploy: Deploy) -> None:
    run = deploy(
        config=with_config(schedulePayload='{"Payload": "Nightly run", "dryRun": true}'), catalogue=SCHEDULED_ONLY
    )
    target_input = inputs(run, "scheduled-schedule")["target"]["input"]
    assert json.loads(target_input) == {"Payload": "Nightly run", "dryRun": True}


def test_log_level_error(deploy: Deploy) -> None:
    run = deploy(config=with_config(logLevel="ERROR"))
    for machine in run.of_type("aws:sfn/stateMachine:StateMachine"):
        assert machine.inputs["loggingConfiguration"]["level"] == "ERROR"


def test_log_level_off_drops_the_log_group_and_the_log_delivery_grant(deploy: Deploy) -> None:
    run = deploy(config=with_config(logLevel="OFF"))
    machine = inputs(run, "scheduled-state-machine")
    assert machine["loggingConfiguration"]["level"] == "OFF"
    assert "logDestination" not in machine["loggingConfiguration"]
    assert not [r for r in run.of_type("aws:cloudwatch/logGroup:LogGroup") if "vendedlogs" in r.inputs["name"]]
    sids = [s["Sid"] for s in json.loads(inputs(run, "scheduled-policy")["policy"])["Statement"]]
    assert sids == ["WriteTraces"]


def test_log_retention_days(deploy: Deploy) -> None:
    run = deploy(config=with_config(logRetentionDays="30"))
    assert not_kept(run, 30) == {}, "log groups that do not keep logs the configured 30 days (None: forever)"


def test_tracing_disabled_turns_off_tracing_and_its_grants(deploy: Deploy) -> None:
    run = deploy(config=with_config(tracingEnabled="false"))
    for machine in run.of_type("aws:sfn/stateMachine:StateMachine"):
        assert machine.inputs["tracingConfiguration"] == {"enabled": False}
    for function in run.of_type("aws:lambda/function:Function"):
        assert function.inputs["tracingConfig"] == {"mode": "PassThrough"}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        assert "xray:" not in policy.inputs["policy"], policy.name


def test_log_level_off_and_tracing_off_leave_the_scheduled_role_without_a_policy(deploy: Deploy) -> None:
    run = deploy(config=with_config(logLevel="OFF", tracingEnabled="false"))
    assert "scheduled-policy" not in {r.name for r in run}


def test_aws_region_reaches_the_provider(deploy: Deploy) -> None:
    config = with_config()
    config["aws:region"] = "eu-west-1"
    (provider,) = deploy(config=config, catalogue=SCHEDULED_ONLY).of_type("pulumi:providers:aws")
    assert provider.inputs["region"] == "eu-west-1"


# --- bad config fails before anything is declared ------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("logRetentionDays", "10", r"logRetentionDays = '10' is not valid: use one of 1, 3, 5, 7, 14"),
        ("logLevel", "DEBUG", r"logLevel = 'DEBUG' is not valid: use one of ALL, ERROR, FATAL, OFF"),
        ("scheduleEnabled", "yes", r"scheduleEnabled = 'yes' is not valid: use true or false"),
        ("tracingEnabled", "1", r"tracingEnabled = '1' is not valid: use true or false"),
        ("schedulePayload", '"just a string"', r"schedulePayload = .* it must be a JSON object, not a str"),
        ("schedulePayload", "{not json", r"schedulePayload = .* it must be a JSON object"),
        ("scheduleExpression", "  ", r"is not a rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\) expression"),
        ("scheduleExpression", "rate(1 minutes)", r"AWS requires rate\(1 minute\) \(singular for 1, else plural\)"),
        ("scheduleExpression", "rate(5 minute)", r"AWS requires rate\(5 minutes\)"),
        ("scheduleExpression", "rate(0 minutes)", r"the rate must be at least 1"),
        ("scheduleExpression", "rate(1 second)", r"is not a rate expression"),
        ("scheduleExpression", "cron(0 9 * * *)", r"six fields .* found 5"),
        ("scheduleExpression", "cron(0 9 * * MON *)", r"exactly one of day-of-month \(\*\) and day-of-week \(MON\)"),
        ("scheduleExpression", "at(2030-01-31 09:00)", r"a one-time schedule is at\(yyyy-mm-ddThh:mm:ss\)"),
        ("scheduleTimezone", "Mars/Olympus", r"use an IANA time zone name such as UTC"),
    ],
)
def test_bad_config_is_refused_with_the_fix(deploy: Deploy, key: str, value: str, message: str) -> None:
    declared = ProgramRun()
    with pytest.raises(ConfigError, match=message) as error:
        deploy(config=with_config(**{key: value}), into=declared)
    assert f"pulumi config set {key} " in str(error.value)
    assert "--stack dev" in str(error.value)
    assert declared.resources == []


def test_unknown_keys_in_the_project_namespace_are_refused(deploy: Deploy) -> None:
    declared = ProgramRun()
    config = with_config()
    config["serverless-workflows:logRetention"] = "30"
    with pytest.raises(ConfigError, match=r"Config key\(s\) logRetention are not used by this program") as error:
        deploy(config=config, into=declared)
    known = "Known keys: alarmEmail, alarmThresholds, alarmsEnabled, dashboardEnabled, houseRules, logLevel,"
    assert known in str(error.value)
    assert "pulumi config rm logRetention --stack dev" in str(error.value)
    assert declared.resources == []


def test_other_namespaces_are_not_checked(deploy: Deploy) -> None:
    config = with_config()
    config["mycompany:owner"] = "team-a"
    assert deploy(config=config, catalogue=SCHEDULED_ONLY).outputs


def test_the_aws_keys_a_stack_sets_reach_the_provider(deploy: Deploy) -> None:
    config = with_config()
    config.update({"aws:profile": "prod-account", "aws:allowedAccountIds": '["123456789012"]'})
    (provider,) = deploy(config=config, catalogue=SCHEDULED_ONLY).of_type("pulumi:providers:aws")
    assert provider.inputs["profile"] == "prod-account"
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("aws:assumeRoles", '[{"roleArn": "arn:aws:iam::1:role/x"}]', r"aws:assumeRoles would be ignored"),
        ("aws:allowedAccountIds", '["12"]', r"use a list of 12-digit account IDs"),
    ],
)
def test_aws_keys_the_provider_would_not_get_are_refused(deploy: Deploy, key: str, value: str, message: str) -> None:
    config = with_config()
    config[key] = value
    with pytest.raises(ConfigError, match=message):
        deploy(config=config)


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minute)", "rate(2 hours)", "rate(1 day)", "cron(0 9 ? * MON-FRI *)", "cron(0/15 * * * ? *)",
     "at(2030-01-31T09:00:00)"],
)  # fmt: skip
def test_valid_schedule_expressions_are_deployed_as_written(deploy: Deploy, expression: str) -> None:
    run = deploy(config=with_config(scheduleExpression=expression), catalogue=SCHEDULED_ONLY)
    assert inputs(run, "scheduled-schedule")["scheduleExpression"] == expression


def test_schedule_timezone(deploy: Deploy) -> None:
    run = deploy(config=with_config(scheduleTimezone="Europe/Paris"), catalogue=SCHEDULED_ONLY)
    assert inputs(run, "scheduled-schedule")["scheduleExpressionTimezone"] == "Europe/Paris"


def test_a_stack_name_too_long_for_aws_names_is_refused(deploy: Deploy) -> None:
    with pytest.raises(ConfigError, match="Stack name 'a-very-long-stack-name-for-testing' cannot be used"):
        deploy(stack="a-very-long-stack-name-for-testing", config=with_config())


# --- per-workflow config, and data kept on destroy ------------------------------------


def test_a_workflow_can_be_switched_to_express_in_one_config_line(deploy: Deploy) -> None:
    run = deploy(config=with_config(workflows='{"scheduled": {"type": "EXPRESS"}}'))
    assert run.named("scheduled-state-machine").inputs["type"] == "EXPRESS"
    assert run.named("call-center-state-machine").inputs["type"] == "STANDARD"
    assert run.outputs["workflows"]["scheduled"]["type"] == "EXPRESS"


def test_a_per_workflow_schedule_key_wins_over_the_top_level_key(deploy: Deploy) -> None:
    config = with_config(
        scheduleExpression="rate(5 minutes)",
        workflows='{"scheduled": {"scheduleExpression": "rate(10 minutes)", "scheduleEnabled": false}}',
    )
    schedule = deploy(config=config, catalogue=SCHEDULED_ONLY).named("scheduled-schedule").inputs
    assert schedule["scheduleExpression"] == "rate(10 minutes)"
    assert schedule["state"] == "DISABLED"


@pytest.mark.parametrize(
    ("workflows", "message"),
    [
        ('{"nightly": {"type": "EXPRESS"}}', r"names workflow 'nightly', which is not in the catalogue"),
        ('{"scheduled": {"Type": "EXPRESS"}}', r"workflows\.scheduled\.Type is not a workflow key"),
        ('{"scheduled": {"type": "FAST"}}', r"workflows\.scheduled\.type = 'FAST' is not valid: use one of STANDARD"),
        ('{"call-center": {"scheduleExpression": "rate(1 day)"}}', r"workflow 'call-center' has no schedule"),
        ('{"scheduled": {"schedulePayload": [1]}}', r"it must be a JSON object, not a list"),
        ('{"scheduled": {"scheduleEnabled": "yes"}}', r"use true or false"),
        ("[1, 2]", r"workflows = '\[1, 2\]' is not valid: it must be a JSON object, not a list"),
    ],
)  # fmt: skip
def test_bad_workflow_config_is_refused_before_anything_is_declared(
    deploy: Deploy, workflows: str, message: str
) -> None:
    declared = ProgramRun()
    with pytest.raises(ConfigError, match=message) as error:
        deploy(config=with_config(workflows=workflows), into=declared)
    assert "--stack dev" in str(error.value)
    assert declared.resources == []


def test_a_bad_nested_value_names_the_path_to_set(deploy: Deploy) -> None:
    with pytest.raises(ConfigError) as error:
        deploy(config=with_config(workflows='{"scheduled": {"type": "FAST"}}'))
    assert "Fix it with: pulumi config set --path 'workflows.scheduled.type' STANDARD --stack dev" in str(error.value)


def test_schedule_payload_given_as_a_json_array_is_refused(deploy: Deploy) -> None:
    expected = """schedulePayload = '["This is a test."]' is not valid: it must be a JSON object, not a list"""
    with pytest.raises(ConfigError, match=re.escape(expected)) as error:
        deploy(config=with_config(schedulePayload='["This is a test."]'))
    # The fix is a command that works: the key once, and a JSON object.
    assert 'Fix it with: pulumi config set schedulePayload \'{"Payload": "This is a test."}\' --stack dev' in str(
        error.value
    )


def test_retain_data_keeps_log_groups_queues_and_tables_on_destroy(deploy: Deploy) -> None:
    # Data (logs, dead letters, a workflow's queues and tables), and the key that decrypts
    # notifications already sent; nothing else.
    kept = {
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:sqs/queue:Queue",
        "aws:dynamodb/table:Table",
        "aws:kms/key:Key",
    }
    for stack, retained in (("dev", False), ("prod", True)):
        run = deploy(stack=stack, config=stack_config(stack), catalogue=SUITE_CATALOGUE)
        assert {r.type for r in run} >= kept, "the suite's catalogue no longer declares every kind of data"
        wrong = sorted(r.name for r in run if r.type in kept and r.retain_on_delete != retained)
        assert not wrong, (
            f"retainData is {str(retained).lower()} on stack {stack}, yet destroying it "
            f"{'deletes' if retained else 'keeps'} {', '.join(wrong)}"
        )
        assert [r.name for r in run if r.retain_on_delete and r.type not in kept] == [], stack


# --- every catalogue workflow is checked before anything is declared ---------------------


def _broken_copy(tmp_path: Path, spec: WorkflowSpec, mutate: Callable[[dict[str, Any]], object]) -> WorkflowSpec:
    document = json.loads(spec.definition_path.read_text())
    mutate(document)
    path = tmp_path / spec.definition_path.name
    path.write_text(json.dumps(document))
    return dataclasses.replace(spec, definition=path)


@pytest.mark.parametrize("broken", [spec.name for spec in SUITE_CATALOGUE])
def test_a_broken_definition_of_any_workflow_stops_the_program_before_any_resource(
    deploy: Deploy, tmp_path: Path, broken: str
) -> None:
    def mutate(document: dict[str, Any]) -> None:
        document["States"][document["StartAt"]]["Next"] = "Nowhere"
        document["States"][document["StartAt"]].pop("End", None)

    catalogue = tuple(_broken_copy(tmp_path, spec, mutate) if spec.name == broken else spec for spec in SUITE_CATALOGUE)
    declared = ProgramRun()
    with pytest.raises(DefinitionError, match="Next names 'Nowhere', which is not a state"):
        deploy(catalogue=catalogue, into=declared)
    assert declared.resources == []


def test_a_name_over_aws_limits_in_any_workflow_stops_the_program_before_any_resource(deploy: Deploy) -> None:
    long_name = dataclasses.replace(NIGHTLY_REPORT, name="n" * 40)
    declared = ProgramRun()
    with pytest.raises(ValueError, match=r"the name must be 1 to 64 .* it has 65 characters"):
        deploy(catalogue=(*CATALOGUE, long_name), into=declared)
    assert declared.resources == []


def _publisher(tmp_path: Path, name: str, topic: str) -> WorkflowSpec:
    """A workflow `name` that publishes to a topic `topic` of its own."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}
    states = {"Publish": {**task, "Parameters": {"TopicArn": "${TopicArn}", "Message": "done"}}}
    return WorkflowSpec(
        name=name,
        title=name,
        definition=definition_file(tmp_path, name, states),
        integrations=(Topic(name=topic, placeholder="TopicArn"),),
    )


def test_two_workflows_whose_topics_would_share_a_name_are_refused_naming_both(deploy: Deploy, tmp_path: Path) -> None:
    # A workflow named as the example's first word, with a topic named as the rest of the example's
    # name and its topic: both are ...-nightly-report-ready.
    (topic,) = [i for i in NIGHTLY_REPORT.integrations if isinstance(i, Topic)]
    head, _, rest = NIGHTLY_REPORT.name.partition("-")
    nightly = _publisher(tmp_path, head, f"{rest}-{topic.name}")
    declared = ProgramRun()
    with pytest.raises(ValueError, match="would both use the name") as error:
        deploy(catalogue=(SCHEDULED, NIGHTLY_REPORT, nightly), into=declared)
    assert str(error.value) == (
        f"workflow '{NIGHTLY_REPORT.name}' (topic '{topic.name}') and workflow '{head}' (topic '{rest}-{topic.name}') "
        f"would both use the name 'serverless-workflows-dev-{NIGHTLY_REPORT.name}-{topic.name}' for an SNS topic, "
        "which must be unique; a name joins the workflow's and its own with '-', so rename one of them."
    )
    assert declared.resources == []


def test_a_queue_named_like_the_schedules_dead_letter_queue_is_refused(deploy: Deploy, tmp_path: Path) -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}
    states = {"Send": {**task, "Parameters": {"QueueUrl": "${JobsQueueUrl}", "MessageBody": "job"}}}
    jobs = WorkflowSpec(
        name="jobs",
        title="Jobs",
        definition=definition_file(tmp_path, "jobs", states),
        integrations=(Queue(name="schedule-dlq", placeholder="JobsQueueUrl"),),
        schedule=ScheduleSpec(expression="rate(1 hour)"),
    )
    declared = ProgramRun()
    with pytest.raises(
        ValueError, match="would both use the name 'serverless-workflows-dev-jobs-schedule-dlq'"
    ) as error:
        deploy(catalogue=(SCHEDULED, jobs), into=declared)
    assert str(error.value).startswith(
        "workflow 'jobs' (queue 'schedule-dlq') and workflow 'jobs' (its schedule's dead-letter queue) "
    )
    assert declared.resources == []


def test_a_workflow_named_like_another_ones_scheduler_role_is_refused(deploy: Deploy) -> None:
    # Its execution role's Pulumi name, scheduled-scheduler-role, is the scheduled workflow's scheduler role's.
    twin = dataclasses.replace(SCHEDULED, name="scheduled-scheduler", schedule=None, shortcut_outputs={})
    declared = ProgramRun()
    with pytest.raises(ValueError, match="would both use the name") as error:
        deploy(catalogue=(SCHEDULED, twin), into=declared)
    assert str(error.value).startswith(
        "workflow 'scheduled' (its scheduler role) and workflow 'scheduled-scheduler' (its execution role) would "
        "both use the name 'scheduled-scheduler-role' for the Pulumi resource of a workflow's IAM role,"
    )
    assert declared.resources == []


def test_an_inconsistent_catalogue_is_refused_with_every_problem(deploy: Deploy) -> None:
    twin = dataclasses.replace(NIGHTLY_REPORT, name="twin")
    declared = ProgramRun()
    with pytest.raises(CatalogueError) as error:
        deploy(catalogue=(*CATALOGUE, NIGHTLY_REPORT, twin), into=declared)
    function = NIGHTLY_REPORT.functions[0].name
    assert f"function '{function}' is also declared by workflow '{NIGHTLY_REPORT.name}'" in str(error.value)
    assert declared.resources == []


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_alarms_are_on_by_default_and_can_be_turned_off(deploy: Deploy) -> None:
    on = deploy(catalogue=TUTORIALS)
    assert len(on.of_type(ALARM)) == 22
    # Without alarmThresholds, every alarm keeps the documented default: 1 or more in 5 minutes.
    for alarm in on.of_type(ALARM):
        assert (alarm.inputs["threshold"], alarm.inputs["period"], alarm.inputs["evaluationPeriods"]) == (1, 300, 1)
        assert alarm.inputs["alarmDescription"].startswith("1 or more "), alarm.name
        assert " within 5 minutes (" in alarm.inputs["alarmDescription"], alarm.name
    assert on.outputs["alarmTopicArn"].endswith(":serverless-workflows-dev-alarms")
    assert on.outputs["dashboardUrl"].endswith("#dashboards:name=serverless-workflows-dev-use1")
    off = deploy(config=with_config(alarmsEnabled="false"), catalogue=TUTORIALS)
    assert not off.of_type(ALARM)
    assert not off.of_type("aws:sns/topic:Topic")
    assert "alarmTopicArn" not in off.outputs


def test_alarm_thresholds_from_stack_config_reach_the_alarms(deploy: Deploy) -> None:
    overrides = {"functionErrors": {"value": 5, "periodSeconds": 600, "evaluationPeriods": 3}}
    run = deploy(config=with_config(alarmThresholds=json.dumps(overrides)), catalogue=TUTORIALS)
    alarms = run.of_type(ALARM)
    errors = [alarm.inputs for alarm in alarms if alarm.inputs["metricName"] == "Errors"]
    assert len(errors) == sum(len(spec.functions) for spec in TUTORIALS)
    for alarm in errors:
        assert (alarm["threshold"], alarm["period"], alarm["evaluationPeriods"]) == (5, 600, 3)
        function = alarm["name"].removeprefix("serverless-workflows-dev-call-center-").removesuffix("-errors")
        assert alarm["alarmDescription"].startswith(
            f"5 or more invocation(s) of function '{function}' of workflow 'call-center' ended in an ERROR "
            "in each of 3 consecutive periods of 10 minutes (AWS/Lambda Errors, Sum)."
        )
    # The thresholds left out keep their defaults.
    others = [alarm.inputs for alarm in alarms if alarm.inputs["metricName"] != "Errors"]
    assert len(others) == 22 - len(errors)
    assert {(a["threshold"], a["period"], a["evaluationPeriods"]) for a in others} == {(1, 300, 1)}


def test_a_workflows_alarm_thresholds_apply_to_its_alarms_over_the_stacks(deploy: Deploy) -> None:
    stack = {"functionErrors": {"value": 2}}
    workflows = {"call-center": {"alarmThresholds": {"functionErrors": {"evaluationPeriods": 3}}}}
    config = with_config(alarmThresholds=json.dumps(stack), workflows=json.dumps(workflows))
    alarms = {alarm.inputs["name"]: alarm.inputs for alarm in deploy(config=config, catalogue=TUTORIALS).of_type(ALARM)}
    errors = {name: a for name, a in alarms.items() if a["metricName"] == "Errors"}
    assert errors
    # The call center's own field over the stack's, the stack's value kept; the others as before.
    for alarm in errors.values():
        assert (alarm["threshold"], alarm["evaluationPeriods"]) == (2, 3), alarm["name"]
    failed = alarms["serverless-workflows-dev-call-center-executions-failed"]
    assert (failed["threshold"], failed["evaluationPeriods"]) == (1, 1)


def test_the_dashboard_can_be_turned_off_and_the_alarms_stay(deploy: Deploy) -> None:
    off = deploy(config=with_config(dashboardEnabled="false"), catalogue=TUTORIALS)
    assert off.of_type("aws:cloudwatch/dashboard:Dashboard") == []
    assert "dashboardUrl" not in off.outputs
    assert len(off.of_type(ALARM)) == 22
    assert "alarmTopicArn" in off.outputs


def test_pulumi_yaml_names_every_key_its_schema_does_not_declare() -> None:
    """Object keys cannot be declared in a project's config schema; its comment lists them instead."""
    text = (PROJECT_ROOT / "Pulumi.yaml").read_text()
    declared = set(yaml.safe_load(text)["config"])
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for key in sorted(KNOWN_KEYS):
        name = key.removeprefix("serverless-workflows:")
        assert name in declared or re.search(rf"\b{name}\b", comments), name


def test_alarm_email_subscribes_and_a_bad_one_is_refused(deploy: Deploy) -> None:
    (subscription,) = deploy(config=with_config(alarmEmail="oncall@example.com")).of_type(
        "aws:sns/topicSubscription:TopicSubscription"
    )
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "oncall@example.com")
    declared = ProgramRun()
    with pytest.raises(ConfigError, match=r"alarmEmail = 'oncall at example' is not valid: use one address such as"):
        deploy(config=with_config(alarmEmail="oncall at example"), into=declared)
    assert declared.resources == []


def test_an_express_workflow_needs_logging_of_all_before_anything_is_declared(deploy: Deploy) -> None:
    declared = ProgramRun()
    with pytest.raises(ConfigError, match=r"Workflow\(s\) scheduled are EXPRESS.* logLevel is ERROR") as error:
        deploy(
            stack="prod",
            config={**stack_config("prod"), "serverless-workflows:workflows": '{"scheduled": {"type": "EXPRESS"}}'},
            into=declared,
        )
    assert "pulumi config set logLevel ALL --stack prod" in str(error.value)
    assert declared.resources == []


@pytest.mark.parametrize("level", STATES_LOG_LEVELS)
def test_the_settings_and_the_workflow_component_refuse_an_unseen_express_workflow_alike(level: str) -> None:
    # One rule (serverless_workflows.logs.express_results_logged), two messages: the config's and the component's.
    config = with_config(logLevel=level)
    config["serverless-workflows:workflows"] = '{"scheduled": {"type": "EXPRESS"}}'
    try:
        StackSettings.from_config(config, "dev", CATALOGUE)
        settings_refuse = False
    except ConfigError as error:
        settings_refuse = "an Express workflow needs logLevel ALL" in str(error)
    try:
        args = WorkflowArgs(definition_file=str(SCHEDULED.definition_path), type="EXPRESS", log_level=level)
        workflow.validate("flow", args)
        component_refuses = False
    except ValueError as error:
        component_refuses = "an Express workflow's results are only in its execution logs" in str(error)
    assert settings_refuse == component_refuses == (level != "ALL")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("schedulePayload", '{"Payload": NaN}', r"it must be a JSON object \(no NaN or Infinity\)"),
        ("schedulePayload", "[" * 100_000, r"it must be a JSON object"),
        ("logRetentionDays", "²", r"logRetentionDays = '²' is not valid"),
        ("alarmEmail", "oncall@example.com\n", r"is not valid: use one address"),
    ],
)
def test_odd_config_values_are_refused_not_crashed_on(deploy: Deploy, key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        deploy(config=with_config(**{key: value}))


def test_an_alarm_email_without_alarms_is_refused(deploy: Deploy) -> None:
    with pytest.raises(ConfigError, match="alarmEmail is set but alarmsEnabled is false"):
        deploy(config=with_config(alarmEmail="oncall@example.com", alarmsEnabled="false"))


def test_a_cost_the_estimate_refuses_stops_the_program_before_anything(deploy: Deploy) -> None:
    from workflows.cost import CostError

    absurd = dataclasses.replace(NIGHTLY_REPORT, schedule=None, executions_per_month=1e308)
    declared = ProgramRun()
    with pytest.raises(CostError):
        deploy(catalogue=(*CATALOGUE, absurd), into=declared)
    assert declared.resources == []


def test_a_stack_file_that_is_not_yaml_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stack_files

    (tmp_path / "Pulumi.yaml").write_text((PROJECT_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  - a\n  b: [\n")
    (tmp_path / "Pulumi.listed.yaml").write_text("config:\n  - a\n")
    monkeypatch.setattr(stack_files, "PROJECT_ROOT", tmp_path)
    with pytest.raises(ConfigError, match=r"Pulumi.broken.yaml cannot be read as YAML"):
        stack_files.stack_config("broken")
    with pytest.raises(
        ConfigError, match=r"Pulumi.listed.yaml: `config:` must be a mapping of keys to values, not a list"
    ):
        stack_files.stack_config("listed")


# The URNs of the tutorials' dev stack, as the engine builds them: a move of the components'
# modules (issue 24) must leave every one as it is, or `pulumi up` would replace the resources.
TUTORIAL_URNS = PROJECT_ROOT / "tests" / "fixtures" / "tutorial_urns.json"


def engine_urns(run: ProgramRun, stack: str) -> list[str]:
    """Each registration's URN as the engine builds it, sorted:
    `urn:pulumi:<stack>::<project>::<parent's type chain>$<type>::<name>`, the root stack left
    out of the chain. The mock monitor's own URNs keep only the parent's last type, and put the
    stack's type in front of a top-level resource, so they are rebuilt from the parent links."""
    by_urn = {registration.urn: registration for registration in run}

    def chain(registration: Registration) -> str:
        parent = by_urn.get(registration.parent)
        return registration.type if parent is None else f"{chain(parent)}${registration.type}"

    return sorted(f"urn:pulumi:{stack}::{PROJECT}::{chain(r)}::{r.name}" for r in run)


def test_the_tutorials_stack_keeps_its_urns(deploy: Deploy) -> None:
    assert engine_urns(deploy(catalogue=TUTORIALS), "dev") == json.loads(TUTORIAL_URNS.read_text())


def test_engine_urns_follow_the_whole_parent_chain() -> None:
    def registration(urn: str, type_: str, name: str, parent: str) -> Registration:
        return Registration(urn, type_, name, {}, parent, "", custom=False, dependencies=())

    stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
    run = ProgramRun(
        [
            registration("a", "x:index:A", "a", stack),
            registration("b", "x:index:B", "b", "a"),
            registration("c", "aws:s3/bucket:Bucket", "c", "b"),
        ]
    )
    assert engine_urns(run, "dev") == [
        f"urn:pulumi:dev::{PROJECT}::x:index:A$x:index:B$aws:s3/bucket:Bucket::c",
        f"urn:pulumi:dev::{PROJECT}::x:index:A$x:index:B::b",
        f"urn:pulumi:dev::{PROJECT}::x:index:A::a",
    ]
