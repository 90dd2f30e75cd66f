"""The canned answers of the light organization endpoint (bench/org_endpoint.py), built once per organization.

``LightOrg(members)`` is the same organization as the tests' ``scale_plan`` (tests/moto_organization.py):
members spread over OUs three levels deep, the ``aws:AssumedRoot``-aware SCP on two OUs, a deny-leaving
SCP on the root, every tenth member's root holding a password; the management account's root holds a
password and a hardware MFA device. Every body is bytes built here, before the first request, in the
shapes AWS documents (and botocore parses): the query/XML protocol for STS, IAM and EC2, JSON 1.1 for
Organizations, CloudTrail and IAM Identity Center. Serving a call then costs a dictionary look-up.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

MANAGEMENT_ID = "123456789012"
ORGANIZATION_ID = "o-bench00light"
ROOT_ID = "r-bnch"
REQUEST_ID = "c0ffee00-0000-4000-8000-000000000000"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
PAGE = 20
"""Organizations lists at most 20 accounts per ListAccounts page (its documented MaxResults limit)."""
AUDIT_ROLE = "OrganizationAccountAccessRole"
ROOT_KEY_PREFIX, ROLE_KEY_PREFIX = "ASIAROOT", "ASIAROLE"
"""Session keys the endpoint issues: prefix + the 12-digit account id (20 characters, as AWS's)."""
AUDIT_TASK_ACTIONS = frozenset(
    {"ListAccessKeys", "ListSigningCertificates", "GetLoginProfile", "ListMFADevices", "GetAccountSummary",
     "GetUser", "GetAccessKeyLastUsed", "GetCallerIdentity"}
)  # fmt: skip
"""What an ``IAMAuditRootUserCredentials`` session may call (IAM docs, security-iam-awsmanpol)."""

AWARE_SCP = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}, "Null": {"aws:AssumedRoot": "true"}},
}]}  # fmt: skip
LEAVE_SCP = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}  # fmt: skip
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
POLICIES: Mapping[str, tuple[str, dict[str, Any], bool]] = {
    "p-FullAWSAccess": ("FullAWSAccess", FULL_ACCESS, True),
    "p-bnchaware": ("DenyRootExceptAssumedRoot", AWARE_SCP, False),
    "p-bnchleave": ("DenyLeavingOrganization", LEAVE_SCP, False),
}
OUS: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    # id: (name, parent, SCPs besides FullAWSAccess), as scale_plan nests them.
    "ou-bnch-prod0001": ("Production", ROOT_ID, ("p-bnchaware",)),
    "ou-bnch-apps0001": ("Apps", "ou-bnch-prod0001", ()),
    "ou-bnch-eu000001": ("EU", "ou-bnch-apps0001", ()),
    "ou-bnch-dev00001": ("Development", ROOT_ID, ("p-bnchaware",)),
    "ou-bnch-teams001": ("Teams", "ou-bnch-dev00001", ()),
}
MEMBER_OUS = tuple(OUS)
"""Member n sits in MEMBER_OUS[n % 5]."""
ROOT_SCPS = ("p-bnchleave",)


def member_id(n: int) -> str:
    return f"{200000000000 + 7919 * n:012d}"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def xml(action: str, result: str, namespace: str = IAM_NS) -> Reply:
    body = (
        f'<{action}Response xmlns="{namespace}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>{REQUEST_ID}</RequestId></ResponseMetadata></{action}Response>"
    )
    return Reply(200, "text/xml", body.encode())


def xml_error(code: str, message: str, status: int = 400, namespace: str = IAM_NS) -> Reply:
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{REQUEST_ID}</RequestId></ErrorResponse>"
    )
    return Reply(status, "text/xml", body.encode())


def as_json(document: Any) -> Reply:
    return Reply(200, "application/x-amz-json-1.1", json.dumps(document).encode())


def json_error(code: str, message: str, status: int = 400) -> Reply:
    return Reply(status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode())


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass
class AccountBodies:
    """One account's answers: by action, for the audit role (or the management key) and for a root session."""

    role: dict[str, Reply] = field(default_factory=dict)
    root: dict[str, Reply] = field(default_factory=dict)


class LightOrg:
    """An organization of ``members`` members and every answer its audit needs."""

    def __init__(self, members: int, now: datetime | None = None) -> None:
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.member_ids = [member_id(n) for n in range(members)]
        self.password = {account for n, account in enumerate(self.member_ids) if n % 10 == 0} | {MANAGEMENT_ID}
        self.parent = {account: MEMBER_OUS[n % len(MEMBER_OUS)] for n, account in enumerate(self.member_ids)}
        self.parent[MANAGEMENT_ID] = ROOT_ID
        self.accounts = {account: self._bodies(account) for account in [MANAGEMENT_ID, *self.member_ids]}
        self.organizations = self._organizations()
        self.regions = self._regions()

    def known(self, account: str) -> bool:
        return account in self.accounts

    # -- Organizations (management account only) ------------------------------------------------------

    def _account_entry(self, account: str) -> dict[str, Any]:
        name = "management" if account == MANAGEMENT_ID else f"member-{self.member_ids.index(account):04d}"
        return {
            "Id": account, "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:account/{ORGANIZATION_ID}/{account}",
            "Email": f"{name}@example.com", "Name": name, "Status": "ACTIVE", "State": "ACTIVE",
            "JoinedMethod": "CREATED", "JoinedTimestamp": (self.now - timedelta(days=400)).timestamp(),
        }  # fmt: skip

    def _organizations(self) -> dict[tuple[str, str], list[Reply]]:
        """(action, the id the call names) → its pages, in order."""
        everyone = [MANAGEMENT_ID, *self.member_ids]
        answers: dict[tuple[str, str], list[Reply]] = {
            ("DescribeOrganization", ""): [as_json({"Organization": {
                "Id": ORGANIZATION_ID, "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:organization/{ORGANIZATION_ID}",
                "FeatureSet": "ALL", "MasterAccountId": MANAGEMENT_ID, "MasterAccountEmail": "management@example.com",
                "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT_ID}:account/{ORGANIZATION_ID}/{MANAGEMENT_ID}",
                "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}})],
            ("ListRoots", ""): [as_json({"Roots": [{
                "Id": ROOT_ID, "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:root/{ORGANIZATION_ID}/{ROOT_ID}",
                "Name": "Root", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})],
            ("ListAccounts", ""): _pages("Accounts", [self._account_entry(a) for a in everyone]),
        }  # fmt: skip
        for parent in (ROOT_ID, *OUS):
            children = [
                {"Id": ou, "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:ou/{ORGANIZATION_ID}/{ou}", "Name": name}
                for ou, (name, above, _) in OUS.items()
                if above == parent
            ]
            answers[("ListOrganizationalUnitsForParent", parent)] = _pages("OrganizationalUnits", children)
            held = [self._account_entry(a) for a in everyone if self.parent[a] == parent]
            answers[("ListAccountsForParent", parent)] = _pages("Accounts", held)
        targets: dict[str, tuple[str, ...]] = {ROOT_ID: ROOT_SCPS} | {ou: scps for ou, (_, _, scps) in OUS.items()}
        targets |= dict.fromkeys(everyone, ())
        for target, scps in targets.items():
            attached = [_policy_summary(policy) for policy in ("p-FullAWSAccess", *scps)]
            answers[("ListPoliciesForTarget", target)] = _pages("Policies", attached)
        for policy, (_, document, _) in POLICIES.items():
            described = {"Policy": {"PolicySummary": _policy_summary(policy), "Content": json.dumps(document)}}
            answers[("DescribePolicy", policy)] = [as_json(described)]
        for n, account in enumerate(self.member_ids):
            tags = [{"Key": "team", "Value": "member"}, {"Key": "cost-center", "Value": f"cc-{n % 7:03d}"}]
            answers[("ListTagsForResource", account)] = [as_json({"Tags": tags})]
        answers[("ListTagsForResource", MANAGEMENT_ID)] = [as_json({"Tags": []})]
        return answers

    def _regions(self) -> Reply:
        items = "".join(
            f"<item><optInStatus>{status}</optInStatus><regionName>{name}</regionName>"
            f"<regionEndpoint>ec2.{name}.amazonaws.com</regionEndpoint></item>"
            for name, status in (("us-east-1", "opt-in-not-required"), ("eu-west-1", "opt-in-not-required"))
        )
        body = f'<DescribeRegionsResponse xmlns="{EC2_NS}"><requestId>{REQUEST_ID}</requestId><regionInfo>{items}'
        return Reply(200, "text/xml", (body + "</regionInfo></DescribeRegionsResponse>").encode())

    # -- one account -----------------------------------------------------------------------------------

    def _bodies(self, account: str) -> AccountBodies:
        management = account == MANAGEMENT_ID
        role = "Admin" if management else AUDIT_ROLE
        password = account in self.password
        mfa = management  # the management root: password and a hardware token; members: none
        created = self.now - timedelta(days=730)
        bodies = AccountBodies()
        summary = _summary(mfa=mfa, password=password)
        caller = f"arn:aws:sts::{account}:assumed-role/{role}/rootguard-audit"
        if management:
            caller = f"arn:aws:iam::{account}:user/auditor"
        bodies.role.update(
            GetCallerIdentity=xml(
                "GetCallerIdentity",
                f"<UserId>AROABENCH{account}:rootguard-audit</UserId><Account>{account}</Account><Arn>{caller}</Arn>",
                STS_NS,
            ),
            GetAccountSummary=summary,
            GenerateCredentialReport=xml("GenerateCredentialReport", "<State>COMPLETE</State>"),
            GetCredentialReport=_credential_report(account, created, password=password, mfa=mfa, now=self.now),
            ListVirtualMFADevices=xml("ListVirtualMFADevices", "<VirtualMFADevices/><IsTruncated>false</IsTruncated>"),
            GetAccountAuthorizationDetails=_authorization_details(account, role, created),
            GetAccountPasswordPolicy=xml_error(
                "NoSuchEntity", f"The Password Policy with domain name {account} cannot be found.", 404
            ),
            ListAccountAliases=xml("ListAccountAliases", "<AccountAliases/><IsTruncated>false</IsTruncated>"),
            ListInstances=as_json({"Instances": []}),
            LookupEvents=as_json({"Events": []}),
        )
        if management:
            bodies.role["ListOrganizationsFeatures"] = xml(
                "ListOrganizationsFeatures",
                f"<OrganizationId>{ORGANIZATION_ID}</OrganizationId><EnabledFeatures>"
                "<member>RootCredentialsManagement</member><member>RootSessions</member></EnabledFeatures>",
            )
            bodies.role["GenerateCredentialReport"] = xml("GenerateCredentialReport", "<State>COMPLETE</State>")
            return bodies
        bodies.root.update(
            GetCallerIdentity=xml(
                "GetCallerIdentity",
                f"<UserId>{account}</UserId><Account>{account}</Account><Arn>arn:aws:iam::{account}:root</Arn>",
                STS_NS,
            ),
            GetLoginProfile=xml(
                "GetLoginProfile",
                f"<LoginProfile><CreateDate>{iso(created)}</CreateDate>"
                "<PasswordResetRequired>false</PasswordResetRequired></LoginProfile>",
            )
            if password
            else xml_error("NoSuchEntity", "Login Profile for User root cannot be found.", 404),
            ListAccessKeys=xml("ListAccessKeys", "<AccessKeyMetadata/><IsTruncated>false</IsTruncated>"),
            ListMFADevices=xml("ListMFADevices", "<MFADevices/><IsTruncated>false</IsTruncated>"),
            ListSigningCertificates=xml("ListSigningCertificates", "<Certificates/><IsTruncated>false</IsTruncated>"),
            GetAccountSummary=summary,
        )
        return bodies


def _pages(key: str, items: Sequence[dict[str, Any]]) -> list[Reply]:
    """``items`` in pages of PAGE; page i's NextToken is ``str(i + 1)``."""
    chunks = [items[start : start + PAGE] for start in range(0, len(items), PAGE)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks):
        page: dict[str, Any] = {key: list(chunk)}
        if number + 1 < len(chunks):
            page["NextToken"] = str(number + 1)
        pages.append(as_json(page))
    return pages


def _policy_summary(policy: str) -> dict[str, Any]:
    name, _, managed = POLICIES[policy]
    arn = f"arn:aws:organizations::{MANAGEMENT_ID}:policy/{ORGANIZATION_ID}/service_control_policy/{policy}"
    return {"Id": policy, "Arn": arn, "Name": name, "Description": name, "Type": "SERVICE_CONTROL_POLICY",
            "AwsManaged": managed}  # fmt: skip


def _summary(*, mfa: bool, password: bool) -> Reply:
    values = {
        "Users": 0, "UsersQuota": 5000, "Groups": 0, "GroupsQuota": 300, "Roles": 1, "RolesQuota": 1000,
        "Policies": 0, "PoliciesQuota": 1500, "MFADevices": int(mfa), "MFADevicesInUse": int(mfa),
        "AccountMFAEnabled": int(mfa), "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0,
        "AccountPasswordPresent": int(password), "AccessKeysPerUserQuota": 2, "ServerCertificates": 0,
    }  # fmt: skip
    entries = "".join(f"<entry><key>{key}</key><value>{value}</value></entry>" for key, value in values.items())
    return xml("GetAccountSummary", f"<SummaryMap>{entries}</SummaryMap>")


def _credential_report(account: str, created: datetime, *, password: bool, mfa: bool, now: datetime) -> Reply:
    header = (
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
        "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
        "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
        "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,"
        "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
    )
    used = csv_iso(now - timedelta(days=200)) if password else "no_information"
    cells = [
        "<root_account>", f"arn:aws:iam::{account}:root", csv_iso(created), "not_supported", used,
        "not_supported", "not_supported", "true" if mfa else "false",
        *(["false", "N/A", "N/A", "N/A", "N/A"] * 2), "false", "N/A", "false", "N/A",
    ]  # fmt: skip
    content = base64.b64encode(f"{header}\n{','.join(cells)}\n".encode()).decode()
    return xml(
        "GetCredentialReport",
        f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>{iso(now)}</GeneratedTime>",
    )


def _authorization_details(account: str, role: str, created: datetime) -> Reply:
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ID}:root"}}]})  # fmt: skip
    admin = json.dumps(FULL_ACCESS).replace('"', "%22").replace(" ", "%20").replace("{", "%7B").replace("}", "%7D")
    member = (
        f"<member><Path>/</Path><RoleName>{role}</RoleName><RoleId>AROABENCH{account}</RoleId>"
        f"<Arn>arn:aws:iam::{account}:role/{role}</Arn><CreateDate>{iso(created)}</CreateDate>"
        f"<AssumeRolePolicyDocument>{escape(trust)}</AssumeRolePolicyDocument><InstanceProfileList/>"
        f"<RolePolicyList><member><PolicyName>AdministratorAccess</PolicyName><PolicyDocument>{escape(admin)}"
        "</PolicyDocument></member></RolePolicyList><AttachedManagedPolicies/><Tags/><RoleLastUsed/></member>"
    )
    return xml(
        "GetAccountAuthorizationDetails",
        f"<UserDetailList/><GroupDetailList/><RoleDetailList>{member}</RoleDetailList><Policies/>"
        "<IsTruncated>false</IsTruncated>",
    )


def simulation(actions: Sequence[str]) -> Reply:
    """SimulatePrincipalPolicy of the audit role (administrator): every action allowed."""
    results = "".join(
        f"<member><EvalActionName>{escape(action)}</EvalActionName><EvalResourceName>*</EvalResourceName>"
        "<EvalDecision>allowed</EvalDecision><MatchedStatements><member><SourcePolicyId>AdministratorAccess"
        "</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType></member></MatchedStatements>"
        "<MissingContextValues/></member>"
        for action in actions
    )
    page = f"<EvaluationResults>{results}</EvaluationResults><IsTruncated>false</IsTruncated>"
    return xml("SimulatePrincipalPolicy", page)


def session(action: str, key_id: str, account: str, *, expires: datetime, extra: str = "") -> Reply:
    """AssumeRoot / AssumeRole credentials whose key id names the account (the endpoint's only session state)."""
    credentials = (
        f"<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>bench/{account}/secret0000000000000"
        f"</SecretAccessKey><SessionToken>FwoGZXIvYXdzBENCH{key_id}</SessionToken><Expiration>{iso(expires)}"
        "</Expiration></Credentials>"
    )
    return xml(action, credentials + extra, STS_NS)
