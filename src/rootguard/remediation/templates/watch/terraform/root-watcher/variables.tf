variable "watcher_zip" {
  description = "Path of the zip written by `rootguard package-watcher --out watcher.zip`; its SHA-256 pins the function's code."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses e-mailed for each root event (at least one). AWS asks each to confirm the subscription first."
  type        = list(string)

  validation {
    condition     = length(var.alarm_emails) > 0 && alltrue([for email in var.alarm_emails : can(regex("^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", email))])
    error_message = "alarm_emails must hold at least one e-mail address, and only e-mail addresses."
  }
}

variable "slack_workspace_id" {
  description = "Slack workspace id already authorised in the AWS Chatbot console; empty for no Slack."
  type        = string
  default     = ""
}

variable "slack_channel_id" {
  description = "Slack channel id (e.g. C0123456789), used with slack_workspace_id."
  type        = string
  default     = ""
}

variable "account_names" {
  description = "Account id to name, shown in every alert."
  type        = map(string)
  default     = {}
}

variable "approvals_s3_bucket" {
  description = "Bucket of the approvals TOML (rootguard contract section 6); empty if not in S3."
  type        = string
  default     = ""
}

variable "approvals_s3_key" {
  description = "Key of the approvals TOML in approvals_s3_bucket."
  type        = string
  default     = "approvals.toml"
}

variable "approvals_ssm_parameter" {
  description = "SSM parameter holding the approvals TOML instead (e.g. /rootguard/approvals); empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.approvals_ssm_parameter == "" || startswith(var.approvals_ssm_parameter, "/")
    error_message = "approvals_ssm_parameter must be empty or a parameter name starting with /."
  }
}

variable "organization_id" {
  description = "Organization id (o-...) to create the central event bus members forward to; empty to watch only this account's default bus."
  type        = string
  default     = ""

  validation {
    condition     = var.organization_id == "" || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be empty or an organization id (o-...)."
  }
}

variable "create_watch_queue" {
  description = "Also send every matched event to an SQS queue read by `rootguard watch`."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of the names this module creates."
  type        = string
  default     = "rootguard-"
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
