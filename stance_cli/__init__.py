"""The `stance` command line."""
