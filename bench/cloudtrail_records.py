"""What goes into the synthetic CloudTrail corpus of ``gen_cloudtrail.py``: who calls, what they call, records.

A population of principals per account (roles and their sessions, AWS services, IAM users, other
accounts, federated users, type-less service-event identities), a catalogue of API call shapes, and the
builders of the records that matter: true root records of every kind, and decoys that mention Root
without being root activity. Everything is drawn from the ``random.Random`` passed in, so a file's
content depends only on its own seed. Standard library only.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Identity mix of ordinary records (probability of a burst's caller type).
IDENTITY_MIX = (
    ("AssumedRole", 0.60),
    ("AWSService", 0.24),
    ("IAMUser", 0.09),
    ("AWSAccount", 0.03),
    ("FederatedUser", 0.02),
    ("none", 0.015),  # AwsServiceEvent records whose userIdentity has no type
    ("Unknown", 0.005),  # failed console sign-ins
)

ROOT_KINDS = (
    "sign-in-mfa",
    "sign-in-no-mfa",
    "sign-in-failure",
    "console-session",
    "access-key",
    "service-invoked",
    "service-event",
    "assumed-root",
)

DECOY_KINDS = (
    "role-named-Root",
    "iam-user-Root",
    "iam-user-root",
    "nested-userIdentity-Root",
    "type-Root-in-requestParameters",
    "escaped-json-with-Root",
    "eventbridge-pattern-Root",
    "metric-filter-Root",
    "escaped-unicode-Root-in-string",
    "typeless-identity",
)

UA_BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
)

UA_SDK = (
    "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54",
    "aws-cli/2.18.11 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython "
    "cfg/retry-mode#standard md/installer#source md/prompt#off md/command#ec2.describe-instances",
    "aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.0 m/E",
    "aws-sdk-java/2.28.29 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS Java/17.0.13 "
    "vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2",
    "aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/s3#3.682.0 m/E,N",
    "aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.226-193.880.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.432-b06 "
    "java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard",
)

SERVICE_PRINCIPALS = (
    "lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "config.amazonaws.com",
    "cloudformation.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com",
    "s3.amazonaws.com", "secretsmanager.amazonaws.com", "guardduty.amazonaws.com", "ssm.amazonaws.com",
    "logs.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com", "access-analyzer.amazonaws.com",
)  # fmt: skip

SIGN_IN_FAILURE_EXTRA = (
    ',"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No",'
    '"MFAUsed":"No"},"errorMessage":"No username found in supplied account"'
)
CIS_ROOT_FILTER = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
)
ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def token(rng: random.Random, length: int, alphabet: str = UPPER_DIGITS) -> str:
    return "".join(rng.choices(alphabet, k=length))


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


# ---------------------------------------------------------------------------------------------------
# Who calls: a population of principals per account, reproducible from (seed, account)


@dataclass
class Caller:
    kind: str
    identity: str
    """The userIdentity object as compact JSON."""
    source_ip: str
    user_agent: str
    """JSON-encoded (with quotes)."""
    calls: list[int]
    call_weights: list[float]
    console: bool = False
    vpce: str = ""
    """Text of the VPC endpoint members when the caller reaches AWS through one, else empty."""
    key: str = ""
    """The temporary access key in ``identity``, replaced now and then (sessions are renewed)."""
    """Text of the VPC endpoint members when the caller reaches AWS through one, else empty."""


@dataclass
class Population:
    account: str
    by_kind: dict[str, list[Caller]]
    weights: dict[str, list[float]]
    resources: dict[str, list[str]]
    root_key: str
    root_console_key: str


def public_ip(rng: random.Random) -> str:
    first = rng.choice((3, 18, 34, 35, 44, 52, 54, 81, 85, 91, 100, 176, 185, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def make_resources(rng: random.Random, account: str) -> dict[str, list[str]]:
    apps = ("billing", "checkout", "search", "ledger", "reports", "auth", "ingest", "media", "catalog", "notify")
    envs = ("prod", "staging", "dev")
    return {
        "instance": [f"i-0{rng.getrandbits(60):015x}" for _ in range(40)],
        "bucket": [f"{rng.choice(apps)}-{rng.choice(envs)}-{account}-{n}" for n in range(20)],
        "table": [f"{rng.choice(apps)}-{rng.choice(envs)}-{t}" for t in ("orders", "sessions", "events", "jobs")],
        "function": [f"{rng.choice(apps)}-{rng.choice(envs)}-{f}" for f in ("handler", "worker", "cron", "api")],
        "log_group": [f"/aws/lambda/{rng.choice(apps)}-{rng.choice(envs)}-{n}" for n in range(12)],
        "key": [uuid4(rng) for _ in range(6)],
        "parameter": [f"/{rng.choice(apps)}/{rng.choice(envs)}/{p}" for p in ("db/url", "api/key", "flags", "ttl")],
        "sg": [f"sg-0{rng.getrandbits(60):015x}" for _ in range(10)],
        "vpc": [f"vpc-0{rng.getrandbits(60):015x}" for _ in range(3)],
        "vpce": [f"vpce-0{rng.getrandbits(60):015x}" for _ in range(3)],
        "queue": [f"https://sqs.REGION.amazonaws.com/{account}/{rng.choice(apps)}-{q}" for q in ("jobs", "dlq")],
    }


@dataclass
class Draw:
    """What the callers of one account are drawn from."""

    rng: random.Random
    account: str
    start: float
    resources: dict[str, list[str]]

    def calls(self, who: str) -> list[int]:
        return [i for i, call in enumerate(CATALOGUE) if call.who == who]

    def repertoire(self, size: int) -> tuple[list[int], list[float]]:
        workload = self.calls("principal")
        calls = self.rng.sample(workload, min(size, len(workload)))
        return calls, zipf_weights(len(calls), 1.3)


def population(seed: int, account: str, start: float) -> Population:
    rng = random.Random(f"{seed}/population/{account}")
    draw = Draw(rng, account, start, make_resources(rng, account))
    by_kind = {
        "AssumedRole": roles(draw),
        "AWSService": services(draw),
        "IAMUser": users(draw),
        "AWSAccount": other_accounts(draw),
        "FederatedUser": federated_users(draw),
        "none": service_events(draw),
        "Unknown": unknown_sign_ins(draw),
    }
    weights = {kind: zipf_weights(len(callers)) for kind, callers in by_kind.items()}
    return Population(account, by_kind, weights, draw.resources, "AKIA" + token(rng, 16), "ASIA" + token(rng, 16))


def roles(draw: Draw) -> list[Caller]:
    """Workload roles on EC2 and Lambda, SSO roles used by people, automation (CI, Terraform); 1–4 sessions each."""
    rng, account = draw.rng, draw.account
    callers = []
    for index in range(48):
        style = rng.choices(("ec2", "lambda", "sso", "automation"), weights=(4, 3, 2, 2))[0]
        app = rng.choice(("billing", "checkout", "search", "ledger", "reports", "auth", "ingest", "media"))
        if style == "sso":
            permission_set = rng.choice(("AdministratorAccess", "ReadOnly", "PowerUser"))
            role = f"AWSReservedSSO_{permission_set}_{token(rng, 16, '0123456789abcdef')}"
            path = "aws-reserved/sso.amazonaws.com/"
        else:
            role = f"{app}-{style}-{rng.choice(('prod', 'staging', 'dev'))}-role-{index}"
            path = ""
        role_id = "AROA" + token(rng, 17)
        for _session in range(rng.randint(1, 4)):
            session = session_name(draw, style)
            context: dict[str, Any] = {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{account}:role/{path}{role}",
                    "accountId": account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(draw.start - rng.randrange(3600, 6 * 3600)),
                    "mfaAuthenticated": "true" if style == "sso" else "false",
                },
            }
            if style == "ec2":
                context["ec2RoleDelivery"] = "2.0"
            key = "ASIA" + token(rng, 16)
            identity = {
                "type": "AssumedRole",
                "principalId": f"{role_id}:{session}",
                "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
                "accountId": account,
                "accessKeyId": key,
                "sessionContext": context,
            }
            calls, weights = draw.repertoire(rng.randint(3, 9))
            ua = rng.choice(UA_BROWSER) if style == "sso" and rng.random() < 0.5 else rng.choice(UA_SDK)
            caller = Caller("AssumedRole", dumps(identity), public_ip(rng), dumps(ua), calls, weights, ua in UA_BROWSER)
            caller.key = key
            if style in ("ec2", "lambda") and rng.random() < 0.5:
                endpoint = rng.choice(draw.resources["vpce"])
                caller.vpce = f',"vpcEndpointId":"{endpoint}","vpcEndpointAccountId":"{account}"'
            callers.append(caller)
    return callers


def session_name(draw: Draw, style: str) -> str:
    rng = draw.rng
    if style == "ec2":
        return rng.choice(draw.resources["instance"])
    if style == "lambda":
        return rng.choice(draw.resources["function"])
    if style == "sso":
        return f"{rng.choice(('alice', 'bob', 'carol', 'dan', 'erin', 'frank'))}@example.com"
    tool = rng.choice(("terraform", "github-actions", "jenkins", "botocore-session"))
    return f"{tool}-{rng.getrandbits(30)}"


def services(draw: Draw) -> list[Caller]:
    service_calls = draw.calls("service")
    callers = []
    for principal in SERVICE_PRINCIPALS:
        identity = {"type": "AWSService", "invokedBy": principal}
        # AssumeRole (a service taking a role for a function or task) is the most common service call.
        others = draw.rng.sample(service_calls[1:], draw.rng.randint(1, len(service_calls) - 1))
        calls = [service_calls[0], *others]
        callers.append(
            Caller("AWSService", dumps(identity), principal, dumps(principal), calls, zipf_weights(len(calls)))
        )
    return callers


def users(draw: Draw) -> list[Caller]:
    rng, account = draw.rng, draw.account
    callers = []
    for index in range(18):
        user = rng.choice(("deploy", "backup", "monitoring", "legacy-app", "ci", "ops", "svc")) + f"-{index}"
        console = index % 5 == 0
        identity: dict[str, Any] = {
            "type": "IAMUser",
            "principalId": "AIDA" + token(rng, 17),
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "accessKeyId": ("ASIA" if console else "AKIA") + token(rng, 16),
            "userName": user,
        }
        if console:
            created = iso(draw.start - rng.randrange(600, 7200))
            identity["sessionContext"] = {"attributes": {"creationDate": created, "mfaAuthenticated": "true"}}
        calls, weights = draw.repertoire(rng.randint(2, 6))
        ua = rng.choice(UA_BROWSER if console else UA_SDK)
        callers.append(Caller("IAMUser", dumps(identity), public_ip(rng), dumps(ua), calls, weights, console))
    return callers


def other_accounts(draw: Draw) -> list[Caller]:
    rng = draw.rng
    callers = []
    for _ in range(5):
        other = f"{rng.randrange(10**11, 10**12)}"
        identity = {"type": "AWSAccount", "principalId": "AROA" + token(rng, 17) + ":audit", "accountId": other}
        calls, weights = draw.repertoire(3)
        callers.append(Caller("AWSAccount", dumps(identity), public_ip(rng), dumps(rng.choice(UA_SDK)), calls, weights))
    return callers


def federated_users(draw: Draw) -> list[Caller]:
    rng, account = draw.rng, draw.account
    callers = []
    for name in ("partner-sync", "legacy-sso", "vendor-backup"):
        identity = {
            "type": "FederatedUser",
            "principalId": f"{account}:{name}",
            "arn": f"arn:aws:sts::{account}:federated-user/{name}",
            "accountId": account,
            "accessKeyId": "ASIA" + token(rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "principalId": "AIDA" + token(rng, 17),
                    "arn": f"arn:aws:iam::{account}:user/federation-broker",
                    "accountId": account,
                    "userName": "federation-broker",
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(draw.start - 1800), "mfaAuthenticated": "false"},
            },
        }
        calls, weights = draw.repertoire(3)
        agent = dumps(rng.choice(UA_SDK))
        callers.append(Caller("FederatedUser", dumps(identity), public_ip(rng), agent, calls, weights))
    return callers


def service_events(draw: Draw) -> list[Caller]:
    """AwsServiceEvent records: their userIdentity has no type."""
    calls = draw.calls("event")
    return [
        Caller(
            "none", dumps({"accountId": draw.account, "invokedBy": by}), by, dumps(by), calls, zipf_weights(len(calls))
        )
        for by in ("AWS Internal", "kms.amazonaws.com", "health.amazonaws.com")
    ]


def unknown_sign_ins(draw: Draw) -> list[Caller]:
    """Failed console sign-ins with a user name AWS does not know."""
    identity = {"type": "Unknown", "principalId": "", "accountId": draw.account, "accessKeyId": "", "userName": ""}
    calls = draw.calls("signin-failure")
    return [
        Caller("Unknown", dumps(identity), public_ip(draw.rng), dumps(draw.rng.choice(UA_BROWSER)), calls, [1.0])
        for _ in range(3)
    ]


# ---------------------------------------------------------------------------------------------------
# What they call: a catalogue of event shapes


@dataclass
class Ctx:
    rng: random.Random
    pop: Population
    region: str
    when: float


@dataclass(frozen=True)
class Call:
    source: str
    name: str
    read_only: bool
    request: Callable[[Ctx], str]
    response: Callable[[Ctx], str] = lambda _ctx: "null"
    who: str = "principal"
    """principal (people and workloads), service (AWSService), event (AwsServiceEvent), signin-failure."""
    extra: Callable[[Ctx], str] | None = None
    """Additional top-level members, as ',"key":value' text, placed after responseElements."""
    tail: Callable[[Ctx], str] | None = None
    """Members placed after readOnly (resources, sharedEventID …), as ',"key":value' text."""


def pick(ctx: Ctx, pool: str) -> str:
    return ctx.rng.choice(ctx.pop.resources[pool])


def arn(ctx: Ctx, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{ctx.region}:{ctx.pop.account}:{resource}"


def resources(ctx: Ctx, kind: str, resource_arn: str) -> str:
    return f',"resources":[{{"accountId":"{ctx.pop.account}","type":"{kind}","ARN":"{resource_arn}"}}]'


def kms_resources(ctx: Ctx) -> str:
    key_arn = arn(ctx, "kms", f"key/{pick(ctx, 'key')}")
    return resources(ctx, "AWS::KMS::Key", key_arn) + f',"sharedEventID":"{uuid4(ctx.rng)}"'


def health_event_details(ctx: Ctx) -> str:
    details = {"eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", "affectedEntity": pick(ctx, "instance")}
    return f',"serviceEventDetails":{dumps(details)}'


def s3_extra(ctx: Ctx) -> str:
    id2 = token(ctx.rng, 76, ALPHANUM + "+/")
    return (
        ',"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256",'
        f'"bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{id2}=","bytesTransferredOut":0}}'
    )


def describe_instances(ctx: Ctx) -> str:
    if ctx.rng.random() < 0.5:
        return '{"instancesSet":{},"filterSet":{}}'
    items = ",".join(f'{{"instanceId":"{pick(ctx, "instance")}"}}' for _ in range(ctx.rng.randint(1, 3)))
    return f'{{"instancesSet":{{"items":[{items}]}},"filterSet":{{}}}}'


def run_instances_response(ctx: Ctx) -> str:
    instance = f"i-0{ctx.rng.getrandbits(60):015x}"
    return dumps(
        {
            "requestId": uuid4(ctx.rng),
            "reservationId": f"r-0{ctx.rng.getrandbits(60):015x}",
            "ownerId": ctx.pop.account,
            "groupSet": {},
            "instancesSet": {
                "items": [
                    {
                        "instanceId": instance,
                        "imageId": "ami-0c02fb55956c7d316",
                        "instanceState": {"code": 0, "name": "pending"},
                        "privateDnsName": f"ip-10-0-{ctx.rng.randrange(256)}-{ctx.rng.randrange(256)}.ec2.internal",
                        "amiLaunchIndex": 0,
                        "productCodes": {},
                        "instanceType": "m7i.large",
                        "launchTime": int(ctx.when * 1000),
                        "placement": {"availabilityZone": f"{ctx.region}a", "tenancy": "default"},
                        "monitoring": {"state": "disabled"},
                        "subnetId": f"subnet-0{ctx.rng.getrandbits(60):015x}",
                        "vpcId": pick(ctx, "vpc"),
                        "privateIpAddress": f"10.0.{ctx.rng.randrange(256)}.{ctx.rng.randrange(256)}",
                        "stateReason": {"code": "pending", "message": "pending"},
                        "architecture": "x86_64",
                        "rootDeviceType": "ebs",
                        "rootDeviceName": "/dev/xvda",
                        "blockDeviceMapping": {},
                        "virtualizationType": "hvm",
                        "hypervisor": "xen",
                        "groupSet": {"items": [{"groupId": pick(ctx, "sg"), "groupName": "app"}]},
                        "sourceDestCheck": True,
                        "ebsOptimized": True,
                        "enaSupport": True,
                        "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                        "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                        "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2},
                    }
                ]
            },
        }
    )


def assume_role_response(ctx: Ctx) -> str:
    expiration = time.strftime("%b %d, %Y, %I:%M:%S %p", time.gmtime(ctx.when + 3600))
    return (
        f'{{"credentials":{{"accessKeyId":"ASIA{token(ctx.rng, 16)}","expiration":"{expiration}"}},'
        f'"assumedRoleUser":{{"assumedRoleId":"AROA{token(ctx.rng, 17)}:session",'
        f'"arn":"arn:aws:sts::{ctx.pop.account}:assumed-role/app-role/session"}}}}'
    )


def assume_role_request(ctx: Ctx) -> str:
    function = pick(ctx, "function")
    return (
        f'{{"roleArn":"arn:aws:iam::{ctx.pop.account}:role/service-role/{function}-role",'
        f'"roleSessionName":"{function}","durationSeconds":3600}}'
    )


def sts_tail(ctx: Ctx) -> str:
    function = pick(ctx, "function")
    return (
        f',"resources":[{{"accountId":"{ctx.pop.account}","type":"AWS::IAM::Role",'
        f'"ARN":"arn:aws:iam::{ctx.pop.account}:role/service-role/{function}-role"}}]'
        f',"sharedEventID":"{uuid4(ctx.rng)}"'
        ',"inScopeOf":{"issuerType":"AWS::Lambda::Function",'
        f'"credentialsIssuedTo":"{arn(ctx, "lambda", "function:" + function)}"}}'
    )


def log_stream(ctx: Ctx) -> str:
    day = time.strftime("%Y/%m/%d", time.gmtime(ctx.when))
    return dumps(
        {"logGroupName": pick(ctx, "log_group"), "logStreamName": f"{day}/[$LATEST]{ctx.rng.getrandbits(128):032x}"}
    )


def encryption_context(ctx: Ctx) -> str:
    if ctx.rng.random() < 0.5:
        table = pick(ctx, "table")
        return (
            '{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:dynamodb:tableName":'
            f'"{table}","aws:dynamodb:subscriberId":"{ctx.pop.account}"}}}}'
        )
    return (
        '{"keySpec":"AES_256","encryptionContext":{"aws:s3:arn":'
        f'"arn:aws:s3:::{pick(ctx, "bucket")}/data/part-{ctx.rng.randrange(10000):05d}.parquet"}}}}'
    )


def tags_request(ctx: Ctx) -> str:
    return dumps(
        {
            "resourcesSet": {"items": [{"resourceId": pick(ctx, "instance")}]},
            "tagSet": {"items": [{"key": "Owner", "value": "platform"}, {"key": "CostCenter", "value": "cc-4411"}]},
        }
    )


def service_event_details(ctx: Ctx) -> str:
    return f',"serviceEventDetails":{{"keyId":"{pick(ctx, "key")}","rotationType":"AUTOMATIC"}}'


CATALOGUE: tuple[Call, ...] = (
    Call("ec2.amazonaws.com", "DescribeInstances", True, describe_instances),
    Call(
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        True,
        lambda c: dumps(
            {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": pick(c, "sg")}]}, "filterSet": {}}
        ),
    ),
    Call("ec2.amazonaws.com", "DescribeVolumes", True, lambda _c: '{"volumeSet":{},"filterSet":{},"maxResults":500}'),
    Call(
        "ec2.amazonaws.com",
        "DescribeNetworkInterfaces",
        True,
        lambda c: dumps(
            {
                "networkInterfaceIdSet": {},
                "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": pick(c, "vpc")}]}}]},
            }
        ),
    ),
    Call(
        "ec2.amazonaws.com",
        "CreateTags",
        False,
        tags_request,
        lambda c: f'{{"requestId":"{uuid4(c.rng)}","_return":true}}',
    ),
    Call(
        "ec2.amazonaws.com",
        "RunInstances",
        False,
        lambda c: dumps(
            {
                "instancesSet": {"items": [{"imageId": "ami-0c02fb55956c7d316", "minCount": 1, "maxCount": 1}]},
                "instanceType": "m7i.large",
                "blockDeviceMapping": {},
                "monitoring": {"enabled": False},
                "disableApiTermination": False,
                "disableApiStop": False,
                "clientToken": uuid4(c.rng),
                "subnetId": f"subnet-0{c.rng.getrandbits(60):015x}",
            }
        ),
        run_instances_response,
    ),
    Call(
        "s3.amazonaws.com",
        "GetBucketAcl",
        True,
        lambda c: f'{{"bucketName":"{pick(c, "bucket")}","Host":"s3.{c.region}.amazonaws.com","acl":""}}',
        extra=s3_extra,
    ),
    Call(
        "s3.amazonaws.com",
        "GetBucketEncryption",
        True,
        lambda c: f'{{"bucketName":"{pick(c, "bucket")}","Host":"s3.{c.region}.amazonaws.com","encryption":""}}',
        extra=s3_extra,
    ),
    Call("sts.amazonaws.com", "GetCallerIdentity", True, lambda _c: "null"),
    Call("kms.amazonaws.com", "Decrypt", True, encryption_context, tail=kms_resources),
    Call(
        "logs.amazonaws.com",
        "DescribeLogGroups",
        True,
        lambda c: f'{{"logGroupNamePrefix":"{pick(c, "log_group")[:16]}","limit":50}}',
    ),
    Call("logs.amazonaws.com", "CreateLogStream", False, log_stream),
    Call(
        "ssm.amazonaws.com",
        "GetParameter",
        True,
        lambda c: f'{{"name":"{pick(c, "parameter")}","withDecryption":true}}',
    ),
    Call(
        "ssm.amazonaws.com",
        "GetParametersByPath",
        True,
        lambda c: f'{{"path":"{pick(c, "parameter").rsplit("/", 1)[0]}","recursive":true,"withDecryption":true}}',
    ),
    Call(
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        True,
        lambda c: f'{{"functionName":"{arn(c, "lambda", "function:" + pick(c, "function"))}"}}',
    ),
    Call(
        "dynamodb.amazonaws.com",
        "DescribeTable",
        True,
        lambda c: f'{{"tableName":"{pick(c, "table")}"}}',
        tail=lambda c: resources(c, "AWS::DynamoDB::Table", arn(c, "dynamodb", f"table/{pick(c, 'table')}")),
    ),
    Call("ecr.amazonaws.com", "GetAuthorizationToken", True, lambda _c: '{"registryIds":[]}'),
    Call(
        "iam.amazonaws.com",
        "GetRole",
        True,
        lambda c: f'{{"roleName":"{pick(c, "function")}-role"}}',
    ),
    Call(
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        True,
        lambda c: f'{{"queueUrl":"{pick(c, "queue").replace("REGION", c.region)}","attributeNames":["All"]}}',
    ),
    Call(
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        True,
        lambda _c: '{"alarmTypes":["CompositeAlarm","MetricAlarm"],"maxRecords":100}',
    ),
    Call(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        True,
        lambda c: dumps(
            {"secretId": arn(c, "secretsmanager", "secret:" + pick(c, "parameter").strip("/").replace("/", "-"))}
        ),
    ),
    # AWSService callers
    Call(
        "sts.amazonaws.com",
        "AssumeRole",
        False,
        assume_role_request,
        assume_role_response,
        who="service",
        tail=sts_tail,
    ),
    Call("kms.amazonaws.com", "Decrypt", True, encryption_context, who="service", tail=kms_resources),
    Call("kms.amazonaws.com", "GenerateDataKey", True, encryption_context, who="service", tail=kms_resources),
    Call(
        "ec2.amazonaws.com",
        "DescribeInstanceStatus",
        True,
        lambda c: dumps(
            {
                "instancesSet": {"items": [{"instanceId": pick(c, "instance")}]},
                "filterSet": {},
                "includeAllInstances": False,
            }
        ),
        who="service",
    ),
    Call(
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        False,
        lambda c: f'{{"logGroupName":"{pick(c, "log_group")}","retentionInDays":30}}',
        who="service",
    ),
    # AwsServiceEvent (identity without type)
    Call("kms.amazonaws.com", "RotateKey", False, lambda _c: "null", who="event", extra=service_event_details),
    Call(
        "health.amazonaws.com",
        "AWSHealthEvent",
        True,
        lambda _c: "null",
        who="event",
        extra=health_event_details,
    ),
    # Failed console sign-in by an unknown user
    Call(
        "signin.amazonaws.com",
        "ConsoleLogin",
        False,
        lambda _c: "null",
        lambda _c: '{"ConsoleLogin":"Failure"}',
        who="signin-failure",
        extra=lambda _c: SIGN_IN_FAILURE_EXTRA,
    ),
)


# ---------------------------------------------------------------------------------------------------
# Records


def record_text(ctx: Ctx, caller: Caller, call: Call, *, identity: str, request: str, event_id: str) -> str:
    """One record as compact JSON, members in CloudTrail's order; ``identity`` is the caller's, maybe renewed."""
    rng = ctx.rng
    event_type = {"event": "AwsServiceEvent", "signin-failure": "AwsConsoleSignIn"}.get(call.who, "AwsApiCall")
    parts = [
        '{"eventVersion":"1.09","userIdentity":',
        identity,
        ',"eventTime":"',
        iso(ctx.when),
        '","eventSource":"',
        call.source,
        '","eventName":"',
        call.name,
        '","awsRegion":"',
        ctx.region,
        '","sourceIPAddress":"',
        caller.source_ip,
        '","userAgent":',
        caller.user_agent,
        ',"requestParameters":',
        request,
        ',"responseElements":',
        call.response(ctx),
    ]
    if call.extra is not None:
        parts.append(call.extra(ctx))
    if event_type != "AwsServiceEvent":
        parts += [',"requestID":"', uuid4(rng), '"']
    parts += [',"eventID":"', event_id, '","readOnly":', "true" if call.read_only else "false"]
    if call.tail is not None:
        parts.append(call.tail(ctx))
    parts += [',"eventType":"', event_type, '","managementEvent":true,"recipientAccountId":"', ctx.pop.account, '"']
    parts += [caller.vpce, ',"eventCategory":"Management"']
    if event_type == "AwsApiCall" and caller.kind != "AWSService":
        host = call.source.replace(".amazonaws.com", f".{ctx.region}.amazonaws.com")
        parts.append(
            ',"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"'
            + host
            + '"}'
        )
        if caller.console:
            parts.append(',"sessionCredentialFromConsole":"true"')
    parts.append("}")
    return "".join(parts)


def root_identity(pop: Population, **extra: Any) -> dict[str, Any]:
    account = pop.account
    return {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        **extra,
    }


def sign_in(ctx: Ctx, identity: dict[str, Any], event_id: str, *, mfa: bool, success: bool) -> dict[str, Any]:
    additional: dict[str, Any] = {
        "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB",
        "MobileVersion": "No",
        "MFAUsed": "Yes" if mfa else "No",
    }
    if mfa:
        additional["MFAIdentifier"] = f"arn:aws:iam::{ctx.pop.account}:mfa/root-account-mfa-device"
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": iso(ctx.when),
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": public_ip(ctx.rng),
        "userAgent": UA_BROWSER[0],
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Success" if success else "Failure"},
        "additionalEventData": additional,
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": ctx.pop.account,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "signin.aws.amazon.com",
        },
    }
    if not success:
        record["errorMessage"] = "Failed authentication"
    return record


def api_call(
    ctx: Ctx,
    identity: dict[str, Any],
    event_id: str,
    action: tuple[str, str],
    request: Any,
    *,
    ip: str,
    agent: str,
    event_type: str = "AwsApiCall",
    read_only: bool = False,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": iso(ctx.when),
        "eventSource": action[0],
        "eventName": action[1],
        "awsRegion": ctx.region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": request,
        "responseElements": None,
        "requestID": uuid4(ctx.rng),
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": ctx.pop.account,
        "eventCategory": "Management",
    }
    if event_type == "AwsServiceEvent":
        del record["requestID"]
    return record


def root_record(ctx: Ctx, kind: str, event_id: str) -> dict[str, Any]:
    """A true root record of the given kind."""
    pop, rng = ctx.pop, ctx.rng
    if kind in ("sign-in-mfa", "sign-in-no-mfa", "sign-in-failure"):
        identity = root_identity(pop, accessKeyId="")
        return sign_in(ctx, identity, event_id, mfa=kind == "sign-in-mfa", success=kind != "sign-in-failure")
    if kind == "console-session":
        identity = root_identity(
            pop,
            accessKeyId=pop.root_console_key,
            sessionContext={
                "sessionIssuer": {},
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(ctx.when - 600), "mfaAuthenticated": "true"},
            },
        )
        request = {"userName": f"breakglass-{rng.randrange(100)}"}
        record = api_call(
            ctx,
            identity,
            event_id,
            ("iam.amazonaws.com", "CreateUser"),
            request,
            ip=public_ip(rng),
            agent=UA_BROWSER[1],
        )
        record["sessionCredentialFromConsole"] = "true"
        return record
    if kind == "access-key":
        identity = root_identity(pop, accessKeyId=pop.root_key)
        return api_call(
            ctx,
            identity,
            event_id,
            ("ec2.amazonaws.com", "DescribeInstances"),
            {"instancesSet": {}, "filterSet": {}},
            ip=public_ip(rng),
            agent=UA_SDK[1],
            read_only=True,
        )
    if kind == "service-invoked":
        identity = root_identity(pop, invokedBy="autoscaling.amazonaws.com")
        request = {"instancesSet": {"items": [{"imageId": "ami-0c02fb55956c7d316", "minCount": 1, "maxCount": 1}]}}
        return api_call(
            ctx,
            identity,
            event_id,
            ("ec2.amazonaws.com", "RunInstances"),
            request,
            ip="autoscaling.amazonaws.com",
            agent="autoscaling.amazonaws.com",
        )
    if kind == "service-event":
        record = api_call(
            ctx,
            root_identity(pop),
            event_id,
            ("signin.amazonaws.com", "CredentialVerification"),
            None,
            ip=public_ip(rng),
            agent=UA_BROWSER[2],
            event_type="AwsServiceEvent",
        )
        record["awsRegion"] = "us-east-1"
        record["serviceEventDetails"] = {"CredentialVerification": "Success"}
        record["additionalEventData"] = {"CredentialType": "PASSWORD"}
        return record
    if kind == "assumed-root":
        identity = root_identity(
            pop,
            accessKeyId="ASIA" + token(rng, 16),
            sessionContext={
                "attributes": {"creationDate": iso(ctx.when - 120), "mfaAuthenticated": "false"},
                "assumedRoot": "true",
            },
        )
        return api_call(
            ctx,
            identity,
            event_id,
            ("s3.amazonaws.com", "DeleteBucketPolicy"),
            {"bucketName": pick(ctx, "bucket"), "Host": f"s3.{ctx.region}.amazonaws.com", "policy": ""},
            ip=public_ip(rng),
            agent=UA_SDK[1],
        )
    raise ValueError(f"unknown root kind {kind!r}")


def decoy_record(ctx: Ctx, kind: str, event_id: str) -> str:
    """A record that mentions Root in some way but whose identity is not the root user."""
    pop, rng = ctx.pop, ctx.rng
    account = pop.account
    someone = json.loads(pop.by_kind["AssumedRole"][0].identity)
    if kind == "role-named-Root":
        role_id = "AROA" + token(rng, 17)
        identity = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:admin",
            "arn": f"arn:aws:sts::{account}:assumed-role/Root/admin",
            "accountId": account,
            "accessKeyId": "ASIA" + token(rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{account}:role/Root",
                    "accountId": account,
                    "userName": "Root",
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(ctx.when - 300), "mfaAuthenticated": "false"},
            },
        }
        record = api_call(
            ctx, identity, event_id, ("iam.amazonaws.com", "ListUsers"), None, ip=public_ip(rng), agent=UA_SDK[0]
        )
    elif kind in ("iam-user-Root", "iam-user-root"):
        user = "Root" if kind == "iam-user-Root" else "root"
        identity = {
            "type": "IAMUser",
            "principalId": "AIDA" + token(rng, 17),
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "accessKeyId": "AKIA" + token(rng, 16),
            "userName": user,
        }
        record = api_call(
            ctx,
            identity,
            event_id,
            ("s3.amazonaws.com", "ListBuckets"),
            {"Host": "s3.amazonaws.com"},
            ip=public_ip(rng),
            agent=UA_SDK[1],
            read_only=True,
        )
    elif kind == "nested-userIdentity-Root":
        request = {"testEvent": {"userIdentity": {"type": "Root"}, "eventName": "ConsoleLogin"}, "eventPattern": "{}"}
        record = api_call(
            ctx,
            someone,
            event_id,
            ("events.amazonaws.com", "TestEventPattern"),
            request,
            ip=public_ip(rng),
            agent=UA_SDK[0],
        )
    elif kind == "type-Root-in-requestParameters":
        request = {"parentId": f"r-{token(rng, 4, '0123456789abcdefghijklmnopqrstuvwxyz')}", "type": "Root"}
        record = api_call(
            ctx,
            someone,
            event_id,
            ("organizations.amazonaws.com", "ListChildren"),
            request,
            ip=public_ip(rng),
            agent=UA_SDK[0],
        )
    elif kind == "escaped-json-with-Root":
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "s3:*",
                    "Condition": {"StringEquals": {"aws:PrincipalType": "Root"}, "type": "Root"},
                }
            ],
        }
        request = {
            "bucketName": pick(ctx, "bucket"),
            "bucketPolicy": dumps(policy),
            "userIdentity": dumps({"type": "Root"}),
        }
        record = api_call(
            ctx, someone, event_id, ("s3.amazonaws.com", "PutBucketPolicy"), request, ip=public_ip(rng), agent=UA_SDK[4]
        )
    elif kind == "eventbridge-pattern-Root":
        pattern = {
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {"userIdentity": {"type": ["Root"]}},
        }
        request = {"name": "root-sign-in", "eventPattern": dumps(pattern), "state": "ENABLED"}
        record = api_call(
            ctx, someone, event_id, ("events.amazonaws.com", "PutRule"), request, ip=public_ip(rng), agent=UA_SDK[4]
        )
    elif kind == "metric-filter-Root":
        pattern = CIS_ROOT_FILTER
        request = {
            "logGroupName": "aws-cloudtrail-logs",
            "filterName": "RootUsage",
            "filterPattern": pattern,
            "metricTransformations": [
                {"metricName": "RootUsage", "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        }
        record = api_call(
            ctx,
            someone,
            event_id,
            ("logs.amazonaws.com", "PutMetricFilter"),
            request,
            ip=public_ip(rng),
            agent=UA_SDK[4],
        )
    elif kind == "escaped-unicode-Root-in-string":
        request = {"alarmName": "ROOT_SENTINEL", "alarmDescription": "ROOT_SENTINEL"}
        record = api_call(
            ctx,
            someone,
            event_id,
            ("monitoring.amazonaws.com", "PutMetricAlarm"),
            request,
            ip=public_ip(rng),
            agent=UA_SDK[4],
        )
        # Written with the escape: decodes to "Root login alarm", bytes hold \u0052oot
        return dumps(record).replace('"ROOT_SENTINEL"', '"\\u0052oot login alarm"')
    elif kind == "typeless-identity":
        identity = {"accountId": account, "invokedBy": "AWS Internal", "principalId": "root"}
        record = api_call(
            ctx,
            identity,
            event_id,
            ("kms.amazonaws.com", "RotateKey"),
            None,
            ip="AWS Internal",
            agent="AWS Internal",
            event_type="AwsServiceEvent",
        )
    else:
        raise ValueError(f"unknown decoy kind {kind!r}")
    return dumps(record)
