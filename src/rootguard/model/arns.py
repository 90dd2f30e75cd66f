"""ARNs of the root user, partition-aware.

The root user's ARN is ``arn:<partition>:iam::<account>:root``. Peers match the substring
"root" (which also hits a user named ``rootops``) or only the ``aws`` partition; rootguard
compares every field.
"""

from __future__ import annotations

from dataclasses import dataclass

KNOWN_PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its fields; ``None`` when it is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def root_arn(partition: str, account_id: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def is_root_arn(text: str, account_id: str, partition: str | None) -> bool:
    """True when ``text`` is exactly the root user's ARN for this account.

    When the account's partition is known it must match; otherwise any known partition is
    accepted, because the account id and the ``root`` resource already pin the identity.
    """
    arn = parse_arn(text)
    if arn is None:
        return False
    if partition is not None and arn.partition != partition:
        return False
    return (
        arn.partition in KNOWN_PARTITIONS
        and arn.service == "iam"
        and arn.region == ""
        and arn.account == account_id
        and arn.resource == "root"
    )


def partition_of(text: str) -> str | None:
    """The partition of an ARN, when it names a known one."""
    arn = parse_arn(text)
    if arn is None or arn.partition not in KNOWN_PARTITIONS:
        return None
    return arn.partition
