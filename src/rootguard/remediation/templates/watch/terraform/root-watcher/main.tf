# rootguard root-watcher: every root use reaches a person within a minute, already explained. An EventBridge
# rule (read-only calls included) runs rootguard's classifier in Lambda, which publishes one screen per event
# (which account, who, what, from where, MFA, approved or not, root-only or avoidable) to an SNS topic with
# e-mail and optional Slack (AWS Chatbot) subscribers.
#
# One account: apply in us-east-1 (root console sign-ins and global-service events arrive there) and in every
# other Region you allow (each Region's events reach only that Region's default bus).
# An organization: apply ONCE in the security (or management) account with organization_id set; it creates
# the central bus "rootguard-root-activity" (PutEvents only for principals of the organization) and listens
# there; root-watcher-org puts a forwarding rule in every member account and Region.
# The rule also matches source "rootguard.test" so `rootguard watch --test` can prove the path (EventBridge
# refuses PutEvents claiming an aws.* source), and sts AssumeRoot calls so sessions can be explained.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  central       = var.organization_id != ""
  slack         = var.slack_workspace_id != "" && var.slack_channel_id != ""
  approvals_s3  = var.approvals_s3_bucket != ""
  approvals_ssm = var.approvals_ssm_parameter != ""
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  function_name = "${var.name_prefix}root-watcher"
  approvals = (
    local.approvals_s3 ? "s3://${var.approvals_s3_bucket}/${var.approvals_s3_key}" :
    local.approvals_ssm ? "ssm:${var.approvals_ssm_parameter}" : ""
  )
}

check "one_approvals_place" {
  assert {
    condition     = !(local.approvals_s3 && local.approvals_ssm)
    error_message = "Give the approvals in S3 (approvals_s3_bucket) or in SSM (approvals_ssm_parameter), not both."
  }
}

resource "aws_cloudwatch_event_bus" "central" {
  count = local.central ? 1 : 0

  name = "rootguard-root-activity"
  tags = var.tags
}

# Members put events with a role of their own account; only principals of this organization may.
resource "aws_cloudwatch_event_bus_policy" "central" {
  count = local.central ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.central[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "rootguard-organization-members"
        Effect    = "Allow"
        Principal = "*"
        Action    = "events:PutEvents"
        Resource  = aws_cloudwatch_event_bus.central[0].arn
        Condition = { StringEquals = { "aws:PrincipalOrgID" = var.organization_id } }
      },
    ]
  })
}

resource "aws_cloudwatch_event_rule" "root_watch" {
  name           = "${var.name_prefix}root-watch"
  description    = "Root use (API calls, read-only too, and console sign-ins), AssumeRoot calls, rootguard self-tests."
  event_bus_name = local.central ? aws_cloudwatch_event_bus.central[0].name : "default"
  # Without this state EventBridge drops read-only calls (Get*, List*, Describe*): root reading is root use.
  state = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
  tags  = var.tags

  event_pattern = jsonencode({
    "$or" = [
      {
        "detail-type" = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Console Signin via CloudTrail"]
        detail        = { userIdentity = { type = ["Root"] } }
      },
      {
        source        = ["aws.sts"]
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail        = { eventName = ["AssumeRoot"] }
      },
      { source = ["rootguard.test"] },
    ]
  })
}

resource "aws_cloudwatch_event_target" "watcher" {
  rule           = aws_cloudwatch_event_rule.root_watch.name
  event_bus_name = aws_cloudwatch_event_rule.root_watch.event_bus_name
  target_id      = "rootguard-watcher"
  arn            = aws_lambda_function.watcher.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

resource "aws_cloudwatch_event_target" "watch_queue" {
  count = var.create_watch_queue ? 1 : 0

  rule           = aws_cloudwatch_event_rule.root_watch.name
  event_bus_name = aws_cloudwatch_event_rule.root_watch.event_bus_name
  target_id      = "rootguard-watch-queue"
  arn            = aws_sqs_queue.watch[0].arn

  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

# What could not be delivered to the function, or failed in it after Lambda's retries.
resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name_prefix}root-watch-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "RuleDeadLetters"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.dead_letters.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.root_watch.arn } }
      },
    ]
  })
}

resource "aws_sqs_queue" "watch" {
  count = var.create_watch_queue ? 1 : 0

  name                       = "${var.name_prefix}root-watch"
  message_retention_seconds  = 345600
  visibility_timeout_seconds = 60
  sqs_managed_sse_enabled    = true
  tags                       = var.tags
  # A message `rootguard watch` cannot read is left alone; after 5 receives it moves to the dead letters.
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dead_letters.arn, maxReceiveCount = 5 })
}

resource "aws_sqs_queue_policy" "watch" {
  count = var.create_watch_queue ? 1 : 0

  queue_url = aws_sqs_queue.watch[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "RuleDelivers"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.watch[0].arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.root_watch.arn } }
      },
    ]
  })
}

# A customer managed key: CloudWatch alarms (below) cannot publish to a topic under alias/aws/sns.
resource "aws_kms_key" "alerts" {
  description         = "Encrypts the rootguard root activity topic."
  enable_key_rotation = true
  tags                = var.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudWatchAlarmsToPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name_prefix}root-activity-alerts"
  display_name      = "AWS root user activity (rootguard)"
  kms_master_key_id = aws_kms_key.alerts.arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowWatcherAlarmsToPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

# Pending until each recipient confirms AWS's e-mail; nothing is delivered before that.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# Chatbot only relays notifications: its role has no permissions and its guardrail denies everything.
resource "aws_iam_role" "chatbot" {
  count = local.slack ? 1 : 0

  name_prefix = "${var.name_prefix}chatbot-"
  description = "AWS Chatbot relays rootguard alerts to Slack; it needs no permission."
  tags        = var.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { Service = "chatbot.amazonaws.com" }, Action = "sts:AssumeRole" },
    ]
  })
}

resource "aws_chatbot_slack_channel_configuration" "alerts" {
  count = local.slack ? 1 : 0

  configuration_name = "${var.name_prefix}root-activity"
  iam_role_arn       = aws_iam_role.chatbot[0].arn
  slack_team_id      = var.slack_workspace_id
  slack_channel_id   = var.slack_channel_id
  sns_topic_arns     = [aws_sns_topic.alerts.arn]
  guardrail_policy_arns = [
    "arn:${local.partition}:iam::aws:policy/AWSDenyAll",
  ]
  logging_level = "ERROR"
}

resource "aws_cloudwatch_log_group" "watcher" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 90
  tags              = var.tags
}

resource "aws_iam_role" "watcher" {
  name_prefix = "${var.name_prefix}watcher-"
  description = "The rootguard watcher publishes alerts and reads its approvals; nothing else."
  tags        = var.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_iam_role_policy" "watcher" {
  name = "rootguard-watcher"
  role = aws_iam_role.watcher.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.watcher.arn}:*"
        },
        { Sid = "PublishAlerts", Effect = "Allow", Action = "sns:Publish", Resource = aws_sns_topic.alerts.arn },
        {
          Sid      = "EncryptAlerts"
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey*", "kms:Decrypt"]
          Resource = aws_kms_key.alerts.arn
        },
        { Sid = "DeadLetters", Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.dead_letters.arn },
      ],
      local.approvals_s3 ? [{
        Sid      = "ReadApprovalsObject"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:${local.partition}:s3:::${var.approvals_s3_bucket}/${var.approvals_s3_key}"
      }] : [],
      local.approvals_ssm ? [{
        Sid      = "ReadApprovalsParameter"
        Effect   = "Allow"
        Action   = "ssm:GetParameter"
        Resource = "arn:${local.partition}:ssm:${data.aws_region.current.name}:${local.account_id}:parameter${var.approvals_ssm_parameter}"
      }] : [],
    )
  })
}

resource "aws_lambda_function" "watcher" {
  function_name    = local.function_name
  description      = "rootguard watcher - classifies root events and tells people."
  runtime          = "python3.12"
  handler          = "rootguard.watch.handler.handler"
  filename         = var.watcher_zip
  source_code_hash = filebase64sha256(var.watcher_zip)
  role             = aws_iam_role.watcher.arn
  memory_size      = 256
  timeout          = 30
  tags             = var.tags

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letters.arn
  }

  environment {
    variables = {
      ROOTGUARD_WATCH_TOPIC_ARN     = aws_sns_topic.alerts.arn
      ROOTGUARD_WATCH_ACCOUNT_NAMES = jsonencode(var.account_names)
      ROOTGUARD_WATCH_APPROVALS     = local.approvals
    }
  }

  depends_on = [aws_cloudwatch_log_group.watcher, aws_iam_role_policy.watcher]
}

resource "aws_lambda_permission" "events" {
  statement_id  = "rootguard-root-watch-rule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.watcher.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.root_watch.arn
}

# The watcher watching itself: a failed invocation or a dead letter is an alert too.
resource "aws_cloudwatch_metric_alarm" "watcher_errors" {
  alarm_name          = "${var.name_prefix}root-watcher-errors"
  alarm_description   = "The rootguard watcher failed; root activity may not have been reported."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.watcher.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name_prefix}root-watcher-dead-letters"
  alarm_description   = "Root events the rootguard watcher could not handle are waiting in its dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}
