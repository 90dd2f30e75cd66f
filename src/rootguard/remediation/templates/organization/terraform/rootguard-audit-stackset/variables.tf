variable "organizational_unit_ids" {
  description = "OUs (ou-xxxx-xxxxxxxx) whose accounts get the role; the root id (r-xxxx) for every member."
  type        = list(string)

  validation {
    condition     = length(var.organizational_unit_ids) > 0 && alltrue([for id in var.organizational_unit_ids : can(regex("^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$", id))])
    error_message = "organizational_unit_ids must name at least one OU (ou-xxxx-xxxxxxxx) or the root (r-xxxx)."
  }
}

variable "auditor_account_id" {
  description = "Account rootguard runs from, which the role trusts; empty for the account this module is applied in."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([0-9]{12})?$", var.auditor_account_id))
    error_message = "auditor_account_id must be a 12-digit account id, or empty."
  }
}

variable "auditor_principal_arn" {
  description = "ARN pattern of the principals in this account allowed to assume the role (ArnLike; a role, or * for any)."
  type        = string
  default     = "*"
}

variable "external_id" {
  description = "ExternalId rootguard must send (rootguard org audit --external-id); empty for none."
  type        = string
  default     = ""
  sensitive   = true
}

variable "role_name" {
  description = "Name of the role in each member (rootguard org audit --audit-role NAME)."
  type        = string
  default     = "rootguard-audit"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 letters, digits or +=,.@_- characters."
  }
}

variable "call_as" {
  description = "SELF in the management account; DELEGATED_ADMIN in a StackSets delegated administrator."
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
