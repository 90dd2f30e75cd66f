"""The Athena query, proven without AWS: transpiled to DuckDB and run over CloudTrail files, it must find
exactly what the Python scanner finds, record for record and classification for classification.

The corpus is the benchmark's generator (bench/gen_cloudtrail.py: root console sign-ins with and
without MFA, failed sign-ins, root API calls from the console and with a key, service-invoked calls,
``AwsServiceEvent`` records, a centralized-root session, ``"type":"\\u0052oot"``, a multi-member gzip,
a plain ``.json``, 24 decoys), plus a management-account ``AssumeRoot`` call and the member-side
session it opened, written here in the organization layout.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rootguard.analysis.root_activity import analyze
from rootguard.model.activity import TrailRecord
from rootguard.trail import scan_paths
from rootguard.trail.athena_sql import (
    COLUMNS,
    PATH_COLUMN,
    QueryPlan,
    TrailLocation,
    create_table_ddl,
    duckdb_query,
    duckdb_view,
    root_query,
    row_record,
    validate_plan,
)

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

BENCH = Path(__file__).resolve().parents[2] / "bench"
ORG = "o-a1b2c3d4e5"
MANAGEMENT = "999988887777"
MEMBER = "111122223333"
SESSION_KEY = "ASIAEXAMPLEROOTSESS1"


def _assume_root_pair(day: datetime) -> dict[str, dict[str, Any]]:
    """A management-account AssumeRoot call and the member-side root record it opened (AWS's documented shapes)."""
    call = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ops",
            "arn": f"arn:aws:sts::{MANAGEMENT}:assumed-role/PlatformAdmin/ops",
            "accountId": MANAGEMENT,
        },
        "eventTime": (day + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoot",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.22.0",
        "requestParameters": {
            "targetPrincipal": MEMBER,
            "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
        },
        "responseElements": {"credentials": {"accessKeyId": SESSION_KEY, "expiration": "x"}},
        "eventID": "0f0f0f0f-aaaa-4bbb-8ccc-000000000001",
        "eventType": "AwsApiCall",
        "readOnly": False,
        "recipientAccountId": MANAGEMENT,
        "eventCategory": "Management",
    }
    session = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "Root",
            "principalId": MEMBER,
            "arn": f"arn:aws:iam::{MEMBER}:root",
            "accountId": MEMBER,
            "accessKeyId": SESSION_KEY,
            "sessionContext": {
                "attributes": {"creationDate": call["eventTime"], "mfaAuthenticated": "false"},
                "assumedRoot": "true",
            },
        },
        "eventTime": (day + timedelta(hours=9, minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "s3.amazonaws.com",
        "eventName": "DeleteBucketPolicy",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "[aws-cli/2.22.0]",
        "requestParameters": {"bucketName": "locked-bucket", "policy": ""},
        "responseElements": None,
        "additionalEventData": {"SignatureVersion": "SigV4"},
        "eventID": "0f0f0f0f-aaaa-4bbb-8ccc-000000000002",
        "eventType": "AwsApiCall",
        "readOnly": False,
        "recipientAccountId": MEMBER,
        "eventCategory": "Management",
    }
    return {"call": call, "session": session}


def _write_log(root: Path, account: str, region: str, day: datetime, records: list[dict[str, Any]]) -> None:
    folder = root / "AWSLogs" / ORG / account / "CloudTrail" / region / day.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{account}_CloudTrail_{region}_{day.strftime('%Y%m%d')}T0915Z_rgAthenaTest0001.json.gz"
    (folder / name).write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        from gen_cloudtrail import generate  # the benchmark's generator
    finally:
        sys.path.remove(str(BENCH))
    out = tmp_path_factory.mktemp("athena-corpus")
    generate(out, size_mb=2, accounts=2, days=1, seed=11, org_id=ORG, jobs=1)
    day = datetime(2026, 10, 1, tzinfo=UTC)
    pair = _assume_root_pair(day)
    _write_log(out, MANAGEMENT, "us-east-1", day, [pair["call"]])
    _write_log(out, MEMBER, "eu-west-1", day, [pair["session"]])
    return out


def _files(corpus: Path) -> list[str]:
    return sorted(str(p) for p in (corpus / "AWSLogs").rglob("*.json*") if "/CloudTrail/" in str(p))


def _plan(corpus: Path, since: datetime, until: datetime) -> QueryPlan:
    accounts = sorted(p.name for p in (corpus / "AWSLogs" / ORG).iterdir())
    regions = sorted({p.name for a in accounts for p in (corpus / "AWSLogs" / ORG / a / "CloudTrail").iterdir()})
    return QueryPlan(TrailLocation("trail-bucket", "", ORG), tuple(accounts), tuple(regions), since, until)


def _duckdb_records(corpus: Path, plan: QueryPlan) -> list[TrailRecord]:
    connection = duckdb.connect()
    connection.execute(duckdb_view("cloudtrail", _files(corpus)))
    cursor = connection.execute(duckdb_query(plan, "cloudtrail"))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return [TrailRecord(row_record(row), str(row[PATH_COLUMN])) for row in rows]


def _python_records(corpus: Path, since: datetime, until: datetime) -> list[TrailRecord]:
    return list(scan_paths([corpus / "AWSLogs"], since=since, until=until, workers=1).root_records)


def _in_window(records: list[TrailRecord], plan: QueryPlan) -> set[str]:
    return {
        r.record["eventID"]
        for r in records
        if plan.read_from.strftime("%Y-%m-%dT%H:%M:%SZ")
        <= r.record.get("eventTime", "")
        <= plan.until.strftime("%Y-%m-%dT%H:%M:%SZ")
    }


WINDOW = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


def test_duckdb_finds_every_root_record_the_python_scanner_finds(corpus: Path) -> None:
    plan = _plan(corpus, *WINDOW)
    python = _python_records(corpus, *WINDOW)
    sql = _duckdb_records(corpus, plan)
    expected = {json.loads(line)["eventID"] for line in (corpus / "expected_root.jsonl").read_text().splitlines()}
    assert expected <= _in_window(python, plan)
    assert {r.record["eventID"] for r in sql} == _in_window(python, plan)
    assert len(sql) == len({r.record["eventID"] for r in sql}), "each record once"


def test_both_engines_give_the_same_classification(corpus: Path) -> None:
    plan = _plan(corpus, *WINDOW)
    python = analyze(_python_records(corpus, *WINDOW), approvals=(), since=WINDOW[0], until=WINDOW[1])
    sql = analyze(_duckdb_records(corpus, plan), approvals=(), since=WINDOW[0], until=WINDOW[1])
    assert sql.events == python.events
    assert sql.sessions == python.sessions
    assert len({e.category for e in sql.events}) >= 4
    opened = [e for e in sql.events if e.event_name == "DeleteBucketPolicy" and e.account_id == MEMBER]
    assert len(opened) == 1 and opened[0].access_key_id == SESSION_KEY


def test_the_window_prunes_partitions_and_records(corpus: Path) -> None:
    # A window that ends before the corpus begins reads no partition with data and finds nothing.
    early = (datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 8, 31, tzinfo=UTC))
    plan = _plan(corpus, *early)
    assert _duckdb_records(corpus, plan) == []
    assert all("2026/08/" in p or "2026/07/31" in p or "2026/09/01" in p for p in plan.prefixes())


def test_the_trino_query_parses_and_prunes_by_every_partition_column() -> None:
    plan = QueryPlan(
        TrailLocation("trail-bucket", "team", ORG),
        (MEMBER, MANAGEMENT),
        ("us-east-1", "eu-west-1"),
        datetime(2026, 11, 1, 10, 30, 0, 500000, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )
    sql = root_query(plan, "rootguard_cloudtrail")
    parsed = sqlglot.parse_one(sql, read="trino")
    where = parsed.args["where"].sql(dialect="trino")
    for column in ("account IN", "region IN", '"timestamp" BETWEEN', "eventtime >=", "eventtime <="):
        assert column in where
    assert "'2026-11-01T10:15:00Z'" in sql, "a session's length before since, whole seconds"
    assert [c.name for c in COLUMNS] == [e.alias for e in parsed.expressions][1:]


def test_the_ddl_is_hive_with_projection_over_the_organization_layout() -> None:
    ddl = create_table_ddl(TrailLocation("trail-bucket", "team", ORG), "rootguard_cloudtrail")
    assert (
        "'storage.location.template'='s3://trail-bucket/team/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'"
        in ddl
    )
    assert "'projection.account.type'='injected'" in ddl and "'projection.region.type'='injected'" in ddl
    assert "assumedroot: STRING" in ddl
    sqlglot.parse_one(ddl, read="athena")
    single = create_table_ddl(TrailLocation("b", "", None), "t")
    assert "s3://b/AWSLogs/${account}/CloudTrail/" in single


@pytest.mark.parametrize(
    ("accounts", "regions", "problem"),
    [
        (("12345678901'",), ("us-east-1",), "not an account id"),
        ((MEMBER,), ("us-east-1' OR 1=1 --",), "not a Region name"),
        ((), ("us-east-1",), "no account"),
    ],
)
def test_user_text_never_reaches_the_sql(accounts: tuple[str, ...], regions: tuple[str, ...], problem: str) -> None:
    plan = QueryPlan(TrailLocation("b", "", None), accounts, regions, *WINDOW)
    assert any(problem in p for p in validate_plan(plan))
    if accounts:
        with pytest.raises(ValueError, match="refusing"):
            root_query(plan, "t")
    with pytest.raises(ValueError, match="not a table name"):
        create_table_ddl(TrailLocation("b", "", None), "t; DROP TABLE x")


def test_a_row_becomes_the_record_the_classifier_reads() -> None:
    row: dict[str, str | None] = {c.name: None for c in COLUMNS}
    row |= {
        "eventname": "ConsoleLogin",
        "useridentity_type": "Root",
        "useridentity_sessioncontext_attributes_mfaauthenticated": "false",
        "additionaleventdata": '{"MFAUsed": "No"}',
        "responseelements": '{"ConsoleLogin": "Failure"}',
        "requestparameters": "null",
        "readonly": "false",
    }
    record = row_record(row)
    assert record["userIdentity"] == {"type": "Root", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}}
    assert record["additionalEventData"] == {"MFAUsed": "No"}
    assert "requestParameters" not in record
    assert row_record({"responseelements": "{not json"})["responseElements"] == "{not json"
