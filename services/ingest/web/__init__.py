"""The public web pages of the intake service: the report form, receipts and status."""

from services.ingest.web.views import bp

__all__ = ["bp"]
