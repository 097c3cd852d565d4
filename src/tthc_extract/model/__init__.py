"""Data models: the intermediate document model and the output Plan."""
