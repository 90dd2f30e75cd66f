output "rule_arns" {
  description = "ARN of each AWS Config rule, by managed rule name."
  value       = { for name, rule in aws_config_config_rule.root : name => rule.arn }
}
