output "rule_arn" {
  description = "ARN of the EventBridge rule matching root activity."
  value       = aws_cloudwatch_event_rule.root_activity.arn
}

output "topic_arn" {
  description = "SNS topic the rule notifies (null without alarm_email); its e-mail subscription must be confirmed."
  value       = one(aws_sns_topic.root_activity[*].arn)
}

output "forwarding_role_arn" {
  description = "Role EventBridge assumes to put events on the central bus (null without central_event_bus_arn)."
  value       = one(aws_iam_role.forwarding[*].arn)
}
