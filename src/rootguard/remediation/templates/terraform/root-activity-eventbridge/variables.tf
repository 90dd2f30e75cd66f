variable "event_bus_name" {
  description = "Bus the rule listens on. \"default\" receives this account's CloudTrail events; a custom bus only receives events forwarded to it."
  type        = string
  default     = "default"

  validation {
    condition     = can(regex("^[/.\\-_A-Za-z0-9]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name must be an EventBridge event bus name."
  }
}

variable "include_read_only_events" {
  description = "Also match read-only calls (Get*, List*, Describe*), which EventBridge skips unless a rule asks for them; root reading is root use too."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "Address e-mailed for each match; empty for none. AWS e-mails it a confirmation link and delivers nothing until the recipient confirms."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an e-mail address."
  }
}

variable "central_event_bus_arn" {
  description = "ARN of an event bus (another account or Region) that should receive every match; empty for no forwarding."
  type        = string
  default     = ""

  validation {
    condition     = var.central_event_bus_arn == "" || can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[/.\\-_A-Za-z0-9]+$", var.central_event_bus_arn))
    error_message = "central_event_bus_arn must be empty or an EventBridge event bus ARN."
  }
}

variable "name_prefix" {
  description = "Prefix for the names of the rule, topic and role."
  type        = string
  default     = "rootguard-"
}

variable "tags" {
  description = "Tags for the resources that take them."
  type        = map(string)
  default     = {}
}
