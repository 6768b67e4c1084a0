"""The iris classifier's development cycle: data, preprocessing and training."""
