"""The `tipline` command: run the system, its parts, and the operator's tools."""
