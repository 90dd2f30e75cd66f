"""The failure map at the edge, through real botocore and HTTP (tests/faults/proxy.py as a stub AWS).

Every failure a call can meet becomes one typed error document (contract §5, extended): its category,
operation, Region and a one-line message that never holds a foreign body; credentials and profiles stop
the run with one line (exit 2); time is bounded by retries, the breaker and the run's deadline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.retries.standard
import pytest

from fake_time import FakeTime
from faults.proxy import FaultProxy, Reply, fault_proxy, html, reset, scp_denied, slow, throttled
from rootguard.cli.main import main
from rootguard.collect.account import collect_account, collection_stats
from rootguard.collect.aws import MAX_ATTEMPTS, Aws, call, failure_document, one_line, paginate
from rootguard.collect.iam import caller_identity
from rootguard.collect.regions import chosen_regions, partition_of, same_partition
from rootguard.errors import CollectionError, CredentialsError, UsageError
from rootguard.model.failures import FailureCategory, fix_for

SUMMARY = (
    b'<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult>'
    b"<SummaryMap><entry><key>Users</key><value>1</value></entry></SummaryMap></GetAccountSummaryResult>"
    b"</GetAccountSummaryResponse>"
)
XML = (("Content-Type", "text/xml"),)


def identity(account: str) -> bytes:
    return (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        f"<Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDA1</UserId><Account>{account}</Account>"
        "</GetCallerIdentityResult></GetCallerIdentityResponse>"
    ).encode()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's back-off (up to 1 + 2 s for throttling) is not what these tests measure."""
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff,
        "_DEFAULT_BACKOFF_CONFIG",
        {"throttling_base_scale": 0.001, "non_throttling_base_scale": 0.001},
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


@pytest.fixture
def stub(env: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """A stub AWS on 127.0.0.1 that answers what ``stub.respond`` says (set per test)."""
    with fault_proxy(None, lambda _: None) as proxy:
        env.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        yield proxy


def summary(aws: Aws) -> Any:
    return call(aws.iam().get_account_summary)


# --- one document per failure ------------------------------------------------------------------


def test_an_html_server_error_is_unavailable_retried_and_never_pasted(stub: FaultProxy) -> None:
    stub.respond = lambda _: html(500)

    error = summary(Aws())["Error"]

    assert error["Category"] == "unavailable"
    assert error["Operation"] == "iam:GetAccountSummary"
    assert error["Region"] == "us-east-1"
    assert error["HttpStatus"] == 500
    assert error["Attempts"] == MAX_ATTEMPTS == len(stub.log())
    assert "<" not in error["Message"] and "doctype" not in error["Message"].lower()
    assert "HTTP 500" in error["Message"] and "text/html" in error["Message"]


def test_an_html_page_from_a_json_service_is_summarised_too(stub: FaultProxy) -> None:
    stub.respond = lambda _: html(503)

    document = paginate(Aws().config("eu-west-1").get_paginator("describe_config_rules"), regional=True)

    assert document["Error"]["Category"] == "unavailable"
    assert document["Error"]["Region"] == "eu-west-1"
    assert "<" not in json.dumps(document)


@pytest.mark.parametrize("service", ["iam", "config", "ec2"])
def test_throttling_in_every_protocol_is_throttled_after_every_attempt(stub: FaultProxy, service: str) -> None:
    stub.respond = throttled
    aws = Aws()
    if service == "iam":
        document = summary(aws)
    elif service == "config":
        document = paginate(aws.config().get_paginator("describe_config_rules"), regional=True)
    else:
        document = call(aws.ec2().describe_regions, regional=True)

    assert document["Error"]["Category"] == "throttled"
    assert document["Error"]["Code"] in {"Throttling", "ThrottlingException", "RequestLimitExceeded"}
    assert len(stub.log()) == MAX_ATTEMPTS


def test_an_scp_deny_is_parsed_and_its_fix_is_not_a_grant(stub: FaultProxy) -> None:
    stub.respond = scp_denied

    error = summary(Aws())["Error"]

    assert error["Category"] == "explicit-deny"
    assert error["DeniedBy"] == "service control policy"
    assert error["Attempts"] == 1, "a refusal is not retried"
    fix = fix_for(error, actions="iam:GetAccountSummary", command="aws iam get-account-summary", path="p")
    assert fix is not None and "service control policy" in fix and "does not help" in fix


@pytest.mark.parametrize(
    ("reply", "code"),
    [(reset(), "ConnectionClosedError"), (Reply(200, SUMMARY[:40], XML), "ResponseParserError"),
     (Reply(200, SUMMARY[:40], XML, promise=len(SUMMARY)), "ResponseParserError")],
    ids=["reset", "truncated-clean", "truncated-short"],
)  # fmt: skip
def test_resets_and_truncated_answers_are_unavailable(stub: FaultProxy, reply: Reply, code: str) -> None:
    stub.respond = lambda _: reply

    error = summary(Aws())["Error"]

    assert (error["Code"], error["Category"]) == (code, "unavailable")
    assert "GetAccountSummary" not in error["Message"] and "<" not in error["Message"]


def test_a_truncated_json_answer_is_never_an_empty_one(stub: FaultProxy) -> None:
    # botocore's JSON parser turns a body it cannot read into {}: "no config rules" would be a lie.
    stub.respond = lambda _: Reply(
        200, b'{"ConfigRules": [{"ConfigRuleName": "ro', (("Content-Type", "application/x-amz-json-1.1"),)
    )

    document = paginate(Aws().config().get_paginator("describe_config_rules"), regional=True)

    assert document["Error"]["Code"] == "ResponseParserError"
    assert document["Error"]["Category"] == "unavailable"


def test_a_region_that_is_not_enabled_is_not_bad_credentials(stub: FaultProxy) -> None:
    from faults.proxy import aws_error

    stub.respond = lambda request: aws_error(
        request, 400, "UnrecognizedClientException", "The security token is invalid"
    )
    aws = Aws(region="us-east-1")

    document = call(aws.events("ap-east-1").list_rules, regional=True)

    assert document["Error"]["Category"] == "not-enabled-in-region"
    assert "ap-east-1" in document["Error"]["Message"]
    with pytest.raises(CredentialsError, match="UnrecognizedClientException"):
        call(aws.events("us-east-1").list_rules, regional=True)  # where the identity was verified: bad credentials


# --- bounded time ------------------------------------------------------------------------------


def test_the_breaker_opens_after_more_than_one_calls_worth_of_failures(stub: FaultProxy) -> None:
    stub.respond = lambda _: html(500)
    aws = Aws()

    first, second, third = summary(aws), summary(aws), summary(aws)

    assert first["Error"]["Attempts"] == MAX_ATTEMPTS, "one failing call alone does not open it"
    assert second["Error"]["Category"] == "unavailable"
    assert "stopped asking" in second["Error"]["Message"]
    assert len(stub.log()) == MAX_ATTEMPTS + 1
    assert third["Error"]["Category"] == "not-attempted"
    assert third["Error"]["Cause"] == "circuit-open"
    assert "iam in us-east-1 failed 5 times in a row" in third["Error"]["Message"]
    # Other services, and the same service elsewhere, are still asked.
    assert "Error" not in call(aws.ec2().describe_regions, regional=True) or len(stub.log()) > MAX_ATTEMPTS + 1


def test_an_answer_below_500_closes_the_count(stub: FaultProxy) -> None:
    answers = iter([html(500)] * 3 + [Reply(200, SUMMARY, XML)] + [html(500)] * 3 + [Reply(200, SUMMARY, XML)])
    stub.respond = lambda _: next(answers)
    aws = Aws()

    assert summary(aws) == {"SummaryMap": {"Users": 1}}
    assert summary(aws) == {"SummaryMap": {"Users": 1}}
    assert aws.guard.opened("iam", "us-east-1") == ""


def test_after_the_deadline_nothing_is_asked_and_calls_are_not_attempted(stub: FaultProxy) -> None:
    stub.respond = lambda _: Reply(200, SUMMARY, XML)
    clock = FakeTime()
    aws = Aws(timeout=30, clock=clock.clock)
    assert summary(aws) == {"SummaryMap": {"Users": 1}}

    clock.sleep(31)
    error = summary(aws)["Error"]

    assert error["Category"] == "not-attempted"
    assert error["Cause"] == "deadline"
    assert "--timeout 30 s" in error["Message"]
    assert len(stub.log()) == 1
    fix = fix_for(error, actions="iam:GetAccountSummary", command="c", path="p")
    assert fix is not None and "--timeout" in fix and "grant" not in fix


def test_a_hung_endpoint_costs_at_most_the_time_left(stub: FaultProxy) -> None:
    stub.respond = lambda _: slow(3.0)
    aws = Aws(timeout=2)  # read timeout: a quarter of it, at least 1 s, and never past the deadline

    started = time.monotonic()
    error = summary(aws)["Error"]
    took = time.monotonic() - started

    assert took < 3.0, f"took {took:.1f} s"
    assert error["Code"] == "ReadTimeoutError"
    assert error["Category"] == "unavailable"
    assert "time limit" in error["Message"]


# --- the caller, credentials and Regions --------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "match"),
    [(Reply(200, identity("123456789012")[:60], XML), "no usable answer"), (html(500), "no usable answer"),
     (Reply(200, identity("12345"), XML), "not 12 digits"), (Reply(200, identity("../../etc"), XML), "not 12 digits")],
    ids=["truncated", "html", "short-id", "path"],
)  # fmt: skip
def test_an_unusable_caller_identity_is_a_collection_error(stub: FaultProxy, reply: Reply, match: str) -> None:
    stub.respond = lambda _: reply

    with pytest.raises(CollectionError, match=match):
        caller_identity(Aws().sts())


def test_refused_credentials_stop_the_run(stub: FaultProxy) -> None:
    from faults.proxy import aws_error

    stub.respond = lambda request: aws_error(request, 403, "InvalidClientTokenId", "The security token is invalid.")

    with pytest.raises(CredentialsError, match="InvalidClientTokenId"):
        caller_identity(Aws().sts())


CONFIG = """\
[profile broken]
role_arn = arn:aws:iam::123456789012:role/Audit
source_profile = nowhere

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Audit
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile elsewhere]
region = nowhere-1
"""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--profile", "missing"], "the AWS profile cannot be used"),
        (["--profile", "broken"], 'source_profile "nowhere"'),
        (["--profile", "sso"], "sign in again"),
        (["--profile", "elsewhere"], "'nowhere-1' is not an AWS Region name"),
        (["--region", "nowhere-1"], "--region: 'nowhere-1' is not an AWS Region name"),
        (["--regions", "us-east-1,nowhere"], "--regions: 'nowhere' is not an AWS Region name"),
    ],
    ids=["no-such-profile", "source-profile-nowhere", "expired-sso", "profile-region", "region", "regions"],
)
def test_unusable_profiles_and_regions_are_one_line_and_exit_2(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    (tmp_path / "config").write_text(CONFIG)
    env.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    env.setenv("HOME", str(tmp_path))
    env.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing may be asked: port 9 discards
    env.delenv("AWS_DEFAULT_REGION")  # the profile's Region applies

    code = main(["audit", "--quiet", "--format", "json", *args])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("rootguard: error: ") and says in line


def test_no_credentials_at_all_is_one_line(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.delenv("AWS_ACCESS_KEY_ID")
    env.delenv("AWS_SECRET_ACCESS_KEY")
    env.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    assert main(["collect", "--out", "unused-out", "--quiet"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "no AWS credentials found" in line


def test_regions_must_be_enabled_and_the_error_lists_the_enabled_ones() -> None:
    assert chosen_regions(["eu-west-1", "us-east-1", "eu-west-1"], ("eu-west-1", "us-east-1")) == (
        "eu-west-1",
        "us-east-1",
    )
    with pytest.raises(UsageError, match=r"ap-east-1 is not enabled.*enabled Regions are: eu-west-1, us-east-1"):
        chosen_regions(["ap-east-1"], ("eu-west-1", "us-east-1"))
    assert chosen_regions(["ap-east-1"], None) == ("ap-east-1",), "unverifiable: read as given"
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    assert same_partition(["cn-north-1", "eu-west-1", "us-gov-west-1"], "us-east-1") == ("eu-west-1",)


def test_regions_are_checked_against_describe_regions_before_anything_else(stub: FaultProxy) -> None:
    regions = (
        b'<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><regionInfo>'
        b"<item><regionName>us-east-1</regionName><optInStatus>opt-in-not-required</optInStatus></item>"
        b"<item><regionName>eu-west-1</regionName><optInStatus>opt-in-not-required</optInStatus></item>"
        b"</regionInfo></DescribeRegionsResponse>"
    )
    stub.respond = lambda request: Reply(200, identity("123456789012") if request.service == "sts" else regions, XML)

    with pytest.raises(UsageError, match="enabled Regions are: eu-west-1, us-east-1"):
        collect_account(Aws(), regions=("ap-east-1",))
    assert [seen.request.operation for seen in stub.log()] == ["GetCallerIdentity", "DescribeRegions"]


def test_the_summary_counts_failed_files_by_category_and_not_answers() -> None:
    documents = {
        "a": {"Users": 1},
        "b": failure_document("500", "HTTP 500", FailureCategory.UNAVAILABLE),
        "c": failure_document("NoSuchEntity", "no policy", FailureCategory.NOT_FOUND),
        "d": {"Error": {"Code": "AccessDenied", "Message": "hand-made, no category"}},
    }

    stats = collection_stats(documents, calls=5, attempts=7, regions=("us-east-1",))

    assert stats.failed == {"unavailable": 1, "failed": 1}
    assert stats.failures == 2
    assert "2 of 4 evidence files failed (failed 1, unavailable 1)" in stats.summary()


def test_one_line_never_keeps_markup_or_newlines() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("<!doctype html><html><title>500</title>") == ""
    assert one_line("b'<html>oops'") == ""
    assert len(one_line("x" * 1000)) == 300
