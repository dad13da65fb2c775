"""What the Amazon States Language allows, as AWS documents it: state types, the fields of
each type and of each query language, enumerations, limits, and the forms of values.

Tables and value predicates only, with no checks: `asl_checks.py` reads them to say what
Step Functions would refuse, and the model, the house rules and the tools read the same ones.
"""

from __future__ import annotations

import re
from typing import TypeGuard

from serverless_workflows.asl.definition import PLACEHOLDER

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
WORKFLOW_TYPES = ("STANDARD", "EXPRESS")

# The largest number of seconds (and attempts) Step Functions accepts in a definition.
MAX_SECONDS = 99_999_999
# A retrier's MaxDelaySeconds must stay under a year and a day.
MAX_RETRY_DELAY_SECONDS = 31_622_400
MAX_STATE_NAME_LENGTH = 80
# Variable names are Unicode identifiers (UAX #31) of at most 80 characters.
MAX_VARIABLE_NAME_LENGTH = 80
MAX_MAP_LABEL_LENGTH = 40
# Deeper nesting is no real workflow, and would exhaust Python's recursion limit.
MAX_NESTING = 64
EXPRESS_MAX_SECONDS = 300

# Errors Step Functions defines itself; any other name starting with "States." is refused.
KNOWN_STATES_ERRORS = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)
# An HTTP Task reports a failed request's status code as its error name.
HTTP_STATUS_ERROR = re.compile(r"States\.Http\.StatusCode\.\d{3}")

# Per state type: the fields it may have (either query language), and those it must have.
_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
# The fields that say where a state leads; Choice, Succeed and Fail take neither.
FLOW_FIELDS = frozenset({"Next", "End"})
_IO = frozenset({"InputPath", "OutputPath", "Output"})
_ERROR_HANDLING = frozenset({"Retry", "Catch"})
ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | FLOW_FIELDS | _IO | {"Assign", "Parameters", "Result", "ResultPath"},
    "Task": _COMMON
    | FLOW_FIELDS
    | _IO
    | _ERROR_HANDLING
    | {
        "Assign",
        "Resource",
        "Parameters",
        "Arguments",
        "Credentials",
        "ResultSelector",
        "ResultPath",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
    },
    "Choice": _COMMON | _IO | {"Assign", "Choices", "Default"},
    "Wait": _COMMON | FLOW_FIELDS | _IO | {"Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON
    | FLOW_FIELDS
    | _IO
    | _ERROR_HANDLING
    | {"Assign", "Branches", "Parameters", "Arguments", "ResultSelector", "ResultPath"},
    "Map": _COMMON
    | FLOW_FIELDS
    | _IO
    | _ERROR_HANDLING
    | {
        "Assign",
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ResultSelector",
        "ResultPath",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
    },
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}

# Fields of one query language only, with what to use instead in the other.
JSONPATH_ONLY: dict[str, str] = {
    "InputPath": "Arguments",
    "Parameters": "Arguments",
    "ResultSelector": "Output",
    "ResultPath": "Output or Assign",
    "OutputPath": "Output",
    "Result": "Output",
    "ItemsPath": "Items",
    "TimeoutSecondsPath": "TimeoutSeconds with a {% %} expression",
    "HeartbeatSecondsPath": "HeartbeatSeconds with a {% %} expression",
    "SecondsPath": "Seconds with a {% %} expression",
    "TimestampPath": "Timestamp with a {% %} expression",
    "ErrorPath": "Error with a {% %} expression",
    "CausePath": "Cause with a {% %} expression",
    "MaxConcurrencyPath": "MaxConcurrency with a {% %} expression",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage with a {% %} expression",
    "ToleratedFailureCountPath": "ToleratedFailureCount with a {% %} expression",
    "MaxItemsPerBatchPath": "MaxItemsPerBatch with a {% %} expression",
    "MaxInputBytesPerBatchPath": "MaxInputBytesPerBatch with a {% %} expression",
    "MaxItemsPath": "MaxItems with a {% %} expression",
}
# The JSONPath fields AWS's documentation says a JSONata state does not have: refused in one. The
# other JSONPath-only fields there are warnings (tests/fixtures/asl/decisions.md).
JSONATA_STATES_REFUSE = frozenset(
    {"InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "ItemsPath"}
)
JSONATA_ONLY: dict[str, str] = {
    "Arguments": "Parameters",
    "Output": "ResultSelector, ResultPath or OutputPath",
    "Items": "ItemsPath",
}
# Path forms whose value must be a path (ErrorPath and CausePath also take intrinsic functions).
REFERENCE_PATH_FIELDS = frozenset(
    key
    for key in JSONPATH_ONLY
    if key.endswith("Path") and key not in ("InputPath", "OutputPath", "ResultPath", "ErrorPath", "CausePath")
)
# Fields only a Map in DISTRIBUTED mode may have.
DISTRIBUTED_ONLY = (
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
)
# A field and its path form may not both be set.
PATH_FORMS = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Error",
    "Cause",
)

MACHINE_FIELDS = {
    "top": frozenset({"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}),
    "branch": frozenset({"Comment", "StartAt", "States", "QueryLanguage"}),
    "processor": frozenset({"Comment", "StartAt", "States", "QueryLanguage", "ProcessorConfig"}),
}
RETRIER_FIELDS = frozenset(
    {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"}
)
CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})
ITEM_READER_FIELDS = frozenset({"Resource", "Parameters", "Arguments", "ReaderConfig"})
READER_CONFIG_FIELDS = frozenset(
    {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems", "MaxItemsPath", "ManifestType"}
)
ITEM_BATCHER_FIELDS = frozenset(
    {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput"}
)
RESULT_WRITER_FIELDS = frozenset({"Resource", "Parameters", "Arguments", "WriterConfig"})
# The S3 names a reader's and a writer's arguments hold, strings when written as literals.
ITEM_READER_S3_NAMES = ("Bucket", "Key")
RESULT_WRITER_S3_NAMES = ("Bucket", "Prefix")
WRITER_CONFIG_FIELDS = frozenset({"OutputType", "Transformation"})
ATHENA_MANIFEST = "ATHENA_DATA"
"""The ManifestType of a manifest Athena writes (UNLOAD): it lists data files wherever the query put them."""
ENUMS: dict[str, tuple[str, ...]] = {
    "InputType": ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"),
    "ManifestType": (ATHENA_MANIFEST, "S3_INVENTORY"),
    "OutputType": ("JSON", "JSONL"),
    "Transformation": ("NONE", "COMPACT", "FLATTEN"),
    "Mode": ("INLINE", "DISTRIBUTED"),
    # A Distributed Map's child executions are workflows of either type.
    "ExecutionType": WORKFLOW_TYPES,
    "JitterStrategy": ("FULL", "NONE"),
}


def _comparison_kinds() -> dict[str, str]:
    kinds: dict[str, str] = {}
    for family, kind in (("String", "string"), ("Numeric", "number"), ("Timestamp", "timestamp")):
        for relation in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
            kinds[family + relation] = kind
            kinds[family + relation + "Path"] = "path"
    kinds.update(StringMatches="string", BooleanEquals="boolean", BooleanEqualsPath="path")
    for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        kinds[test] = "boolean"
    return kinds


# Choice comparison operator -> the kind of value it compares with.
COMPARISONS: dict[str, str] = _comparison_kinds()
COMBINATORS = ("And", "Or", "Not")

JSONATA = re.compile(r"\{%(.*)%\}", re.DOTALL)
INTRINSIC = re.compile(r"States\.[A-Za-z0-9]+\(.*\)", re.DOTALL)
# RFC 3339 with an upper-case T and Z, as the ASL requires.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
SYNC_OR_CALLBACK = re.compile(r"arn:aws[a-z-]*:states:::.+\.(sync(:\d+)?|waitForTaskToken)")
ACTIVITY = re.compile(r"arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:activity:.+")
# Characters AWS refuses in a Map Label (as in execution names).
LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------- values


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_jsonata(value: object) -> bool:
    if not isinstance(value, str):
        return False
    match = JSONATA.fullmatch(value)
    return match is not None and bool(match.group(1).strip())


def is_placeholder(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and PLACEHOLDER.fullmatch(value) is not None


def is_path(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith("$")


def is_arn_or_placeholder(value: object) -> bool:
    return isinstance(value, str) and (value.startswith("arn:") or is_placeholder(value))
