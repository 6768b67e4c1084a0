terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket = "iris-mlops-tfstate"
    key    = "mlops/terraform.tfstate"
    region = "us-east-1"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

module "storage" {
  source      = "./modules/storage"
  environment = var.environment
}
