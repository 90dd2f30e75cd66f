variable "central_event_bus_arn" {
  description = "The central_event_bus_arn output of root-watcher (applied with organization_id)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[/.\\-_A-Za-z0-9]+$", var.central_event_bus_arn))
    error_message = "central_event_bus_arn must be an EventBridge event bus ARN."
  }
}

variable "organizational_unit_ids" {
  description = "OUs (or the root, r-...) whose accounts get the forwarding rule; accounts that join later get it too."
  type        = list(string)

  validation {
    condition     = length(var.organizational_unit_ids) > 0
    error_message = "organizational_unit_ids needs at least one OU or root id."
  }
}

variable "regions" {
  description = "Every Region your accounts use; us-east-1 must be one of them."
  type        = list(string)
  default     = ["us-east-1"]

  validation {
    condition     = contains(var.regions, "us-east-1")
    error_message = "regions must include us-east-1: root console sign-ins and global-service events reach EventBridge only there."
  }
}

variable "call_as" {
  description = "SELF in the management account, DELEGATED_ADMIN in a StackSets delegated administrator."
  type        = string
  default     = "SELF"

  validation {
    condition     = contains(["SELF", "DELEGATED_ADMIN"], var.call_as)
    error_message = "call_as must be SELF or DELEGATED_ADMIN."
  }
}

variable "tags" {
  description = "Tags for the StackSet."
  type        = map(string)
  default     = {}
}
