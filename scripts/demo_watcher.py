"""The root watcher files of the demo organisation (called from build_demo.py: ``**demo_watcher()``).

What a reader of `rootguard audit --demo` should find under root-watcher-health:
- prod (210987654321): rootguard's watcher runs in both Regions; in us-east-1 it failed 3 times the
  evening before collection and 2 root events wait in its dead-letter queue, so the check FAILs naming
  us-east-1; in eu-west-1 it had no error and its queue is empty.
- sandbox (109876543210): the watcher runs in us-east-1 only, with no error and an empty queue: PASS (the
  Regions without it are not a finding of this check; root-alerting judges coverage).
"""

from __future__ import annotations

from typing import Any

from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS
from rootguard.model.watcher_health import DEPTH_ATTRIBUTE, WATCHER_HANDLER

PROD, SANDBOX = "210987654321", "109876543210"
REGIONS = ("eu-west-1", "us-east-1")
STACK = "rootguard-watch"
FAILURES = {"us-east-1": {"2026-11-19T21:00:00+00:00": 2.0, "2026-11-19T22:00:00+00:00": 1.0}}
DEAD_LETTERS = {"us-east-1": 2}


def _watcher(account: str, region: str, queue: str) -> dict[str, Any]:
    function = f"{STACK}-root-watcher"
    errors = FAILURES.get(region, {}) if account == PROD else {}
    depth = DEAD_LETTERS.get(region, 0) if account == PROD else 0
    return {
        LIST_FUNCTIONS.path(account, region): {
            "Functions": [
                {
                    "FunctionName": function,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{function}",
                    "Handler": WATCHER_HANDLER,
                    "DeadLetterConfig": {"TargetArn": f"arn:aws:sqs:{region}:{account}:{queue}"},
                }
            ]
        },
        WATCHER_ERRORS.path(account, region, function): {
            "Label": "Errors",
            "Datapoints": [{"Timestamp": at, "Sum": total, "Unit": "Count"} for at, total in errors.items()],
        },
        DEAD_LETTER_DEPTH.path(account, region, queue): {"Attributes": {DEPTH_ATTRIBUTE: str(depth)}},
    }


def demo_watcher() -> dict[str, Any]:
    """Bundle path → document for both demo accounts."""
    documents: dict[str, Any] = {}
    for region in REGIONS:
        documents |= _watcher(PROD, region, f"{STACK}-DeadLetterQueue-7Q2KX0M4D1ZB")
    documents[LIST_FUNCTIONS.path(SANDBOX, "eu-west-1")] = {"Functions": []}
    documents |= _watcher(SANDBOX, "us-east-1", f"{STACK}-DeadLetterQueue-1HV9T3C6R8WA")
    return documents
