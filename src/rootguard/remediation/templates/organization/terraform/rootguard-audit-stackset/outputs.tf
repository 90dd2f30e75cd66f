output "stack_set_id" {
  description = "The StackSet's id."
  value       = aws_cloudformation_stack_set.audit_role.stack_set_id
}

output "role_name" {
  description = "The role to pass to rootguard org audit --audit-role."
  value       = var.role_name
}
