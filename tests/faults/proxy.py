"""A small HTTP proxy on 127.0.0.1 that puts AWS's bad days between rootguard and a moto server.

rootguard runs with ``AWS_ENDPOINT_URL`` pointing here. Each request is named from what botocore sends
(the SigV4 credential scope gives the service and Region; ``X-Amz-Target``, the query ``Action`` or the
REST path gives the operation) and either forwarded to the upstream server unchanged or answered by a
``Fault``: an HTML 500/503 page, a throttling error in the protocol's own shape, an SCP explicit-deny
AccessDenied, a connection reset, an answer slower than the client's read timeout, or a truncated body
(cut short with the full Content-Length promised, or cut with a Content-Length that matches the cut).

Without an upstream, ``respond`` must answer every request (the edge's HTTP-level tests use this).
Loopback only; every wait is bounded and released by ``stop()``; the server thread is a daemon.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HTML_PAGE = (
    b"<!doctype html>\n<html lang=en>\n<title>{status} {reason}</title>\n<h1>{reason}</h1>\n"
    b"<p>The server encountered an internal error and was unable to complete your request.</p>\n"
)
DENY_MESSAGE = (
    "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: {action} on resource: * "
    "with an explicit deny in a service control policy"
)
REST_OPERATIONS = (
    ("GET", re.compile(r"^/detector/?$"), "ListDetectors"),
    ("GET", re.compile(r"^/detector/[^/]+/?$"), "GetDetector"),
)
"""GuardDuty (rest-json) names its operations by method and path."""
ACTION_PREFIXES = {"monitoring": "cloudwatch", "sso": "sso"}


@dataclass(frozen=True)
class Request:
    """One request as the proxy saw it."""

    service: str
    """The signing name (``iam``, ``monitoring`` …)."""
    region: str
    operation: str
    protocol: str
    """``query``, ``ec2``, ``json`` or ``rest-json``."""
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def action(self) -> str:
        return f"{ACTION_PREFIXES.get(self.service, self.service)}:{self.operation}"


@dataclass(frozen=True)
class Reply:
    """What to send back instead of (or after) forwarding."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    """Seconds to wait first (released early by ``stop()``)."""
    reset: bool = False
    """Close the connection with a TCP reset instead of answering."""
    promise: int | None = None
    """A Content-Length to declare when it differs from the body's (a truncated answer)."""
    forward: bool = False
    """Forward upstream after ``delay`` instead of answering (a slow answer)."""
    cut: str = ""
    """With ``forward``: ``"short"`` sends half the upstream body with the full length promised, ``"clean"``
    sends half with a matching Content-Length."""


Respond = Callable[[Request], Reply | None]


@dataclass
class Seen:
    request: Request
    reply: str
    """``forward`` or the fault's kind."""


@dataclass
class FaultProxy:
    """``with FaultProxy(upstream, respond) as proxy: … proxy.endpoint …``."""

    upstream: str | None
    respond: Respond = lambda _: None
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def record(self, request: Request, reply: str) -> None:
        with self._lock:
            self.seen.append(Seen(request, reply))

    def log(self) -> list[Seen]:
        with self._lock:
            return list(self.seen)

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (read timeout) or a connection reset on purpose: nothing to report."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = describe(self.command, self.path, dict(self.headers.items()), body)
        reply = self.owner.respond(request)
        if reply is None:
            self.owner.record(request, "forward")
            self._forward(request)
            return
        self.owner.record(request, "reset" if reply.reset else "slow" if reply.delay else f"reply {reply.status}")
        if reply.delay:
            self.owner.wait(reply.delay)
        if reply.reset:
            self._reset()
            return
        if reply.forward:
            self._forward(request, cut=reply.cut)
            return
        self._send(reply.status, list(reply.headers), reply.body, promise=reply.promise)

    def _forward(self, request: Request, cut: str = "") -> None:
        if self.owner.upstream is None:
            self._send(502, [("Content-Type", "text/plain")], b"no upstream")
            return
        target = urlsplit(self.owner.upstream)
        connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("connection", "keep-alive")}
            connection.request(request.method, request.path, body=request.body or None, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            passed = [
                (k, v)
                for k, v in answer.getheaders()
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")
            ]
        finally:
            connection.close()
        if cut:
            half = data[: max(1, len(data) // 2)]
            self._send(answer.status, passed, half, promise=len(data) if cut == "short" else None)
            return
        self._send(answer.status, passed, data)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, *, promise: int | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) if promise is None else promise))
            if promise is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()  # with a promise, the connection then closes: the client reads a short body
        except OSError:
            self.close_connection = True

    def _reset(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        self.close_connection = True


def describe(method: str, path: str, headers: dict[str, str], body: bytes) -> Request:
    """Service, Region, operation and protocol of a botocore request."""
    lower = {k.lower(): v for k, v in headers.items()}
    scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request", lower.get("authorization", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else ("", "")
    target = lower.get("x-amz-target")
    if target:
        return Request(service, region, target.rsplit(".", 1)[-1], "json", method, path, headers, body)
    form = parse_qs(body.decode("utf-8", "replace")) if body and method == "POST" else {}
    if "Action" in form:
        protocol = "ec2" if service == "ec2" else "query"
        return Request(service, region, form["Action"][0], protocol, method, path, headers, body)
    route = urlsplit(path).path
    operation = next((name for verb, pattern, name in REST_OPERATIONS if verb == method and pattern.match(route)), "")
    return Request(service, region, operation or f"{method} {route}", "rest-json", method, path, headers, body)


# --- the faults, in each protocol's own shape ------------------------------------------------------


def html(status: int) -> Reply:
    reason = http.client.responses.get(status, "Error").encode()
    page = HTML_PAGE.replace(b"{status}", str(status).encode()).replace(b"{reason}", reason)
    return Reply(status, page, (("Content-Type", "text/html; charset=utf-8"),))


def aws_error(request: Request, status: int, code: str, message: str) -> Reply:
    """An AWS error document as the request's protocol carries it."""
    if request.protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        return Reply(status, body, (("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)))
    error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    if request.protocol == "ec2":
        xml = f"<Response><Errors>{error}</Errors><RequestID>r-1</RequestID></Response>"
    else:
        xml = f"<ErrorResponse>{error}<RequestId>r-1</RequestId></ErrorResponse>"
    return Reply(status, xml.encode(), (("Content-Type", "text/xml"),))


def throttled(request: Request) -> Reply:
    if request.protocol == "ec2":
        return aws_error(request, 503, "RequestLimitExceeded", "Request limit exceeded.")
    if request.protocol in ("json", "rest-json"):
        return aws_error(request, 400, "ThrottlingException", "Rate exceeded")
    return aws_error(request, 400, "Throttling", "Rate exceeded")


def scp_denied(request: Request) -> Reply:
    code = "AccessDeniedException" if request.protocol in ("json", "rest-json") else "AccessDenied"
    if request.protocol == "ec2":
        code = "UnauthorizedOperation"
    return aws_error(
        request, 403 if request.protocol != "json" else 400, code, DENY_MESSAGE.format(action=request.action)
    )


def reset() -> Reply:
    return Reply(reset=True)


def slow(seconds: float) -> Reply:
    return Reply(delay=seconds, forward=True)


def truncated(how: str) -> Reply:
    return Reply(forward=True, cut=how)


@contextlib.contextmanager
def fault_proxy(upstream: str | None, respond: Respond) -> Iterator[FaultProxy]:
    with FaultProxy(upstream, respond) as proxy:
        yield proxy
