"""A moto server that holds the root user state stock moto lacks, one scenario at a time.

Stock moto 5.2.5 has no ``<root_account>`` row in the credential report, hard-codes the root flags
of GetAccountSummary to 0 (and omits ``AccountPasswordPresent``), cannot assign a virtual MFA
device to root and stamps every credential report ``GeneratedTime: 2015-02-02``. This helper starts
``moto.server.ThreadedMotoServer`` in this process and patches its in-process IAM backend so a
scenario's root state is what the API returns (see /work/shared/research/peers-run.md, "How far
moto lets root usage be simulated"). Every patch lives in a ``pytest.MonkeyPatch`` that is undone,
and moto's backends are reset, when the server stops.

    with moto_root_server("bad") as server:
        subprocess.run([...], env={"AWS_ENDPOINT_URL": server.endpoint, ...})

Only one server runs at a time: moto's backends are process-wide, so two would share state.
"""

from __future__ import annotations

import logging
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.core.base_backend import BackendDict
from moto.core.responses import ActionResult
from moto.iam.models import AccountSummary, IAMBackend, iam_backends
from moto.iam.responses import IamResponse
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "123456789012"
"""The account moto answers for when the access key is ``testing``."""
ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
ROOT_DEVICE = "root-account-mfa-device"
DECOY_USER = "rootops"
"""An IAM user whose name starts with "root" and who has a virtual MFA device of their own."""
REGION = "us-east-1"

CHECK_IDS = ("root-recent-use", "root-access-keys", "root-mfa", "root-hardware-mfa", "root-signing-certs")
STATUSES = ("PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE")

_ISO = "%Y-%m-%dT%H:%M:%S+00:00"


def utc_now() -> datetime:
    """Now, in whole seconds: AWS never returns fractions in these dates."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None, missing: str = "N/A") -> str:
    return missing if moment is None else moment.astimezone(UTC).strftime(_ISO)


READ_TIME = "when the report is read"
"""A last-used date that is the moment GetCredentialReport answers: root's key runs the audit itself."""


@dataclass(frozen=True)
class RootKey:
    """One root access key, as the credential report describes it."""

    active: bool
    last_rotated: datetime
    last_used: datetime | str | None = None
    """A date, ``None`` (never used: N/A) or READ_TIME."""
    region: str = "us-east-1"
    service: str = "iam"


@dataclass(frozen=True)
class RootState:
    """What AWS would say about root; dates relative to the moment the scenario was built."""

    created: datetime
    password_last_used: datetime | None
    """``None``: the report says ``no_information``."""
    mfa: bool
    password_present: bool = True
    keys: tuple[RootKey, ...] = ()
    virtual_mfa_enabled: datetime | None = None
    """When a virtual MFA device was assigned to root; ``None``: no virtual device on root."""

    def csv_row(self, account_id: str = ACCOUNT_ID, read_at: datetime | None = None) -> str:
        """The ``<root_account>`` line with all 22 columns, as AWS writes it."""
        keys: list[RootKey | None] = [*self.keys, None, None][:2]
        cells = [
            "<root_account>",
            f"arn:aws:iam::{account_id}:root",
            iso(self.created),
            "not_supported",  # password_enabled is not_supported for root
            iso(self.password_last_used, missing="no_information"),
            "not_supported",
            "not_supported",
            "true" if self.mfa else "false",
        ]
        for key in keys:
            if key is None:
                cells += ["false", "N/A", "N/A", "N/A", "N/A"]
            else:
                last_used = (read_at or utc_now()) if key.last_used == READ_TIME else key.last_used
                assert not isinstance(last_used, str)
                used = last_used is not None
                cells += [
                    "true" if key.active else "false",
                    iso(key.last_rotated),
                    iso(last_used),
                    key.region if used else "N/A",
                    key.service if used else "N/A",
                ]
        cells += ["false", "N/A", "false", "N/A"]
        assert len(cells) == 22
        return ",".join(cells) + "\n"

    @property
    def used_while_read(self) -> bool:
        return any(key.last_used == READ_TIME for key in self.keys)

    @property
    def access_keys_present(self) -> bool:
        """AccountAccessKeysPresent counts inactive keys too."""
        return bool(self.keys)


@dataclass(frozen=True)
class Scenario:
    name: str
    root: RootState | None
    """``None``: stock moto, no root state at all (and its stale 2015 GeneratedTime)."""
    expected: dict[str, str]
    """check id → expected status."""
    exit_code: int

    @property
    def summary(self) -> dict[str, int]:
        return {status: list(self.expected.values()).count(status) for status in STATUSES}


def scenarios(now: datetime) -> dict[str, Scenario]:
    """The scenarios, their dates computed from ``now`` (whole seconds)."""

    def ago(days: float = 0, minutes: float = 0) -> datetime:
        return (now - timedelta(days=days, minutes=minutes)).replace(microsecond=0)

    created = ago(days=3 * 365)
    built = [
        Scenario(
            "bad",
            RootState(
                created=created,
                password_last_used=ago(days=2),
                mfa=True,
                keys=(RootKey(active=True, last_rotated=ago(days=400), last_used=ago(days=3), service="s3"),),
                virtual_mfa_enabled=ago(days=30),
            ),
            {
                "root-recent-use": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "PASS",
                "root-hardware-mfa": "FAIL",
                "root-signing-certs": "PASS",
            },
            exit_code=1,
        ),
        Scenario(
            "keyuse",
            RootState(
                created=created,
                password_last_used=ago(days=200),
                mfa=False,
                keys=(
                    RootKey(active=True, last_rotated=ago(days=20), last_used=ago(minutes=5), service="ec2"),
                    RootKey(active=False, last_rotated=ago(days=500), last_used=ago(days=450)),
                ),
            ),
            {
                "root-recent-use": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "FAIL",
                "root-hardware-mfa": "FAIL",
                "root-signing-certs": "PASS",
            },
            exit_code=1,
        ),
        Scenario(
            "good",
            RootState(created=created, password_last_used=ago(days=200), mfa=True),
            dict.fromkeys(CHECK_IDS, "PASS"),
            exit_code=0,
        ),
        Scenario(
            # The audit runs with root's own access key: the report shows it used while being generated.
            "selfaudit",
            RootState(
                created=created,
                password_last_used=ago(days=300),
                mfa=True,
                keys=(RootKey(active=True, last_rotated=ago(days=10), last_used=READ_TIME, service="sts"),),
            ),
            {
                "root-recent-use": "FAIL",
                "root-access-keys": "FAIL",
                "root-mfa": "PASS",
                "root-hardware-mfa": "PASS",
                "root-signing-certs": "PASS",
            },
            exit_code=1,
        ),
        Scenario(
            "stock",
            None,
            {
                "root-recent-use": "ERROR",
                # GetAccountSummary (hard-coded 0 in moto) settles keys and certificates on its own …
                "root-access-keys": "PASS",
                "root-signing-certs": "PASS",
                # … but with MFA off, whether root holds a password decides, and nothing says so.
                "root-mfa": "ERROR",
                "root-hardware-mfa": "ERROR",
            },
            exit_code=3,
        ),
    ]
    return {scenario.name: scenario for scenario in built}


SCENARIOS = tuple(scenarios(utc_now()))


@dataclass
class MotoRoot:
    """A running moto server holding one scenario."""

    endpoint: str
    port: int
    scenario: Scenario
    now: datetime
    account_id: str = ACCOUNT_ID
    root_device_serial: str | None = None
    decoy_device_serial: str = ""
    users: tuple[str, ...] = field(default=())

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


_active = threading.Lock()


@contextmanager
def moto_root_server(scenario: str | Scenario, now: datetime | None = None) -> Iterator[MotoRoot]:
    """Start moto on 127.0.0.1 (a free port), seed IAM users and the scenario's root state."""
    now = (now or utc_now()).replace(microsecond=0)
    chosen = scenarios(now)[scenario] if isinstance(scenario, str) else scenario
    if not _active.acquire(blocking=False):
        raise RuntimeError("a moto root server is already running in this process; moto's state is shared")
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: the OS picks a free one
    try:
        werkzeug.setLevel(logging.WARNING)  # no access log line per request
        BackendDict.reset()
        with pytest.MonkeyPatch.context() as patches:
            server.start()
            try:
                host, port = server.get_host_and_port()
                running = MotoRoot(endpoint=f"http://{host}:{port}", port=port, scenario=chosen, now=now)
                _seed_users(running)
                if chosen.root is not None:
                    _install_root(patches, running, chosen.root)
                _whole_seconds(running)
                yield running
            finally:
                server.stop()
    finally:
        BackendDict.reset()
        werkzeug.setLevel(level)
        _active.release()


def _backend(account_id: str = ACCOUNT_ID) -> IAMBackend:
    return iam_backends[account_id]["global"]


def _seed_users(server: MotoRoot) -> None:
    """A few IAM users, one of them (rootops) with its own virtual MFA device: a decoy for root."""
    iam = server.client("iam")
    for name in ("alice", "bob", DECOY_USER):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    iam.create_access_key(UserName="bob")
    decoy = iam.create_virtual_mfa_device(VirtualMFADeviceName=DECOY_USER)["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=DECOY_USER,
        SerialNumber=decoy["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    # An unassigned device, as an account that abandoned an MFA enrolment has.
    iam.create_virtual_mfa_device(VirtualMFADeviceName="abandoned")
    server.decoy_device_serial = decoy["SerialNumber"]
    server.users = ("alice", "bob", DECOY_USER)


def _install_root(patches: pytest.MonkeyPatch, server: MotoRoot, root: RootState) -> None:
    account_id = server.account_id

    # 1. The <root_account> row, first after the header, as AWS orders the report.
    original_report = IAMBackend.get_credential_report

    def get_credential_report(self: IAMBackend) -> str:
        report = original_report(self)
        if self.account_id != account_id:
            return report
        if root.used_while_read:
            # Generating a report takes AWS a while: let the clock pass into the next second, so the
            # use is always recorded after the second in which collection began.
            time.sleep(1.01 - time.time() % 1)
        header, _, rows = report.partition("\n")
        return f"{header}\n{root.csv_row(account_id, read_at=utc_now())}{rows}"

    patches.setattr(IAMBackend, "get_credential_report", get_credential_report)

    # 2. GeneratedTime: now, not moto's fixed 2015-02-02 (which rootguard rightly calls stale).
    def get_credential_report_response(self: IamResponse) -> Any:
        report = self.backend.get_credential_report()
        generated = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return ActionResult({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": generated})

    patches.setattr(IamResponse, "get_credential_report", get_credential_report_response)

    # 3. GetAccountSummary: the root flags follow the scenario; AccountPasswordPresent is added.
    summary = _backend(account_id).account_summary
    patches.setattr(summary, "_account_mfa_enabled", int(root.mfa))
    patches.setattr(summary, "_account_access_keys_present", int(root.access_keys_present))
    patches.setattr(summary, "_account_signing_certificates_present", 0)
    patches.setattr(summary, "_account_password_present", int(root.password_present), raising=False)
    original_map = AccountSummary.summary_map

    def summary_map(self: AccountSummary) -> dict[str, Any]:
        values = dict(original_map.fget(self))
        present = getattr(self, "_account_password_present", None)
        if present is not None:
            values["AccountPasswordPresent"] = present
        return values

    patches.setattr(AccountSummary, "summary_map", property(summary_map))

    # 4. A virtual MFA device assigned to root: User.Arn is the root ARN, as AWS lists it.
    if root.virtual_mfa_enabled is not None:
        device = server.client("iam").create_virtual_mfa_device(VirtualMFADeviceName=ROOT_DEVICE)
        serial = device["VirtualMFADevice"]["SerialNumber"]
        stored = _backend(account_id).virtual_mfa_devices[serial]
        stored.enable_date = root.virtual_mfa_enabled
        stored.user = types.SimpleNamespace(
            path="/", user_id=account_id, arn=f"arn:aws:iam::{account_id}:root", create_date=root.created
        )
        server.root_device_serial = serial


def _whole_seconds(server: MotoRoot) -> None:
    """moto stamps users and devices with microseconds; AWS never does."""
    backend = _backend(server.account_id)
    for user in backend.users.values():
        user.create_date = user.create_date.replace(microsecond=0)
    for device in backend.virtual_mfa_devices.values():
        if device.enable_date is not None:
            device.enable_date = device.enable_date.replace(microsecond=0)
