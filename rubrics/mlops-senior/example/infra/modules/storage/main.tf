resource "aws_s3_bucket" "models" {
  bucket = "iris-models-${var.environment}"
  tags = {
    environment = var.environment
  }
}

resource "aws_s3_bucket_versioning" "models" {
  bucket = aws_s3_bucket.models.id
  versioning_configuration {
    status = "Enabled"
  }
}
