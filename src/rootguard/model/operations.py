"""The AWS operations whose output is evidence: where each is stored and what it takes to collect.

Files hold exactly what ``aws <service> <operation> --output json`` prints, so a user can build
a bundle by hand; each entry names the CLI command and the IAM actions, which is also what
ERROR messages tell the user to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GLOBAL = "global"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_ACCOUNT_ID = re.compile(r"\d{12}")


def is_account_id(value: object) -> bool:
    """A 12-digit AWS account id, as a string (leading zeros matter)."""
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def relative_path_problem(relative: str) -> str | None:
    """Why ``relative`` cannot name a file inside a bundle, or None when it can.

    A bundle path is relative, uses ``/``, and every part is a plain name: no empty part, no ``.``
    or ``..``, no NUL.
    """
    if not relative:
        return "it is empty"
    if "\0" in relative:
        return "it holds a NUL character"
    if relative.startswith("/"):
        return "it is absolute"
    parts = relative.split("/")
    if ".." in parts:
        return "it leaves the bundle (`..`)"
    if "" in parts or "." in parts:
        return "it has an empty or `.` part"
    return None


def bundle_path_problem(relative: str) -> str | None:
    """Why ``relative`` cannot be an evidence file rootguard writes, or None: a safe relative path
    (``relative_path_problem``) without backslashes (a separator elsewhere), under a 12-digit account
    folder. Every value from AWS that becomes part of a path passes here before anything is written."""
    problem = relative_path_problem(relative)
    if problem is not None:
        return problem
    if "\\" in relative:
        return "it holds a backslash"
    account, _, rest = relative.partition("/")
    if not is_account_id(account):
        return f"its account folder {account!r} is not a 12-digit account id"
    if not rest:
        return "it names an account folder, not a file in it"
    return None


def encode_name(name: str) -> str:
    """Percent-encode a resource name for use as a file name (contract §5)."""
    encoded = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), name)
    # "." and ".." are legal names but not legal file names.
    return encoded.replace(".", "%2E") if set(encoded) == {"."} else encoded


@dataclass(frozen=True)
class Operation:
    """One AWS CLI operation whose output is stored in a bundle."""

    service: str
    """The CLI service name: ``iam``, ``sts`` …"""
    name: str
    """The CLI operation name: ``get-credential-report`` …"""
    actions: tuple[str, ...]
    """IAM actions the collector calls for it."""

    resource_option: str | None = None
    """For per-resource operations (one file per trail, topic …): the CLI option naming it."""

    def path(self, account_id: str, region: str = GLOBAL, resource: str | None = None) -> str:
        """``<account>/<region>/<service>/<operation>.json``, or ``…/<operation>/<resource>.json``."""
        if resource is None:
            return f"{account_id}/{region}/{self.service}/{self.name}.json"
        return f"{account_id}/{region}/{self.service}/{self.name}/{encode_name(resource)}.json"

    @property
    def cli(self) -> str:
        return f"aws {self.service} {self.name} --output json"

    def command(self, region: str = GLOBAL, argument: str | None = None) -> str:
        """The exact AWS CLI command whose output the file holds (``argument``: the resource option's value)."""
        parts = [f"aws {self.service} {self.name}"]
        if argument is not None and self.resource_option:
            parts.append(f"{self.resource_option} {_shell_quote(argument)}")
        if region != GLOBAL:
            parts.append(f"--region {region}")
        parts.append("--output json")
        return " ".join(parts)

    def fix(
        self, account_id: str, region: str = GLOBAL, resource: str | None = None, argument: str | None = None
    ) -> str:
        """What a user does to fill the gap: the permission live, the file offline.

        ``resource`` names the file (a trail or topic name); ``argument`` is what the CLI option takes
        when that differs (a topic's ARN), defaulting to ``resource``.
        """
        actions = " and ".join(self.actions) if self.actions else "valid credentials"
        command = self.command(region, argument if argument is not None else resource)
        return (
            f"grant {actions} to the auditing identity and collect again, "
            f"or save the output of `{command}` as {self.path(account_id, region, resource)}"
        )


def _shell_quote(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z0-9_.:/@=+-]+", value) else "'" + value.replace("'", "'\\''") + "'"


CALLER_IDENTITY = Operation("sts", "get-caller-identity", ())
CREDENTIAL_REPORT = Operation(
    "iam", "get-credential-report", ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
)
ACCOUNT_SUMMARY = Operation("iam", "get-account-summary", ("iam:GetAccountSummary",))
VIRTUAL_MFA_DEVICES = Operation("iam", "list-virtual-mfa-devices", ("iam:ListVirtualMFADevices",))


# The alerting chain (CIS 4.3) and the other paths from a root use to a person: one file per Region
# (``--region``), per-resource operations one file per trail, topic, rule or detector.
DESCRIBE_TRAILS = Operation("cloudtrail", "describe-trails", ("cloudtrail:DescribeTrails",))
TRAIL_STATUS = Operation("cloudtrail", "get-trail-status", ("cloudtrail:GetTrailStatus",), "--name")
EVENT_SELECTORS = Operation("cloudtrail", "get-event-selectors", ("cloudtrail:GetEventSelectors",), "--trail-name")
METRIC_FILTERS = Operation("logs", "describe-metric-filters", ("logs:DescribeMetricFilters",))
ALARMS = Operation("cloudwatch", "describe-alarms", ("cloudwatch:DescribeAlarms",))
TOPIC_SUBSCRIPTIONS = Operation("sns", "list-subscriptions-by-topic", ("sns:ListSubscriptionsByTopic",), "--topic-arn")
EVENT_RULES = Operation("events", "list-rules", ("events:ListRules",))
RULE_TARGETS = Operation("events", "list-targets-by-rule", ("events:ListTargetsByRule",), "--rule")
GUARDDUTY_DETECTORS = Operation("guardduty", "list-detectors", ("guardduty:ListDetectors",))
GUARDDUTY_DETECTOR = Operation("guardduty", "get-detector", ("guardduty:GetDetector",), "--detector-id")
CONFIG_RULES = Operation("configservice", "describe-config-rules", ("config:DescribeConfigRules",))
CONFIG_COMPLIANCE = Operation(
    "configservice", "describe-compliance-by-config-rule", ("config:DescribeComplianceByConfigRule",)
)

# The deployed root watcher (``rootguard remediate --watch``) and its health, per Region: the Lambda
# functions running rootguard's handler, each one's Errors metric over the last 24 hours (one file per
# function) and the depth of its dead-letter queue (one file per queue).
LIST_FUNCTIONS = Operation("lambda", "list-functions", ("lambda:ListFunctions",))
WATCHER_ERRORS = Operation(
    "cloudwatch",
    "get-metric-statistics",
    ("cloudwatch:GetMetricStatistics",),
    "--namespace AWS/Lambda --metric-name Errors --statistics Sum --period 3600 "
    "--start-time <24 hours before> --end-time <now> --dimensions",
)
"""``resource``: the function name; ``argument``: ``Name=FunctionName,Value=<name>``."""
DEAD_LETTER_DEPTH = Operation(
    "sqs",
    "get-queue-attributes",
    ("sqs:GetQueueAttributes",),
    "--attribute-names ApproximateNumberOfMessages --queue-url",
)
"""``resource``: the queue name; ``argument``: its URL."""

WATCHER_OPERATIONS = (LIST_FUNCTIONS, WATCHER_ERRORS, DEAD_LETTER_DEPTH)

ALERTING_OPERATIONS = (
    DESCRIBE_TRAILS,
    TRAIL_STATUS,
    EVENT_SELECTORS,
    METRIC_FILTERS,
    ALARMS,
    TOPIC_SUBSCRIPTIONS,
    EVENT_RULES,
    RULE_TARGETS,
    GUARDDUTY_DETECTORS,
    GUARDDUTY_DETECTOR,
    CONFIG_RULES,
    CONFIG_COMPLIANCE,
    *WATCHER_OPERATIONS,
)

OPERATIONS: tuple[Operation, ...] = (
    CALLER_IDENTITY,
    CREDENTIAL_REPORT,
    ACCOUNT_SUMMARY,
    VIRTUAL_MFA_DEVICES,
    *ALERTING_OPERATIONS,
)


# Who can administer the account without root (CIS 1.7's admin identities): authorization details,
# account settings, Identity Center (in the collection's Region), and one simulation per administrator
# (``resource``: ``role/<name>`` or ``user/<name>``).
AUTHORIZATION_DETAILS = Operation("iam", "get-account-authorization-details", ("iam:GetAccountAuthorizationDetails",))
PASSWORD_POLICY = Operation("iam", "get-account-password-policy", ("iam:GetAccountPasswordPolicy",))
ACCOUNT_ALIASES = Operation("iam", "list-account-aliases", ("iam:ListAccountAliases",))
SSO_INSTANCES = Operation("sso-admin", "list-instances", ("sso:ListInstances",))
SIMULATE_PRINCIPAL = Operation(
    "iam", "simulate-principal-policy", ("iam:SimulatePrincipalPolicy",), "--policy-source-arn"
)

ADMIN_OPERATIONS = (AUTHORIZATION_DETAILS, PASSWORD_POLICY, ACCOUNT_ALIASES, SSO_INSTANCES, SIMULATE_PRINCIPAL)
OPERATIONS = (*OPERATIONS, *ADMIN_OPERATIONS)


# An organization (contract §5.7): what the management account (or a delegated administrator) answers,
# stored under ``organization/``, and what each member's root user holds, read with an AssumeRoot session
# and stored under ``<account>/assume-root/``. Kept out of ``OPERATIONS`` (single-account evidence).
ORGANIZATION = "organization"
ASSUME_ROOT = "assume-root"
AUDIT_ROOT_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def organization_path(operation: Operation, resource: str | None = None) -> str:
    """``organization/<service>/<operation>.json``, or ``…/<operation>/<resource>.json``."""
    if resource is None:
        return f"{ORGANIZATION}/{operation.service}/{operation.name}.json"
    return f"{ORGANIZATION}/{operation.service}/{operation.name}/{encode_name(resource)}.json"


def assume_root_path(operation: Operation, account_id: str, resource: str | None = None) -> str:
    """``<account>/assume-root/<service>/<operation>.json``, or ``…/<operation>/<resource>.json``."""
    if resource is None:
        return f"{account_id}/{ASSUME_ROOT}/{operation.service}/{operation.name}.json"
    return f"{account_id}/{ASSUME_ROOT}/{operation.service}/{operation.name}/{encode_name(resource)}.json"


DESCRIBE_ORGANIZATION = Operation("organizations", "describe-organization", ("organizations:DescribeOrganization",))
ORGANIZATIONS_FEATURES = Operation("iam", "list-organizations-features", ("iam:ListOrganizationsFeatures",))
LIST_ACCOUNTS = Operation("organizations", "list-accounts", ("organizations:ListAccounts",))
LIST_ROOTS = Operation("organizations", "list-roots", ("organizations:ListRoots",))
CHILD_OUS = Operation(
    "organizations",
    "list-organizational-units-for-parent",
    ("organizations:ListOrganizationalUnitsForParent",),
    "--parent-id",
)
ACCOUNTS_FOR_PARENT = Operation(
    "organizations", "list-accounts-for-parent", ("organizations:ListAccountsForParent",), "--parent-id"
)
POLICIES_FOR_TARGET = Operation(
    "organizations", "list-policies-for-target", ("organizations:ListPoliciesForTarget",), "--target-id"
)
DESCRIBE_POLICY = Operation("organizations", "describe-policy", ("organizations:DescribePolicy",), "--policy-id")
ACCOUNT_TAGS = Operation(
    "organizations", "list-tags-for-resource", ("organizations:ListTagsForResource",), "--resource-id"
)

ORGANIZATION_OPERATIONS = (
    DESCRIBE_ORGANIZATION,
    ORGANIZATIONS_FEATURES,
    LIST_ACCOUNTS,
    LIST_ROOTS,
    CHILD_OUS,
    ACCOUNTS_FOR_PARENT,
    POLICIES_FOR_TARGET,
    DESCRIBE_POLICY,
    ACCOUNT_TAGS,
)

ASSUME_ROOT_CALL = Operation("sts", "assume-root", ("sts:AssumeRoot",))
ASSUME_ROLE_CALL = Operation("sts", "assume-role", ("sts:AssumeRole",))
"""Stored as ``<account>/global/sts/assume-role.json`` (``ASSUME_ROLE_CALL.path(account)``)."""
ROOT_LOGIN_PROFILE = Operation("iam", "get-login-profile", ("iam:GetLoginProfile",))
ROOT_ACCESS_KEYS = Operation("iam", "list-access-keys", ("iam:ListAccessKeys",))
ROOT_KEY_LAST_USED = Operation("iam", "get-access-key-last-used", ("iam:GetAccessKeyLastUsed",), "--access-key-id")
ROOT_MFA_DEVICES = Operation("iam", "list-mfa-devices", ("iam:ListMFADevices",))
ROOT_SIGNING_CERTIFICATES = Operation("iam", "list-signing-certificates", ("iam:ListSigningCertificates",))
ROOT_ACCOUNT_SUMMARY = Operation("iam", "get-account-summary", ("iam:GetAccountSummary",))

MEMBER_ROOT_OPERATIONS = (
    ROOT_LOGIN_PROFILE,
    ROOT_ACCESS_KEYS,
    ROOT_KEY_LAST_USED,
    ROOT_MFA_DEVICES,
    ROOT_SIGNING_CERTIFICATES,
    ROOT_ACCOUNT_SUMMARY,
)
"""Called with the AssumeRoot session (no ``--user-name``: they answer for the root user); the task
policy ``IAMAuditRootUserCredentials`` grants them, not the caller's policy."""
