"""Shared facts for the remediation template tests: where the templates are and what CIS prescribes."""

from __future__ import annotations

from pathlib import Path

from rootguard.remediation import templates_root

TEMPLATES = Path(str(templates_root()))
CLOUDFORMATION = TEMPLATES / "cloudformation"
TERRAFORM = TEMPLATES / "terraform"

# CIS AWS Foundations 4.3 (v1.2 3.3 through v6 5.3), spaces included: checkers compare it as text.
CIS_ROOT_USAGE_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
)
ROOT_DETAIL_TYPES = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
CONFIG_RULES = {
    "root-account-mfa-enabled": "ROOT_ACCOUNT_MFA_ENABLED",
    "root-account-hardware-mfa-enabled": "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED",
    "iam-root-access-key-check": "IAM_ROOT_ACCESS_KEY_CHECK",
}
