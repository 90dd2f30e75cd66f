"""``activity --athena`` end to end, with no AWS account: S3 is moto, Athena is botocore's Stubber.

moto 5.2.5 does not serve the rest-json protocol botocore uses for Athena, so the Athena client is a
real botocore client whose answers come from a ``Stubber`` (which checks every request's parameters
against the real API model). The rows it answers with are what DuckDB finds when it runs the same query
over the same objects (the tests' oracle), in Athena's ``GetQueryResults`` shape: so the report must be
the one ``activity --logs s3://…`` gives for the same trail.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws
from trail_records import record, root

from rootguard.cli.main import main
from rootguard.collect import athena as athena_collect
from rootguard.collect.aws import Aws
from rootguard.trail.athena_sql import COLUMNS, PATH_COLUMN, duckdb_view

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

BUCKET = "trail-bucket"
ORG = "o-a1b2c3d4e5"
ACCOUNTS = ("111111111111", "222222222222")
AS_OF = "2026-11-04T00:00:00Z"
QUERY_ID = "11111111-2222-3333-4444-555555555555"


def _key(account: str, region: str, day: int) -> str:
    return (
        f"AWSLogs/{ORG}/{account}/CloudTrail/{region}/2026/11/{day:02d}/"
        f"{account}_CloudTrail_{region}_202611{day:02d}T1200Z_abc{day}.json.gz"
    )


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.chdir(tmp_path)
    local = tmp_path / "copy"
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        for account in ACCOUNTS:
            for region in ("us-east-1", "eu-west-1"):
                for day in (1, 2, 3):
                    where = {"time": f"2026-11-{day:02d}T09:15:00Z", "awsRegion": region, "recipientAccountId": account}
                    hit = root(**where) if region == "us-east-1" else None
                    records = [record(**where)] + ([hit] if hit else [])
                    body = gzip.compress(json.dumps({"Records": records}).encode())
                    key = _key(account, region, day)
                    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
                    (local / key).parent.mkdir(parents=True, exist_ok=True)
                    (local / key).write_bytes(body)
        yield {"s3": s3, "local": local}


def _athena_rows(local: Path, sql: str) -> list[dict[str, Any]]:
    """What Athena would answer: the query run by DuckDB over the same objects, with s3:// paths."""
    files = sorted(str(p) for p in local.rglob("*.json.gz"))
    connection = duckdb.connect()
    connection.execute(duckdb_view("cloudtrail", files))
    transpiled = sqlglot.transpile(
        sql.replace("default.rootguard_cloudtrail", "cloudtrail"), read="trino", write="duckdb"
    )[0]
    cursor = connection.execute(transpiled)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row[PATH_COLUMN] = "s3://" + BUCKET + "/" + str(row[PATH_COLUMN]).split(str(local) + "/", 1)[1]
    return rows


def _results(rows: list[dict[str, Any]]) -> dict[str, Any]:
    names = [PATH_COLUMN] + [c.name for c in COLUMNS]
    header = {"Data": [{"VarCharValue": n} for n in names]}
    body = [{"Data": [{} if row[n] is None else {"VarCharValue": str(row[n])} for n in names]} for row in rows]
    return {
        "ResultSet": {
            "Rows": [header, *body],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": n, "Type": "varchar"} for n in names]},
        },
    }


def _stub_athena(monkeypatch: pytest.MonkeyPatch, answer: Any) -> Stubber:
    client = boto3.client("athena", region_name="us-east-1")
    stubber = Stubber(client)
    answer(stubber)
    stubber.activate()
    monkeypatch.setattr(Aws, "athena", lambda self, *a, **k: client)
    monkeypatch.setattr(athena_collect, "FIRST_POLL", 0.0)
    return stubber


def _execution(state: str, scanned: int = 4096, reason: str = "") -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {
        "QueryExecution": {
            "QueryExecutionId": QUERY_ID,
            "Status": status,
            "Statistics": {"DataScannedInBytes": scanned},
        }
    }


def _cli(*extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["activity", "--quiet", "--as-of", AS_OF, "--since", "30", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_the_plan_and_never_calls_athena(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Aws, "athena", lambda *a, **k: pytest.fail("--dry-run called Athena"))
    code, out, _ = _cli("--athena", f"s3://{BUCKET}/", "--dry-run", capsys=capsys)
    assert code == 0
    assert f"s3://{BUCKET}/AWSLogs/{ORG}/" in out, "the organization folder is found by listing"
    assert "account(s) x 2 Region(s)" in out and ", ".join(ACCOUNTS) in out
    assert "CREATE EXTERNAL TABLE IF NOT EXISTS default.rootguard_cloudtrail" in out
    assert "AND (useridentity.type = 'Root' OR eventname = 'AssumeRoot')" in out
    sizes = sum(o["Size"] for o in trail["s3"].list_objects_v2(Bucket=BUCKET)["Contents"])
    assert f"scan bound: {sizes / 1e9:,.3f} GB in 12 object(s)" in out


def test_athena_gives_the_report_a_scan_of_the_same_objects_gives(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli("--athena", f"s3://{BUCKET}/AWSLogs/{ORG}/", "--dry-run", capsys=capsys)
    query = out.split("-- query:\n", 1)[1].rstrip().rstrip(";")
    rows = _athena_rows(trail["local"], query)
    assert len(rows) == 6

    def answer(stubber: Stubber) -> None:
        stubber.add_response(
            "start_query_execution",
            {"QueryExecutionId": QUERY_ID},
            {"QueryString": ANY, "QueryExecutionContext": {"Database": "default"}, "WorkGroup": "primary"},
        )
        stubber.add_response("get_query_execution", _execution("RUNNING"), {"QueryExecutionId": QUERY_ID})
        stubber.add_response("get_query_execution", _execution("SUCCEEDED", 123456), {"QueryExecutionId": QUERY_ID})
        stubber.add_response("get_query_results", _results(rows), {"QueryExecutionId": QUERY_ID})

    stubber = _stub_athena(monkeypatch, answer)
    code, athena_out, _ = _cli("--athena", f"s3://{BUCKET}/AWSLogs/{ORG}/", "--format", "json", capsys=capsys)
    stubber.assert_no_pending_responses()
    code_s3, s3_out, _ = _cli("--logs", f"s3://{BUCKET}/AWSLogs/{ORG}/", "--format", "json", capsys=capsys)
    athena_doc, s3_doc = json.loads(athena_out), json.loads(s3_out)
    assert code == code_s3 == 1
    assert athena_doc["events"] == s3_doc["events"]
    assert athena_doc["sessions"] == s3_doc["sessions"]
    assert {k: v for k, v in athena_doc["coverage"].items() if k != "unread"} == {
        k: v for k, v in s3_doc["coverage"].items() if k != "unread"
    }


def test_a_failed_query_is_uncovered_time_never_quiet(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def answer(stubber: Stubber) -> None:
        stubber.add_response("start_query_execution", {"QueryExecutionId": QUERY_ID}, None)
        stubber.add_response(
            "get_query_execution",
            _execution("FAILED", 0, "HIVE_METASTORE_ERROR: Table default.rootguard_cloudtrail does not exist"),
            {"QueryExecutionId": QUERY_ID},
        )

    _stub_athena(monkeypatch, answer)
    code, out, _ = _cli("--athena", f"s3://{BUCKET}/", "--format", "json", capsys=capsys)
    document = json.loads(out)
    assert code == 3
    assert document["events"] == []
    assert any("does not exist" in s["reason"] for s in document["sources"]["skipped"])
    assert document["coverage"]["complete"] is False


def test_a_refused_start_is_reported_with_its_code(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def answer(stubber: Stubber) -> None:
        stubber.add_client_error(
            "start_query_execution", "AccessDeniedException", "not authorized: athena:StartQueryExecution"
        )

    _stub_athena(monkeypatch, answer)
    code, out, _ = _cli("--athena", f"s3://{BUCKET}/", "--format", "json", capsys=capsys)
    assert code == 3
    assert any("AccessDeniedException" in s["reason"] for s in json.loads(out)["sources"]["skipped"])


def test_a_query_that_does_not_finish_in_time_is_stopped(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = boto3.client("athena", region_name="us-east-1")
    elapsed = [0.0]  # a clock that only moves when the runner sleeps between polls
    with Stubber(client) as stubber:
        stubber.add_response("start_query_execution", {"QueryExecutionId": QUERY_ID}, None)
        for _ in range(3):
            stubber.add_response("get_query_execution", _execution("RUNNING"), {"QueryExecutionId": QUERY_ID})
        stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": QUERY_ID})
        outcome = athena_collect.run_query(
            client,
            "SELECT 1",
            athena_collect.QueryTarget("default", "primary"),
            timeout=2.5,
            clock=athena_collect.Clock(now=lambda: elapsed[0], sleep=lambda s: elapsed.__setitem__(0, elapsed[0] + s)),
        )
        stubber.assert_no_pending_responses()
    assert outcome.state == "UNFINISHED" and not outcome.succeeded
    assert "stopped" in outcome.reason


def test_above_the_scan_limit_it_asks_and_ci_must_say_yes(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Aws, "athena", lambda *a, **k: pytest.fail("ran above the limit"))
    code, _, err = _cli("--athena", f"s3://{BUCKET}/", "--max-scan-gb", "0.000000001", capsys=capsys)
    assert code == 2
    assert "--yes" in err and "--max-scan-gb" in err


def test_settings_come_from_the_file_and_the_environment(
    trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "rootguard.toml").write_text('[athena]\nworkgroup = "security"\ntable = "org_trail"\n')
    monkeypatch.setenv("ROOTGUARD_ATHENA_DATABASE", "audit")

    def answer(stubber: Stubber) -> None:
        stubber.add_response(
            "start_query_execution",
            {"QueryExecutionId": QUERY_ID},
            {
                "QueryString": ANY,
                "QueryExecutionContext": {"Database": "audit"},
                "WorkGroup": "security",
                "ResultConfiguration": {"OutputLocation": "s3://results/rootguard/"},
            },
        )
        stubber.add_response("get_query_execution", _execution("SUCCEEDED"), {"QueryExecutionId": QUERY_ID})
        stubber.add_response("get_query_results", _results([]), {"QueryExecutionId": QUERY_ID})

    stubber = _stub_athena(monkeypatch, answer)
    code, out, _ = _cli(
        "--athena", f"s3://{BUCKET}/", "--athena-output", "s3://results/rootguard/", "--format", "json", capsys=capsys
    )
    stubber.assert_no_pending_responses()
    assert code in (0, 3)
    assert json.loads(out)["events"] == []
