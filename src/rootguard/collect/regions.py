"""Region names: the shape of one (``--region``, ``--regions``), its partition, and which Regions a run reads.

Pure functions (no AWS calls): the edge checks ``--region`` before it builds a session, and the account
collection checks ``--regions`` against the Regions ``ec2:DescribeRegions`` says are enabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rootguard.errors import UsageError

REGION_NAME = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
REGION_FORMAT = "two letters, a place and a number, such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1"

PARTITION_PREFIXES = (
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
)
"""Region name prefix → partition; anything else is the commercial partition ``aws``."""


def is_region_name(name: str) -> bool:
    return REGION_NAME.fullmatch(name) is not None


def check_region_name(name: str, option: str) -> str:
    """``name`` if it has the shape of a Region name, else a usage error naming ``option`` and the format."""
    if not is_region_name(name):
        raise UsageError(f"{option}: {name!r} is not an AWS Region name; a Region name is {REGION_FORMAT}")
    return name


def partition_of(region: str) -> str:
    for prefix, partition in PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def same_partition(regions: Iterable[str], home: str) -> tuple[str, ...]:
    """The Regions of ``home``'s partition (an account lives in one partition; DescribeRegions never lists
    another's, but an endpoint that is not AWS may)."""
    partition = partition_of(home)
    return tuple(region for region in regions if partition_of(region) == partition)


def chosen_regions(wanted: Sequence[str], enabled: Sequence[str] | None) -> tuple[str, ...]:
    """The Regions ``--regions`` asks for, each checked.

    ``enabled``: the account's enabled Regions (DescribeRegions); a Region outside them is a usage error
    listing them. ``None``: the listing failed, so only the names' shape is checked and the Regions are
    read as given (the collection's summary says they could not be checked).
    """
    for name in wanted:
        check_region_name(name, "--regions")
    unique = tuple(dict.fromkeys(wanted))
    if enabled is None:
        return unique
    unknown = [name for name in unique if name not in enabled]
    if unknown:
        listed = ", ".join(enabled) if enabled else "none"
        raise UsageError(
            f"--regions: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not enabled for this account "
            f"(or not a Region); the enabled Regions are: {listed}"
        )
    return unique
