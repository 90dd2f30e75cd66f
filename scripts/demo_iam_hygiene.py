"""IAM user hygiene and break-glass for the demo organisation (for build_demo.py to import).

What a reader of `rootguard audit --demo` should find, collected 2026-11-20 at noon UTC:
- prod (210987654321): `legacy-backup`'s access key was created in 2023 and last used on 2026-08-03
  (unused 109 days, never rotated); `contractor-dana` got a console password on 2026-09-01, never
  signed in and has no MFA; `breakglass` is the declared break-glass user (hardware MFA, rehearsed on
  2026-10-20, password changed right after). Break-glass: root and `breakglass`, every fact attested
  → PASS.
- sandbox (109876543210): `sandbox-terraform`'s key is used daily but was created in January 2025
  (rotation FAIL). Break-glass: root and the role `BreakGlassAdmin`, whose existence the evidence cannot
  show yet, and the last rehearsal was attested 200 days ago → MANUAL.

How build_demo.py uses it (two lines each):
    from demo_iam_hygiene import demo_config, user_rows
    report([root, alice, ci, rootops, *user_rows()[PROD]], …)      # and [root, *user_rows()[SANDBOX]]
    (OUT.parent / "rootguard.toml").write_text(demo_config())       # read by `audit --demo`
and the account summaries' "Users" grow by len(user_rows()[account]).
"""

from __future__ import annotations

PROD, SANDBOX = "210987654321", "109876543210"

NO_KEY = ["false", "N/A", "N/A", "N/A", "N/A"]
NO_CERTS = ["false", "N/A", "false", "N/A"]
NO_PASSWORD = ["false", "N/A", "N/A", "N/A"]
"""password_enabled, password_last_used, password_last_changed, password_next_rotation."""


def _row(name: str, account: str, created: str, *, password: list[str], mfa: str, key1: list[str]) -> str:
    cells = [name, f"arn:aws:iam::{account}:user/{name}", created, *password, mfa, *key1, *NO_KEY, *NO_CERTS]
    assert len(cells) == 22, (name, len(cells))
    return ",".join(cells)


def user_rows() -> dict[str, list[str]]:
    """Credential-report lines (22 columns, no header) to append after each account's existing rows."""
    legacy = _row(
        "legacy-backup", PROD, "2023-08-01T09:55:00+00:00", password=NO_PASSWORD, mfa="false",
        key1=["true", "2023-08-01T10:00:00+00:00", "2026-08-03T02:15:00+00:00", "us-east-1", "s3"],
    )  # fmt: skip
    dana = _row(
        "contractor-dana", PROD, "2026-09-01T09:00:00+00:00",
        password=["true", "no_information", "2026-09-01T09:05:00+00:00", "N/A"], mfa="false", key1=NO_KEY,
    )  # fmt: skip
    breakglass = _row(
        "breakglass", PROD, "2024-03-01T12:00:00+00:00",
        password=["true", "2026-10-20T15:30:00+00:00", "2026-10-20T15:45:00+00:00", "N/A"], mfa="true", key1=NO_KEY,
    )  # fmt: skip
    terraform = _row(
        "sandbox-terraform", SANDBOX, "2025-01-10T07:58:00+00:00", password=NO_PASSWORD, mfa="false",
        key1=["true", "2025-01-10T08:00:00+00:00", "2026-11-19T22:10:00+00:00", "us-east-1", "sts"],
    )  # fmt: skip
    return {PROD: [legacy, dana, breakglass], SANDBOX: [terraform]}


def demo_config() -> str:
    """The demo's rootguard.toml, shipped beside approvals.toml in src/rootguard/demo/."""
    return f"""\
# rootguard settings for the demo organisation (`rootguard audit --demo` reads this file).
approvals = "approvals.toml"          # relative to this file

[break_glass]
# Root is every account's break-glass identity for the root-only tasks; prod keeps an IAM user with
# hardware MFA, the sandbox a role that administrators assume after approval.
principals = [
  "root",
  "arn:aws:iam::{PROD}:user/breakglass",
  "arn:aws:iam::{SANDBOX}:role/BreakGlassAdmin",
]

[[break_glass.attestation]]
kind = "root-password-vaulted"
attested_by = "ciso@example.com"
attested_at = 2026-10-20T16:00:00Z
note = "Root passwords in the HSM-backed vault, two-person rule"

[[break_glass.attestation]]
kind = "mfa-custody"
attested_by = "ciso@example.com"
attested_at = 2026-10-20T16:00:00Z
note = "Hardware tokens in safe 2 (Frankfurt office), custodian: head of IT operations"

[[break_glass.attestation]]
kind = "procedure-tested"
attested_by = "secops-lead@example.com"
attested_at = 2026-10-20T16:00:00Z
accounts = ["{PROD}"]
note = "Rehearsal CHG-0977: breakglass user signed in, alarm paged on-call in 2 minutes"

[[break_glass.attestation]]
kind = "procedure-tested"
attested_by = "secops-lead@example.com"
attested_at = 2026-05-04T10:00:00Z
accounts = ["{SANDBOX}"]
note = "Rehearsal CHG-0712 (the sandbox has not been rehearsed since)"
"""
