# A service-managed StackSet that deploys the read-only rootguard-audit role to every member account
# under the chosen OUs, now and when accounts join them later (auto-deployment).
#
# Apply it in the management account (call_as = "SELF") or in a StackSets delegated administrator
# (call_as = "DELEGATED_ADMIN"), with trusted access for StackSets enabled. IAM is global: the stack
# instances go to the provider's Region only. Service-managed StackSets never deploy to the management
# account itself; rootguard audits it with the credentials it runs with.
# The member template is rootguard-audit-role.yaml in this folder: its actions are exactly what
# `rootguard permissions` prints, and its role trusts auditor_account_id (default: this account).

data "aws_caller_identity" "current" {}

resource "aws_cloudformation_stack_set" "audit_role" {
  name             = "rootguard-audit-role"
  description      = "The read-only rootguard-audit role in every member account (rootguard org audit)."
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/rootguard-audit-role.yaml")
  tags             = var.tags

  parameters = {
    AuditorAccountId    = var.auditor_account_id != "" ? var.auditor_account_id : data.aws_caller_identity.current.account_id
    AuditorPrincipalArn = var.auditor_principal_arn
    ExternalId          = var.external_id
    RoleName            = var.role_name
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  managed_execution {
    active = true
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }

  # AWS fills this in for service-managed StackSets; without this every plan would show a change.
  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "members" {
  stack_set_name = aws_cloudformation_stack_set.audit_role.name
  call_as        = var.call_as

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }
}
