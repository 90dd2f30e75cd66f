variable "maximum_execution_frequency" {
  description = "How often AWS Config re-evaluates the periodic rules."
  type        = string
  default     = "TwentyFour_Hours"

  validation {
    condition     = contains(["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"], var.maximum_execution_frequency)
    error_message = "maximum_execution_frequency must be One_Hour, Three_Hours, Six_Hours, Twelve_Hours or TwentyFour_Hours."
  }
}

variable "rule_name_prefix" {
  description = "Prefix for the rule names, so that they do not clash with rules already named so."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{0,64}$", var.rule_name_prefix))
    error_message = "rule_name_prefix may hold up to 64 letters, digits, hyphens and underscores."
  }
}

variable "tags" {
  description = "Tags for the rules."
  type        = map(string)
  default     = {}
}
