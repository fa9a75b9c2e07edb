variable "account_id" {
  type        = string
  description = "The AWS account that owns the signing profiles."
  default     = "123456789012"
}

variable "region" {
  type = string
}

variable "teams" {
  type    = list(string)
  default = ["payments", "search"]
}
