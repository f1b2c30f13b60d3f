"""Location resolver: pin, postcode, named place or postcode sector to a Cambridge ward."""

from __future__ import annotations

from .resolver import Locator

__all__ = ["Locator"]
