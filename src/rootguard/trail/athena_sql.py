"""One definition of the root-activity query over a CloudTrail table, for Athena and for DuckDB.

Athena reads CloudTrail where it lies in S3 through a table whose DDL is Hive
(``com.amazon.emr.hive.serde.CloudTrailSerde``) and whose queries are Trino SQL. This module builds:

- the table's DDL, with partition projection over the trail's layout (``account``, ``region`` and the
  ``timestamp`` day folder), for single-account trails (``AWSLogs/<account>/CloudTrail/…``) and
  organization trails (``AWSLogs/o-…/<account>/CloudTrail/…``);
- the query (Trino) that selects root records and ``AssumeRoot`` calls in a window, pruned by the
  partition columns, with exactly the columns the classifier reads (``COLUMNS``);
- the same query for DuckDB, transpiled with sqlglot, over a view of local files with the same columns
  (the tests' oracle: both engines must find what the Python scanner finds, record for record);
- the inverse: a result row back into a CloudTrail record the classifier reads.

Everything here is pure text: no AWS call, no clock.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from rootguard.model.timestamps import format_timestamp

SERDE = "com.amazon.emr.hive.serde.CloudTrailSerde"
INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
DAY_FORMAT = "%Y/%m/%d"
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,254}$")
SESSION_REACH = timedelta(seconds=900)
"""The longest ``AssumeRoot`` session (``DurationSeconds`` ≤ 900)."""
DELIVERY_DELAY = timedelta(hours=1)
"""CloudTrail delivers a record within about 15 minutes; its day folder is the delivery day."""


@dataclass(frozen=True)
class Column:
    """One selected column: the SQL expression on the table, its result name, and where it goes in a record."""

    expression: str
    name: str
    path: tuple[str, ...]
    json_text: bool = False
    """The table holds the field as JSON text (requestParameters …): parsed back into a mapping."""


def _column(expression: str, *path: str, json_text: bool = False) -> Column:
    return Column(expression, expression.replace(".", "_"), path, json_text)


COLUMNS: tuple[Column, ...] = (
    _column("eventversion", "eventVersion"),
    _column("eventtime", "eventTime"),
    _column("eventsource", "eventSource"),
    _column("eventname", "eventName"),
    _column("awsregion", "awsRegion"),
    _column("sourceipaddress", "sourceIPAddress"),
    _column("useragent", "userAgent"),
    _column("errorcode", "errorCode"),
    _column("errormessage", "errorMessage"),
    _column("eventid", "eventID"),
    _column("eventtype", "eventType"),
    _column("readonly", "readOnly"),
    _column("recipientaccountid", "recipientAccountId"),
    _column("sessioncredentialfromconsole", "sessionCredentialFromConsole"),
    _column("useridentity.type", "userIdentity", "type"),
    _column("useridentity.principalid", "userIdentity", "principalId"),
    _column("useridentity.arn", "userIdentity", "arn"),
    _column("useridentity.accountid", "userIdentity", "accountId"),
    _column("useridentity.accesskeyid", "userIdentity", "accessKeyId"),
    _column("useridentity.invokedby", "userIdentity", "invokedBy"),
    _column("useridentity.sessioncontext.assumedroot", "userIdentity", "sessionContext", "assumedRoot"),
    _column(
        "useridentity.sessioncontext.attributes.mfaauthenticated",
        "userIdentity",
        "sessionContext",
        "attributes",
        "mfaAuthenticated",
    ),
    _column(
        "useridentity.sessioncontext.attributes.creationdate",
        "userIdentity",
        "sessionContext",
        "attributes",
        "creationDate",
    ),
    _column("requestparameters", "requestParameters", json_text=True),
    _column("responseelements", "responseElements", json_text=True),
    _column("additionaleventdata", "additionalEventData", json_text=True),
)
PATH_COLUMN = "source_path"
"""The S3 object (or local file) each row came from: Athena's ``"$path"``."""


@dataclass(frozen=True)
class TrailLocation:
    """Where a trail delivers: ``s3://bucket/prefix/AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/``."""

    bucket: str
    prefix: str
    """The trail's key prefix, without slashes at either end; ``""`` when it has none."""
    organization_id: str | None = None

    def base(self) -> str:
        """The key prefix down to the account folders (``prefix/AWSLogs/o-…/``)."""
        parts = [self.prefix] if self.prefix else []
        parts.append("AWSLogs")
        if self.organization_id:
            parts.append(self.organization_id)
        return "/".join(parts) + "/"

    def day_prefix(self, account: str, region: str, day: date) -> str:
        return f"{self.base()}{account}/CloudTrail/{region}/{day.strftime(DAY_FORMAT)}/"

    def template(self) -> str:
        return f"s3://{self.bucket}/{self.base()}${{account}}/CloudTrail/${{region}}/${{timestamp}}"


@dataclass(frozen=True)
class QueryPlan:
    """What one root-activity query reads: accounts × Regions × days (the partitions), over a window."""

    location: TrailLocation
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    since: datetime
    until: datetime

    @property
    def read_from(self) -> datetime:
        """Records are read from a session's length before ``since``: an ``AssumeRoot`` call just before
        the window opened a session whose root records fall inside it (the classifier needs both)."""
        return self.since - SESSION_REACH

    def days(self) -> list[date]:
        # CloudTrail files a record under the day it was delivered, up to ~15 minutes after the event:
        # the day after `until` can hold its last records, so it is read too.
        first, last = (self.read_from - DELIVERY_DELAY).date(), (self.until + DELIVERY_DELAY).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def partitions(self) -> list[tuple[str, str, date]]:
        return [(a, r, d) for a in self.accounts for r in self.regions for d in self.days()]

    def prefixes(self) -> list[str]:
        return [self.location.day_prefix(a, r, d) for a, r, d in self.partitions()]


def validate_plan(plan: QueryPlan) -> list[str]:
    """Problems that would put user text into SQL or a path: every value must have its AWS shape."""
    problems = [f"not an account id: {a!r}" for a in plan.accounts if not ACCOUNT_ID.match(a)]
    problems += [f"not a Region name: {r!r}" for r in plan.regions if not REGION.match(r)]
    org = plan.location.organization_id
    if org is not None and not ORG_ID.match(org):
        problems.append(f"not an organization id: {org!r}")
    if "'" in plan.location.bucket or "'" in plan.location.prefix:
        problems.append("the S3 location holds a quote")
    if not plan.accounts:
        problems.append("no account to read")
    if not plan.regions:
        problems.append("no Region to read")
    if plan.since >= plan.until:
        problems.append("the window is empty")
    return problems


def create_table_ddl(location: TrailLocation, table: str) -> str:
    """Hive DDL of a CloudTrail table with partition projection (AWS's "Create the table for CloudTrail
    logs in Athena using partition projection") and the ``assumedRoot`` session field the AWS sample
    lacks (the SerDe maps JSON fields by name). ``account`` and ``region`` are *injected* projections:
    every query names its accounts and Regions (``root_query`` does), so one table serves any selection
    and an account added later is never silently outside the table, as it would be with an enum list.
    Athena requires literal value(s) for an injected column in the WHERE clause ("Dynamic ID partitioning",
    https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html)."""
    _identifier(table)
    return f"""CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
    eventversion STRING,
    useridentity STRUCT<
        type: STRING, principalid: STRING, arn: STRING, accountid: STRING, invokedby: STRING,
        accesskeyid: STRING, username: STRING,
        sessioncontext: STRUCT<
            attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
            sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
            sourceidentity: STRING,
            assumedroot: STRING>>,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    eventcategory STRING,
    sessioncredentialfromconsole STRING,
    tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)
ROW FORMAT SERDE '{SERDE}'
STORED AS INPUTFORMAT '{INPUT_FORMAT}'
OUTPUTFORMAT '{OUTPUT_FORMAT}'
LOCATION 's3://{location.bucket}/{location.base()}'
TBLPROPERTIES (
    'projection.enabled'='true',
    'projection.account.type'='injected',
    'projection.region.type'='injected',
    'projection.timestamp.type'='date',
    'projection.timestamp.format'='yyyy/MM/dd',
    'projection.timestamp.interval'='1',
    'projection.timestamp.interval.unit'='DAYS',
    'projection.timestamp.range'='2013/01/01,NOW',
    'storage.location.template'='{location.template()}'
)"""


def root_query(plan: QueryPlan, table: str) -> str:
    """The Trino query: root records and AssumeRoot calls in the window, read only from its partitions.

    The time filter on ``eventtime`` is the window; the ``timestamp`` partition filter only prunes what
    is read. No other condition: what a record means is decided by the classifier, not in SQL.
    """
    _identifier(table)
    days = plan.days()
    selected = ",\n    ".join(f"{c.expression} AS {c.name}" for c in COLUMNS)
    return f"""SELECT
    "$path" AS {PATH_COLUMN},
    {selected}
FROM {table}
WHERE account IN ({_quoted(plan.accounts, ACCOUNT_ID)})
  AND region IN ({_quoted(plan.regions, REGION)})
  AND "timestamp" BETWEEN '{days[0].strftime(DAY_FORMAT)}' AND '{days[-1].strftime(DAY_FORMAT)}'
  AND eventtime >= '{_second(plan.read_from, up=False)}'
  AND eventtime <= '{_second(plan.until, up=True)}'
  AND (useridentity.type = 'Root' OR eventname = 'AssumeRoot')
ORDER BY eventtime, eventid"""  # noqa: S608 - every value passed _checked (its AWS shape) or _identifier


def duckdb_query(plan: QueryPlan, table: str) -> str:
    """The same query in DuckDB's dialect (sqlglot), run by the tests and the benchmark over local files."""
    import sqlglot  # noqa: PLC0415 - only the oracle needs it

    return str(sqlglot.transpile(root_query(plan, table), read="trino", write="duckdb")[0])


def duckdb_view(table: str, files: Iterable[str]) -> str:
    """A DuckDB view with the Athena table's columns (the ones ``COLUMNS`` reads, the partition columns and
    ``"$path"``) over local CloudTrail files: ``{"Records": [...]}`` documents, gzip or plain."""
    _identifier(table)
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    identity = json.dumps(
        {
            "type": "VARCHAR",
            "principalId": "VARCHAR",
            "arn": "VARCHAR",
            "accountId": "VARCHAR",
            "accessKeyId": "VARCHAR",
            "invokedBy": "VARCHAR",
            "sessionContext": {
                "assumedRoot": "VARCHAR",
                "attributes": {"mfaAuthenticated": "VARCHAR", "creationDate": "VARCHAR"},
            },
        }
    )
    flat = ", ".join(
        f"json_extract_string(rec, '$.{c.path[0]}') AS {c.expression}"
        if not c.json_text
        else f"CAST(json_extract(rec, '$.{c.path[0]}') AS VARCHAR) AS {c.expression}"
        for c in COLUMNS
        if len(c.path) == 1
    )
    layout = r"AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/"
    return f"""CREATE OR REPLACE VIEW {table} AS
SELECT
    filename AS "$path",
    regexp_extract(filename, '{layout}', 1) AS account,
    regexp_extract(filename, '{layout}', 2) AS region,
    regexp_extract(filename, '{layout}', 3) AS "timestamp",
    {flat},
    json_transform(json_extract(rec, '$.userIdentity'), '{identity}') AS useridentity
FROM (
    SELECT filename, unnest(json_extract(json, '$.Records[*]')) AS rec
    FROM read_json_objects([{listed}], format = 'auto', filename = true)
)"""  # noqa: S608 - file names are quoted; the table name passed _identifier


def row_record(row: Mapping[str, str | None]) -> dict[str, Any]:
    """A result row (column name → text or NULL) back into the CloudTrail record shape the classifier reads.

    JSON-text columns are parsed back into mappings; one that does not parse is kept as its text, so a
    damaged value is seen, not dropped."""
    record: dict[str, Any] = {}
    for column in COLUMNS:
        value: Any = row.get(column.name)
        if value is None:
            continue
        if column.json_text:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
            if value is None:
                continue
        node = record
        for key in column.path[:-1]:
            node = node.setdefault(key, {})
        node[column.path[-1]] = value
    return record


def _second(moment: datetime, *, up: bool) -> str:
    """Whole seconds, widened outward: ``eventTime`` is compared as text, where ``…:05Z`` sorts after ``…:05.5Z``."""
    whole = moment.replace(microsecond=0)
    if up and moment.microsecond:
        whole += timedelta(seconds=1)
    return format_timestamp(whole)


def _identifier(name: str) -> None:
    for part in name.split("."):
        if not IDENTIFIER.match(part):
            raise ValueError(f"not a table name: {name!r} (lower-case letters, digits and _ only)")


def _checked(values: Iterable[str], shape: re.Pattern[str]) -> list[str]:
    found = list(values)
    bad = [v for v in found if not shape.match(v)]
    if bad:
        raise ValueError(f"refusing to put {bad[0]!r} into SQL")
    return found


def _quoted(values: Iterable[str], shape: re.Pattern[str]) -> str:
    return ", ".join(f"'{v}'" for v in _checked(values, shape))
