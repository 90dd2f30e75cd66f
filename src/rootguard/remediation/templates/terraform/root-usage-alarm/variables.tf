variable "log_group_name" {
  description = "CloudWatch Logs log group that a multi-Region CloudTrail trail delivers to."
  type        = string

  validation {
    condition     = can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be a CloudWatch Logs log group name."
  }
}

variable "alarm_email" {
  description = "Address that receives the alarm. AWS e-mails it a confirmation link; nothing is delivered until the recipient confirms."
  type        = string

  validation {
    condition     = can(regex("^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the metric; the CIS remediation uses CISBenchmark."
  type        = string
  default     = "CISBenchmark"

  validation {
    condition     = length(var.metric_namespace) > 0 && length(var.metric_namespace) <= 255
    error_message = "metric_namespace must be 1 to 255 characters."
  }
}

variable "metric_name" {
  description = "Name of the metric the filter increments by 1 for each matching event."
  type        = string
  default     = "RootAccountUsageCount"

  validation {
    condition     = length(var.metric_name) > 0 && length(var.metric_name) <= 255
    error_message = "metric_name must be 1 to 255 characters."
  }
}

variable "name_prefix" {
  description = "Prefix for the names of the filter, alarm and topic."
  type        = string
  default     = "rootguard-"
}

variable "tags" {
  description = "Tags for the resources that take them."
  type        = map(string)
  default     = {}
}
