"""What an AWS SDK integration (`arn:aws:states:::aws-sdk:SERVICE:action`) needs, from IAM's data.

The call's IAM action is its operation's name under the service's IAM prefix
(`sdk_models.service`): `aws-sdk:s3:getObject` needs `s3:GetObject`, which IAM's data
(`serverless_workflows/asl/iam_data.py`) says takes an `object`, whose ARN is
`arn:${Partition}:s3:::${BucketName}/${ObjectName}`. Two small tables written by hand do the rest,
and tests/test_sdk.py runs each entry against IAM's data and botocore's models:

- SCOPES, for an IAM resource type, the request parameters that hold its ARN's variables (the
  one thing no IAM data library holds): an S3 object's `BucketName` is `Bucket` and its
  `ObjectName` is `Key`. The resource is IAM's ARN format with those values.
- CALLS, the operations whose IAM actions are not their own name, or more than it, as AWS
  documents each: S3's `listObjectsV2` is `s3:ListBucket` (with the `s3:prefix` condition),
  Textract and Rekognition read the S3 object they are given with the caller's permissions, a
  Scheduler schedule passes its target's role.

An action IAM defines no resource type for is granted on `*`, in a statement whose Sid ends with
`NoResourceType`: that is least privilege. So is one whose only resource types are optional ones a
request involves only when it names one (NAMED_ONLY_WHEN_GIVEN), called without naming any: its Sid
ends with `NoResourceNamed`. One a service's guide documents on `*` where IAM's optional type is no
reliable scope (Polly's SynthesizeSpeech) ends with `StarAsDocumented`. Anything else the
parameters do not name is refused (`integrations.Unscoped`), naming the state, the action and what
IAM would scope it to: never a silent `*`. A call whose own action IAM's data does not have, and
CALLS does not list (S3's `getBucketEncryption`, which IAM authorises as
`s3:GetEncryptionConfiguration`), is refused too, naming no action to grant: only AWS's reference
says which.

`integration` builds an `integration_table.Integration` for one call, which `integrations.py`
applies like an optimised one: one way to build statements and ARNs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from serverless_workflows.asl import iam_data, sdk_models
from serverless_workflows.asl.integration_table import (
    NO_ARN_FORMS,
    NOT_DERIVED_FOR_ARNS,
    REQUEST_RESPONSE,
    STAR,
    TOKEN,
    Grant,
    Integration,
    names_by_arn,
)
from serverless_workflows.asl.model import ABSENT, COMPUTED, GIVEN, argument

PAGE = "supported-services-awssdk.html"
PATTERNS = frozenset({REQUEST_RESPONSE, TOKEN})
"""AWS SDK integrations have no `.sync`."""


@dataclass(frozen=True)
class Scope:
    """How a request names one resource of an IAM resource type."""

    variables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """ARN variable -> the parameters that may hold it, the first one given wins. `X[]` is each item
    of the list `X` (`Entries[].EventBusName`, each entry's), one resource per item; `X*` is the
    value of `X` followed by `*` (a prefix); `X|form` turns it with one of `integrations.FORMS`."""
    whole: tuple[str, str] | None = None
    """(parameter, form): a parameter that holds the whole ARN, or a name the form makes one of. `X[]`
    as above, items that lack it left out (a transaction's Put among its Updates); `X{}` is each key of
    the map `X`, whose keys name the resources (DynamoDB's `RequestItems`, by table)."""
    defaults: Mapping[str, str] = field(default_factory=dict)
    """ARN variable -> its value when no parameter holds it, as the service defaults it (`*` for a
    resource the call creates, whose ID is known only once it exists)."""


def _by(**variables: str | tuple[str, ...]) -> Scope:
    return Scope({name: (held,) if isinstance(held, str) else held for name, held in variables.items()})


SCOPES: dict[tuple[str, str], Scope] = {
    # A bucket named by its name: an access point's ARN there is refused (integration_table.NO_ARN_FORMS).
    ("s3", "bucket"): _by(BucketName="Bucket|s3-bucket-name"),
    ("s3", "object"): _by(BucketName="Bucket|s3-bucket-name", ObjectName="Key"),
    # A table named alone, or by its ARN. IAM requires the table for a query or scan of its index too.
    ("dynamodb", "table"): Scope(whole=("TableName", "dynamodb-table")),
    ("dynamodb", "index"): _by(TableName="TableName|name-or-arn", IndexName="IndexName"),
    ("lambda", "function"): Scope(whole=("FunctionName", "function")),
    ("sqs", "queue"): Scope(whole=("QueueUrl", "queue-url")),
    ("sns", "topic"): Scope(whole=("TopicArn", "arn")),
    ("states", "statemachine"): Scope(whole=("StateMachineArn", "arn")),
    ("states", "execution"): Scope(whole=("ExecutionArn", "arn")),
    ("states", "activity"): Scope(whole=("ActivityArn", "arn")),
    ("secretsmanager", "Secret"): Scope(whole=("SecretId", "secret")),
    ("logs", "log-group"): _by(LogGroupName="LogGroupName"),
    ("logs", "log-stream"): _by(LogGroupName="LogGroupName", LogStreamName="LogStreamName"),
    ("ssm", "parameter"): _by(ParameterNameWithoutLeadingSlash="Name|ssm-parameter"),
    ("glue", "rootcatalog"): Scope(),
    ("glue", "job"): _by(JobName="JobName"),
    ("glue", "crawler"): _by(CrawlerName="Name"),
    ("glue", "database"): _by(DatabaseName=("DatabaseName", "Name", "DatabaseInput.Name")),
    ("glue", "table"): _by(DatabaseName="DatabaseName", TableName=("TableName", "Name", "TableInput.Name")),
    ("rekognition", "collection"): _by(CollectionId="CollectionId"),
    ("rekognition", "projectversion"): Scope(whole=("ProjectVersionArn", "arn")),
    # A schedule outside any group named is in the group `default`.
    ("scheduler", "schedule"): Scope({"GroupName": ("GroupName",), "ScheduleName": ("Name",)},
                                     defaults={"GroupName": "default"}),
    ("scheduler", "schedule-group"): _by(GroupName=("GroupName", "Name")),
    # DescribeAlarms without names or a prefix reads every alarm.
    ("cloudwatch", "alarm"): Scope({"AlarmName": ("AlarmName", "AlarmNames[]", "AlarmNamePrefix*")},
                                   defaults={"AlarmName": "*"}),
    ("cloudwatch", "dashboard"): _by(DashboardName=("DashboardName", "DashboardNames[]")),
    ("ec2", "instance"): _by(InstanceId=("InstanceId", "InstanceIds[]")),
    ("ec2", "volume"): _by(VolumeId=("VolumeId", "VolumeIds[]")),
    ("ec2", "snapshot"): _by(SnapshotId=("SnapshotId", "SnapshotIds[]")),
    ("ec2", "image"): _by(ImageId=("ImageId", "ImageIds[]")),
    ("polly", "lexicon"): _by(LexiconName=("Name", "LexiconNames[]")),
    ("comprehend", "document-classifier-endpoint"): Scope(whole=("EndpointArn", "arn")),
    ("comprehend", "entity-recognizer-endpoint"): Scope(whole=("EndpointArn", "arn")),
    # A detection job's ID is known only once it starts.
    **{("comprehend", f"{kind}-detection-job"): Scope({"JobId": ("JobId",)}, defaults={"JobId": "*"})
       for kind in ("sentiment", "entities", "key-phrases", "dominant-language", "pii-entities")},
    ("events", "event-bus"): _by(EventBusName=("EventBusName|name-or-arn", "Name|name-or-arn")),
    ("athena", "workgroup"): _by(WorkGroupName="WorkGroup"),
    ("codebuild", "project"): _by(ProjectName="ProjectName"),
}  # fmt: skip
"""(IAM prefix, resource type) -> how a request names one."""

NAMED_ONLY_WHEN_GIVEN = frozenset({("cloudwatch", "dataset"), ("polly", "lexicon")})
"""Resource types a request involves only when it names one: CloudWatch's metric calls without a
dataset, Polly's speech without a lexicon. An action whose only types these are, each optional,
called without naming one, is granted on `*` (tests/test_sdk.py checks the request has no other way
to name one)."""


def may_be_granted_on_star(action: iam_data.Action) -> bool:
    """Whether `"Resource": "*"` can be least privilege for `action`: it takes no resource type, or
    only optional ones a request involves only when it names one (NAMED_ONLY_WHEN_GIVEN). An action
    with a type IAM marks required always names an ARN of it. The policy pack allows `*` for exactly
    these actions (scripts/iam_data.py writes them to policy/no_resource_actions.json)."""
    return all(not kind.required and (action.prefix, kind.name) in NAMED_ONLY_WHEN_GIVEN
               for kind in action.resource_types)  # fmt: skip


@dataclass(frozen=True)
class SdkGrant:
    """One IAM action a call needs, where it is not (only) the call's own."""

    action: str
    """`prefix:Action` as IAM spells it."""
    scopes: Mapping[str, Scope] = field(default_factory=dict)
    """Resource type -> how this call names it, over SCOPES."""
    condition: tuple[tuple[str, str, str], ...] = ()
    """(operator, key, value template): left out unless every parameter it reads is given."""
    optional: tuple[str, ...] = ()
    """Parameters without which the call does not need this grant (an image sent as bytes reads no S3 object)."""
    passed_to: str | None = None
    """For `iam:PassRole`: the service principal the role is passed to (`iam:PassedToService`)."""
    star_as_documented: bool = False
    """Granted on `*` whatever the request names, as the service's own guide documents the action's
    permission, where IAM's optional resource type is no reliable scope (Polly's SynthesizeSpeech with
    lexicons). Only for an action the policy pack allows on `*` (tests/test_sdk.py checks)."""


def _own(action: str, **scopes: Scope) -> SdkGrant:
    return SdkGrant(action, scopes)


def _reads_s3(where: str) -> SdkGrant:
    """`s3:GetObject` on the object `where` names (`Image.S3Object`: its Bucket and Name)."""
    object_named = _by(BucketName=f"{where}.Bucket|s3-bucket-name", ObjectName=f"{where}.Name")
    return SdkGrant("s3:GetObject", {"object": object_named}, optional=(f"{where}.Bucket",))


def _passes(parameter: str, service: str) -> SdkGrant:
    return SdkGrant("iam:PassRole", {"role": Scope(whole=(parameter, "role"))}, passed_to=service)


def _each_transact_item(kind: str, action: str) -> SdkGrant:
    """`dynamodb:action` on the table of each item of a transaction that is a `kind` (Put, Update...);
    left out when no item is one."""
    held = f"TransactItems[].{kind}.TableName"
    return SdkGrant(f"dynamodb:{action}", {"table": Scope(whole=(held, "dynamodb-table"))}, optional=(held,))


_S3_PREFIX = (("StringLike", "s3:prefix", "{Prefix}*"),)
_COPY = _own("s3:GetObject", object=Scope(whole=("CopySource", "s3-copy-source")))
_REKOGNITION_IMAGES = ("detectFaces", "detectLabels", "detectModerationLabels", "detectProtectiveEquipment",
                       "detectText", "recognizeCelebrities", "indexFaces", "searchFacesByImage")  # fmt: skip
_COMPREHEND_JOBS = ("Sentiment", "Entities", "KeyPhrases", "DominantLanguage", "PiiEntities")
_SCHEDULER = "scheduler.amazonaws.com"

CALLS: dict[str, tuple[SdkGrant, ...]] = {
    # Amazon S3 API Reference, each operation's "Permissions": listing is s3:ListBucket (narrowed by
    # the s3:prefix condition, S3 User Guide "Amazon S3 condition key examples"), HEAD needs the
    # permission of its GET, a copy reads its source and writes its destination, and a multipart
    # upload is s3:PutObject.
    "s3:listObjectsV2": (SdkGrant("s3:ListBucket", condition=_S3_PREFIX),),
    "s3:listObjects": (SdkGrant("s3:ListBucket", condition=_S3_PREFIX),),
    "s3:listObjectVersions": (SdkGrant("s3:ListBucketVersions", condition=_S3_PREFIX),),
    "s3:headObject": (_own("s3:GetObject"),),
    "s3:headBucket": (_own("s3:ListBucket"),),
    "s3:copyObject": (_COPY, _own("s3:PutObject")),
    "s3:uploadPartCopy": (_COPY, _own("s3:PutObject")),
    "s3:createMultipartUpload": (_own("s3:PutObject"),),
    "s3:uploadPart": (_own("s3:PutObject"),),
    "s3:completeMultipartUpload": (_own("s3:PutObject"),),
    "s3:listParts": (_own("s3:ListMultipartUploadParts"),),
    "s3:listMultipartUploads": (_own("s3:ListBucketMultipartUploads"),),
    "s3:deleteObjects": (_own("s3:DeleteObject", object=_by(BucketName="Bucket|s3-bucket-name",
                                                             ObjectName="Delete.Objects[].Key")),),
    # PutMetricData names no resource (IAM's dataset is optional, and its request cannot name one): the
    # cloudwatch:namespace condition limits it to the request's namespace (CloudWatch User Guide, "Using
    # condition keys to limit access to CloudWatch namespaces").
    "cloudwatch:putMetricData": (SdkGrant("cloudwatch:PutMetricData",
                                          condition=(("StringEquals", "cloudwatch:namespace", "{Namespace}"),)),),
    # EventBridge PutEvents: each entry's bus, the default bus when it names none.
    "eventbridge:putEvents": (_own("events:PutEvents", **{"event-bus": Scope(
        {"EventBusName": ("Entries[].EventBusName|name-or-arn",)}, defaults={"EventBusName": "default"})}),),
    # Amazon EC2 API Reference, CreateSnapshot: the snapshot it creates has no ID yet.
    "ec2:createSnapshot": (_own("ec2:CreateSnapshot", snapshot=Scope(defaults={"SnapshotId": "*"})),),
    # Athena runs a query in the work group `primary` unless it names one.
    "athena:startQueryExecution": (_own("athena:StartQueryExecution", workgroup=Scope(
        {"WorkGroupName": ("WorkGroup",)}, defaults={"WorkGroupName": "primary"})),),
    # Rekognition and Textract read an image or document in S3 with the caller's permissions.
    **{f"rekognition:{call}": (_own(f"rekognition:{call[0].upper()}{call[1:]}"), _reads_s3("Image.S3Object"))
       for call in _REKOGNITION_IMAGES},
    "rekognition:compareFaces": (_own("rekognition:CompareFaces"), _reads_s3("SourceImage.S3Object"),
                                 _reads_s3("TargetImage.S3Object")),
    **{f"textract:{call}": (_own(f"textract:{call[0].upper()}{call[1:]}"), _reads_s3("Document.S3Object"))
       for call in ("analyzeDocument", "analyzeExpense", "detectDocumentText")},
    **{f"textract:{call}": (_own(f"textract:{call[0].upper()}{call[1:]}"), _reads_s3("DocumentLocation.S3Object"))
       for call in ("startDocumentAnalysis", "startDocumentTextDetection", "startExpenseAnalysis")},
    # Amazon Comprehend's asynchronous jobs read and write S3 through the role they are given.
    **{f"comprehend:start{kind}DetectionJob": (_own(f"comprehend:Start{kind}DetectionJob"),
                                               _passes("DataAccessRoleArn", "comprehend.amazonaws.com"))
       for kind in _COMPREHEND_JOBS},
    # Amazon Polly Developer Guide, "Amazon Polly API Permissions: Actions, Permissions, and Resources
    # Reference": SynthesizeSpeech on "*". IAM lists its lexicon as optional, and whether naming lexicons
    # makes it authorise on them alone is documented nowhere: "*", with lexicons named or not.
    "polly:synthesizeSpeech": (SdkGrant("polly:SynthesizeSpeech", star_as_documented=True),),
    # Amazon Polly writes a synthesis task's audio to S3 with the caller's permissions.
    "polly:startSpeechSynthesisTask": (_own("polly:StartSpeechSynthesisTask"), SdkGrant("s3:PutObject", {
        "object": Scope({"BucketName": ("OutputS3BucketName|s3-bucket-name",), "ObjectName": ("OutputS3KeyPrefix*",)},
                        defaults={"ObjectName": "*"})})),
    # DynamoDB's calls on several tables, each table named in the request: a batch's tables are the keys of its
    # RequestItems (DynamoDB Developer Guide, "DynamoDB API permissions: Actions, resources, and conditions
    # reference": BatchGetItem and BatchWriteItem on each table). A transaction has no IAM action of its own: each
    # item is authorised as the action it initiates, on its own table (Developer Guide, "Using IAM with DynamoDB
    # transactions": Get, Put, Update and Delete as GetItem, PutItem, UpdateItem and DeleteItem, ConditionCheck
    # as dynamodb:ConditionCheckItem).
    "dynamodb:batchGetItem": (_own("dynamodb:BatchGetItem", table=Scope(whole=("RequestItems{}", "dynamodb-table"))),),
    "dynamodb:batchWriteItem": (_own("dynamodb:BatchWriteItem",
                                     table=Scope(whole=("RequestItems{}", "dynamodb-table"))),),
    "dynamodb:transactGetItems": (_each_transact_item("Get", "GetItem"),),
    "dynamodb:transactWriteItems": tuple(_each_transact_item(kind, action) for kind, action in (
        ("Put", "PutItem"), ("Update", "UpdateItem"), ("Delete", "DeleteItem"),
        ("ConditionCheck", "ConditionCheckItem"))),
    # EventBridge Scheduler passes the schedule's target role to the scheduler.
    "scheduler:createSchedule": (_own("scheduler:CreateSchedule"), _passes("Target.RoleArn", _SCHEDULER)),
    "scheduler:updateSchedule": (_own("scheduler:UpdateSchedule"), _passes("Target.RoleArn", _SCHEDULER)),
}  # fmt: skip
"""`service:action` as Step Functions writes it -> every IAM action the call needs."""


# --- one call's integration ----------------------------------------------------------------------

_STANDARD = {"Partition": "{partition}", "Region": "{region}", "Account": "{account}"}
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z0-9]+)\}")


def _paths(arguments: Any, held: str) -> list[str] | None:
    """The argument paths `held` (a SCOPES parameter) stands for, or None when it is absent. Each
    item of a list, whether or not it holds the field after `[]`."""
    list_path, listed, rest = held.partition("[]")
    if not listed:
        status, _value = argument(arguments, _bare(held))
        return None if status == ABSENT else [held]
    status, items = argument(arguments, list_path)
    if status == ABSENT or (status == GIVEN and not items):
        return None
    if status == COMPUTED or not isinstance(items, list):
        return [list_path]  # computed at run time: the derivation refuses it, naming the list
    tail = rest.lstrip(".")
    return [f"{list_path}.{n}" + (f".{tail}" if tail else "") for n in range(len(items))]


def _present(arguments: Any, held: str) -> list[str] | None:
    """The argument paths `held` stands for that are not absent (each item that has it), or None."""
    paths = [path for path in _paths(arguments, held) or () if argument(arguments, _bare(path))[0] != ABSENT]
    return paths or None


def _keys(arguments: Any, held: str, keys: dict[str, str]) -> list[str] | None:
    """The template names standing for each key of the map `held` (`X{}`), put in `keys` with the key as
    written (`${Name}` included, a JSONPath `.$` left off: it computes the value, not the key); the map's
    own path when it is computed at run time, which the derivation then refuses; None when it has none."""
    path = held.removesuffix("{}")
    status, named = argument(arguments, path)
    if status == COMPUTED:
        return [path]
    if not isinstance(named, dict) or not named:
        return None
    found = []
    for number, key in enumerate(named):
        name = f"{path}Key{number}"
        keys[name] = key.removesuffix(".$")
        found.append(name)
    return found


def _bare(held: str) -> str:
    """The parameter path of `held`, without its form and prefix star."""
    return held.split("|", maxsplit=1)[0].rstrip("*")


def _piece(path: str, held: str) -> str:
    """A template piece for the argument at `path`, as `held` (with its form and prefix star) says."""
    form = held.split("|")[1] if "|" in held else ""
    star = "*" if held.split("|", maxsplit=1)[0].endswith("*") else ""
    return "{" + _bare(path) + (f"|{form}" if form else "") + "}" + star


def _templates(prefix: str, resource_type: str, scope: Scope, arguments: Any, keys: dict[str, str]) -> list[str] | None:
    """The resource templates of the resources `arguments` name, or None when they name none; the
    values of the names that stand for a map's keys go in `keys`."""
    if scope.whole is not None:
        parameter, form = scope.whole
        named = _keys(arguments, parameter, keys) if parameter.endswith("{}") else _present(arguments, parameter)
        return None if named is None else ["{" + f"{name}|{form}" + "}" for name in named]
    fmt = iam_data.arn_format(prefix, resource_type) or ""
    templates = [fmt]
    for name in dict.fromkeys(m["name"] for m in _VARIABLE.finditer(fmt)):
        variable = "${" + name + "}"
        if name in _STANDARD:
            templates = [t.replace(variable, _STANDARD[name]) for t in templates]
            continue
        chosen = next(((held, paths) for held in scope.variables.get(name, ())
                       if (paths := _paths(arguments, held)) is not None), None)  # fmt: skip
        default = scope.defaults.get(name)
        if chosen is None:
            if default is None:
                return None
            templates = [t.replace(variable, default) for t in templates]
            continue
        held, paths = chosen
        filled = []
        for template in templates:
            for path in paths:
                if argument(arguments, _bare(path))[0] != ABSENT:
                    filled.append(template.replace(variable, _piece(path, held)))
                elif default is not None:  # an item without it (an entry naming no bus)
                    filled.append(template.replace(variable, default))
        templates = list(dict.fromkeys(filled))
        if not templates:
            return None
    return templates


def _bucket_named_by_arn(scope: Scope, arguments: Any) -> str | None:
    """Why `arguments` cannot be scoped when they name a bucket by an ARN (NO_ARN_FORMS), as written."""
    held = [scope.whole] if scope.whole else [(h.split("|")[0], h.partition("|")[2])
                                              for options in scope.variables.values() for h in options]  # fmt: skip
    for parameter, form in held:
        for path in (_paths(arguments, parameter) or []) if form in NO_ARN_FORMS else []:
            status, value = argument(arguments, _bare(path))
            if status == GIVEN and isinstance(value, str) and names_by_arn(value):
                return f"its {_bare(path)} is an ARN ({value}): {NOT_DERIVED_FOR_ARNS}"
    return None


def _sid(action: iam_data.Action) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", action.prefix)) + action.name


def integration(service: str, action: str, pattern: str, arguments: Any) -> Integration | tuple[str, tuple[str, ...]]:
    """The grants `aws-sdk:service:action` needs with `arguments`, or (why not, the IAM actions it
    needs, as IAM's data names them: none when that is not known)."""
    problem = sdk_models.call_problem(service, action)
    sdk = sdk_models.service(service)
    if problem is not None or sdk is None:
        return problem or "", ()
    wanted = CALLS.get(f"{service}:{action}") or (SdkGrant(f"{sdk.iam_prefix}:{sdk_models.operation_name(action)}"),)
    known: list[tuple[SdkGrant, iam_data.Action]] = []
    for wish in wanted:
        found = iam_data.action(wish.action)
        if found is None:
            return _no_such_action(wish.action), ()
        known.append((wish, found))
    needed = tuple(found.qualified for _, found in known)
    if pattern not in PATTERNS:
        return f"an AWS SDK integration has no {pattern} pattern", needed
    grants: list[Grant] = []
    for wish, found in known:
        if any(_present(arguments, path) is None for path in wish.optional):
            continue
        built = _grant(found, wish, arguments)
        if isinstance(built, str):
            return built, needed
        grants.append(built)
    if not grants:  # every grant is of a part the request leaves out (a transaction without items)
        return f"it names nothing for {', '.join(needed)} to act on", needed
    return Integration(f"aws-sdk:{service}:{action}", PAGE, PATTERNS, tuple(grants))


def _no_such_action(action: str) -> str:
    """Why a call's own action, its operation's name under the service's IAM prefix, is not granted:
    IAM names the action(s) that authorise the operation otherwise, and only its reference says which."""
    page = iam_data.service_page(action.split(":", maxsplit=1)[0])
    on = f" on its page {page!r}" if page else ""
    return (
        f"IAM's data names no action {action}: the operation's IAM action has another name, or it needs "
        f"several; the Service Authorization Reference lists them{on} ({iam_data.REFERENCE})"
    )


def _grant(found: iam_data.Action, wish: SdkGrant, arguments: Any) -> Grant | str:
    scoped = _scoped(found, wish, arguments)
    if isinstance(scoped, str):
        return scoped
    suffix, resources, keys = scoped
    condition = tuple(c for c in wish.condition if all(
        argument(arguments, m)[0] != ABSENT for m in re.findall(r"\{([A-Za-z0-9.]+)\}", c[2])))  # fmt: skip
    if wish.passed_to is not None:
        condition += (("StringEquals", "iam:PassedToService", wish.passed_to),)
    return Grant(_sid(found) + suffix, (found.qualified,), tuple(resources), condition=condition,
                 keys=tuple(keys.items()))  # fmt: skip


def _scoped(found: iam_data.Action, wish: SdkGrant, arguments: Any) -> tuple[str, list[str], dict[str, str]] | str:
    """(what the Sid says of a grant on `*`, the resources, the values of names standing for map keys),
    or why `arguments` cannot scope the grant."""
    star = "NoResourceType" if not found.resource_types else "StarAsDocumented" if wish.star_as_documented else ""
    keys: dict[str, str] = {}
    if star:
        return star, [STAR], keys
    resources: list[str] = []
    for kind in found.resource_types:
        scope = wish.scopes.get(kind.name) or SCOPES.get((found.prefix, kind.name))
        if scope is not None and (refused := _bucket_named_by_arn(scope, arguments)) is not None:
            return refused
        named = None if scope is None else _templates(found.prefix, kind.name, scope, arguments, keys)
        if named is None and kind.required:
            what = iam_data.arn_format(found.prefix, kind.name)
            untold = f"{found.qualified} needs the ARN of its {kind.name} ({what}), which its parameters do not tell"
            return untold if scope is None else f"it names no {kind.name} ({what}) for {found.qualified}"
        resources.extend(named or ())
    if resources:
        return "", resources, keys
    if may_be_granted_on_star(found):
        return "NoResourceNamed", [STAR], keys
    listed = ", ".join(kind.name for kind in found.resource_types)
    return f"{found.qualified} takes a resource ({listed}) its parameters do not name"
