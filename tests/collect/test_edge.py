"""The collector edge (rootguard.collect.aws): one ``call()``, one ``paginate()``, one rule for failures.

Every request the collectors make goes through those two helpers (checked on the source with ``ast``),
so what a failed call becomes is decided in one place: the contract's error document, except
credentials (and, outside Region-level evidence, an unreachable endpoint), which stop the run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    IncompleteReadError,
    NoCredentialsError,
    ReadTimeoutError,
    TokenRetrievalError,
)
from scripted import Script, scripted

import rootguard.collect
from rootguard.collect.aws import CLIENT_CONFIG, Aws, PageLimit, call, paginate
from rootguard.errors import CollectionError, CredentialsError

COLLECT = Path(rootguard.collect.__file__).parent
EDGE = "aws.py"
SERVICES = ("cloudtrail", "cloudwatch", "config", "ec2", "events", "guardduty", "iam", "logs", "s3", "sns",
            "sso-admin", "sts")  # fmt: skip
METADATA = {"RequestId": "r-1", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "SomeOperation")


def failing(error: Exception) -> Any:
    def method(**_: Any) -> Any:
        raise error

    return method


# --- the choke point -------------------------------------------------------------------------


def client_methods() -> set[str]:
    """Every method name a client of the services rootguard uses has (operations and paginator/waiter makers)."""
    session = botocore.session.get_session()
    names = {"get_paginator", "can_paginate", "get_waiter"}
    for service in SERVICES:
        names |= {xform_name(name) for name in session.get_service_model(service).operation_names}
    return names


def requests_outside_the_edge(source: str, methods: set[str], where: str = "<source>") -> list[str]:
    """Client methods used other than as ``call(client.operation, …)`` or ``paginate(client.get_paginator(…), …)``."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def first_argument_of(node: ast.AST, helper: str) -> bool:
        parent = parents.get(node)
        if not isinstance(parent, ast.Call) or not parent.args or parent.args[0] is not node:
            return False
        function = parent.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return name == helper

    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in methods:
            continue
        if node.attr == "get_paginator":
            made = parents.get(node)
            if isinstance(made, ast.Call) and made.func is node and first_argument_of(made, "paginate"):
                continue
            found.append(f"{where}:{node.lineno}: {node.attr} outside paginate(client.get_paginator(…))")
        elif not first_argument_of(node, "call"):
            found.append(f"{where}:{node.lineno}: {node.attr} outside call(client.{node.attr}, …)")
    return found


def collector_modules() -> list[Path]:
    return sorted(path for path in COLLECT.rglob("*.py") if path.name != EDGE)


def test_every_request_goes_through_call_or_paginate() -> None:
    methods = client_methods()
    found = [
        problem
        for path in collector_modules()
        for problem in requests_outside_the_edge(path.read_text(), methods, path.name)
    ]
    assert found == [], "collectors reach AWS only through rootguard.collect.aws.call/paginate"


def test_only_the_edge_touches_boto3_and_defines_the_helpers() -> None:
    for path in collector_modules():
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported if name.split(".")[0] in {"boto3", "botocore"}}, path.name
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert not defined & {"call", "paginate"}, f"{path.name} defines its own call/paginate"


@pytest.mark.parametrize(
    ("source", "problems"),
    [
        ("call(client.describe_trails)\n", 0),
        ("call(client.get_trail_status, regional=True, Name=arn)\n", 0),
        ("paginate(client.get_paginator('list_rules'), Rule=rule)\n", 0),
        ("client.describe_trails()\n", 1),
        ("describe = client.describe_trails\ndescribe()\n", 1),
        ("call(lambda: client.describe_trails())\n", 1),
        ("client.get_paginator('list_rules').paginate().build_full_result()\n", 1),
        ("paginate(client.get_paginator)\n", 1),
    ],
)
def test_the_choke_point_check_catches_every_way_around(source: str, problems: int) -> None:
    assert len(requests_outside_the_edge(source, {"describe_trails", "get_trail_status", "get_paginator"})) == problems


# --- call() ----------------------------------------------------------------------------------


def test_an_answer_is_stored_as_the_cli_prints_it() -> None:
    def answer(**params: Any) -> Any:
        assert params == {"Name": "trail"}
        return {"When": datetime(2026, 11, 20, 11, 0, tzinfo=UTC), "Blob": b"\x00", "ResponseMetadata": METADATA}

    assert call(answer, Name="trail") == {"When": "2026-11-20T11:00:00+00:00", "Blob": "AA=="}


@pytest.mark.parametrize("regional", [False, True])
def test_a_refusal_is_its_error_document(regional: bool) -> None:
    refused = failing(client_error("AccessDenied", "User: auditor is not authorized"))
    document = call(refused, regional=regional)
    assert document == {
        "Error": {"Code": "AccessDenied", "Message": "User: auditor is not authorized", "Category": "denied"}
    }


@pytest.mark.parametrize("regional", [False, True])
def test_an_unanswered_call_is_its_error_document_named_after_the_failure(regional: bool) -> None:
    document = call(failing(ReadTimeoutError(endpoint_url="https://iam.amazonaws.com/")), regional=regional)
    assert document["Error"]["Code"] == "ReadTimeoutError"
    assert "iam.amazonaws.com" in document["Error"]["Message"]


@pytest.mark.parametrize(
    "error",
    [
        client_error("ExpiredToken", "The security token included in the request is expired"),
        client_error("InvalidClientTokenId"),
        NoCredentialsError(),
        TokenRetrievalError(provider="sso", error_msg="the SSO session has expired"),
    ],
    ids=["expired", "invalid", "none", "unrefreshable"],
)
@pytest.mark.parametrize("regional", [False, True])
def test_credentials_stop_the_run_everywhere(error: Exception, regional: bool) -> None:
    with pytest.raises(CredentialsError):
        call(failing(error), regional=regional)


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://cloudtrail.me-central-1.amazonaws.com/"),
        ConnectTimeoutError(endpoint_url="https://cloudtrail.me-central-1.amazonaws.com/"),
    ],
    ids=["unreachable", "connect-timeout"],
)
def test_an_unreachable_endpoint_stops_the_run_except_for_region_level_evidence(error: Exception) -> None:
    with pytest.raises(CollectionError, match="cannot reach AWS"):
        call(failing(error))

    document = call(failing(error), regional=True)

    assert document["Error"]["Code"] == type(error).__name__
    assert "cloudtrail.me-central-1.amazonaws.com" in document["Error"]["Message"]


def test_a_read_inside_the_call_fails_as_the_call() -> None:
    class Body:
        def read(self) -> bytes:
            raise IncompleteReadError(actual_bytes=3, expected_bytes=10)

    def body(answer: dict[str, Any]) -> bytes:
        return answer["Body"].read()

    document = call(lambda **_: {"Body": Body()}, read=body, Bucket="b", Key="k")

    assert document["Error"]["Code"] == "IncompleteReadError"
    assert call(lambda **_: {"Body": b"x", "ResponseMetadata": METADATA}, read=lambda a: a["Body"]) == b"x"


# --- paginate() ------------------------------------------------------------------------------


def alias_pages(*answers: Any, repeat: bool = False) -> tuple[Script, Any]:
    script = Script(*answers, repeat=repeat)
    return script, scripted("iam", list_account_aliases=script)


def test_every_page_is_merged_as_the_cli_merges_them() -> None:
    script, iam = alias_pages(
        {"AccountAliases": ["a"], "IsTruncated": True, "Marker": "m-1", "ResponseMetadata": METADATA},
        {"AccountAliases": ["b"], "IsTruncated": False, "ResponseMetadata": METADATA},
    )

    assert paginate(iam.get_paginator("list_account_aliases")) == {"AccountAliases": ["a", "b"]}
    assert script.calls == [{}, {"Marker": "m-1"}]


@pytest.mark.parametrize(
    "failure",
    [client_error("AccessDenied", "explicit deny"), ReadTimeoutError(endpoint_url="https://iam.amazonaws.com/")],
    ids=["refused", "timeout"],
)
def test_a_failure_on_any_page_stores_the_error_never_the_pages_before_it(failure: Exception) -> None:
    _, iam = alias_pages({"AccountAliases": ["a"], "IsTruncated": True, "Marker": "m-1"}, failure)

    document = paginate(iam.get_paginator("list_account_aliases"))

    assert set(document) == {"Error"}
    assert document["Error"]["Code"] == ("AccessDenied" if isinstance(failure, ClientError) else "ReadTimeoutError")


def test_expired_credentials_on_a_later_page_stop_the_run() -> None:
    _, iam = alias_pages({"AccountAliases": ["a"], "IsTruncated": True, "Marker": "m-1"}, client_error("ExpiredToken"))

    with pytest.raises(CredentialsError, match="ExpiredToken"):
        paginate(iam.get_paginator("list_account_aliases"), regional=True)


def test_a_token_that_comes_back_unchanged_is_an_error_not_a_loop() -> None:
    script, iam = alias_pages({"AccountAliases": ["a"], "IsTruncated": True, "Marker": "same"}, repeat=True)

    document = paginate(iam.get_paginator("list_account_aliases"))

    assert document["Error"]["Code"] == "PaginationError"
    assert len(script.calls) == 2


def test_a_page_limit_stores_too_many_pages_with_the_advice() -> None:
    pages = ({"AccountAliases": [f"a{n}"], "IsTruncated": True, "Marker": f"m-{n}"} for n in range(10))
    script, iam = alias_pages(*pages)

    document = paginate(iam.get_paginator("list_account_aliases"), limit=PageLimit(3, "narrow it"))

    assert document == {
        "Error": {"Code": "TooManyPages", "Message": "stopped after 3 pages; narrow it", "Category": "incomplete"}
    }
    assert len(script.calls) == 3


def test_an_answer_within_the_page_limit_is_whole() -> None:
    _, iam = alias_pages(
        {"AccountAliases": ["a"], "IsTruncated": True, "Marker": "m-1"}, {"AccountAliases": ["b"], "IsTruncated": False}
    )

    document = paginate(iam.get_paginator("list_account_aliases"), limit=PageLimit(2, "narrow it"))

    assert document == {"AccountAliases": ["a", "b"]}


def test_pace_runs_before_every_request_and_only_then() -> None:
    script, iam = alias_pages(
        {"AccountAliases": ["a"], "IsTruncated": True, "Marker": "m-1"}, {"AccountAliases": ["b"], "IsTruncated": False}
    )
    seen: list[int] = []

    paginate(iam.get_paginator("list_account_aliases"), pace=lambda: seen.append(len(script.calls)))

    assert seen == [0, 1], "one pace per request, each before it goes out"


def test_lists_are_stored_when_aws_leaves_them_out_and_first() -> None:
    details = Script(
        {"RoleDetailList": [{"RoleName": "r"}], "IsTruncated": True, "Marker": "m-1"},
        {"UserDetailList": [{"UserName": "u"}], "IsTruncated": False},
    )
    iam = scripted("iam", get_account_authorization_details=details)
    lists = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

    document = paginate(iam.get_paginator("get_account_authorization_details"), lists=lists)

    assert list(document) == list(lists)
    assert document == {
        "UserDetailList": [{"UserName": "u"}],
        "GroupDetailList": [],
        "RoleDetailList": [{"RoleName": "r"}],
        "Policies": [],
    }
    refused = scripted("iam", get_account_authorization_details=Script(client_error("AccessDenied", "no")))
    assert paginate(refused.get_paginator("get_account_authorization_details"), lists=lists) == {
        "Error": {"Code": "AccessDenied", "Message": "no", "Category": "denied"}
    }


# --- typed clients -----------------------------------------------------------------------------


@pytest.fixture
def no_aws_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_accessor_with_rootguards_settings(no_aws_setup: None, service: str) -> None:
    aws = Aws(region="eu-west-1")
    accessor = getattr(aws, service.replace("-", "_"))

    client = accessor()
    pooled = accessor("ap-southeast-2", max_pool_connections=48)

    assert client.meta.service_model.service_name == service
    assert client.meta.region_name == ("aws-global" if service == "iam" else "eu-west-1")
    assert client.meta.config.retries["mode"] == CLIENT_CONFIG.retries["mode"]
    assert client.meta.config.user_agent_extra == CLIENT_CONFIG.user_agent_extra
    assert pooled.meta.config.max_pool_connections == 48
    assert pooled.meta.region_name == ("aws-global" if service == "iam" else "ap-southeast-2")


def test_the_client_types_are_for_the_type_checker_only() -> None:
    """The mypy-boto3 stubs are a test dependency: importing the collectors must not need them."""
    program = (
        "import sys\n"
        "class NoStubs:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.startswith('mypy_boto3'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, NoStubs())\n"
        "import rootguard.collect.account, rootguard.collect.s3_logs, rootguard.collect.alerting\n"
        "print(sorted(m for m in sys.modules if m.startswith('mypy_boto3')))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_an_offline_audit_does_not_import_boto3() -> None:
    program = (
        "import sys\n"
        "from rootguard.cli.main import main\n"
        "code = main(['audit', '--demo', '--format', 'json'])\n"
        "aws = ('boto3', 'botocore', 'rootguard.collect')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(aws))\n"
        "print('loaded:', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith("{"), "the demo audit ran"
    assert result.stderr.splitlines()[-1] == "loaded: []"
