# rootguard root-config-rules: the three AWS Config managed rules that keep judging the root user after
# rootguard has run.
#
# AWS Config must already record in this Region: a configuration recorder and a delivery channel exist and
# the recorder is started. This module does not create them, because an account has at most one recorder
# per Region and another stack (or Control Tower) usually owns it.
# The rules judge the account (AWS::::Account), not a Region: apply in ONE Region per account to avoid
# duplicate findings. The MFA rules are not offered in every Region (e.g. China, GovCloud, some newer
# Regions); pick one where they are.

locals {
  rules = {
    "root-account-mfa-enabled" = {
      identifier  = "ROOT_ACCOUNT_MFA_ENABLED"
      description = "NON_COMPLIANT when the root user can sign in to the console without MFA (CIS 1.5 in v3.0.0)."
    }
    "root-account-hardware-mfa-enabled" = {
      identifier  = "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED"
      description = "NON_COMPLIANT when a virtual MFA device is permitted for the root user (CIS 1.6 in v3.0.0)."
    }
    "iam-root-access-key-check" = {
      identifier  = "IAM_ROOT_ACCESS_KEY_CHECK"
      description = "NON_COMPLIANT when the root user has an access key (CIS 1.4 in v3.0.0)."
    }
  }
}

resource "aws_config_config_rule" "root" {
  for_each = local.rules

  name                        = "${var.rule_name_prefix}${each.key}"
  description                 = each.value.description
  maximum_execution_frequency = var.maximum_execution_frequency
  tags                        = var.tags

  source {
    owner             = "AWS"
    source_identifier = each.value.identifier
  }
}
