output "rule_arn" {
  description = "The EventBridge rule matching root use."
  value       = aws_cloudwatch_event_rule.root_watch.arn
}

output "topic_arn" {
  description = "The SNS topic alerts are published to (confirm the e-mail subscriptions)."
  value       = aws_sns_topic.alerts.arn
}

output "function_name" {
  description = "The watcher's Lambda function."
  value       = aws_lambda_function.watcher.function_name
}

output "dead_letter_queue_url" {
  description = "What could not be handled."
  value       = aws_sqs_queue.dead_letters.url
}

output "watch_queue_url" {
  description = "For `rootguard watch --queue-url`; null without create_watch_queue."
  value       = var.create_watch_queue ? aws_sqs_queue.watch[0].url : null
}

output "central_event_bus_arn" {
  description = "For root-watcher-org's central_event_bus_arn; null without organization_id."
  value       = local.central ? aws_cloudwatch_event_bus.central[0].arn : null
}
