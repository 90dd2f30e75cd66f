"""A moto server that holds the root user state stock moto lacks, one scenario at a time.

Stock moto 5.2.5 has no ``<root_account>`` row in the credential report, hard-codes the root flags
of GetAccountSummary to 0 (and omits ``AccountPasswordPresent``), cannot assign a virtual MFA
device to root and stamps every credential report ``GeneratedTime: 2015-02-02``. This helper starts
``moto.server.ThreadedMotoServer`` in this process and patches its in-process IAM backend so a
scenario's root state is what the API returns (see /work/shared/research/peers-run.md, "How far
moto lets root usage be simulated"). Every patch lives in a ``pytest.MonkeyPatch`` that is undone,
and moto's backends are reset, when the server stops.

CloudTrail event history: moto has no ``LookupEvents`` (HTTP 500) and its ``DescribeRegions``
lists 38 Regions whatever the filters. ``install_cloudtrail`` answers ``LookupEvents`` from a
scenario's ``history`` (one attribute, time bounds, ``MaxResults``/``NextToken`` paging, newest
first, each Region its own events) and makes ``DescribeRegions`` list two enabled Regions plus one
that is ``not-opted-in`` (as moto does, it ignores ``AllRegions``). It works for the server and for
``mock_aws`` alike, and records every call, so tests can say what rootguard asked.

    with moto_root_server("bad") as server:
        subprocess.run([...], env={"AWS_ENDPOINT_URL": server.endpoint, ...})

IAM users: alice (console password), bob (an access key) and rootops (virtual MFA, no password). Each
scenario says whether their hygiene is stale (alice without MFA, bob's key 400 days old and never used)
or kept (alice holds a hardware token); ``config`` is a rootguard.toml for the audit's folder. moto's
user rows have quirks the IAM user checks must survive: ``password_last_used=not_supported`` and
``password_last_changed`` set to the creation time for users without a password (a user without a
password is out of scope, whatever those cells say), and ``not_supported`` in the last-used Region and
service columns of keys.

Only one server runs at a time: moto's backends are process-wide, so two would share state.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import types
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import boto3
import pytest
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.base_backend import BackendDict
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ec2.models.availability_zones_and_regions import Region, RegionsAndZonesBackend
from moto.iam.models import AccountSummary, IAMBackend, iam_backends
from moto.iam.responses import IamResponse
from moto.server import ThreadedMotoServer

from builders import CHECK_IDS
from moto_alerting import ROOT_RULES, AlertingState, Chain, build_chain, deploy_watcher, install_alerting
from moto_simulator import install_simulator

ACCOUNT_ID = "123456789012"
"""The account moto answers for when the access key is ``testing``."""
ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
ROOT_DEVICE = "root-account-mfa-device"
DECOY_USER = "rootops"
"""An IAM user whose name starts with "root" and who has a virtual MFA device of their own."""
REGION = "us-east-1"

NO_ALERTING = {
    **dict.fromkeys(("root-usage-alarm", "root-alerting", "root-config-rules"), "FAIL"),
    "root-watcher-health": "NOT_APPLICABLE",
}
"""No trail, alarm, rule, detector, Config rule or rootguard watcher: every Region answered, and nothing
tells anyone."""
ENABLED_REGIONS = ("eu-west-1", "us-east-1")
NOT_OPTED_IN = "ap-east-1"
"""Listed by DescribeRegions as ``not-opted-in``: rootguard must not ask it anything."""
STATUSES = ("PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "SKIPPED")

_ISO = "%Y-%m-%dT%H:%M:%S+00:00"


def utc_now() -> datetime:
    """Now, in whole seconds: AWS never returns fractions in these dates."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None, missing: str = "N/A") -> str:
    return missing if moment is None else moment.astimezone(UTC).strftime(_ISO)


READ_TIME = "when the report is read"
"""A last-used date that is the moment GetCredentialReport answers: root's key runs the audit itself."""


@dataclass(frozen=True)
class RootKey:
    """One root access key, as the credential report describes it."""

    active: bool
    last_rotated: datetime
    last_used: datetime | str | None = None
    """A date, ``None`` (never used: N/A) or READ_TIME."""
    region: str = "us-east-1"
    service: str = "iam"


@dataclass(frozen=True)
class RootState:
    """What AWS would say about root; dates relative to the moment the scenario was built."""

    created: datetime
    password_last_used: datetime | None
    """``None``: the report says ``no_information``."""
    mfa: bool
    password_present: bool = True
    keys: tuple[RootKey, ...] = ()
    virtual_mfa_enabled: datetime | None = None
    """When a virtual MFA device was assigned to root; ``None``: no virtual device on root."""

    def csv_row(self, account_id: str = ACCOUNT_ID, read_at: datetime | None = None) -> str:
        """The ``<root_account>`` line with all 22 columns, as AWS writes it."""
        keys: list[RootKey | None] = [*self.keys, None, None][:2]
        cells = [
            "<root_account>",
            f"arn:aws:iam::{account_id}:root",
            iso(self.created),
            "not_supported",  # password_enabled is not_supported for root
            iso(self.password_last_used, missing="no_information"),
            "not_supported",
            "not_supported",
            "true" if self.mfa else "false",
        ]
        for key in keys:
            if key is None:
                cells += ["false", "N/A", "N/A", "N/A", "N/A"]
            else:
                last_used = (read_at or utc_now()) if key.last_used == READ_TIME else key.last_used
                assert not isinstance(last_used, str)
                used = last_used is not None
                cells += [
                    "true" if key.active else "false",
                    iso(key.last_rotated),
                    iso(last_used),
                    key.region if used else "N/A",
                    key.service if used else "N/A",
                ]
        cells += ["false", "N/A", "false", "N/A"]
        assert len(cells) == 22
        return ",".join(cells) + "\n"

    @property
    def used_while_read(self) -> bool:
        return any(key.last_used == READ_TIME for key in self.keys)

    @property
    def access_keys_present(self) -> bool:
        """AccountAccessKeysPresent counts inactive keys too."""
        return bool(self.keys)


ROOT_IDENTITY = {"type": "Root", "principalId": ACCOUNT_ID, "arn": ROOT_ARN, "accountId": ACCOUNT_ID}
ROOT_KEY_ID = "AKIAIOSFODNN7ROOTKEY"
"""Root's long-term access key 1 (an ``AKIA`` key) in the scenarios' CloudTrail records."""
CONSOLE_KEY_ID = "ASIAY34FZKBOKMUTVV7A"
"""The temporary key of a root console session."""
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@dataclass(frozen=True)
class HistoryEvent:
    """One event of CloudTrail event history: the record, and how LookupEvents summarises it."""

    record: Mapping[str, Any]
    username: str | None
    """The ``Username`` event history shows (``root`` for root); ``None`` when it shows none."""
    category: str | None = None
    """What rootguard should call it (contract §7); ``None`` for events that are not root's."""

    @property
    def region(self) -> str:
        return str(self.record["awsRegion"])

    @property
    def event_time(self) -> datetime:
        return datetime.fromisoformat(str(self.record["eventTime"]).replace("Z", "+00:00"))

    @property
    def event_id(self) -> str:
        return str(self.record["eventID"])

    def summary(self) -> dict[str, Any]:
        """The ``Events[]`` entry of a LookupEvents answer, as the JSON protocol carries it."""
        item: dict[str, Any] = {
            "EventId": self.event_id,
            "EventName": self.record["eventName"],
            "ReadOnly": str(self.record.get("readOnly", False)).lower(),
            "EventTime": int(self.event_time.timestamp()),
            "EventSource": self.record["eventSource"],
            "Resources": [],
            "CloudTrailEvent": json.dumps(self.record),
        }
        key = self.record.get("userIdentity", {}).get("accessKeyId")
        if key:
            item["AccessKeyId"] = key
        if self.username is not None:
            item["Username"] = self.username
        return item

    def attribute(self, key: str) -> str | None:
        """The value LookupEvents matches for a ``LookupAttributes`` key."""
        summary = self.summary()
        value = summary.get(key)
        return None if value is None else str(value)


def trail_record(
    number: int,
    when: datetime,
    region: str,
    source: str,
    name: str,
    *,
    identity: Mapping[str, Any] = ROOT_IDENTITY,
    ip: str,
    agent: str,
    read_only: bool,
    event_type: str = "AwsApiCall",
    **fields: Any,
) -> dict[str, Any]:
    """A CloudTrail record with the fields AWS writes (eventVersion 1.09)."""
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": dict(identity),
        "eventTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": None,
        "responseElements": None,
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"rootguard-test-event-{number}")),
        "readOnly": read_only,
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": ACCOUNT_ID,
        "eventCategory": "Management",
    }
    record.update(fields)
    return record


def root_sign_in(number: int, when: datetime, *, ip: str, mfa: bool, success: bool) -> HistoryEvent:
    """A root ``ConsoleLogin``. Event history shows no user name for a failed one."""
    extra: dict[str, Any] = {
        "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
        "MobileVersion": "No",
        "MFAUsed": "Yes" if mfa else "No",
    }
    if mfa:
        extra["MFAIdentifier"] = f"arn:aws:iam::{ACCOUNT_ID}:mfa/{ROOT_DEVICE}"
    fields: dict[str, Any] = {
        "responseElements": {"ConsoleLogin": "Success" if success else "Failure"},
        "additionalEventData": extra,
        "eventType": "AwsConsoleSignIn",
    }
    if not success:
        fields["errorMessage"] = "Failed authentication"
    record = trail_record(
        number, when, "us-east-1", "signin.amazonaws.com", "ConsoleLogin", ip=ip, agent=BROWSER, read_only=False,
        **fields,
    )  # fmt: skip
    return HistoryEvent(record, "root" if success else None, "sign-in" if success else "sign-in-failure")


def root_key_call(number: int, when: datetime, region: str, source: str, name: str, *, read_only: bool) -> HistoryEvent:
    """A call signed with root's long-term access key: no session context, no MFA."""
    identity = {**ROOT_IDENTITY, "accessKeyId": ROOT_KEY_ID}
    agent = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9"
    record = trail_record(
        number, when, region, source, name, identity=identity, ip="192.0.2.10", agent=agent, read_only=read_only,
        tlsDetails={"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256"},
    )  # fmt: skip
    return HistoryEvent(record, "root", "avoidable")


def root_console_call(number: int, when: datetime, region: str, source: str, name: str, *, ip: str) -> HistoryEvent:
    """A console action in a root sign-in session (temporary key, MFA, sessionCredentialFromConsole)."""
    identity = {
        **ROOT_IDENTITY,
        "accessKeyId": CONSOLE_KEY_ID,
        "sessionContext": {
            "sessionIssuer": {},
            "webIdFederationData": {},
            "attributes": {"creationDate": iso(when - timedelta(minutes=4)), "mfaAuthenticated": "true"},
        },
    }
    record = trail_record(
        number, when, region, source, name, identity=identity, ip=ip, agent="AWS Internal", read_only=False,
        sessionCredentialFromConsole="true",
    )  # fmt: skip
    return HistoryEvent(record, "root", "avoidable")


def alice_sign_in(when: datetime) -> HistoryEvent:
    """An IAM user's sign-in: found by the ConsoleLogin question, never root's."""
    identity = {
        "type": "IAMUser",
        "principalId": "AIDAJ45Q7YFFAREXAMPLE",
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/alice",
        "accountId": ACCOUNT_ID,
        "userName": "alice",
    }
    record = trail_record(
        900, when, "us-east-1", "signin.amazonaws.com", "ConsoleLogin", identity=identity, ip="198.51.100.77",
        agent=BROWSER, read_only=False, eventType="AwsConsoleSignIn",
        responseElements={"ConsoleLogin": "Success"},
        additionalEventData={"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": "No"},
    )  # fmt: skip
    return HistoryEvent(record, "alice")


@dataclass(frozen=True)
class Scenario:
    name: str
    root: RootState | None
    """``None``: stock moto, no root state at all (and its stale 2015 GeneratedTime)."""
    expected: dict[str, str]
    """check id → expected status."""
    exit_code: int
    history: tuple[HistoryEvent, ...] = ()
    """CloudTrail event history (LookupEvents), root's and others'."""
    stale_users: bool = False
    """IAM user hygiene: alice (console password) without MFA and bob's access key created 400 days ago,
    never used; otherwise alice holds a hardware MFA token and bob's key is new."""
    config: str = ""
    """A rootguard.toml for the audit's working folder (break-glass declarations); empty: none."""
    admins: Literal["admin", "fenced", "none"] = "admin"
    """IAM administrators (``_seed_admins``): ``admin``, ``fenced`` or ``none``."""
    alerting_chain: bool = False
    """A working CIS 4.3 chain, EventBridge rule, GuardDuty and Config rules (``moto_alerting.build_chain``), and
    a healthy rootguard watcher in us-east-1 (``moto_alerting.deploy_watcher``)."""

    @property
    def root_events(self) -> list[HistoryEvent]:
        return [event for event in self.history if event.category is not None]

    @property
    def summary(self) -> dict[str, int]:
        return {status: list(self.expected.values()).count(status) for status in STATUSES}


STALE_USERS = {
    "iam-user-mfa": "FAIL",
    "iam-unused-credentials": "FAIL",
    "iam-key-rotation": "FAIL",
    # No rootguard.toml: nothing declares who breaks the glass.
    "break-glass": "MANUAL",
}
KEPT_USERS = {
    "iam-user-mfa": "PASS",
    "iam-unused-credentials": "PASS",
    "iam-key-rotation": "PASS",
    "break-glass": "MANUAL",
}
ALICE_TOKEN = "GAHT12345678"
"""A hardware TOTP token's serial: moto accepts it for EnableMFADevice without a virtual device."""
STALE_KEY_AGE = timedelta(days=400)


def break_glass_config(now: datetime) -> str:
    """Root and rootops (who has MFA) break the glass; every fact attested 30 days ago."""
    when = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    attestations = "".join(
        f'\n[[break_glass.attestation]]\nkind = "{kind}"\nattested_by = "ciso@example.com"\nattested_at = {when}\n'
        for kind in ("root-password-vaulted", "mfa-custody", "procedure-tested")
    )
    principals = f'["root", "arn:aws:iam::{ACCOUNT_ID}:user/{DECOY_USER}"]'
    return f"[break_glass]\nprincipals = {principals}\n{attestations}"


def scenarios(now: datetime) -> dict[str, Scenario]:
    """The scenarios, their dates computed from ``now`` (whole seconds).

    Each scenario's CloudTrail history agrees with its credential report: a sign-in where the
    password was last used, a key call where a key was last used, and nothing human where neither was
    used within 90 days. Every history also holds alice's sign-in, which is not root's.
    """

    def ago(days: float = 0, minutes: float = 0) -> datetime:
        return (now - timedelta(days=days, minutes=minutes)).replace(microsecond=0)

    created = ago(days=3 * 365)
    others = (alice_sign_in(ago(days=1)),)
    built = [
        Scenario(
            "bad",
            RootState(
                created=created,
                password_last_used=ago(days=2),
                mfa=True,
                keys=(RootKey(active=True, last_rotated=ago(days=400), last_used=ago(days=3), service="s3"),),
                virtual_mfa_enabled=ago(days=30),
            ),
            {
                "root-recent-use": "FAIL",
                "root-activity": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "PASS",
                "root-hardware-mfa": "FAIL",
                "root-signing-certs": "PASS",
                **STALE_USERS,
                # The only admin role is denied iam:CreateAccountAlias; bob holds a policy of his own.
                "admin-principals": "PASS",
                "admin-root-adjacent": "FAIL",
                "iam-policies-via-groups": "FAIL",
                **NO_ALERTING,
            },
            exit_code=1,
            stale_users=True,
            admins="fenced",
            history=(
                # Someone tried root's password from elsewhere (no MFA step reached) …
                root_sign_in(1, ago(days=2, minutes=3), ip="203.0.113.50", mfa=False, success=False),
                # … then root signed in with its (virtual) MFA device and launched an instance.
                root_sign_in(2, ago(days=2), ip="198.51.100.23", mfa=True, success=True),
                root_console_call(
                    3, ago(days=2, minutes=-4), "eu-west-1", "ec2.amazonaws.com", "RunInstances", ip="198.51.100.23"
                ),
                # Root's access key 1, last used 3 days ago in us-east-1 on s3.
                root_key_call(4, ago(days=3), "us-east-1", "s3.amazonaws.com", "ListBuckets", read_only=True),
                *others,
            ),
        ),
        Scenario(
            "keyuse",
            RootState(
                created=created,
                password_last_used=ago(days=200),
                mfa=False,
                keys=(
                    RootKey(
                        active=True,
                        last_rotated=ago(days=20),
                        last_used=ago(minutes=5),
                        region="eu-west-1",
                        service="ec2",
                    ),
                    RootKey(active=False, last_rotated=ago(days=500), last_used=ago(days=450)),
                ),
            ),
            {
                "root-recent-use": "FAIL",
                "root-activity": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "FAIL",
                "root-hardware-mfa": "FAIL",
                "root-signing-certs": "PASS",
                **STALE_USERS,
                # Nobody but root can administer the account.
                "admin-principals": "FAIL",
                "admin-root-adjacent": "FAIL",
                "iam-policies-via-groups": "PASS",
                **NO_ALERTING,
            },
            exit_code=1,
            stale_users=True,
            admins="none",
            history=(
                root_key_call(
                    11, ago(minutes=5), "eu-west-1", "ec2.amazonaws.com", "DescribeInstances", read_only=True
                ),
                *others,
            ),
        ),
        Scenario(
            "good",
            RootState(created=created, password_last_used=ago(days=200), mfa=True),
            dict.fromkeys(CHECK_IDS, "PASS"),
            exit_code=0,
            config=break_glass_config(now),
            alerting_chain=True,
            history=(
                # Auto Scaling acting for root: not a person, so root-activity passes.
                HistoryEvent(
                    trail_record(
                        21,
                        ago(days=10),
                        "us-east-1",
                        "iam.amazonaws.com",
                        "CreateServiceLinkedRole",
                        identity={**ROOT_IDENTITY, "invokedBy": "autoscaling.amazonaws.com"},
                        ip="autoscaling.amazonaws.com",
                        agent="autoscaling.amazonaws.com",
                        read_only=False,
                        requestParameters={"aWSServiceName": "autoscaling.amazonaws.com"},
                    ),
                    "root",
                    "service-invoked",
                ),
                *others,
            ),
        ),
        Scenario(
            # The audit runs with root's own access key: the report shows it used while being generated.
            "selfaudit",
            RootState(
                created=created,
                password_last_used=ago(days=300),
                mfa=True,
                keys=(RootKey(active=True, last_rotated=ago(days=10), last_used=READ_TIME, service="sts"),),
            ),
            {
                "root-recent-use": "FAIL",
                "root-activity": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "PASS",
                "root-hardware-mfa": "PASS",
                "root-signing-certs": "PASS",
                **KEPT_USERS,
                "admin-principals": "PASS",
                "admin-root-adjacent": "PASS",
                "iam-policies-via-groups": "PASS",
                **NO_ALERTING,
            },
            exit_code=1,
            history=(
                # Yesterday's self-audit (today's calls reach event history minutes later).
                root_key_call(31, ago(days=1), "us-east-1", "sts.amazonaws.com", "GetCallerIdentity", read_only=True),
                root_key_call(
                    32,
                    ago(days=1, minutes=-1),
                    "us-east-1",
                    "iam.amazonaws.com",
                    "GenerateCredentialReport",
                    read_only=False,
                ),
                *others,
            ),
        ),
        Scenario(
            "stock",
            None,
            {
                "root-recent-use": "ERROR",
                # Event history answered in every enabled Region and holds nothing of root's: that
                # is evidence of no root activity (LookupEvents keeps 90 days, the default window).
                "root-activity": "PASS",
                # GetAccountSummary (hard-coded 0 in moto) settles keys and certificates on its own …
                "root-access-keys": "PASS",
                "root-signing-certs": "PASS",
                # … but with MFA off, whether root holds a password decides, and nothing says so.
                "root-mfa": "ERROR",
                "root-hardware-mfa": "ERROR",
                # The user rows are there (stock moto writes them); nothing declares break-glass.
                **KEPT_USERS,
                # An administrator role people assume, with every root-adjacent task open to it.
                "admin-principals": "PASS",
                "admin-root-adjacent": "PASS",
                "iam-policies-via-groups": "PASS",
                **NO_ALERTING,
            },
            exit_code=1,
            history=others,
        ),
    ]
    return {scenario.name: scenario for scenario in built}


SCENARIOS = tuple(scenarios(utc_now()))


@dataclass(frozen=True)
class Lookup:
    """One LookupEvents request as the server received it."""

    region: str
    attributes: tuple[tuple[str, str], ...]
    start: datetime | None
    end: datetime | None
    max_results: int | None
    next_token: str | None


@dataclass
class CloudTrailState:
    """What LookupEvents and DescribeRegions answer, and what they were asked."""

    history: tuple[HistoryEvent, ...] = ()
    denied: set[str] = field(default_factory=set)
    """Regions where LookupEvents answers AccessDeniedException."""
    page_size: int | None = None
    """Fewer events per page than MaxResults asks (AWS may do that), so short histories page too."""
    lookups: list[Lookup] = field(default_factory=list)
    region_listings: list[str] = field(default_factory=list)
    """The Region of each DescribeRegions call."""


DENIED_MESSAGE = (
    f"User: arn:aws:iam::{ACCOUNT_ID}:user/auditor is not authorized to perform: cloudtrail:LookupEvents "
    "because no identity-based policy allows the cloudtrail:LookupEvents action"
)
MAX_RESULTS = 50


def install_cloudtrail(patches: pytest.MonkeyPatch, state: CloudTrailState) -> None:
    """Make moto answer ``LookupEvents`` from ``state.history`` and list ``ENABLED_REGIONS`` (+ ``NOT_OPTED_IN``)."""

    def lookup_events(self: CloudTrailResponse) -> str:
        region = self.region
        attributes = tuple(
            (str(a.get("AttributeKey")), str(a.get("AttributeValue")))
            for a in self._get_param("LookupAttributes") or []
        )
        start, end = _moment(self._get_param("StartTime")), _moment(self._get_param("EndTime"))
        max_results = self._get_param("MaxResults")
        token = self._get_param("NextToken")
        state.lookups.append(Lookup(region, attributes, start, end, max_results, token))
        if region in state.denied:
            raise JsonRESTError("AccessDeniedException", DENIED_MESSAGE)
        if len(attributes) > 1:
            raise JsonRESTError("InvalidLookupAttributesException", "Only one lookup attribute is allowed.")
        if max_results is not None and not 1 <= int(max_results) <= MAX_RESULTS:
            raise JsonRESTError("InvalidMaxResultsException", f"MaxResults must be from 1 to {MAX_RESULTS}.")
        if start is not None and end is not None and start > end:
            raise JsonRESTError("InvalidTimeRangeException", "StartTime is after EndTime.")
        query = json.dumps([region, attributes, str(start), str(end)])
        offset = _read_token(token, query)
        events = sorted(
            (
                event
                for event in state.history
                if event.region == region
                and (start is None or event.event_time >= start)
                and (end is None or event.event_time <= end)
                and all(event.attribute(key) == value for key, value in attributes)
            ),
            key=lambda event: (event.event_time, event.event_id),
            reverse=True,  # newest first, as event history answers
        )
        size = min(int(max_results or MAX_RESULTS), state.page_size or MAX_RESULTS)
        answer: dict[str, Any] = {"Events": [event.summary() for event in events[offset : offset + size]]}
        if offset + size < len(events):
            answer["NextToken"] = _token(offset + size, query)
        return json.dumps(answer)

    patches.setattr(CloudTrailResponse, "lookup_events", lookup_events, raising=False)

    def describe_regions(self: RegionsAndZonesBackend, region_names: list[str] | None = None) -> list[Region]:
        state.region_listings.append(getattr(self, "region_name", "?"))
        listed = [Region(name, f"ec2.{name}.amazonaws.com", "opt-in-not-required") for name in ENABLED_REGIONS]
        listed.append(Region(NOT_OPTED_IN, f"ec2.{NOT_OPTED_IN}.amazonaws.com", "not-opted-in"))
        return [region for region in listed if not region_names or region.name in region_names]

    patches.setattr(RegionsAndZonesBackend, "describe_regions", describe_regions)


@contextmanager
def cloudtrail_history(state: CloudTrailState) -> Iterator[CloudTrailState]:
    """``install_cloudtrail`` for ``mock_aws`` tests, undone on exit."""
    with pytest.MonkeyPatch.context() as patches:
        install_cloudtrail(patches, state)
        yield state


def _moment(value: Any) -> datetime | None:
    """A JSON-protocol timestamp: epoch seconds (what boto3 sends) or ISO 8601."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _token(offset: int, query: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([offset, query]).encode()).decode()


def _read_token(token: str | None, query: str) -> int:
    """The offset a NextToken stands for; a token from another query is refused, as AWS refuses it."""
    if not token:
        return 0
    try:
        offset, issued_for = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        offset, issued_for = None, None
    if not isinstance(offset, int) or issued_for != query:
        raise JsonRESTError("InvalidNextTokenException", "The NextToken is not valid for this request.")
    return offset


@dataclass
class MotoRoot:
    """A running moto server holding one scenario."""

    endpoint: str
    port: int
    scenario: Scenario
    now: datetime
    account_id: str = ACCOUNT_ID
    root_device_serial: str | None = None
    decoy_device_serial: str = ""
    users: tuple[str, ...] = field(default=())
    cloudtrail: CloudTrailState = field(default_factory=CloudTrailState)
    alerting: AlertingState = field(default_factory=AlertingState)
    """What moto lacks for the alerting paths (tests/moto_alerting.py); ``build_chain(server.client)`` sets one up."""
    chain: Chain | None = None
    """The working alerting chain of scenarios with ``alerting_chain``."""

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


_active = threading.Lock()


@contextmanager
def moto_root_server(
    scenario: str | Scenario, now: datetime | None = None, *, deny_lookup: Iterable[str] = ()
) -> Iterator[MotoRoot]:
    """Start moto on 127.0.0.1 (a free port), seed IAM users, the scenario's root state and event history.

    ``deny_lookup``: Regions where LookupEvents answers AccessDeniedException (``server.cloudtrail.denied``
    can also be changed while the server runs).
    """
    now = (now or utc_now()).replace(microsecond=0)
    chosen = scenarios(now)[scenario] if isinstance(scenario, str) else scenario
    if not _active.acquire(blocking=False):
        raise RuntimeError("a moto root server is already running in this process; moto's state is shared")
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: the OS picks a free one
    try:
        werkzeug.setLevel(logging.WARNING)  # no access log line per request
        BackendDict.reset()
        with pytest.MonkeyPatch.context() as patches:
            server.start()
            try:
                host, port = server.get_host_and_port()
                running = MotoRoot(endpoint=f"http://{host}:{port}", port=port, scenario=chosen, now=now)
                running.cloudtrail = CloudTrailState(history=chosen.history, denied=set(deny_lookup))
                install_cloudtrail(patches, running.cloudtrail)
                install_alerting(patches, running.alerting)
                install_simulator(patches)
                _seed_users(running)
                _seed_admins(running, chosen.admins)
                if chosen.alerting_chain:
                    running.chain = build_chain(running.client)
                    deploy_watcher(running.client, now=now)  # healthy: no error, no dead letter
                    # Root has hardware MFA and no keys here: the Config root rules would say so.
                    running.alerting.compliance.update(dict.fromkeys(ROOT_RULES, "COMPLIANT"))
                if chosen.root is not None:
                    _install_root(patches, running, chosen.root)
                _whole_seconds(running)
                yield running
            finally:
                server.stop()
    finally:
        BackendDict.reset()
        werkzeug.setLevel(level)
        _active.release()


def _backend(account_id: str = ACCOUNT_ID) -> IAMBackend:
    return iam_backends[account_id]["global"]


def _seed_users(server: MotoRoot) -> None:
    """A few IAM users, one of them (rootops) with its own virtual MFA device: a decoy for root."""
    iam = server.client("iam")
    for name in ("alice", "bob", DECOY_USER):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    iam.create_access_key(UserName="bob")
    if server.scenario.stale_users:
        # Created long ago and never used: unused for 45+ days and overdue for rotation.
        for key in _backend(server.account_id).users["bob"].access_keys:
            key.create_date = server.now - STALE_KEY_AGE
    else:
        iam.enable_mfa_device(
            UserName="alice", SerialNumber=ALICE_TOKEN, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
    decoy = iam.create_virtual_mfa_device(VirtualMFADeviceName=DECOY_USER)["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=DECOY_USER,
        SerialNumber=decoy["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    # An unassigned device, as an account that abandoned an MFA enrolment has.
    iam.create_virtual_mfa_device(VirtualMFADeviceName="abandoned")
    server.decoy_device_serial = decoy["SerialNumber"]
    server.users = ("alice", "bob", DECOY_USER)


def _seed_admins(server: MotoRoot, admins: Literal["admin", "fenced", "none"]) -> None:
    """``admin``: role Admin (AdminAll: ``*`` on ``*``) that the account's principals may assume.
    ``fenced``: the same role with an inline Deny of iam:CreateAccountAlias, and bob given S3 directly.
    ``none``: no administrator at all."""
    if admins == "none":
        return
    iam = server.client("iam")
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    policy = iam.create_policy(
        PolicyName="AdminAll", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )["Policy"]["Arn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="Admin", PolicyArn=policy)
    if admins == "fenced":
        deny = {"Effect": "Deny", "Action": "iam:CreateAccountAlias", "Resource": "*"}
        iam.put_role_policy(
            RoleName="Admin",
            PolicyName="no-alias",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [deny]}),
        )
        s3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        own = iam.create_policy(
            PolicyName="S3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [s3]})
        )["Policy"]["Arn"]
        iam.attach_user_policy(UserName="bob", PolicyArn=own)


def _install_root(patches: pytest.MonkeyPatch, server: MotoRoot, root: RootState) -> None:
    account_id = server.account_id

    # 1. The <root_account> row, first after the header, as AWS orders the report.
    original_report = IAMBackend.get_credential_report

    def get_credential_report(self: IAMBackend) -> str:
        report = original_report(self)
        if self.account_id != account_id:
            return report
        if root.used_while_read:
            # Generating a report takes AWS a while: let the clock pass into the next second, so the
            # use is always recorded after the second in which collection began.
            time.sleep(1.01 - time.time() % 1)
        header, _, rows = report.partition("\n")
        return f"{header}\n{root.csv_row(account_id, read_at=utc_now())}{rows}"

    patches.setattr(IAMBackend, "get_credential_report", get_credential_report)

    # 2. GeneratedTime: now, not moto's fixed 2015-02-02 (which rootguard rightly calls stale).
    def get_credential_report_response(self: IamResponse) -> Any:
        report = self.backend.get_credential_report()
        generated = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return ActionResult({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": generated})

    patches.setattr(IamResponse, "get_credential_report", get_credential_report_response)

    # 3. GetAccountSummary: the root flags follow the scenario; AccountPasswordPresent is added.
    summary = _backend(account_id).account_summary
    patches.setattr(summary, "_account_mfa_enabled", int(root.mfa))
    patches.setattr(summary, "_account_access_keys_present", int(root.access_keys_present))
    patches.setattr(summary, "_account_signing_certificates_present", 0)
    patches.setattr(summary, "_account_password_present", int(root.password_present), raising=False)
    original_map = AccountSummary.summary_map

    def summary_map(self: AccountSummary) -> dict[str, Any]:
        values = dict(original_map.fget(self))
        present = getattr(self, "_account_password_present", None)
        if present is not None:
            values["AccountPasswordPresent"] = present
        return values

    patches.setattr(AccountSummary, "summary_map", property(summary_map))

    # 4. A virtual MFA device assigned to root: User.Arn is the root ARN, as AWS lists it.
    if root.virtual_mfa_enabled is not None:
        device = server.client("iam").create_virtual_mfa_device(VirtualMFADeviceName=ROOT_DEVICE)
        serial = device["VirtualMFADevice"]["SerialNumber"]
        stored = _backend(account_id).virtual_mfa_devices[serial]
        stored.enable_date = root.virtual_mfa_enabled
        stored.user = types.SimpleNamespace(
            path="/", user_id=account_id, arn=f"arn:aws:iam::{account_id}:root", create_date=root.created
        )
        server.root_device_serial = serial


def _whole_seconds(server: MotoRoot) -> None:
    """moto stamps users and devices with microseconds; AWS never does."""
    backend = _backend(server.account_id)
    for user in backend.users.values():
        user.create_date = user.create_date.replace(microsecond=0)
    for device in backend.virtual_mfa_devices.values():
        if device.enable_date is not None:
            device.enable_date = device.enable_date.replace(microsecond=0)
