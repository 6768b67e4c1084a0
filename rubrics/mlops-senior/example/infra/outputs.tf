output "models_bucket" {
  value = module.storage.bucket_name
}
