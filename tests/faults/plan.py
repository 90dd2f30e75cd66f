"""Which faults a seed injects, and what the checks read: the two halves of the fault property.

A plan is one to three faults, each on one AWS action in every Region: an HTML 500 or 503 page, a
throttling error, an SCP explicit deny, a connection reset, an answer slower than the read timeout,
or a body cut short (with the full length promised, or with a length that matches the cut). A fault is
persistent (every request) or transient (the first one or two requests), so both botocore's retries and
what outlasts them are exercised. ``fast`` plans keep throttling and slow answers transient: the fixed
seeds of the default run stay within seconds; the ``slow`` seeds let them persist and meet the deadline.

The check map is for the "good" scenario of tests/moto_root.py, where every check PASSes:

- ``READS``: every evidence family (bundle file name) a check may read. A check none of whose families
  holds a failure must keep its unfaulted status.
- ``NEEDS``: groups of families; a check must not PASS when every family of some group is dead (each of
  its files holds a failure). Groups of two are alternatives (root's MFA from the account summary or the
  credential report). ``EVERY``: a single failed file is enough (partial CloudTrail input is never PASS).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from faults.proxy import Reply, Request, html, reset, scp_denied, slow, throttled, truncated

KINDS = ("html500", "html503", "throttle", "deny", "reset", "slow", "cut-short", "cut-clean")

TARGETS = (
    "iam:GetCredentialReport",
    "iam:GenerateCredentialReport",
    "iam:GetAccountSummary",
    "iam:ListVirtualMFADevices",
    "iam:GetAccountAuthorizationDetails",
    "iam:SimulatePrincipalPolicy",
    "sso:ListInstances",
    "ec2:DescribeRegions",
    "cloudtrail:LookupEvents",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "logs:DescribeMetricFilters",
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
    "events:ListRules",
    "events:ListTargetsByRule",
    "guardduty:ListDetectors",
    "guardduty:GetDetector",
    "config:DescribeConfigRules",
    "config:DescribeComplianceByConfigRule",
)
CALLER = "sts:GetCallerIdentity"
"""Faulted now and then: the run must then stop with one line (exit 2) or, after a retry, go on."""

FAMILY = {
    "iam:GetCredentialReport": "get-credential-report",
    "iam:GenerateCredentialReport": "get-credential-report",
    "iam:GetAccountSummary": "get-account-summary",
    "iam:ListVirtualMFADevices": "list-virtual-mfa-devices",
    "iam:GetAccountAuthorizationDetails": "get-account-authorization-details",
    "iam:SimulatePrincipalPolicy": "simulate-principal-policy",
    "sso:ListInstances": "list-instances",
    "cloudtrail:LookupEvents": "lookup-events",
    "cloudtrail:DescribeTrails": "describe-trails",
    "cloudtrail:GetTrailStatus": "get-trail-status",
    "cloudtrail:GetEventSelectors": "get-event-selectors",
    "logs:DescribeMetricFilters": "describe-metric-filters",
    "cloudwatch:DescribeAlarms": "describe-alarms",
    "sns:ListSubscriptionsByTopic": "list-subscriptions-by-topic",
    "events:ListRules": "list-rules",
    "events:ListTargetsByRule": "list-targets-by-rule",
    "guardduty:ListDetectors": "list-detectors",
    "guardduty:GetDetector": "get-detector",
    "config:DescribeConfigRules": "describe-config-rules",
    "config:DescribeComplianceByConfigRule": "describe-compliance-by-config-rule",
    CALLER: "get-caller-identity",
}
"""Action → the evidence family (bundle file or folder name) it fills. DescribeRegions fills none: its
failure is written into every Region-level family instead."""

REPORT, SUMMARY, MFA_DEVICES = "get-credential-report", "get-account-summary", "list-virtual-mfa-devices"
DETAILS, SIMULATIONS = "get-account-authorization-details", "simulate-principal-policy"
CHAIN = ("describe-trails", "get-trail-status", "get-event-selectors", "describe-metric-filters", "describe-alarms",
         "list-subscriptions-by-topic")  # fmt: skip
OTHER_PATHS = ("list-rules", "list-targets-by-rule", "list-detectors", "get-detector")
CONFIG = ("describe-config-rules", "describe-compliance-by-config-rule")
WATCHER = ("list-functions", "get-metric-statistics", "get-queue-attributes")

READS: dict[str, frozenset[str]] = {
    "root-recent-use": frozenset({REPORT}),
    "root-activity": frozenset({"lookup-events"}),
    "root-access-keys": frozenset({REPORT, SUMMARY}),
    "root-mfa": frozenset({REPORT, SUMMARY}),
    "root-hardware-mfa": frozenset({REPORT, SUMMARY, MFA_DEVICES}),
    "root-signing-certs": frozenset({REPORT, SUMMARY}),
    "root-usage-alarm": frozenset(CHAIN),
    "root-alerting": frozenset(CHAIN + OTHER_PATHS),
    "root-config-rules": frozenset(CONFIG),
    "root-watcher-health": frozenset(WATCHER),
    "break-glass": frozenset({REPORT, SUMMARY, MFA_DEVICES, DETAILS}),
    "admin-principals": frozenset({REPORT, DETAILS, "list-instances"}),
    "admin-root-adjacent": frozenset({DETAILS, SIMULATIONS}),
    "iam-user-mfa": frozenset({REPORT}),
    "iam-unused-credentials": frozenset({REPORT}),
    "iam-key-rotation": frozenset({REPORT}),
    "iam-policies-via-groups": frozenset({DETAILS}),
}
NEEDS: dict[str, tuple[frozenset[str], ...]] = {
    "root-recent-use": (frozenset({REPORT}),),
    "root-access-keys": (frozenset({REPORT, SUMMARY}),),
    "root-mfa": (frozenset({REPORT, SUMMARY}),),
    "root-hardware-mfa": (frozenset({MFA_DEVICES}), frozenset({REPORT, SUMMARY})),
    "root-signing-certs": (frozenset({REPORT, SUMMARY}),),
    "root-usage-alarm": tuple(frozenset({family}) for family in CHAIN),
    "root-alerting": tuple(frozenset({family}) for family in CHAIN),  # the good scenario's only complete path
    "root-config-rules": tuple(frozenset({family}) for family in CONFIG),
    "root-watcher-health": (frozenset({"list-functions"}),),
    "admin-principals": (frozenset({DETAILS}),),
    "admin-root-adjacent": (frozenset({DETAILS}), frozenset({SIMULATIONS})),
    "iam-user-mfa": (frozenset({REPORT}),),
    "iam-unused-credentials": (frozenset({REPORT}),),
    "iam-key-rotation": (frozenset({REPORT}),),
    "iam-policies-via-groups": (frozenset({DETAILS}),),
}
EVERY: dict[str, frozenset[str]] = {"root-activity": frozenset({"lookup-events"})}
SPARE = frozenset(OTHER_PATHS)
"""Families of the alternative alerting paths: root-alerting PASSes through the alarm chain without them, and
today names no gap for them (its GuardDuty and EventBridge path details do not say a file failed)."""


@dataclass
class Fault:
    action: str
    kind: str
    times: int | None
    """Requests to fault (the first ones); None: every request."""
    read_timeout: float
    done: int = 0

    @property
    def persistent(self) -> bool:
        return self.times is None

    def reply(self, request: Request) -> Reply | None:
        if request.action != self.action or (self.times is not None and self.done >= self.times):
            return None
        self.done += 1
        match self.kind:
            case "html500":
                return html(500)
            case "html503":
                return html(503)
            case "throttle":
                return throttled(request)
            case "deny":
                return scp_denied(request)
            case "reset":
                return reset()
            case "slow":
                return slow(self.read_timeout + 1.0)
            case "cut-short":
                return truncated("short")
            case _:
                return truncated("clean")

    def __str__(self) -> str:
        return f"{self.kind} on {self.action} ({'every request' if self.times is None else f'first {self.times}'})"


@dataclass
class Plan:
    seed: int
    faults: list[Fault]
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, request: Request) -> Reply | None:
        with self._lock:  # the proxy answers on many threads; each fault counts its requests
            for fault in self.faults:
                found = fault.reply(request)
                if found is not None:
                    return found
        return None

    @property
    def touches_the_caller(self) -> bool:
        return any(fault.action == CALLER for fault in self.faults)

    def __str__(self) -> str:
        return f"seed {self.seed}: " + "; ".join(map(str, self.faults))


def plan(seed: int, *, read_timeout: float, fast: bool) -> Plan:
    rng = random.Random(seed)
    faults: list[Fault] = []
    for _ in range(rng.randint(1, 3)):
        action = CALLER if rng.random() < 0.08 else rng.choice(TARGETS)
        kind = rng.choice(KINDS)
        persistent = rng.random() < 0.6 and not (fast and kind in ("throttle", "slow"))
        faults.append(Fault(action, kind, None if persistent else rng.randint(1, 2), read_timeout))
    return Plan(seed, faults)
