output "metric_filter_name" {
  description = "Name of the metric filter on the CloudTrail log group."
  value       = aws_cloudwatch_log_metric_filter.root_usage.name
}

output "alarm_arn" {
  description = "ARN of the root usage alarm."
  value       = aws_cloudwatch_metric_alarm.root_usage.arn
}

output "topic_arn" {
  description = "SNS topic the alarm notifies; its e-mail subscription must be confirmed."
  value       = aws_sns_topic.root_usage.arn
}

output "topic_key_arn" {
  description = "Customer managed KMS key that encrypts the topic."
  value       = aws_kms_key.topic.arn
}
