"""A light stand-in for AWS that the organization benchmark audits: canned bytes, a thread per connection.

``rootguard org audit`` of 500 members against the tests' moto server measured moto (87 s of its CPU
against rootguard's 32 s on the same 2 cores); AWS's servers do not eat the auditor's CPU. This endpoint
answers every call an organization audit makes (``--regions us-east-1 --no-alerting``) from bodies
bench/org_bodies.py built before the first request, so a call costs the server a header parse and a
dictionary look-up:

- the service comes from the SigV4 credential scope, the action from ``X-Amz-Target`` (JSON 1.1) or the
  form body's ``Action`` (query protocol), the account from the access key: ``testing`` is the
  management account; AssumeRoot and AssumeRole hand out keys that spell the member's id;
- an AssumeRoot session may call only ``IAMAuditRootUserCredentials``' actions (AccessDenied otherwise);
- every call waits ``--latency`` seconds (default 0.05); AssumeRoot above ``--rate`` calls per second (a
  token bucket holding one second of calls) answers ``ThrottlingException`` (AWS rate-limits it without
  saying how much);
- it counts calls per account and throttled calls; ``GET /__bench/stats`` returns them with the process's
  own CPU seconds, ``POST /__bench/reset`` zeroes the counters.

Run it as its own process (so its CPU is not rootguard's):

    python bench/org_endpoint.py --members 500 [--latency 0.05] [--rate 10] [--port 0]

It prints one JSON line, ``{"endpoint": ..., "members": [...], "management": ...}``, then serves until killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from org_bodies import (
    AUDIT_TASK_ACTIONS,
    MANAGEMENT_ID,
    ROLE_KEY_PREFIX,
    ROOT_KEY_PREFIX,
    STS_NS,
    LightOrg,
    Reply,
    as_json,
    json_error,
    session,
    simulation,
    xml,
    xml_error,
)

ROOT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
JSON_ORGANIZATIONS = frozenset(
    {"DescribeOrganization", "ListRoots", "ListAccounts", "ListOrganizationalUnitsForParent",
     "ListAccountsForParent", "ListPoliciesForTarget", "DescribePolicy", "ListTagsForResource"}
)  # fmt: skip
GENERATION_STARTED = xml(
    "GenerateCredentialReport",
    "<State>STARTED</State><Description>No report exists. Starting a new report generation task</Description>",
)
"""As AWS answers in an account without a recent report: rootguard polls again (0.25 s later)."""
ID_PARAMETER = {"ListOrganizationalUnitsForParent": "ParentId", "ListAccountsForParent": "ParentId",
                "ListPoliciesForTarget": "TargetId", "DescribePolicy": "PolicyId",
                "ListTagsForResource": "ResourceId"}  # fmt: skip


class RateLimit:
    """A token bucket: ``per_second`` tokens a second, at most ``per_second`` held (a second of burst), the
    way AWS describes its API throttling (EC2's request throttling: a bucket size and a refill rate).
    ``None``: unlimited. (The moto server's limit is a strict sliding window: a client spacing its calls at
    exactly the same rate sees about half of them throttled by arrival jitter.)"""

    def __init__(self, per_second: float | None) -> None:
        self.per_second = per_second
        self._tokens = per_second or 0.0
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        if self.per_second is None:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.per_second, self._tokens + (now - self._last) * self.per_second)
            self._last = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True


class Endpoint:
    """The organization, the knobs and the counters the handler threads share."""

    def __init__(self, org: LightOrg, *, latency: float, rate: float | None) -> None:
        self.org = org
        self.latency = latency
        self.assume_root = RateLimit(rate)
        self.calls: Counter[str] = Counter()
        self.throttled = 0
        self.reported: set[str] = set()
        """Accounts whose credential report generation has started (the first GenerateCredentialReport: STARTED)."""
        self._lock = threading.Lock()

    def stats(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with self._lock:
            return {"calls": dict(self.calls), "throttled": self.throttled,
                    "cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_kib": usage.ru_maxrss}  # fmt: skip

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.throttled = 0
            self.reported.clear()

    def answer(self, service: str, key: str, action: str, params: dict[str, Any]) -> Reply:
        """The reply to one call; ``params``: the JSON body, or the query form's first values."""
        root_session = key.startswith(ROOT_KEY_PREFIX)
        account = key[len(ROOT_KEY_PREFIX) :] if root_session or key.startswith(ROLE_KEY_PREFIX) else MANAGEMENT_ID
        with self._lock:
            self.calls[account] += 1
        bodies = self.org.accounts.get(account)
        if bodies is None:
            return xml_error("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        if root_session:
            if action not in AUDIT_TASK_ACTIONS:
                return xml_error("AccessDenied", f"User: arn:aws:iam::{account}:root is not authorized to perform: "
                                 f"{service}:{action} because no session policy allows it", 403)  # fmt: skip
            return bodies.root.get(action) or _unknown(service, action)
        if action == "AssumeRoot":
            return self._assume_root(account, params)
        if action == "AssumeRole":
            return self._assume_role(account, params)
        if action in JSON_ORGANIZATIONS:
            return self._organizations(account, action, params)
        if action == "GenerateCredentialReport" and account not in self.reported:
            with self._lock:
                self.reported.add(account)
            return GENERATION_STARTED
        if action == "DescribeRegions":
            return self.org.regions
        if action == "SimulatePrincipalPolicy":
            listed = sorted(params.items(), key=_member_order)
            return simulation([value for name, value in listed if name.startswith("ActionNames.")])
        return bodies.role.get(action) or _unknown(service, action)

    def _assume_root(self, caller: str, params: dict[str, Any]) -> Reply:
        if not self.assume_root.allow():
            with self._lock:
                self.throttled += 1
            return xml_error("ThrottlingException", "Rate exceeded", 400, STS_NS)
        target = str(params.get("TargetPrincipal", ""))
        member = target.removeprefix("arn:aws:iam::").removesuffix(":root")
        if caller != MANAGEMENT_ID or member == MANAGEMENT_ID or not self.org.known(member):
            return xml_error("AccessDenied", f"{target} is not a member account of the organization", 403, STS_NS)
        if params.get("TaskPolicyArn.arn") != ROOT_TASK_POLICY or int(params.get("DurationSeconds", 900)) > 900:
            return xml_error("ValidationError", "only IAMAuditRootUserCredentials for at most 900 s", 400, STS_NS)
        expires = self.org.now + timedelta(minutes=15)
        return session("AssumeRoot", ROOT_KEY_PREFIX + member, member, expires=expires)

    def _assume_role(self, caller: str, params: dict[str, Any]) -> Reply:
        role_arn = str(params.get("RoleArn", ""))
        parts = role_arn.split(":")
        member = parts[4] if len(parts) > 5 else ""
        if caller != MANAGEMENT_ID or member == MANAGEMENT_ID or not self.org.known(member):
            return xml_error("AccessDenied", f"not authorized to perform: sts:AssumeRole on {role_arn}", 403, STS_NS)
        name = str(params.get("RoleSessionName", "rootguard"))
        assumed = (
            f"<AssumedRoleUser><AssumedRoleId>AROABENCH{member}:{name}</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{member}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/{name}</Arn></AssumedRoleUser>"
        )
        expires = self.org.now + timedelta(hours=1)
        return session("AssumeRole", ROLE_KEY_PREFIX + member, member, expires=expires, extra=assumed)

    def _organizations(self, caller: str, action: str, params: dict[str, Any]) -> Reply:
        if caller != MANAGEMENT_ID:
            return json_error("AccessDeniedException", "You don't have permissions to access this resource.")
        pages = self.org.organizations.get((action, str(params.get(ID_PARAMETER.get(action, ""), ""))))
        if pages is None:
            return json_error("TargetNotFoundException", f"{action}: no such target")
        token = params.get("NextToken")
        index = int(token) if isinstance(token, str) and token.isdigit() else 0
        return pages[index] if index < len(pages) else as_json({})


def _member_order(item: tuple[str, Any]) -> int:
    suffix = item[0].rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


def _unknown(service: str, action: str) -> Reply:
    """A call the endpoint has no answer for: loud, so a new call in rootguard shows up as a bench bug."""
    print(f"org_endpoint: no answer for {service}:{action}", file=sys.stderr, flush=True)
    return xml_error("InvalidAction", f"org_endpoint has no answer for {service}:{action}", 400)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its pooled connections
    # Headers and body leave in one write (handle_one_request flushes): written apart, Nagle's algorithm
    # holds the body until the client's delayed ACK, up to 40 ms more per call.
    wbufsize = -1
    disable_nagle_algorithm = True
    endpoint: Endpoint

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/__bench/reset"):
            self.endpoint.reset()
            self._send(as_json({}))
            return
        authorization = self.headers.get("Authorization", "")
        credential = authorization.partition("Credential=")[2].split(",", 1)[0].split("/")
        key, service = credential[0], credential[3] if len(credential) > 3 else ""
        target = self.headers.get("X-Amz-Target")
        if target:
            action = target.rsplit(".", 1)[-1]
            params: dict[str, Any] = json.loads(raw or b"{}")
        else:
            form = parse_qs(raw.decode(), keep_blank_values=True)
            params = {name: values[0] for name, values in form.items()}
            action = str(params.get("Action", ""))
        if self.endpoint.latency:
            time.sleep(self.endpoint.latency)
        self._send(self.endpoint.answer(service, key, action, params))

    def do_GET(self) -> None:
        self._send(as_json(self.endpoint.stats()))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("x-amzn-RequestId", "c0ffee00-0000-4000-8000-000000000000")
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a line per call would cost more than the answer."""


def serve(members: int, *, latency: float, rate: float | None, port: int = 0) -> tuple[ThreadingHTTPServer, LightOrg]:
    """A started server (its own thread) and the organization it answers for."""
    org = LightOrg(members)
    handler = type("BoundHandler", (Handler,), {"endpoint": Endpoint(org, latency=latency, rate=rate)})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, name="org-endpoint", daemon=True).start()
    return server, org


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call (default 0.05)")
    parser.add_argument("--rate", type=float, default=10.0, help="AssumeRoot calls/s before throttling (0: none)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server, org = serve(args.members, latency=args.latency, rate=args.rate or None, port=args.port)
    host, port = server.server_address[:2]
    ready = {"endpoint": f"http://{host}:{port}", "management": MANAGEMENT_ID, "members": org.member_ids}
    print(json.dumps(ready), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
