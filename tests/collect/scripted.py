"""Scripted AWS answers for the collector tests: real boto3 clients whose requests never leave the process.

The collectors call AWS only through ``rootguard.collect.aws.call``/``paginate``; ``paginate`` drives
botocore's own paginators, so a fake must be a real client. ``scripted("iam", list_virtual_mfa_devices=
Script(page1, page2))`` answers each request of that operation with the script's next answer (or raises
it), after botocore has validated the parameters, and records what was asked.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import boto3


class Script:
    """A fake API operation: each call takes the next answer (a response, or an exception to raise).

    With ``repeat`` the last answer is given again forever.
    """

    def __init__(self, *answers: Any, repeat: bool = False) -> None:
        self.answers = list(answers)
        self.repeat = repeat
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        if not self.answers:
            raise AssertionError(f"called {len(self.calls)} times, more often than scripted")
        answer = self.answers[0] if self.repeat and len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)  # a merged result extends the first page's lists: keep the script intact


class _Ok:
    status_code = 200
    headers: ClassVar[dict[str, str]] = {}


def scripted(service: str, *, log: list[tuple[str, dict[str, Any]]] | None = None, **operations: Script) -> Any:
    """A boto3 client for ``service`` whose named operations (``method_name=Script(...)``) answer from scripts.

    ``log`` collects ``(method_name, parameters)`` for every scripted request, in order.
    """
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    events = client.meta.events
    prefix = client.meta.service_model.service_id.hyphenize()
    for name, script in operations.items():
        operation = client.meta.method_to_api_mapping[name]
        asked: dict[str, Any] = {}

        def remember(params: dict[str, Any], asked: dict[str, Any] = asked, **_: Any) -> None:
            asked.clear()
            asked.update(copy.copy(params))

        def answer(
            name: str = name, script: Script = script, asked: dict[str, Any] = asked, **_: Any
        ) -> tuple[_Ok, Any]:
            if log is not None:
                log.append((name, dict(asked)))
            return _Ok(), script(**asked)

        events.register(f"before-parameter-build.{prefix}.{operation}", remember)
        events.register(f"before-call.{prefix}.{operation}", answer)
    return client


def contract(document: Any) -> Any:
    """A stored document with only the contract's ``Code`` and ``Message`` in an error (§5): what tests of a
    collector's own rule compare; the edge's added fields (Category, Operation …) are tested in test_edge."""
    if isinstance(document, dict) and set(document) == {"Error"}:
        return {"Error": {key: document["Error"][key] for key in ("Code", "Message") if key in document["Error"]}}
    return document
