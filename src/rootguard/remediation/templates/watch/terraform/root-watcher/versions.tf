terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.64 added aws_chatbot_slack_channel_configuration; the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
      # rule state needs 5.30 or later.
      version = ">= 5.64, < 7.0"
    }
  }
}
