"""Pure analysis of collected evidence: no I/O, no clock.

- ``root_activity.analyze``: CloudTrail records → classified root events and sessions (contract §7).
- ``root_tasks``: the catalogue of tasks AWS documents as requiring root (``root_tasks.toml``).
"""

from __future__ import annotations

from rootguard.analysis.assume_root import AssumeRootGrant, assume_root_grants
from rootguard.analysis.classify import Classification, Flag, classify
from rootguard.analysis.root_activity import analyze
from rootguard.analysis.root_tasks import Catalogue, NotRootOnly, RootTask, load_catalogue, match_root_task

__all__ = [
    "AssumeRootGrant",
    "Catalogue",
    "Classification",
    "Flag",
    "NotRootOnly",
    "RootTask",
    "analyze",
    "assume_root_grants",
    "classify",
    "load_catalogue",
    "match_root_task",
]
