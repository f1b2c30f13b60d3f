"""Tipline intake: where a tip enters. Validates, stores durably, publishes the tip id."""

from services.ingest.app import create_app

__all__ = ["create_app"]
