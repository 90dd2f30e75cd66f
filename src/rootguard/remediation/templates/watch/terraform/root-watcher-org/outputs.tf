output "stack_set_id" {
  description = "The forwarding StackSet."
  value       = aws_cloudformation_stack_set.forwarder.id
}

output "regions" {
  description = "The Regions it deploys to."
  value       = sort(keys(aws_cloudformation_stack_set_instance.forwarder))
}
