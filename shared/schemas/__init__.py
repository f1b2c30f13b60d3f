"""Pydantic models for every boundary: what comes in, what goes out."""
