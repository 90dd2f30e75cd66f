"""scripts/demo_iam_hygiene.py: the demo rows and rootguard.toml give the verdicts its docstring promises.

The demo bundle is rebuilt by scripts/build_demo.py; this test evaluates the four checks on the documents
build_demo.py writes (in memory) with the demo's settings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rootguard.checks import ALL_CHECKS, EvaluationContext
from rootguard.checks.user_credentials import iam_unused_credentials
from rootguard.config.file import parse_config
from rootguard.config.settings import merge
from rootguard.evidence.assemble import assemble_account
from rootguard.evidence.store import MemoryStore
from rootguard.model.credential_report import COLUMNS
from rootguard.model.timestamps import parse_timestamp

SCRIPTS = Path(__file__).parent.parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import build_demo  # noqa: E402
from demo_iam_admin import demo_iam_admin  # noqa: E402
from demo_iam_hygiene import PROD, SANDBOX, demo_config, user_rows  # noqa: E402

DEMO = Path("/demo")


def documents() -> dict[str, object]:
    """The IAM documents build_demo.py writes (the user rows are already in its credential reports)."""
    return {**build_demo.prod(), **build_demo.sandbox(), **demo_iam_admin()}


def context() -> EvaluationContext:
    settings = merge(parse_config(demo_config(), "demo rootguard.toml", DEMO))
    assert settings.approvals_file == DEMO / "approvals.toml"
    return EvaluationContext(
        as_of=parse_timestamp("2026-11-20T12:00:00Z"),
        window_days=settings.window_days,
        collected_at=parse_timestamp("2026-11-20T12:00:00Z"),
        break_glass=settings.break_glass,
    )


def test_rows_have_the_22_columns() -> None:
    for rows in user_rows().values():
        for row in rows:
            assert len(row.split(",")) == len(COLUMNS)


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (
            PROD,
            {
                "iam-user-mfa": ("FAIL", "'contractor-dana'"),
                "iam-unused-credentials": (
                    "FAIL",
                    "'legacy-backup' access key 1 (last used 2026-08-03T02:15:00Z, 109 days)",
                ),
                "iam-key-rotation": ("FAIL", "'legacy-backup' access key 1 (created 2023-08-01T10:00:00Z"),
                "break-glass": ("PASS", "user 'breakglass' exists and has MFA"),
            },
        ),
        (
            SANDBOX,
            {
                "iam-user-mfa": ("PASS", "No IAM user has a console password"),
                "iam-unused-credentials": ("PASS", "All 1 enabled IAM user credential(s)"),
                "iam-key-rotation": ("FAIL", "'sandbox-terraform' access key 1"),
                "break-glass": ("MANUAL", "older than the 180-day maximum"),
            },
        ),
    ],
)
def test_demo_verdicts(account: str, expected: dict[str, tuple[str, str]]) -> None:
    evidence = assemble_account(MemoryStore(documents()), account)
    for spec in ALL_CHECKS:
        if spec.check_id in expected:
            outcome = spec.evaluate(evidence, context())
            status, phrase = expected[spec.check_id]
            assert outcome.status.value == status, (spec.check_id, outcome.message)
            assert phrase in outcome.message, outcome.message


def test_the_password_changed_after_the_rehearsal_is_not_unused() -> None:
    evidence = assemble_account(MemoryStore(documents()), PROD)
    outcome = iam_unused_credentials.evaluate(evidence, context())
    assert "breakglass" not in outcome.message
    assert "'contractor-dana' password (never used; set 2026-09-01T09:05:00Z, 80 days)" in outcome.message
