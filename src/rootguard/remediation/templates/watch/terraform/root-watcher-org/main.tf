# rootguard root-watcher-org: a service-managed StackSet that puts the root-watcher-forwarder rule in every
# member account of the chosen organizational units and in every chosen Region, sending root use to the
# central bus where root-watcher classifies it once.
#
# Apply in the management account (or a StackSets delegated administrator with call_as DELEGATED_ADMIN),
# after root-watcher with organization_id set in the security account. Trusted access for StackSets must be
# enabled in AWS Organizations. EventBridge delivers a CloudTrail event only to the default bus of the
# account and Region where it happened (an organization trail does not change that), hence one rule per
# account and Region. us-east-1 is required: root console sign-ins and global-service events arrive there.
# The StackSet never deploys to the management account itself: deploy root-watcher-forwarder.yaml there.

resource "aws_cloudformation_stack_set" "forwarder" {
  name             = "rootguard-root-watcher-forwarder"
  description      = "Forwards root use in every member account and Region to the central rootguard bus."
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_IAM"]
  template_body    = file("${path.module}/root-watcher-forwarder.yaml")
  parameters       = { CentralEventBusArn = var.central_event_bus_arn }
  tags             = var.tags

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  managed_execution {
    active = true
  }

  operation_preferences {
    region_concurrency_type      = "PARALLEL"
    max_concurrent_percentage    = 50
    failure_tolerance_percentage = 10
  }

  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "forwarder" {
  for_each = toset(var.regions)

  stack_set_name = aws_cloudformation_stack_set.forwarder.name
  call_as        = var.call_as
  region         = each.value

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }
}
