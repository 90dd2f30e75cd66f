# rootguard root-activity-eventbridge: an EventBridge rule that reacts within seconds to any API call or
# console sign-in by the AWS root user, e-mails it through an encrypted SNS topic and, optionally, forwards
# it to a central event bus.
#
# Apply in EVERY Region you allow (one provider alias per Region, or a CloudFormation StackSet of the
# equivalent template): CloudTrail delivers an event to EventBridge only in the Region where the call or the
# console sign-in happened, so a rule in one Region does not see root activity in another.
# The rule sees CloudTrail events only while a trail logs management events in the account.
# To alert centrally, apply it in each member Region with central_event_bus_arn set (and alarm_email empty
# if the members should not e-mail), then once more in the central account with event_bus_name set to the
# central bus: AWS services publish only to the default bus, so a rule on a custom bus matches only what is
# forwarded to it. The central bus's resource policy must allow events:PutEvents from the member accounts.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  notify_by_email = var.alarm_email != ""
  forward         = var.central_event_bus_arn != ""
}

# A rule with no target would match root activity and tell no one.
check "at_least_one_destination" {
  assert {
    condition     = local.notify_by_email || local.forward
    error_message = "Set alarm_email, central_event_bus_arn or both."
  }
}

resource "aws_cloudwatch_event_rule" "root_activity" {
  name           = "${var.name_prefix}root-activity"
  description    = "API calls and console sign-ins by the AWS root user (userIdentity.type Root)."
  event_bus_name = var.event_bus_name
  state          = var.include_read_only_events ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED"
  tags           = var.tags

  # No "source" filter: root calls come from every service, and sign-ins from signin.amazonaws.com.
  # userIdentity.type Root also covers AssumeRoot sessions (centralized root access).
  event_pattern = jsonencode({
    "detail-type" = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
    detail = {
      userIdentity = {
        type = ["Root"]
      }
    }
  })
}

# A customer managed key, not alias/aws/sns: EventBridge cannot use the AWS managed key, whose policy cannot
# be changed, and would drop every notification. EventBridge's KMS calls carry no aws:SourceAccount or
# aws:SourceArn, so the key statement has no such conditions; the topic policy has them.
resource "aws_kms_key" "topic" {
  count = local.notify_by_email ? 1 : 0

  description         = "Encrypts the root activity topic; EventBridge may use it to publish."
  enable_key_rotation = true
  tags                = var.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowEventBridgeToPublishEncrypted"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic" "root_activity" {
  count = local.notify_by_email ? 1 : 0

  name              = "${var.name_prefix}root-activity"
  display_name      = "AWS root user activity"
  kms_master_key_id = aws_kms_key.topic[0].arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "root_activity" {
  count = local.notify_by_email ? 1 : 0

  arn = aws_sns_topic.root_activity[0].arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowRootActivityRuleToPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.root_activity[0].arn
        Condition = {
          ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.root_activity.arn }
        }
      },
    ]
  })
}

# Pending until the recipient confirms AWS's e-mail; nothing is delivered before that.
resource "aws_sns_topic_subscription" "email" {
  count = local.notify_by_email ? 1 : 0

  topic_arn = aws_sns_topic.root_activity[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_event_target" "topic" {
  count = local.notify_by_email ? 1 : 0

  rule           = aws_cloudwatch_event_rule.root_activity.name
  event_bus_name = var.event_bus_name
  target_id      = "root-activity-topic"
  arn            = aws_sns_topic.root_activity[0].arn
}

# Cross-account and cross-Region bus targets need a role EventBridge assumes to put events.
resource "aws_iam_role" "forwarding" {
  count = local.forward ? 1 : 0

  name        = "${var.name_prefix}root-activity-forwarding"
  description = "Lets EventBridge forward root activity to the central event bus."
  tags        = var.tags

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy" "forwarding" {
  count = local.forward ? 1 : 0

  name = "put-events-on-central-bus"
  role = aws_iam_role.forwarding[0].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "events:PutEvents"
        Resource = var.central_event_bus_arn
      },
    ]
  })
}

resource "aws_cloudwatch_event_target" "central_bus" {
  count = local.forward ? 1 : 0

  rule           = aws_cloudwatch_event_rule.root_activity.name
  event_bus_name = var.event_bus_name
  target_id      = "central-event-bus"
  arn            = var.central_event_bus_arn
  role_arn       = aws_iam_role.forwarding[0].arn
}
