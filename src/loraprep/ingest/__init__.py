"""Walk a dataset folder, read sidecar captions, decode and verify images."""
