# rootguard root-usage-alarm: CIS AWS Foundations 4.3 (v3.0.0, v5.0.0; 5.3 in v6.0.0), "Ensure usage of
# 'root' account is monitored": a metric filter on the CloudTrail log group, an alarm on its metric and an
# encrypted SNS topic that e-mails whoever must answer for root use.
#
# Apply with a provider for the Region of var.log_group_name: the filter, metric and alarm live beside the
# log group. The log group must receive a multi-Region trail that logs management events (read and write);
# otherwise root activity in other Regions never reaches the filter.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # The exact CIS pattern, spaces included: Security Hub CloudWatch.1 and other checkers compare the text,
  # so an equivalent but differently written pattern is reported as missing. invokedBy NOT EXISTS drops
  # calls AWS services make on root's behalf; AwsServiceEvent drops events AWS itself emits.
  cis_root_usage_pattern = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
}

resource "aws_cloudwatch_log_metric_filter" "root_usage" {
  name           = "${var.name_prefix}root-usage"
  log_group_name = var.log_group_name
  pattern        = local.cis_root_usage_pattern

  metric_transformation {
    namespace = var.metric_namespace
    name      = var.metric_name
    value     = "1"
  }
}

# A customer managed key, not the AWS managed alias/aws/sns: the AWS managed key's policy cannot be changed,
# so CloudWatch could not use it and every alarm notification would be dropped without an error.
resource "aws_kms_key" "topic" {
  description         = "Encrypts the root usage alarm topic; CloudWatch alarms may use it to publish."
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
        Sid       = "AllowCloudWatchAlarmsToPublishEncrypted"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic" "root_usage" {
  name              = "${var.name_prefix}root-usage"
  display_name      = "AWS root user usage"
  kms_master_key_id = aws_kms_key.topic.arn
  tags              = var.tags
}

# Only this alarm, in this account, may publish (guards against the confused deputy).
resource "aws_sns_topic_policy" "root_usage" {
  arn = aws_sns_topic.root_usage.arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowRootUsageAlarmToPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.root_usage.arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
          ArnLike      = { "aws:SourceArn" = aws_cloudwatch_metric_alarm.root_usage.arn }
        }
      },
    ]
  })
}

# The recipient must click the link in AWS's confirmation e-mail; until then the subscription is pending,
# rootguard and CIS report the alarm as not delivering, and no alert is sent.
resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.root_usage.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "root_usage" {
  alarm_name        = "${var.name_prefix}root-usage"
  alarm_description = "The AWS root user was used (CIS AWS Foundations 4.3). Find the event in CloudTrail and confirm it was an approved task that requires root."
  namespace         = var.metric_namespace
  metric_name       = var.metric_name

  # CIS 4.3 remediation: Sum over 300 s, >= 1, one evaluation period: a single root call alarms.
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # No root events means no data points; that is the good state, not INSUFFICIENT_DATA.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.root_usage.arn]
  tags               = var.tags

  # The metric exists only once the filter does.
  depends_on = [aws_cloudwatch_log_metric_filter.root_usage]
}
