"""``scan_s3`` against moto's S3: only the period's day folders are listed (logs and digests), failures are
reported, and what the objects say about time proves coverage as for local files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from trail_records import delivered, digest, gz, insight, record, root

from rootguard.cli.main import main
from rootguard.collect import s3_logs
from rootguard.collect.aws import MAX_ATTEMPTS, Aws
from rootguard.errors import CredentialsError, UsageError
from rootguard.model.activity import SkippedSource

BUCKET = "trail-bucket"
SINCE, UNTIL = datetime(2026, 11, 3, 6, tzinfo=UTC), datetime(2026, 11, 3, 18, tzinfo=UTC)
ORG_ACCOUNT = "AWSLogs/o-a1b2c3d4e5/111111111111/CloudTrail/us-east-1"
ACCOUNT = "AWSLogs/222222222222/CloudTrail/eu-west-1"
DIGEST_KEY = (
    "AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/2026/11/03/"
    "222222222222_CloudTrail-Digest_eu-west-1_trail_us-east-1_20261103T1200Z.json.gz"
)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Any]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def delivered_key(folder: str, day: int, suffix: str = "x") -> str:
    account, region = folder.split("/")[-3], folder.rsplit("/", maxsplit=1)[-1]
    return f"{folder}/2026/11/{day:02d}/{account}_CloudTrail_{region}_202611{day:02d}T1200Z_{suffix}.json.gz"


def archive(s3: Any) -> dict[str, str]:
    """A bucket with two trails over six days, a digest, Insights and another service's logs."""
    ids = {}
    for folder in (ORG_ACCOUNT, ACCOUNT):
        for day in range(1, 7):
            hit = root()
            key = delivered_key(folder, day)
            s3.put_object(Bucket=BUCKET, Key=key, Body=gz(delivered([record(), hit])))
            ids[key] = hit["eventID"]
    s3.put_object(Bucket=BUCKET, Key=DIGEST_KEY, Body=gz(digest()))
    s3.put_object(
        Bucket=BUCKET,
        Key="AWSLogs/222222222222/CloudTrail-Insight/eu-west-1/2026/11/03/i.json.gz",
        Body=gz(delivered([insight()])),
    )
    s3.put_object(Bucket=BUCKET, Key="AWSLogs/222222222222/elasticloadbalancing/eu-west-1/2026/11/03/lb.log", Body=b"x")
    return ids


class Calls:
    """What was asked of S3: operation names (via Aws's recorder) and the listing parameters."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.listings: list[tuple[str, str | None]] = []

    def aws(self) -> Aws:
        aws = Aws(region="us-east-1", recorder=self.names.append)
        aws.session.events.register("before-parameter-build.s3.ListObjectsV2", self._listing)
        return aws

    def _listing(self, params: dict[str, Any], **_: Any) -> None:
        self.listings.append((params.get("Prefix", ""), params.get("Delimiter")))


def test_only_the_period_day_folders_are_listed(s3: Any) -> None:
    ids = archive(s3)
    calls = Calls()

    found = s3_logs.scan_s3(f"s3://{BUCKET}", since=SINCE, until=UNTIL, aws=calls.aws())

    days = [delivered_key(folder, day) for folder in (ORG_ACCOUNT, ACCOUNT) for day in (2, 3, 4)]
    assert sorted(r.source for r in found.root_records) == sorted(f"s3://{BUCKET}/{key}" for key in days)
    assert sorted(r.record["eventID"] for r in found.root_records) == sorted(ids[key] for key in days)
    assert (found.files, found.skipped) == (7, ()), "six log files and the digest"
    assert [d.path for d in found.reads.digests] == [f"s3://{BUCKET}/{DIGEST_KEY}"]
    assert len(found.reads.logs) == 6, "every log file's delivery stamp is kept through the merge"
    day_listings = {prefix for prefix, delimiter in calls.listings if delimiter is None}
    digest_folders = [folder.replace("/CloudTrail/", "/CloudTrail-Digest/") for folder in (ORG_ACCOUNT, ACCOUNT)]
    assert day_listings == {
        f"{folder}/2026/11/{day:02d}/" for folder in (ORG_ACCOUNT, ACCOUNT, *digest_folders) for day in (2, 3, 4)
    }, "the same Regions' and days' digest folders are listed too"
    assert {prefix for prefix, delimiter in calls.listings if delimiter == "/"} == {
        "",
        "AWSLogs/",
        "AWSLogs/o-a1b2c3d4e5/",
        "AWSLogs/o-a1b2c3d4e5/111111111111/CloudTrail/",
        "AWSLogs/222222222222/CloudTrail/",
    }
    assert set(calls.names) == {"s3:ListObjectsV2", "s3:GetObject"}
    assert calls.names.count("s3:GetObject") == 7


def test_a_prefix_deep_in_the_layout_is_honoured(s3: Any) -> None:
    archive(s3)
    calls = Calls()
    found = s3_logs.scan_s3(f"s3://{BUCKET}/{ACCOUNT}/2026/11", since=SINCE, until=UNTIL, aws=calls.aws())
    assert sorted(r.source.split("/")[-2] for r in found.root_records) == ["02", "03", "04"]
    assert all(delimiter is None for _, delimiter in calls.listings)


def test_a_prefix_outside_the_layout_is_listed_whole(s3: Any) -> None:
    hit, old = root(), root()
    s3.put_object(Bucket=BUCKET, Key="exports/a.json", Body=delivered([hit]))
    s3.put_object(Bucket=BUCKET, Key="exports/sub/x_CloudTrail_r_20200101T0000Z_y.json.gz", Body=gz(delivered([old])))
    s3.put_object(Bucket=BUCKET, Key="exports/CloudTrail-Digest/d.json", Body=digest())
    s3.put_object(Bucket=BUCKET, Key="exports/folder/", Body=b"")
    calls = Calls()

    found = s3_logs.scan_s3(f"s3://{BUCKET}/exports", since=SINCE, until=UNTIL, aws=calls.aws())

    assert [r.record["eventID"] for r in found.root_records] == [hit["eventID"]]
    assert (found.files, found.skipped) == (2, ()), "the record file and the digest"
    assert [d.path for d in found.reads.digests] == [f"s3://{BUCKET}/exports/CloudTrail-Digest/d.json"]
    assert ("exports", None) in calls.listings


def test_nothing_to_read_is_reported_not_taken_as_no_activity(s3: Any) -> None:
    found = s3_logs.scan_s3(f"s3://{BUCKET}/nothing-here/", since=SINCE, until=UNTIL, aws=Calls().aws())
    assert found.skipped == (
        SkippedSource(f"s3://{BUCKET}/nothing-here/", "no CloudTrail objects found under this prefix for the period"),
    )


class Refusing(Aws):
    """Aws whose S3 client refuses some keys or prefixes with the given error code."""

    def __init__(self, code: str, keys: set[str] = frozenset(), prefixes: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        super().__init__(region="us-east-1")
        self.code, self.keys, self.prefixes = code, keys, prefixes

    def client(self, service: str, region: str | None = None, *, max_pool_connections: int | None = None) -> Any:
        return RefusingClient(super().client(service, region, max_pool_connections=max_pool_connections), self)


class RefusingClient:
    def __init__(self, real: Any, rules: Refusing) -> None:
        self.real, self.rules = real, rules

    def get_object(self, **kwargs: Any) -> Any:
        if kwargs["Key"] in self.rules.keys:
            raise ClientError({"Error": {"Code": self.rules.code, "Message": "Access Denied"}}, "GetObject")
        return self.real.get_object(**kwargs)

    def get_paginator(self, name: str) -> Any:
        real, rules = self.real.get_paginator(name), self.rules

        class Paginator:
            def paginate(self, **kwargs: Any) -> Any:
                if kwargs.get("Prefix") in rules.prefixes:
                    raise ClientError({"Error": {"Code": rules.code, "Message": "Access Denied"}}, "ListObjectsV2")
                return real.paginate(**kwargs)

        return Paginator()


def test_a_denied_object_is_reported_and_the_others_still_read(s3: Any) -> None:
    archive(s3)
    denied = delivered_key(ACCOUNT, 3)
    found = s3_logs.scan_s3(f"s3://{BUCKET}", since=SINCE, until=UNTIL, aws=Refusing("AccessDenied", keys={denied}))
    assert found.skipped == (
        SkippedSource(f"s3://{BUCKET}/{denied}", "GetObject failed: AccessDenied (Access Denied)"),
    )
    assert len(found.root_records) == 5 and found.files == 7


def test_a_denied_listing_is_reported_never_an_empty_success(s3: Any) -> None:
    archive(s3)
    refusing = Refusing("AccessDenied", prefixes={"AWSLogs/222222222222/CloudTrail/"})
    found = s3_logs.scan_s3(f"s3://{BUCKET}", since=SINCE, until=UNTIL, aws=refusing)
    assert found.skipped == (
        SkippedSource(
            f"s3://{BUCKET}/AWSLogs/222222222222/CloudTrail/", "ListObjectsV2 failed: AccessDenied (Access Denied)"
        ),
    )
    assert len(found.root_records) == 3
    whole = s3_logs.scan_s3(f"s3://{BUCKET}", since=SINCE, until=UNTIL, aws=Refusing("AccessDenied", prefixes={""}))
    assert [s.reason for s in whole.skipped] == ["ListObjectsV2 failed: AccessDenied (Access Denied)"]


def test_expired_credentials_stop_the_scan(s3: Any) -> None:
    archive(s3)
    refusing = Refusing("ExpiredToken", keys={delivered_key(ACCOUNT, 3)})
    with pytest.raises(CredentialsError, match="ExpiredToken"):
        s3_logs.scan_s3(f"s3://{BUCKET}", since=SINCE, until=UNTIL, aws=refusing)


def test_the_client_gets_a_connection_pool_as_large_as_the_thread_pool(s3: Any) -> None:
    client = Aws(region="us-east-1").client("s3", max_pool_connections=64)
    assert client.meta.config.max_pool_connections == 64
    # The pool keeps the client's retry settings: the collector edge's one bounded policy.
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}


def test_declared_actions_and_bad_locations() -> None:
    assert s3_logs.REQUIRED_ACTIONS == ("s3:ListBucket", "s3:GetObject")
    assert s3_logs.parse_uri("s3://b/p/q/") == ("b", "p/q/")
    assert s3_logs.parse_uri("s3://b") == ("b", "")
    for bad in ("https://b/p", "s3://", "s3:///p"):
        with pytest.raises(UsageError):
            s3_logs.parse_uri(bad)


# --- coverage through `activity --logs s3://…` ----------------------------------------------------

TRAIL_ACCOUNT, REGION = "333333333333", "us-east-1"
AS_OF = datetime(2026, 11, 3, 18, tzinfo=UTC)
SINCE_ONE_DAY = AS_OF - timedelta(days=1)


def log_key(moment: datetime) -> str:
    stamp = moment.strftime("%Y%m%dT%H%MZ")
    return (
        f"AWSLogs/{TRAIL_ACCOUNT}/CloudTrail/{REGION}/{moment:%Y/%m/%d}/"
        f"{TRAIL_ACCOUNT}_CloudTrail_{REGION}_{stamp}_{moment:%H%M}.json.gz"
    )


def digest_key(end: datetime) -> str:
    return (
        f"AWSLogs/{TRAIL_ACCOUNT}/CloudTrail-Digest/{REGION}/{end:%Y/%m/%d}/"
        f"{TRAIL_ACCOUNT}_CloudTrail-Digest_{REGION}_trail_{REGION}_{end:%Y%m%dT%H%M%SZ}.json.gz"
    )


def put_logs(s3: Any, moments: list[datetime]) -> None:
    for moment in moments:
        s3.put_object(Bucket=BUCKET, Key=log_key(moment), Body=gz(delivered([record()])))


def every_five_minutes(start: datetime, end: datetime) -> list[datetime]:
    return [start + timedelta(minutes=5 * n) for n in range(int((end - start) / timedelta(minutes=5)) + 1)]


def activity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    """`rootguard activity --logs s3://BUCKET --since 1` as of AS_OF: its exit code and JSON document."""
    monkeypatch.chdir(tmp_path)
    code = main(["activity", "--logs", f"s3://{BUCKET}", "--since", "1", "--as-of", AS_OF.isoformat(),
                 "--format", "json", "--quiet", "--region", "us-east-1"])  # fmt: skip
    return code, json.loads(capsys.readouterr().out)


def test_delivered_files_every_five_minutes_prove_the_period(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put_logs(s3, every_five_minutes(SINCE_ONE_DAY, AS_OF))

    code, document = activity(tmp_path, monkeypatch, capsys)

    coverage = document["coverage"]
    assert (code, document["events"], document["sources"]["skipped"]) == (0, [], []), coverage
    assert coverage["complete"] is True
    [region] = coverage["regions"]
    assert (region["account_id"], region["region"], region["sources"]) == (TRAIL_ACCOUNT, REGION, ["log files"])


def test_a_digest_chain_read_from_s3_proves_quiet_hours(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One log file in a day: without its digests the rest of the day would be unproven."""
    delivered_at = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)
    put_logs(s3, [delivered_at])
    previous: str | None = None
    hour = SINCE_ONE_DAY - timedelta(hours=2)
    while hour < AS_OF:
        end = hour + timedelta(hours=1)
        listed = [{"s3Bucket": BUCKET, "s3Object": log_key(delivered_at), "hashValue": "ab",
                   "oldestEventTime": "2026-11-03T09:00:00Z", "newestEventTime": "2026-11-03T09:01:00Z"}]  # fmt: skip
        body = {
            "awsAccountId": TRAIL_ACCOUNT,
            "digestStartTime": f"{hour:%Y-%m-%dT%H:%M:%SZ}",
            "digestEndTime": f"{end:%Y-%m-%dT%H:%M:%SZ}",
            "digestS3Bucket": BUCKET,
            "digestS3Object": digest_key(end),
            "previousDigestS3Bucket": BUCKET if previous else None,
            "previousDigestS3Object": previous,
            "logFiles": listed if hour <= delivered_at < end else [],
        }
        s3.put_object(Bucket=BUCKET, Key=digest_key(end), Body=gz(json.dumps(body).encode()))
        previous, hour = digest_key(end), end

    code, document = activity(tmp_path, monkeypatch, capsys)

    coverage = document["coverage"]
    assert (code, document["sources"]["skipped"]) == (0, []), coverage
    assert coverage["complete"] is True
    [region] = coverage["regions"]
    assert "digests" in region["sources"]


def test_a_three_hour_hole_in_the_deliveries_is_named_and_exits_3(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hole = (datetime(2026, 11, 3, 2, tzinfo=UTC), datetime(2026, 11, 3, 5, tzinfo=UTC))
    put_logs(s3, [m for m in every_five_minutes(SINCE_ONE_DAY, AS_OF) if not hole[0] < m < hole[1]])

    code, document = activity(tmp_path, monkeypatch, capsys)

    coverage = document["coverage"]
    assert code == 3, coverage
    assert document["events"] == [] and document["sources"]["skipped"] == []
    assert coverage["complete"] is False
    [region] = coverage["regions"]
    [gap] = region["uncovered"]
    assert (gap["start"], gap["end"]) == ("2026-11-03T02:00:00Z", "2026-11-03T05:00:00Z"), gap
